// CII writer: element order follows the CII D16B schema that EN 16931 / XRechnung validate against.
#include "billing/einvoicexml.h"

#include <QXmlStreamWriter>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

const QString rsm = u"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"_s;
const QString ram = u"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"_s;
const QString udt = u"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"_s;
const QString qdt = u"urn:un:unece:uncefact:data:standard:QualifiedDataType:100"_s;

class Writer
{
public:
    explicit Writer(QByteArray *out) : m_xml(out) { m_xml.setAutoFormatting(true); }
    QXmlStreamWriter &xml() { return m_xml; }
    void start(const QString &ns, const QString &name) { m_xml.writeStartElement(ns, name); }
    void end() { m_xml.writeEndElement(); }
    void text(const QString &name, const QString &value) { m_xml.writeTextElement(ram, name, value); }
    void amount(const QString &name, qint64 cents, bool currency = false)
    {
        m_xml.writeStartElement(ram, name);
        if (currency)
            m_xml.writeAttribute(u"currencyID"_s, u"EUR"_s);
        m_xml.writeCharacters(money::plain(cents));
        m_xml.writeEndElement();
    }
    void date(const QString &name, QDate date)
    {
        start(ram, name);
        m_xml.writeStartElement(udt, u"DateTimeString"_s);
        m_xml.writeAttribute(u"format"_s, u"102"_s);
        m_xml.writeCharacters(date.toString(u"yyyyMMdd"_s));
        m_xml.writeEndElement();
        end();
    }
    void party(const QString &role, const PartyInfo &p)
    {
        start(ram, role);
        text(u"Name"_s, p.name);
        start(ram, u"PostalTradeAddress"_s);
        if (!p.postcode().isEmpty())
            text(u"PostcodeCode"_s, p.postcode());
        const QStringList street = p.streetLines();
        if (!street.isEmpty())
            text(u"LineOne"_s, street.first());
        if (street.size() > 1)
            text(u"LineTwo"_s, street.mid(1).join(u", "_s));
        if (!p.city().isEmpty())
            text(u"CityName"_s, p.city());
        text(u"CountryID"_s, p.country.isEmpty() ? u"DE"_s : p.country);
        end();
        if (!p.email.isEmpty()) {
            start(ram, u"URIUniversalCommunication"_s);
            m_xml.writeStartElement(ram, u"URIID"_s);
            m_xml.writeAttribute(u"schemeID"_s, u"EM"_s);
            m_xml.writeCharacters(p.email);
            m_xml.writeEndElement();
            end();
        }
        const auto registration = [this](const QString &scheme, const QString &id) {
            if (id.isEmpty())
                return;
            start(ram, u"SpecifiedTaxRegistration"_s);
            m_xml.writeStartElement(ram, u"ID"_s);
            m_xml.writeAttribute(u"schemeID"_s, scheme);
            m_xml.writeCharacters(id);
            m_xml.writeEndElement();
            end();
        };
        registration(u"FC"_s, p.taxNumber);
        registration(u"VA"_s, p.vatId);
        end();
    }
    void tax(const QString &category, const QString &percent)
    {
        text(u"TypeCode"_s, u"VAT"_s);
        text(u"CategoryCode"_s, category);
        text(u"RateApplicablePercent"_s, percent);
    }

private:
    QXmlStreamWriter m_xml;
};

qint64 abs64(qint64 v)
{
    return v < 0 ? -v : v;
}

} // namespace

