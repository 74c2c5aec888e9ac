// Invoice generation: SQL aggregation of usage per kind and unit price, numbering under a lock
// (SQLite: the writer lock of BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock).
#include "billing/invoicegenerator.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "integrations/jsonreply.h"
#include "jobs/jobqueue.h"
#include "support/auditlog.h"

#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr qint64 numberingLockKey = 0x41505F4E554D; // "AP_NUM": one lock for the whole numbering

QString lineText(const QString &kind, const QString &language, QDate month, qint64 activeDays)
{
    const bool en = language == u"en"_s;
    if (kind == u"call"_s)
        return en ? u"Calls answered by the AskPro voice agent"_s : u"Vom AskPro-Telefonassistenten angenommene Anrufe"_s;
    if (kind == u"appointment"_s)
        return en ? u"Appointments booked by phone"_s : u"Telefonisch gebuchte Termine"_s;
    const QLocale locale(en ? QLocale::English : QLocale::German);
    const QString monthName = locale.standaloneMonthName(month.month()) + u" "_s + QString::number(month.year());
    if (activeDays < month.daysInMonth())
        return en ? u"AskPro base fee, %1 (prorated: %2 of %3 days)"_s.arg(monthName).arg(activeDays).arg(month.daysInMonth())
                  : u"AskPro Grundgebühr, %1 (anteilig: %2 von %3 Tagen)"_s.arg(monthName).arg(activeDays).arg(month.daysInMonth());
    return en ? u"AskPro base fee, %1"_s.arg(monthName) : u"AskPro Grundgebühr, %1"_s.arg(monthName);
}

qint64 activeDaysIn(QDate month, QDate liveSince)
{
    const QDate first(month.year(), month.month(), 1);
    const QDate last = first.addMonths(1).addDays(-1);
    if (!liveSince.isValid() || liveSince <= first)
        return first.daysInMonth();
    if (liveSince > last)
        return 0;
    return liveSince.daysTo(last) + 1;
}

} // namespace

struct InvoiceGenerator::Company
{
    qint64 id = 0;
    QString name;
    QString address;
    QString vatId;
    QString taxNumber;
    QString email;
    QString language;
    int vatRateBp = 1900;
    qint64 baseFeeCents = 0;
    QDate liveSince;
};

InvoiceGenerator::InvoiceGenerator(Database &db, SellerInfo seller) : m_db(db), m_seller(std::move(seller)) {}

QString InvoiceGenerator::numberFor(int year, int sequence)
{
    return u"AP-%1-%2"_s.arg(year).arg(sequence, 6, 10, QLatin1Char('0'));
}

qint64 InvoiceGenerator::proratedFee(qint64 feeCents, QDate month, QDate liveSince)
{
    const qint64 days = activeDaysIn(month, liveSince);
    return money::divRound(feeCents * days, QDate(month.year(), month.month(), 1).daysInMonth());
}

QDate InvoiceGenerator::parseMonth(const QString &text)
{
    const QDate d = QDate::fromString(text.trimmed() + u"-01"_s, u"yyyy-MM-dd"_s);
    return d;
}

Status InvoiceGenerator::enqueueMonthlyRun(Database &db, qint64 now)
{
    const QDate today = money::localDate(now);
    const QDate previous = QDate(today.year(), today.month(), 1).addMonths(-1);
    const QString month = previous.toString(u"yyyy-MM"_s);
    const QByteArray payload = QByteArray::fromStdString(Json{{"month", month.toStdString()}}.dump());
    auto queued = JobQueue(db).enqueue(u"invoices.generate"_s, payload, u"invoices:"_s + month, 0, 3);
    if (!queued)
        return queued.error();
    if (queued->has_value())
        qCInfo(lcBilling) << "queued the invoice run for" << month;
    return {};
}

Result<QList<InvoiceGenerator::Company>> InvoiceGenerator::companies(qint64 onlyId)
{
    auto q = m_db.exec(u"SELECT id, name, address, vat_id, tax_number, billing_email, default_language, vat_rate_bp, base_fee_cents, "
                       "COALESCE(live_since, created_at) FROM companies WHERE active = 1 AND (? = 0 OR id = ?) ORDER BY id"_s,
                       {onlyId, onlyId});
    if (!q)
        return q.error();
    QList<Company> out;
    while (q->next())
        out.append({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toString(), q->value(3).toString(),
                    q->value(4).toString(), q->value(5).toString(), q->value(6).toString() == u"en"_s ? u"en"_s : u"de"_s,
                    q->value(7).toInt(), q->value(8).toLongLong(), money::localDate(q->value(9).toLongLong())});
    return out;
}

