// PDF rendering: HTML into a QTextDocument sized to the printable A4 area, printed by QPdfWriter as PDF/A-1b,
// then made a PDF/A-3b hybrid e-invoice with qpdf (Factur-X / ZUGFeRD 2, profile EN 16931).
#include "invoicepdf.h"

#include "billing/einvoicexml.h"
#include "core/logging.h"

#include <QBuffer>
#include <QLocale>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>
#include <QXmlStreamReader>
#include <QXmlStreamWriter>

#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFEFStreamObjectHelper.hh>
#include <qpdf/QPDFEmbeddedFileDocumentHelper.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFFileSpecObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>
#include <qpdf/QUtil.hh>

#include <exception>
#include <string>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

struct Words
{
    QString title, number, issueDate, servicePeriod, dueDate, customer, vatId, taxNumber, position, description, quantity, unitPrice, amount,
        net, vat, gross, payment, corrects, reason, seller;
};

Words wordsFor(const InvoiceDocument &d)
{
    if (d.english())
        return {d.isCreditNote() ? u"Credit note"_s : u"Invoice"_s, u"Number"_s, u"Issue date"_s, u"Service period"_s, u"Due date"_s,
                u"Customer number"_s, u"VAT ID"_s, u"Tax number"_s, u"Item"_s, u"Description"_s, u"Quantity"_s, u"Unit price"_s,
                u"Amount"_s, u"Net total"_s, u"VAT %1"_s, u"Total"_s,
                u"Please transfer the total by %1 to IBAN %2, quoting %3."_s, u"This credit note corrects invoice %1."_s, u"Reason"_s,
                u"Seller"_s};
    return {d.isCreditNote() ? u"Gutschrift (Rechnungskorrektur)"_s : u"Rechnung"_s, u"Rechnungsnummer"_s, u"Rechnungsdatum"_s,
            u"Leistungszeitraum"_s, u"Fällig am"_s, u"Kundennummer"_s, u"USt-IdNr."_s, u"Steuernummer"_s, u"Pos."_s, u"Leistung"_s,
            u"Menge"_s, u"Einzelpreis"_s, u"Betrag"_s, u"Summe netto"_s, u"Umsatzsteuer %1"_s, u"Gesamtbetrag"_s,
            u"Bitte überweisen Sie den Gesamtbetrag bis zum %1 auf das Konto IBAN %2 unter Angabe von %3."_s,
            u"Diese Gutschrift korrigiert die Rechnung %1."_s, u"Grund"_s, u"Leistungserbringer"_s};
}

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString addressHtml(const PartyInfo &p)
{
    QStringList lines{u"<b>"_s + esc(p.name) + u"</b>"_s};
    for (const QString &l : p.streetLines())
        lines << esc(l);
    if (!p.postcode().isEmpty() || !p.city().isEmpty())
        lines << esc(QString(p.postcode() + u" "_s + p.city()).trimmed());
    return lines.join(u"<br>"_s);
}

// Factur-X 1.0 / ZUGFeRD 2: the XML's name inside the PDF and the XMP properties that announce it.
constexpr const char *facturXFileName = "factur-x.xml";
const QString rdfNs = u"http://www.w3.org/1999/02/22-rdf-syntax-ns#"_s;
const QString pdfaidNs = u"http://www.aiim.org/pdfa/ns/id/"_s;
const QString pdfaExtensionNs = u"http://www.aiim.org/pdfa/ns/extension/"_s;
const QString pdfaSchemaNs = u"http://www.aiim.org/pdfa/ns/schema#"_s;
const QString pdfaPropertyNs = u"http://www.aiim.org/pdfa/ns/property#"_s;
const QString fxNs = u"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"_s;

struct FxProperty
{
    QString name, value, description;
};

QList<FxProperty> fxProperties()
{
    // Credit notes are DocumentType INVOICE as well: the CII TypeCode (381) tells them apart.
    return {{u"DocumentType"_s, u"INVOICE"_s, u"Kind of the hybrid document, in capital letters"_s},
            {u"DocumentFileName"_s, QString::fromLatin1(facturXFileName), u"File name of the embedded XML invoice"_s},
            {u"Version"_s, u"1.0"_s, u"Version of the Factur-X schema of the embedded XML"_s},
            {u"ConformanceLevel"_s, u"EN 16931"_s, u"Factur-X profile of the embedded XML"_s}};
}

