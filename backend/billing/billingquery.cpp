// Billing reads: every filter value bound, ORDER BY from a fixed list; the daily series comes from the
// Europe/Berlin day totals in usage_daily (UsageRollup), so days are right across DST on both engines.
#include "billing/billingquery.h"

#include "billing/invoicedocument.h"
#include "billing/usagerollup.h"
#include "core/clock.h"
#include "db/database.h"
#include "integrations/jsonreply.h"
#include "queries/callquery.h"
#include "queries/modelquery.h"
#include "support/auditlog.h"

#include <QMap>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

const QString effectiveStatus = u"CASE WHEN i.kind = 'credit_note' THEN 'credit_note' "
                                "WHEN i.status = 'open' AND i.due_at < ? THEN 'overdue' ELSE i.status END"_s;

QString orderExpression(int column)
{
    switch (column) {
    case BillingQuery::Id: return u"i.id"_s;
    case BillingQuery::Company: return u"c.name"_s;
    case BillingQuery::PeriodStart: return u"i.period_start"_s;
    case BillingQuery::Total: return u"i.gross_cents"_s;
    case BillingQuery::Status: return u"6"_s;
    case BillingQuery::IssuedAt: return u"i.issued_at"_s;
    case BillingQuery::DueAt: return u"i.due_at"_s;
    case BillingQuery::Kind: return u"i.kind"_s;
    default: return u"i.year, i.sequence"_s;
    }
}

// The keyset sort key of a column: one non-null value per row, so "after the cursor" is a plain comparison.
// The effective status needs the time it is measured against (one bound value per use).
QString keyExpression(int column)
{
    switch (column) {
    case BillingQuery::Id: return u"i.id"_s;
    case BillingQuery::Company: return u"c.name"_s;
    case BillingQuery::PeriodStart: return u"i.period_start"_s;
    case BillingQuery::Total: return u"i.gross_cents"_s;
    case BillingQuery::Status: return effectiveStatus;
    case BillingQuery::IssuedAt: return u"COALESCE(i.issued_at, 0)"_s;
    case BillingQuery::DueAt: return u"COALESCE(i.due_at, 0)"_s;
    case BillingQuery::Kind: return u"i.kind"_s;
    default: return u"(COALESCE(i.year, 0) * 1000000 + COALESCE(i.sequence, 0))"_s;
    }
}

} // namespace

Result<CallPage> BillingQuery::page(Database &db, const Actor &reader, const InvoiceFilter &filter, int sortColumn, Qt::SortOrder order,
                                    const std::optional<CallCursor> &after, int limit)
{
    if (auto allowed = reader.require(Permission::ViewBilling); !allowed)
        return allowed.error();
    const qint64 now = filter.nowMs > 0 ? filter.nowMs : nowMs();
    const QString key = keyExpression(sortColumn);
    const QVariantList keyParams = sortColumn == Status ? QVariantList{now} : QVariantList{};
    const bool descending = order == Qt::DescendingOrder;
    const QString direction = descending ? u" DESC"_s : u" ASC"_s;
    QString sql = u"SELECT i.id, COALESCE(i.number, ''), c.name, i.period_start, i.gross_cents, "_s + effectiveStatus
        + u", i.issued_at, i.due_at, i.kind, "_s + key + u" FROM invoices i JOIN companies c ON c.id = i.company_id WHERE 1 = 1"_s;
    QVariantList params{now};
    params << keyParams;
    if (filter.companyId > 0) {
        sql += u" AND i.company_id = ?"_s;
        params << filter.companyId;
    }
    if (!filter.status.isEmpty()) {
        sql += u" AND "_s + effectiveStatus + u" = ?"_s;
        params << now << filter.status;
    }
    if (filter.fromMs > 0) {
        sql += u" AND i.period_start >= ?"_s;
        params << filter.fromMs;
    }
    if (filter.toMs > 0) {
        sql += u" AND i.period_start < ?"_s;
        params << filter.toMs;
    }
    if (!filter.text.trimmed().isEmpty()) {
        sql += u" AND (lower(COALESCE(i.number, '')) LIKE ? ESCAPE '\\' OR lower(c.name) LIKE ? ESCAPE '\\')"_s;
        const QString pattern = Database::containsPattern(filter.text.trimmed());
        params << pattern << pattern;
    }
    if (after) {
        const QString cmp = descending ? u" < "_s : u" > "_s;
        sql += u" AND ("_s + key + cmp + u"? OR ("_s + key + u" = ? AND i.id"_s + cmp + u"?))"_s;
        params << keyParams << after->sortKey << keyParams << after->sortKey << after->id;
    }
    sql += u" ORDER BY "_s + key + direction + u", i.id"_s + direction + u" LIMIT ?"_s;
    params << keyParams;
    params << qMax(1, limit);
    auto q = db.exec(sql, params);
    if (!q)
        return q.error();
    CallPage page;
    while (q->next()) {
        QVariantList row;
        row.reserve(ColumnCount);
        for (int c = 0; c < ColumnCount; ++c)
            row.append(q->value(c));
        page.rows.append(std::move(row));
        page.next = CallCursor{q->value(ColumnCount), q->value(Id).toLongLong()};
    }
    if (page.rows.size() < qMax(1, limit))
        page.next.reset();
    return page;
}