Result<std::optional<InvoicePlan>> InvoiceGenerator::plan(const Company &company, QDate month, qint64 invoiceId)
{
    const auto [start, end] = money::monthRange(month.year(), month.month());
    const qint64 days = activeDaysIn(month, company.liveSince);
    InvoicePlan p{company.id, company.name, company.language, company.vatRateBp, start, end, {}, 0, 0, 0, 0};
    if (days == 0)
        return std::optional<InvoicePlan>(); // not live yet in this month
    const qint64 fee = proratedFee(company.baseFeeCents, month, company.liveSince);
    int position = 0;
    if (fee > 0)
        p.lines.append({++position, u"base"_s, lineText(u"base"_s, company.language, month, days), 1, fee, fee});
    // One line per kind and unit price, so a price change inside the month shows as two lines.
    auto q = m_db.exec(u"SELECT kind, unit_price_cents, COUNT(*) FROM usage_logs WHERE company_id = ? AND occurred_at >= ? "
                       "AND occurred_at < ? AND "_s
                           + (invoiceId > 0 ? u"invoice_id = ?"_s : u"invoice_id IS NULL AND 0 = ?"_s)
                           + u" GROUP BY kind, unit_price_cents ORDER BY CASE kind WHEN 'call' THEN 0 ELSE 1 END, unit_price_cents"_s,
                       {company.id, start, end, invoiceId});
    if (!q)
        return q.error();
    while (q->next()) {
        const QString kind = q->value(0).toString();
        const qint64 unit = q->value(1).toLongLong();
        const qint64 quantity = q->value(2).toLongLong();
        p.usageRows += quantity;
        if (unit * quantity == 0)
            continue;
        p.lines.append({++position, kind, lineText(kind, company.language, month, days), quantity, unit, unit * quantity});
    }
    for (const InvoiceLine &line : std::as_const(p.lines))
        p.netCents += line.amountCents;
    if (p.lines.isEmpty() || p.netCents == 0)
        return std::optional<InvoicePlan>();
    p.vatCents = money::vatOf(p.netCents, p.vatRateBp);
    p.grossCents = p.netCents + p.vatCents;
    return std::optional<InvoicePlan>(std::move(p));
}

Result<std::pair<int, int>> InvoiceGenerator::nextNumber(int year)
{
    if (m_db.engine() == Engine::Postgres) {
        auto locked = m_db.exec(u"SELECT pg_advisory_xact_lock(?)"_s, {numberingLockKey});
        if (!locked)
            return locked.error();
    }
    auto seq = m_db.scalar(u"SELECT COALESCE(MAX(sequence), 0) + 1 FROM invoices WHERE year = ?"_s, {year});
    if (!seq)
        return seq.error();
    return std::pair<int, int>{year, seq->toInt()};
}

