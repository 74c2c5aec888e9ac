// PDF rendering: HTML into a QTextDocument sized to the printable A4 area, printed by QPdfWriter.
#include "invoicepdf.h"

#include <QBuffer>
#include <QLocale>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>

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
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
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
    return bytes;
}

} // namespace askpro