// The PDF/A extension schema that declares the fx properties, and the properties themselves.
void writeFacturXDescriptions(QXmlStreamWriter &w)
{
    const auto resourceItem = [&w] {
        w.writeStartElement(rdfNs, u"li"_s);
        w.writeAttribute(rdfNs, u"parseType"_s, u"Resource"_s);
    };
    w.writeNamespace(pdfaExtensionNs, u"pdfaExtension"_s);
    w.writeNamespace(pdfaSchemaNs, u"pdfaSchema"_s);
    w.writeNamespace(pdfaPropertyNs, u"pdfaProperty"_s);
    w.writeStartElement(rdfNs, u"Description"_s);
    w.writeAttribute(rdfNs, u"about"_s, QString());
    w.writeStartElement(pdfaExtensionNs, u"schemas"_s);
    w.writeStartElement(rdfNs, u"Bag"_s);
    resourceItem();
    w.writeTextElement(pdfaSchemaNs, u"schema"_s, u"Factur-X PDFA Extension Schema"_s);
    w.writeTextElement(pdfaSchemaNs, u"namespaceURI"_s, fxNs);
    w.writeTextElement(pdfaSchemaNs, u"prefix"_s, u"fx"_s);
    w.writeStartElement(pdfaSchemaNs, u"property"_s);
    w.writeStartElement(rdfNs, u"Seq"_s);
    for (const FxProperty &p : fxProperties()) {
        resourceItem();
        w.writeTextElement(pdfaPropertyNs, u"name"_s, p.name);
        w.writeTextElement(pdfaPropertyNs, u"valueType"_s, u"Text"_s);
        w.writeTextElement(pdfaPropertyNs, u"category"_s, u"external"_s);
        w.writeTextElement(pdfaPropertyNs, u"description"_s, p.description);
        w.writeEndElement(); // li
    }
    w.writeEndElement(); // Seq
    w.writeEndElement(); // property
    w.writeEndElement(); // li
    w.writeEndElement(); // Bag
    w.writeEndElement(); // schemas
    w.writeEndElement(); // Description

    w.writeNamespace(fxNs, u"fx"_s);
    w.writeStartElement(rdfNs, u"Description"_s);
    w.writeAttribute(rdfNs, u"about"_s, QString());
    for (const FxProperty &p : fxProperties())
        w.writeTextElement(fxNs, p.name, p.value);
    w.writeEndElement();
}