Result<std::optional<qint64>> InvoiceGenerator::finalize(const Company &company, QDate month, qint64 issuedAtMs, QString *number)
{
    const auto [start, end] = money::monthRange(month.year(), month.month());
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto numbering = nextNumber(money::localDate(issuedAtMs).year()); // takes the numbering lock first
    if (!numbering)
        return numbering.error();
    auto existing = m_db.scalar(u"SELECT id FROM invoices WHERE company_id = ? AND period_start = ? AND kind = 'invoice'"_s,
                                {company.id, start});
    if (!existing)
        return existing.error();
    if (existing->isValid())
        return makeError(ErrorKind::Conflict, u"billing.already_invoiced"_s, tr("This month is invoiced already."));
    const auto [year, sequence] = *numbering;
    const Json snapshot{{"seller", Json::parse(m_seller.party.toJson().toStdString())},
                        {"buyer", Json::parse(PartyInfo{company.name, company.address, company.vatId, company.taxNumber, company.email}
                                                  .toJson()
                                                  .toStdString())},
                        {"seller_iban", m_seller.iban.toStdString()}};
    const qint64 dueAt = QDateTime(money::localDate(issuedAtMs).addDays(paymentTermDays), QTime(23, 59, 59), QTimeZone(money::billingZone))
                             .toMSecsSinceEpoch();
    const QString invoiceNumber = numberFor(year, sequence);
    auto id = m_db.insert(u"INSERT INTO invoices (company_id, kind, number, year, sequence, period_start, period_end, issued_at, due_at, "
                          "status, currency, vat_rate_bp, language, billing_snapshot, created_at) "
                          "VALUES (?, 'invoice', ?, ?, ?, ?, ?, ?, ?, 'open', 'EUR', ?, ?, ?, ?) RETURNING id"_s,
                          {company.id, invoiceNumber, year, sequence, start, end, issuedAtMs, dueAt, company.vatRateBp, company.language,
                           QString::fromStdString(snapshot.dump()), nowMs()});
    if (!id)
        return id.error();
    // Link first, then sum what was linked: the lines always match the usage rows they bill.
    auto linked = m_db.exec(u"UPDATE usage_logs SET invoice_id = ? WHERE company_id = ? AND occurred_at >= ? AND occurred_at < ? "
                            "AND invoice_id IS NULL"_s,
                            {*id, company.id, start, end});
    if (!linked)
        return linked.error();
    auto planned = plan(company, month, *id);
    if (!planned)
        return planned.error();
    if (!*planned)
        return std::optional<qint64>(); // rolled back: nothing to bill, no number used
    for (const InvoiceLine &line : std::as_const((*planned)->lines)) {
        auto added = m_db.exec(u"INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_price_cents, amount_cents) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                               {*id, line.position, line.kind, line.description, line.quantity, line.unitPriceCents, line.amountCents});
        if (!added)
            return added.error();
    }
    auto totals = m_db.exec(u"UPDATE invoices SET net_cents = ?, vat_cents = ?, gross_cents = ? WHERE id = ?"_s,
                            {(*planned)->netCents, (*planned)->vatCents, (*planned)->grossCents, *id});
    if (!totals)
        return totals.error();
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    if (number)
        *number = invoiceNumber;
    return std::optional<qint64>(*id);
}

Result<GenerationReport> InvoiceGenerator::generateMonth(QDate month, qint64 issuedAtMs, qint64 companyId)
{
    if (!month.isValid())
        return makeError(ErrorKind::Invalid, u"billing.bad_month"_s, tr("The month must be given as YYYY-MM."));
    const qint64 issued = issuedAtMs > 0 ? issuedAtMs : nowMs();
    auto list = companies(companyId);
    if (!list)
        return list.error();
    GenerationReport report;
    for (const Company &company : std::as_const(*list)) {
        ++report.companies;
        QString number;
        auto made = finalize(company, month, issued, &number);
        if (!made) {
            if (made.error().kind == ErrorKind::Conflict) {
                ++report.alreadyInvoiced;
                continue;
            }
            return made.error();
        }
        if (!*made) {
            ++report.nothingToBill;
            continue;
        }
        ++report.created;
        report.invoiceIds.append(**made);
        report.numbers.append(number);
        qCDebug(lcBilling) << "invoice" << number << "for company" << company.id;
    }
    return report;
}

Result<std::optional<InvoicePlan>> InvoiceGenerator::preview(qint64 companyId, QDate month)
{
    auto list = companies(companyId);
    if (!list)
        return list.error();
    if (list->isEmpty())
        return makeError(ErrorKind::NotFound, u"billing.no_company"_s, tr("There is no active company %1.").arg(companyId));
    return plan(list->first(), month, 0);
}

Result<QList<InvoicePlan>> InvoiceGenerator::previewMonth(QDate month)
{
    auto list = companies(0);
    if (!list)
        return list.error();
    QList<InvoicePlan> out;
    for (const Company &company : std::as_const(*list)) {
        auto p = plan(company, month, 0);
        if (!p)
            return p.error();
        if (*p)
            out.append(**p);
    }
    return out;
}

Result<qint64> InvoiceGenerator::createCreditNote(qint64 invoiceId, const QString &reason, const QString &actor, qint64 issuedAtMs)
{
    if (reason.trimmed().isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.reason_missing"_s, tr("A credit note needs a reason."));
    const qint64 issued = issuedAtMs > 0 ? issuedAtMs : nowMs();
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto numbering = nextNumber(money::localDate(issued).year());
    if (!numbering)
        return numbering.error();
    auto original = InvoiceDocument::load(m_db, invoiceId);
    if (!original)
        return original.error();
    if (original->isCreditNote() || original->number.isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.not_creditable"_s, tr("Only a finalized invoice can be credited."));
    auto existing = m_db.scalar(u"SELECT COUNT(*) FROM invoices WHERE corrects_invoice_id = ?"_s, {invoiceId});
    if (!existing)
        return existing.error();
    if (existing->toInt() > 0)
        return makeError(ErrorKind::Conflict, u"billing.already_credited"_s, tr("Invoice %1 has a credit note already.").arg(original->number));
    const auto [year, sequence] = *numbering;
    const QString number = numberFor(year, sequence);
    auto snapshot = m_db.scalar(u"SELECT billing_snapshot FROM invoices WHERE id = ?"_s, {invoiceId});
    if (!snapshot)
        return snapshot.error();
    const qint64 dueAt = QDateTime(money::localDate(issued), QTime(23, 59, 59), QTimeZone(money::billingZone)).toMSecsSinceEpoch();
    auto id = m_db.insert(u"INSERT INTO invoices (company_id, kind, number, year, sequence, corrects_invoice_id, period_start, period_end, "
                          "issued_at, due_at, status, currency, net_cents, vat_rate_bp, vat_cents, gross_cents, language, billing_snapshot, "
                          "note, created_at) VALUES (?, 'credit_note', ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                          {original->companyId, number, year, sequence, invoiceId, original->periodStart, original->periodEnd, issued, dueAt,
                           original->currency, -original->netCents, original->vatRateBp, -original->vatCents, -original->grossCents,
                           original->language, snapshot->toString(), reason.trimmed(), nowMs()});
    if (!id)
        return id.error();
    for (const InvoiceLine &line : std::as_const(original->lines)) {
        auto added = m_db.exec(u"INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_price_cents, amount_cents) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                               {*id, line.position, line.kind, line.description, -line.quantity, line.unitPriceCents, -line.amountCents});
        if (!added)
            return added.error();
    }
    const QString after = QString::fromStdString(
        Json{{"credit_note", number.toStdString()}, {"corrects", original->number.toStdString()}, {"reason", reason.trimmed().toStdString()}}
            .dump());
    auto audited = AuditLog(m_db).write(actor, u"invoice.credit_note"_s, u"invoice"_s, invoiceId, QString(), after);
    if (!audited)
        return audited.error();
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    return *id;
}

} // namespace askpro