Result<QSqlQuery> BillingQuery::browse(Database &db, const Actor &reader, const InvoiceFilter &filter, int sortColumn, Qt::SortOrder order)
{
    if (auto allowed = reader.require(Permission::ViewBilling); !allowed)
        return allowed.error();
    const qint64 now = filter.nowMs > 0 ? filter.nowMs : nowMs();
    QString sql = u"SELECT i.id, COALESCE(i.number, ''), c.name, i.period_start, i.gross_cents, "_s + effectiveStatus
        + u", i.issued_at, i.due_at, i.kind FROM invoices i JOIN companies c ON c.id = i.company_id WHERE 1 = 1"_s;
    QVariantList params{now};
    if (filter.companyId > 0) {
        sql += u" AND i.company_id = ?"_s;
        params << filter.companyId;
    }
    if (!filter.status.isEmpty()) {
        sql += u" AND "_s + effectiveStatus + u" = ?"_s;
        params << now << filter.status;
    }
    if (filter.fromMs > 0) {
        sql += u" AND i.period_start >= ?"_s;
        params << filter.fromMs;
    }
    if (filter.toMs > 0) {
        sql += u" AND i.period_start < ?"_s;
        params << filter.toMs;
    }
    if (!filter.text.trimmed().isEmpty()) {
        sql += u" AND (lower(COALESCE(i.number, '')) LIKE ? ESCAPE '\\' OR lower(c.name) LIKE ? ESCAPE '\\')"_s;
        const QString pattern = Database::containsPattern(filter.text.trimmed());
        params << pattern << pattern;
    }
    const QString direction = order == Qt::AscendingOrder ? u" ASC"_s : u" DESC"_s;
    QString orderBy = orderExpression(sortColumn);
    orderBy.replace(u","_s, direction + u","_s);
    sql += u" ORDER BY "_s + orderBy + direction + u", i.id"_s + direction;
    return runModelQuery(db, sql, params, u"Reading invoices"_s);
}

Result<QList<PaymentRow>> BillingQuery::payments(Database &db, const Actor &reader, qint64 invoiceId)
{
    if (auto allowed = reader.require(Permission::ViewBilling); !allowed)
        return allowed.error();
    auto q = db.exec(u"SELECT at, kind, amount_cents, reason, COALESCE(stripe_event_id, '') FROM payments WHERE invoice_id = ? ORDER BY at, id"_s,
                     {invoiceId});
    if (!q)
        return q.error();
    QList<PaymentRow> rows;
    while (q->next())
        rows.append({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toString(), q->value(4).toString()});
    return rows;
}