// Qt's XMP packet copied token by token (title, creator tool, dates, producer stay as Qt wrote them, in
// step with /Info), with pdfaid:part 3 / conformance B and the Factur-X descriptions added to rdf:RDF.
Result<QByteArray> facturXmp(const QByteArray &qtXmp)
{
    QXmlStreamReader r(qtXmp);
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.setAutoFormatting(true); // Qt's own indentation is dropped below, so the added parts line up too
    const auto pdfaid = [](QStringView name) -> QString {
        if (name == u"part")
            return u"3"_s;
        if (name == u"conformance")
            return u"B"_s;
        return {};
    };
    QString replacedText; // inside pdfaid:part / pdfaid:conformance written as elements
    bool sawPart = false;
    bool wroteFacturX = false;
    while (!r.atEnd()) {
        switch (r.readNext()) {
        case QXmlStreamReader::StartElement: {
            // Names as written, declarations where they were: the writer learns the prefixes for the added parts.
            w.writeStartElement(r.qualifiedName().toString());
            for (const QXmlStreamNamespaceDeclaration &d : r.namespaceDeclarations()) {
                if (d.prefix().isEmpty())
                    w.writeDefaultNamespace(d.namespaceUri().toString());
                else
                    w.writeNamespace(d.namespaceUri().toString(), d.prefix().toString());
            }
            for (const QXmlStreamAttribute &a : r.attributes()) {
                QString value = a.value().toString();
                if (a.namespaceUri() == pdfaidNs && !pdfaid(a.name()).isEmpty()) {
                    value = pdfaid(a.name());
                    sawPart = sawPart || a.name() == u"part";
                }
                w.writeAttribute(a.qualifiedName().toString(), value);
            }
            if (r.namespaceUri() == pdfaidNs && !pdfaid(r.name()).isEmpty()) {
                replacedText = pdfaid(r.name());
                sawPart = sawPart || r.name() == u"part";
            }
            break;
        }
        case QXmlStreamReader::EndElement:
            if (!replacedText.isEmpty()) {
                w.writeCharacters(replacedText);
                replacedText.clear();
            }
            if (r.namespaceUri() == rdfNs && r.name() == u"RDF") {
                if (!sawPart) {
                    w.writeNamespace(pdfaidNs, u"pdfaid"_s);
                    w.writeStartElement(rdfNs, u"Description"_s);
                    w.writeAttribute(rdfNs, u"about"_s, QString());
                    w.writeTextElement(pdfaidNs, u"part"_s, u"3"_s);
                    w.writeTextElement(pdfaidNs, u"conformance"_s, u"B"_s);
                    w.writeEndElement();
                }
                writeFacturXDescriptions(w);
                wroteFacturX = true;
            }
            w.writeEndElement();
            break;
        case QXmlStreamReader::Characters:
            if (replacedText.isEmpty() && !r.isWhitespace())
                w.writeCurrentToken(r);
            break;
        case QXmlStreamReader::ProcessingInstruction:
            w.writeProcessingInstruction(r.processingInstructionTarget().toString(), r.processingInstructionData().toString());
            break;
        case QXmlStreamReader::StartDocument:
        case QXmlStreamReader::EndDocument:
        case QXmlStreamReader::Invalid:
            break;
        default:
            w.writeCurrentToken(r);
            break;
        }
    }
    if (r.hasError() || !wroteFacturX)
        return makeError(ErrorKind::Internal, u"billing.pdf_xmp"_s, u"The PDF's XMP metadata cannot be read"_s,
                         r.hasError() ? r.errorString() : u"no rdf:RDF element"_s);
    return out;
}

QString qpdfWarnings(QPDF &pdf)
{
    QStringList lines;
    for (const QPDFExc &e : pdf.getWarnings())
        lines << QString::fromStdString(e.what());
    return lines.join(u"; "_s);
}

// Adds factur-x.xml (AFRelationship Alternative, listed in the catalog's /AF and the EmbeddedFiles tree)
// to a PDF/A-1b file from QPdfWriter and declares the result PDF/A-3b with the Factur-X XMP properties.
Result<QByteArray> embedFacturX(const QByteArray &pdfA1b, const QByteArray &xml)
{
    try {
        QPDF pdf;
        pdf.setSuppressWarnings(true);
        pdf.processMemoryFile("invoice.pdf", pdfA1b.constData(), size_t(pdfA1b.size()));
        QPDFObjectHandle root = pdf.getRoot();
        QPDFObjectHandle metadata = root.getKey("/Metadata");
        if (!metadata.isStream())
            return makeError(ErrorKind::Internal, u"billing.pdf_xmp"_s, u"The PDF has no XMP metadata"_s);
        const std::shared_ptr<Buffer> oldXmp = metadata.getStreamData(qpdf_dl_generalized);
        auto xmp = facturXmp(QByteArray(reinterpret_cast<const char *>(oldXmp->getBuffer()), qsizetype(oldXmp->getSize())));
        if (!xmp)
            return xmp.error();
        // PDF/A wants the metadata stream unfiltered; qpdf writes it so and keeps /Type and /Subtype.
        metadata.replaceStreamData(xmp->toStdString(), QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull());

        const std::string now = QUtil::qpdf_time_to_pdf_time(QUtil::get_current_qpdf_time());
        auto stream = QPDFEFStreamObjectHelper::createEFStream(pdf, xml.toStdString());
        stream.setSubtype("text/xml").setCreationDate(now).setModDate(now);
        auto spec = QPDFFileSpecObjectHelper::createFileSpec(pdf, facturXFileName, stream);
        spec.setDescription("Factur-X / ZUGFeRD e-invoice (EN 16931)");
        QPDFObjectHandle specObject = spec.getObjectHandle();
        specObject.replaceKey("/AFRelationship", QPDFObjectHandle::newName("/Alternative"));
        QPDFEmbeddedFileDocumentHelper(pdf).replaceEmbeddedFile(facturXFileName, spec);
        QPDFObjectHandle associated = root.getKey("/AF");
        if (!associated.isArray()) {
            associated = QPDFObjectHandle::newArray();
            root.replaceKey("/AF", associated);
        }
        associated.appendItem(specObject);

        QPDFWriter writer(pdf);
        writer.setOutputMemory();
        writer.setMinimumPDFVersion("1.7"); // PDF/A-3 is based on PDF 1.7
        writer.write();
        if (pdf.anyWarnings())
            qCWarning(lcBilling) << "qpdf warnings while making the e-invoice PDF:" << qpdfWarnings(pdf);
        const std::shared_ptr<Buffer> out = writer.getBufferSharedPointer();
        return QByteArray(reinterpret_cast<const char *>(out->getBuffer()), qsizetype(out->getSize()));
    } catch (const std::exception &e) {
        return makeError(ErrorKind::Internal, u"billing.pdf_a3"_s, u"Cannot embed the e-invoice XML into the PDF"_s,
                         QString::fromLocal8Bit(e.what()));
    }
}

} // namespace

