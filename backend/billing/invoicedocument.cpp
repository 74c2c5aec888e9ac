// Loading invoices for documents and the shared money rules (rounding half away from zero, zones).
#include "billing/invoicedocument.h"

#include "core/clock.h"
#include "db/database.h"
#include "integrations/jsonreply.h"

#include <QLocale>
#include <QRegularExpression>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QStringList addressParts(const QString &address)
{
    QString text = address;
    text.replace(u"\r"_s, QString());
    QStringList parts = text.contains(u'\n') ? text.split(u'\n') : text.split(u',');
    QStringList out;
    for (const QString &p : std::as_const(parts))
        if (!p.trimmed().isEmpty())
            out << p.trimmed();
    return out;
}

const QRegularExpression &postcodeCity()
{
    static const QRegularExpression re(u"^(?:[A-Z]{1,2}-)?(\\d{4,5})\\s+(.+)$"_s);
    return re;
}

} // namespace

QString PartyInfo::toJson() const
{
    const Json j{{"name", name.toStdString()},   {"address", address.toStdString()}, {"vat_id", vatId.toStdString()},
                 {"tax_number", taxNumber.toStdString()}, {"email", email.toStdString()},   {"country", country.toStdString()}};
    return QString::fromStdString(j.dump());
}

PartyInfo PartyInfo::fromJson(const QString &json)
{
    const Json j = Json::parse(json.toStdString(), nullptr, false);
    PartyInfo p;
    if (!j.is_object())
        return p;
    p.name = jsonString(j, "name");
    p.address = jsonString(j, "address");
    p.vatId = jsonString(j, "vat_id");
    p.taxNumber = jsonString(j, "tax_number");
    p.email = jsonString(j, "email");
    const QString country = jsonString(j, "country");
    if (!country.isEmpty())
        p.country = country;
    return p;
}

QStringList PartyInfo::streetLines() const
{
    QStringList parts = addressParts(address);
    if (!parts.isEmpty() && postcodeCity().match(parts.last()).hasMatch())
        parts.removeLast();
    return parts;
}

QString PartyInfo::postcode() const
{
    const QStringList parts = addressParts(address);
    return parts.isEmpty() ? QString() : postcodeCity().match(parts.last()).captured(1);
}

QString PartyInfo::city() const
{
    const QStringList parts = addressParts(address);
    if (parts.isEmpty())
        return {};
    const auto m = postcodeCity().match(parts.last());
    return m.hasMatch() ? m.captured(2) : QString();
}

QDate InvoiceDocument::periodFirstDay() const
{
    return money::localDate(periodStart);
}

QDate InvoiceDocument::periodLastDay() const
{
    return money::localDate(periodEnd - 1);
}

QDate InvoiceDocument::issueDate() const
{
    return money::localDate(issuedAt);
}

QDate InvoiceDocument::dueDate() const
{
    return money::localDate(dueAt);
}

Result<InvoiceDocument> InvoiceDocument::loadByNumber(Database &db, const QString &number)
{
    auto id = db.scalar(u"SELECT id FROM invoices WHERE number = ?"_s, {number});
    if (!id)
        return id.error();
    if (!id->isValid())
        return makeError(ErrorKind::NotFound, u"billing.no_invoice"_s, u"No invoice has the number %1"_s.arg(number));
    return load(db, id->toLongLong());
}