Result<SuccessRate> BillingQuery::paymentSuccessRate(Database &db, const Actor &reader, qint64 fromMs, qint64 toMs, qint64 companyId)
{
    if (auto allowed = reader.require(Permission::ViewBilling); !allowed)
        return allowed.error();
    auto q = db.exec(u"SELECT COALESCE(SUM(CASE WHEN p.kind IN ('paid', 'manual_paid') THEN 1 ELSE 0 END), 0), "
                     "COALESCE(SUM(CASE WHEN p.kind = 'failed' THEN 1 ELSE 0 END), 0) FROM payments p JOIN invoices i ON i.id = p.invoice_id "
                     "WHERE (? = 0 OR p.at >= ?) AND (? = 0 OR p.at < ?) AND (? = 0 OR i.company_id = ?)"_s,
                     {fromMs, fromMs, toMs, toMs, companyId, companyId});
    if (!q)
        return q.error();
    if (!q->next())
        return SuccessRate{};
    return SuccessRate{q->value(0).toLongLong(), q->value(1).toLongLong()};
}

Result<QList<ReconciliationIssue>> BillingQuery::reconcile(Database &db, const Actor &reader, qint64 fromMs, qint64 toMs)
{
    if (auto allowed = reader.require(Permission::ViewBilling); !allowed)
        return allowed.error();
    QList<ReconciliationIssue> issues;
    const auto collect = [&](const QString &check, const QString &sql, const QVariantList &params) -> askpro::Status {
        auto q = db.exec(sql, params);
        if (!q)
            return q.error();
        while (q->next())
            issues.append({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toString(), check,
                           q->value(4).toLongLong(), q->value(5).toLongLong(), q->value(6).toString()});
        return {};
    };
    const QDate today = money::localDate(nowMs());
    const qint64 openMonthStart = money::monthRange(today.year(), today.month()).first;
    const QList<std::pair<QString, QString>> checks{
        {u"unbilled_call"_s,
         u"SELECT c.company_id, co.name, 0, '', COUNT(*), 0, MIN(c.retell_call_id) FROM calls c JOIN companies co ON co.id = c.company_id "
         "WHERE COALESCE(c.started_at, c.created_at) >= ? AND COALESCE(c.started_at, c.created_at) < ? AND c.outcome <> 'pending' AND c.test_call = 0 "
         "AND NOT EXISTS (SELECT 1 FROM usage_logs u WHERE u.call_id = c.id AND u.kind = 'call') GROUP BY c.company_id, co.name"_s},
        {u"unbilled_appointment"_s,
         u"SELECT a.company_id, co.name, 0, '', COUNT(*), 0, MIN(COALESCE(a.calcom_booking_uid, '')) FROM appointments a "
         "JOIN companies co ON co.id = a.company_id WHERE a.created_at >= ? AND a.created_at < ? AND a.calcom_booking_uid IS NOT NULL "
         "AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = a.call_id AND c.test_call = 1) AND NOT EXISTS (SELECT 1 FROM usage_logs u WHERE u.appointment_id = a.id AND u.kind = 'appointment') "
         "GROUP BY a.company_id, co.name"_s},
    };
    for (const auto &[check, sql] : checks) {
        auto s = collect(check, sql, {fromMs, toMs});
        if (!s)
            return s.error();
    }
    // Usage of closed months that no invoice carries: rows on no billing period (arrived after their month
    // was invoiced, or written around UsageRollup and never invoiced), through usage_logs_unlinked, and rows
    // of periods still open (the run failed, or had nothing to bill), through usage_logs_period. A period
    // holds rows of its own month only, so periods starting up to a month before fromMs are looked at.
    constexpr qint64 longestMonthMs = 31LL * 24 * 3600 * 1000 + 3600 * 1000;
    // SQLite, which keeps no statistics, is told the indexes: it would rather find period_id IS NULL through
    // usage_logs_period, and start the join from the month's usage rows.
    const bool sqlite = db.engine() == Engine::Sqlite;
    auto s = collect(u"usage_not_invoiced"_s,
                     u"SELECT x.company_id, co.name, 0, '', COUNT(*), 0, SUM(x.unit_price_cents) FROM (SELECT company_id, unit_price_cents "
                     "FROM usage_logs"_s
                         + (sqlite ? u" INDEXED BY usage_logs_unlinked"_s : QString())
                         + u" WHERE period_id IS NULL AND occurred_at >= ? AND occurred_at < ? AND occurred_at < ? "
                           "UNION ALL SELECT u.company_id, u.unit_price_cents FROM billing_periods p CROSS JOIN usage_logs u WHERE u.period_id = p.id AND "
                           "p.invoice_id IS NULL AND p.period_start > ? AND p.period_start < ? AND p.period_start < ? "
                     "AND u.occurred_at >= ? AND u.occurred_at < ? AND u.occurred_at < ?) x "
                     "JOIN companies co ON co.id = x.company_id GROUP BY x.company_id, co.name"_s,
                     {fromMs, toMs, openMonthStart, fromMs - longestMonthMs, toMs, openMonthStart, fromMs, toMs, openMonthStart});
    if (!s)
        return s.error();
    // Lines against the usage rows linked to the invoice (through its closed period): more lines than rows
    // is billing twice.
    s = collect(u"line_mismatch"_s,
                u"SELECT * FROM (SELECT i.company_id, co.name, i.id, i.number, "
                "(SELECT COUNT(*) FROM billing_periods p JOIN usage_logs u ON u.period_id = p.id WHERE p.company_id = i.company_id "
                "AND p.period_start = i.period_start AND p.invoice_id = i.id) AS linked, "
                "(SELECT COALESCE(SUM(l.quantity), 0) FROM invoice_lines l WHERE l.invoice_id = i.id AND l.kind <> 'base') AS billed, '' AS detail "
                "FROM invoices i JOIN companies co ON co.id = i.company_id WHERE i.kind = 'invoice' AND i.period_start >= ? "
                "AND i.period_start < ?) x WHERE linked <> billed"_s,
                {fromMs, toMs});
    if (!s)
        return s.error();
    s = collect(u"not_in_stripe"_s,
                u"SELECT i.company_id, co.name, i.id, i.number, i.gross_cents, 0, '' FROM invoices i JOIN companies co ON co.id = i.company_id "
                "WHERE i.kind = 'invoice' AND i.number IS NOT NULL AND i.stripe_pushed_at IS NULL AND i.gross_cents > 0 "
                "AND i.period_start >= ? AND i.period_start < ? AND i.issued_at < ?"_s,
                {fromMs, toMs, nowMs() - 60 * 60 * 1000});
    if (!s)
        return s.error();
    s = collect(u"stripe_total_mismatch"_s,
                u"SELECT i.company_id, co.name, i.id, i.number, i.gross_cents, i.stripe_total_cents, COALESCE(i.stripe_invoice_id, '') "
                "FROM invoices i JOIN companies co ON co.id = i.company_id WHERE i.stripe_total_cents IS NOT NULL "
                "AND i.stripe_total_cents <> i.gross_cents AND i.period_start >= ? AND i.period_start < ?"_s,
                {fromMs, toMs});
    if (!s)
        return s.error();
    return issues;
}