QString InvoicePdf::html(const InvoiceDocument &d)
{
    const Words w = wordsFor(d);
    const QLocale locale(d.english() ? QLocale::English : QLocale::German, d.english() ? QLocale::Ireland : QLocale::Germany);
    const auto date = [&locale](QDate day) { return locale.toString(day, u"dd.MM.yyyy"_s); };
    const auto cell = [](const QString &text, bool right = false, bool bold = false) {
        return u"<td style=\"padding: 3px 6px;\"%1>%2</td>"_s.arg(right ? u" align=\"right\""_s : QString(),
                                                                   bold ? u"<b>"_s + text + u"</b>"_s : text);
    };
    const QString lang = d.language;
    QString h;
    h += u"<html><body style=\"font-family: 'DejaVu Sans', sans-serif; font-size: 9pt;\">"_s;
    // Sender line and the two addresses.
    h += u"<table width=\"100%\" cellspacing=\"0\"><tr><td width=\"60%\" valign=\"top\">"_s;
    h += u"<span style=\"font-size: 7pt; color: #555;\">"_s + esc(d.seller.name) + u" · "_s + esc(d.seller.streetLines().join(u", "_s))
        + u" · "_s + esc(d.seller.postcode() + u" "_s + d.seller.city()) + u"</span><br><br>"_s;
    h += addressHtml(d.buyer);
    if (!d.buyer.vatId.isEmpty())
        h += u"<br>"_s + w.vatId + u": "_s + esc(d.buyer.vatId);
    h += u"</td><td width=\"40%\" valign=\"top\" align=\"right\">"_s + addressHtml(d.seller);
    if (!d.seller.vatId.isEmpty())
        h += u"<br>"_s + w.vatId + u": "_s + esc(d.seller.vatId);
    if (!d.seller.taxNumber.isEmpty())
        h += u"<br>"_s + w.taxNumber + u": "_s + esc(d.seller.taxNumber);
    if (!d.seller.email.isEmpty())
        h += u"<br>"_s + esc(d.seller.email);
    h += u"</td></tr></table><br>"_s;
    h += u"<h2>"_s + w.title + u" "_s + esc(d.number) + u"</h2>"_s;
    h += u"<table cellspacing=\"0\">"_s;
    const auto meta = [&](const QString &label, const QString &value) {
        h += u"<tr><td style=\"padding-right: 14px;\">"_s + label + u"</td><td>"_s + value + u"</td></tr>"_s;
    };
    meta(w.number, esc(d.number));
    meta(w.issueDate, date(d.issueDate()));
    meta(w.servicePeriod, date(d.periodFirstDay()) + u" – "_s + date(d.periodLastDay()));
    if (!d.isCreditNote())
        meta(w.dueDate, date(d.dueDate()));
    meta(w.customer, QString::number(d.companyId));
    h += u"</table><br>"_s;
    if (d.isCreditNote()) {
        h += u"<p>"_s + w.corrects.arg(esc(d.correctsNumber)) + u"</p>"_s;
        if (!d.note.isEmpty())
            h += u"<p>"_s + w.reason + u": "_s + esc(d.note) + u"</p>"_s;
    }
    // The lines.
    h += u"<table width=\"100%\" cellspacing=\"0\" style=\"border-collapse: collapse;\">"_s;
    h += u"<tr style=\"background-color: #e8eef5;\">"_s + cell(w.position, false, true) + cell(w.description, false, true)
        + cell(w.quantity, true, true) + cell(w.unitPrice, true, true) + cell(w.amount, true, true) + u"</tr>"_s;
    for (const InvoiceLine &l : d.lines)
        h += u"<tr>"_s + cell(QString::number(l.position)) + cell(esc(l.description)) + cell(locale.toString(l.quantity), true)
            + cell(money::format(l.unitPriceCents, lang), true) + cell(money::format(l.amountCents, lang), true) + u"</tr>"_s;
    h += u"</table><br>"_s;
    // Totals by tax rate (one rate per invoice).
    h += u"<table width=\"100%\" cellspacing=\"0\">"_s;
    const auto total = [&](const QString &label, qint64 cents, bool bold) {
        const QString text = bold ? u"<b>"_s + label + u"</b>"_s : label;
        h += u"<tr><td width=\"50%\"></td><td width=\"32%\" style=\"padding: 3px 6px; white-space: nowrap;\">"_s + text + u"</td>"_s
            + cell(money::format(cents, lang), true, bold) + u"</tr>"_s;
    };
    total(w.net, d.netCents, false);
    total(w.vat.arg(money::rate(d.vatRateBp, lang)), d.vatCents, false);
    total(w.gross, d.grossCents, true);
    h += u"</table><br>"_s;
    if (!d.isCreditNote() && !d.sellerIban.isEmpty())
        h += u"<p>"_s + w.payment.arg(date(d.dueDate()), esc(d.sellerIban), esc(d.number)) + u"</p>"_s;
    h += u"<p style=\"font-size: 7pt; color: #555;\">"_s + esc(d.seller.name) + u" · "_s + w.vatId + u" "_s + esc(d.seller.vatId) + u" · "_s
        + w.taxNumber + u" "_s + esc(d.seller.taxNumber) + u"</p>"_s;
    h += u"</body></html>"_s;
    return h;
}