Result<InvoiceDocument> InvoiceDocument::load(Database &db, qint64 invoiceId)
{
    auto q = db.exec(u"SELECT i.id, i.company_id, i.kind, COALESCE(i.number, ''), i.status, i.language, i.currency, i.period_start, "
                     "i.period_end, COALESCE(i.issued_at, 0), COALESCE(i.due_at, 0), i.vat_rate_bp, i.net_cents, i.vat_cents, "
                     "i.gross_cents, COALESCE(o.number, ''), i.note, i.billing_snapshot, c.name, c.address, c.vat_id, c.tax_number, "
                     "c.billing_email FROM invoices i JOIN companies c ON c.id = i.company_id "
                     "LEFT JOIN invoices o ON o.id = i.corrects_invoice_id WHERE i.id = ?"_s,
                     {invoiceId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"billing.no_invoice"_s, u"There is no invoice %1"_s.arg(invoiceId));
    InvoiceDocument d;
    d.id = q->value(0).toLongLong();
    d.companyId = q->value(1).toLongLong();
    d.kind = q->value(2).toString();
    d.number = q->value(3).toString();
    d.status = q->value(4).toString();
    d.language = q->value(5).toString() == u"en"_s ? u"en"_s : u"de"_s;
    d.currency = q->value(6).toString();
    d.periodStart = q->value(7).toLongLong();
    d.periodEnd = q->value(8).toLongLong();
    d.issuedAt = q->value(9).toLongLong();
    d.dueAt = q->value(10).toLongLong();
    d.vatRateBp = q->value(11).toInt();
    d.netCents = q->value(12).toLongLong();
    d.vatCents = q->value(13).toLongLong();
    d.grossCents = q->value(14).toLongLong();
    d.correctsNumber = q->value(15).toString();
    d.note = q->value(16).toString();
    const Json snapshot = Json::parse(q->value(17).toString().toStdString(), nullptr, false);
    if (snapshot.is_object() && snapshot.contains("buyer")) {
        d.seller = PartyInfo::fromJson(QString::fromStdString(snapshot["seller"].dump()));
        d.buyer = PartyInfo::fromJson(QString::fromStdString(snapshot["buyer"].dump()));
        d.sellerIban = jsonString(snapshot, "seller_iban");
    } else { // a draft or an invoice from before snapshots: today's data
        d.seller = SellerInfo().party;
        d.buyer = PartyInfo{q->value(18).toString(), q->value(19).toString(), q->value(20).toString(), q->value(21).toString(),
                            q->value(22).toString()};
    }
    q->finish();
    auto lines = db.exec(u"SELECT position, kind, description, quantity, unit_price_cents, amount_cents FROM invoice_lines "
                         "WHERE invoice_id = ? ORDER BY position"_s,
                         {invoiceId});
    if (!lines)
        return lines.error();
    while (lines->next())
        d.lines.append({lines->value(0).toInt(), lines->value(1).toString(), lines->value(2).toString(), lines->value(3).toLongLong(),
                        lines->value(4).toLongLong(), lines->value(5).toLongLong()});
    return d;
}

namespace money {

qint64 divRound(qint64 numerator, qint64 denominator)
{
    const qint64 q = numerator / denominator;
    const qint64 r = numerator % denominator;
    // |r| * 2 >= denominator: the fraction is at least one half, so move away from zero.
    if (2 * (r < 0 ? -r : r) >= denominator)
        return numerator < 0 ? q - 1 : q + 1;
    return q;
}

qint64 vatOf(qint64 netCents, int rateBp)
{
    return divRound(netCents * rateBp, 10000);
}

QString format(qint64 cents, const QString &language)
{
    const QLocale locale(language == u"en"_s ? QLocale::English : QLocale::German, language == u"en"_s ? QLocale::Ireland : QLocale::Germany);
    const qint64 a = cents < 0 ? -cents : cents;
    const QString number = locale.toString(qlonglong(a / 100)) + locale.decimalPoint() + u"%1"_s.arg(a % 100, 2, 10, QLatin1Char('0'));
    const QString sign = cents < 0 ? u"-"_s : QString();
    return language == u"en"_s ? sign + u"€"_s + number : sign + number + u"\u00a0€"_s;
}

QString plain(qint64 cents)
{
    const qint64 a = cents < 0 ? -cents : cents;
    return (cents < 0 ? u"-"_s : QString()) + QString::number(a / 100) + u"."_s + u"%1"_s.arg(a % 100, 2, 10, QLatin1Char('0'));
}

QString rate(int rateBp, const QString &language)
{
    QString n = QString::number(rateBp / 100);
    if (rateBp % 100 != 0) {
        QString frac = u"%1"_s.arg(rateBp % 100, 2, 10, QLatin1Char('0'));
        if (frac.endsWith(u'0'))
            frac.chop(1);
        n += (language == u"en"_s ? u"."_s : u","_s) + frac;
    }
    return language == u"en"_s ? n + u"%"_s : n + u"\u00a0%"_s;
}

std::pair<qint64, qint64> monthRange(int year, int month)
{
    const QTimeZone zone(billingZone);
    const QDate first(year, month, 1);
    return {QDateTime(first, QTime(0, 0), zone).toMSecsSinceEpoch(), QDateTime(first.addMonths(1), QTime(0, 0), zone).toMSecsSinceEpoch()};
}

QDate localDate(qint64 ms)
{
    return fromMs(ms).toTimeZone(QTimeZone(billingZone)).date();
}

qint64 monthStartOf(qint64 ms)
{
    thread_local std::pair<qint64, qint64> last{0, 0};
    if (ms >= last.first && ms < last.second)
        return last.first;
    const QDate day = localDate(ms);
    last = monthRange(day.year(), day.month());
    return last.first;
}

} // namespace money

} // namespace askpro