Result<QList<DailyUsage>> BillingQuery::dailyUsage(Database &db, const Actor &reader, QDate from, QDate to, qint64 companyId)
{
    if (auto allowed = reader.require(Permission::ViewBilling); !allowed)
        return allowed.error();
    // From the day totals (usage_daily, kept with every usage row): a year is 365 rows per company,
    // summed over all companies through the covering index usage_daily_day without a sort.
    const qint64 first = UsageRollup::dayNumber(from);
    const qint64 last = UsageRollup::dayNumber(to);
    auto q = companyId > 0 ? db.exec(u"SELECT day, calls, appointments FROM usage_daily WHERE company_id = ? AND day >= ? AND day <= ?"_s,
                                     {companyId, first, last})
                           : db.exec(u"SELECT day, CAST(SUM(calls) AS BIGINT), CAST(SUM(appointments) AS BIGINT) FROM usage_daily "
                                     "WHERE day >= ? AND day <= ? GROUP BY day"_s,
                                     {first, last});
    if (!q)
        return q.error();
    QList<DailyUsage> days;
    for (QDate d = from; d <= to; d = d.addDays(1))
        days.append({d, 0, 0});
    while (q->next()) {
        const qint64 index = q->value(0).toLongLong() - first;
        if (index < 0 || index >= days.size())
            continue;
        days[index].calls += q->value(1).toLongLong();
        days[index].appointments += q->value(2).toLongLong();
    }
    return days;
}