std::unique_ptr<QTextDocument> InvoicePdf::textDocument(const InvoiceDocument &invoice)
{
    auto doc = std::make_unique<QTextDocument>();
    doc->setDocumentMargin(0);
    doc->setHtml(html(invoice));
    return doc;
}

Result<QByteArray> InvoicePdf::render(const InvoiceDocument &invoice)
{
    if (invoice.number.isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.draft"_s, u"A draft has no document yet"_s);
    auto xml = EInvoiceXml::write(invoice);
    if (!xml)
        return xml.error();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        // PDF/A-1b: Qt embeds the fonts, adds an sRGB output intent and XMP metadata; embedFacturX makes it A-3b.
        writer.setPdfVersion(QPagedPaintDevice::PdfVersion_A1b);
        writer.setTitle(invoice.number);
        writer.setCreator(u"AskPro Admin"_s);
        writer.setResolution(300);
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(20, 18, 20, 18), QPageLayout::Millimeter));
        auto doc = textDocument(invoice);
        // Lay the text out at 96 dpi-like units and scale to the writer's resolution.
        const QRect page = writer.pageLayout().paintRectPixels(writer.resolution());
        const double scale = writer.resolution() / 96.0;
        doc->setPageSize(QSizeF(page.width() / scale, page.height() / scale));
        QPainter painter;
        if (!painter.begin(&writer))
            return makeError(ErrorKind::Internal, u"billing.pdf"_s, u"Cannot start the PDF"_s);
        painter.scale(scale, scale);
        const int pages = doc->pageCount();
        for (int i = 0; i < pages; ++i) {
            if (i > 0)
                writer.newPage();
            painter.save();
            const QRectF clip(0, i * doc->pageSize().height(), doc->pageSize().width(), doc->pageSize().height());
            painter.translate(0, -clip.top());
            doc->drawContents(&painter, clip);
            painter.restore();
        }
        painter.end();
    }
    if (bytes.size() < 1000)
        return makeError(ErrorKind::Internal, u"billing.pdf"_s, u"The PDF came out empty"_s);
    return embedFacturX(bytes, *xml);
}

} // namespace askpro