Result<QByteArray> EInvoiceXml::write(const InvoiceDocument &d)
{
    if (d.number.isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.draft"_s, u"A draft has no e-invoice yet"_s);
    const QString category = d.vatRateBp == 0 ? u"Z"_s : u"S"_s;
    const QString percent = QString::number(d.vatRateBp / 100.0, 'g', 6);
    QByteArray out;
    Writer w(&out);
    QXmlStreamWriter &x = w.xml();
    x.writeStartDocument();
    x.writeNamespace(rsm, u"rsm"_s);
    x.writeNamespace(ram, u"ram"_s);
    x.writeNamespace(qdt, u"qdt"_s);
    x.writeNamespace(udt, u"udt"_s);
    w.start(rsm, u"CrossIndustryInvoice"_s);

    w.start(rsm, u"ExchangedDocumentContext"_s);
    w.start(ram, u"GuidelineSpecifiedDocumentContextParameter"_s);
    w.text(u"ID"_s, QString::fromLatin1(guideline));
    w.end();
    w.end();

    w.start(rsm, u"ExchangedDocument"_s);
    w.text(u"ID"_s, d.number);
    w.text(u"TypeCode"_s, d.isCreditNote() ? u"381"_s : u"380"_s);
    w.date(u"IssueDateTime"_s, d.issueDate());
    if (!d.note.isEmpty()) {
        w.start(ram, u"IncludedNote"_s);
        w.text(u"Content"_s, d.note);
        w.end();
    }
    w.end();

    w.start(rsm, u"SupplyChainTradeTransaction"_s);
    for (const InvoiceLine &line : d.lines) {
        w.start(ram, u"IncludedSupplyChainTradeLineItem"_s);
        w.start(ram, u"AssociatedDocumentLineDocument"_s);
        w.text(u"LineID"_s, QString::number(line.position));
        w.end();
        w.start(ram, u"SpecifiedTradeProduct"_s);
        w.text(u"Name"_s, line.description);
        w.end();
        w.start(ram, u"SpecifiedLineTradeAgreement"_s);
        w.start(ram, u"NetPriceProductTradePrice"_s);
        w.amount(u"ChargeAmount"_s, line.unitPriceCents);
        w.end();
        w.end();
        w.start(ram, u"SpecifiedLineTradeDelivery"_s);
        x.writeStartElement(ram, u"BilledQuantity"_s);
        x.writeAttribute(u"unitCode"_s, u"C62"_s); // "one": a call, an appointment, a month's fee
        x.writeCharacters(QString::number(abs64(line.quantity)));
        x.writeEndElement();
        w.end();
        w.start(ram, u"SpecifiedLineTradeSettlement"_s);
        w.start(ram, u"ApplicableTradeTax"_s);
        w.tax(category, percent);
        w.end();
        w.start(ram, u"SpecifiedTradeSettlementLineMonetarySummation"_s);
        w.amount(u"LineTotalAmount"_s, abs64(line.amountCents));
        w.end();
        w.end();
        w.end();
    }

    w.start(ram, u"ApplicableHeaderTradeAgreement"_s);
    w.text(u"BuyerReference"_s, QString::number(d.companyId)); // BT-10: our customer number
    w.party(u"SellerTradeParty"_s, d.seller);
    w.party(u"BuyerTradeParty"_s, d.buyer);
    w.end();

    w.start(ram, u"ApplicableHeaderTradeDelivery"_s);
    w.start(ram, u"ActualDeliverySupplyChainEvent"_s);
    w.date(u"OccurrenceDateTime"_s, d.periodLastDay());
    w.end();
    w.end();

    w.start(ram, u"ApplicableHeaderTradeSettlement"_s);
    w.text(u"PaymentReference"_s, d.number);
    w.text(u"InvoiceCurrencyCode"_s, d.currency);
    if (!d.isCreditNote() && !d.sellerIban.isEmpty()) {
        w.start(ram, u"SpecifiedTradeSettlementPaymentMeans"_s);
        w.text(u"TypeCode"_s, u"58"_s); // SEPA credit transfer
        w.start(ram, u"PayeePartyCreditorFinancialAccount"_s);
        w.text(u"IBANID"_s, QString(d.sellerIban).remove(u' '));
        w.end();
        w.end();
    }
    w.start(ram, u"ApplicableTradeTax"_s);
    w.amount(u"CalculatedAmount"_s, abs64(d.vatCents));
    w.text(u"TypeCode"_s, u"VAT"_s);
    w.amount(u"BasisAmount"_s, abs64(d.netCents));
    w.text(u"CategoryCode"_s, category);
    w.text(u"RateApplicablePercent"_s, percent);
    w.end();
    w.start(ram, u"BillingSpecifiedPeriod"_s);
    w.date(u"StartDateTime"_s, d.periodFirstDay());
    w.date(u"EndDateTime"_s, d.periodLastDay());
    w.end();
    w.start(ram, u"SpecifiedTradePaymentTerms"_s);
    w.text(u"Description"_s, d.english() ? u"Payable within 14 days without deduction"_s : u"Zahlbar innerhalb von 14 Tagen ohne Abzug"_s);
    if (!d.isCreditNote())
        w.date(u"DueDateDateTime"_s, d.dueDate());
    w.end();
    w.start(ram, u"SpecifiedTradeSettlementHeaderMonetarySummation"_s);
    w.amount(u"LineTotalAmount"_s, abs64(d.netCents));
    w.amount(u"TaxBasisTotalAmount"_s, abs64(d.netCents));
    w.amount(u"TaxTotalAmount"_s, abs64(d.vatCents), true);
    w.amount(u"GrandTotalAmount"_s, abs64(d.grossCents));
    w.amount(u"DuePayableAmount"_s, abs64(d.grossCents));
    w.end();
    if (!d.correctsNumber.isEmpty()) {
        w.start(ram, u"InvoiceReferencedDocument"_s);
        w.text(u"IssuerAssignedID"_s, d.correctsNumber);
        w.end();
    }
    w.end(); // settlement
    w.end(); // transaction
    w.end(); // invoice
    x.writeEndDocument();
    return out;
}

} // namespace askpro