Result<QList<MonthlyRevenue>> BillingQuery::monthlyRevenue(Database &db, const Actor &reader, QDate from, QDate to, qint64 companyId)
{
    if (auto allowed = reader.require(Permission::ViewBilling); !allowed)
        return allowed.error();
    const qint64 start = money::monthRange(from.year(), from.month()).first;
    const qint64 end = money::monthRange(to.year(), to.month()).second;
    auto q = db.exec(u"SELECT i.period_start, COALESCE(SUM(CASE WHEN l.kind = 'base' THEN l.amount_cents ELSE 0 END), 0), "
                     "COALESCE(SUM(CASE WHEN l.kind <> 'base' THEN l.amount_cents ELSE 0 END), 0) FROM invoices i "
                     "JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.number IS NOT NULL AND i.period_start >= ? AND i.period_start < ? "
                     "AND (? = 0 OR i.company_id = ?) GROUP BY i.period_start"_s,
                     {start, end, companyId, companyId});
    if (!q)
        return q.error();
    QMap<QDate, MonthlyRevenue> byMonth;
    for (QDate m(from.year(), from.month(), 1); m <= to; m = m.addMonths(1))
        byMonth.insert(m, {m, 0, 0});
    while (q->next()) {
        const QDate local = money::localDate(q->value(0).toLongLong());
        const QDate month(local.year(), local.month(), 1);
        MonthlyRevenue &r = byMonth[month];
        r.month = month;
        r.baseCents += q->value(1).toLongLong();
        r.usageCents += q->value(2).toLongLong();
    }
    return byMonth.values();
}

Result<QList<std::pair<qint64, QString>>> BillingQuery::companies(Database &db, const Actor &reader, qint64 companyId)
{
    if (auto allowed = reader.require(Permission::ViewBilling); !allowed)
        return allowed.error();
    auto q = db.exec(u"SELECT id, name FROM companies WHERE (? = 0 OR id = ?) ORDER BY name, id"_s, {companyId, companyId});
    if (!q)
        return q.error();
    QList<std::pair<qint64, QString>> out;
    while (q->next())
        out.append({q->value(0).toLongLong(), q->value(1).toString()});
    return out;
}

askpro::Status BillingQuery::markPaidManually(Database &db, qint64 invoiceId, const QString &reason, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ManageBilling); !allowed)
        return allowed;
    if (reason.trimmed().isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.reason_missing"_s, u"Marking an invoice paid needs a reason"_s);
    Transaction tx(db);
    if (!tx.started().ok())
        return tx.started().error();
    auto q = db.exec(u"SELECT status, kind, gross_cents, COALESCE(number, '') FROM invoices WHERE id = ?"_s, {invoiceId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"billing.no_invoice"_s, u"There is no invoice %1"_s.arg(invoiceId));
    const QString status = q->value(0).toString();
    const QString kind = q->value(1).toString();
    const qint64 gross = q->value(2).toLongLong();
    const QString number = q->value(3).toString();
    q->finish();
    if (kind != u"invoice"_s || number.isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.not_payable"_s, u"Only a finalized invoice can be paid"_s);
    if (status == u"paid"_s)
        return makeError(ErrorKind::Conflict, u"billing.already_paid"_s, u"Invoice %1 is paid already"_s.arg(number));
    const qint64 now = nowMs();
    auto paid = db.exec(u"INSERT INTO payments (invoice_id, at, kind, amount_cents, reason) VALUES (?, ?, 'manual_paid', ?, ?)"_s,
                        {invoiceId, now, gross, reason.trimmed()});
    if (!paid)
        return paid.error();
    auto updated = db.exec(u"UPDATE invoices SET status = 'paid', paid_at = ? WHERE id = ?"_s, {now, invoiceId});
    if (!updated)
        return updated.error();
    const auto json = [](const Json &j) { return QString::fromStdString(j.dump()); };
    auto audited = AuditLog(db).write(actor, u"invoice.mark_paid"_s, u"invoice"_s, invoiceId, json(Json{{"status", status.toStdString()}}),
                                      json(Json{{"status", "paid"}, {"reason", reason.trimmed().toStdString()}}));
    if (!audited)
        return audited.error();
    return tx.commit();
}

} // namespace askpro
