// Usage rows and their daily totals. The day is the Europe/Berlin calendar day (as invoices and charts
// count), computed here with the time zone database; migration 0004 backfilled older rows the same way.
#include "billing/usagerollup.h"

#include "billing/invoicedocument.h"
#include "core/clock.h"
#include "db/database.h"

#include <QHash>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr qint64 dayMs = 24 * 3600 * 1000;
constexpr qint64 hourMs = 3600 * 1000;
constexpr int rowsPerInsert = 500;

qint64 floorDiv(qint64 value, qint64 divisor)
{
    return value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);
}

QDate epochDay()
{
    return QDate(1970, 1, 1);
}

struct DayTotals
{
    qint64 calls = 0;
    qint64 appointments = 0;
    qint64 callCents = 0;
    qint64 appointmentCents = 0;
};

} // namespace

UsageRollup::UsageRollup(Database &db) : m_db(db) {}

qint64 UsageRollup::dayNumber(qint64 utcMs)
{
    // One zone object per thread: workers record usage concurrently.
    thread_local const QTimeZone zone(money::billingZone);
    const qint64 offsetMs = qint64(zone.offsetFromUtc(fromMs(utcMs))) * 1000;
    return floorDiv(utcMs + offsetMs, dayMs);
}

qint64 UsageRollup::dayNumber(QDate localDay)
{
    return epochDay().daysTo(localDay);
}

QDate UsageRollup::dateOf(qint64 dayNumber)
{
    return epochDay().addDays(dayNumber);
}

Status UsageRollup::recordCall(qint64 callId, qint64 companyId, qint64 branchId, qint64 atMs)
{
    return record(u"call"_s, callId, companyId, branchId, atMs);
}

Status UsageRollup::recordAppointment(qint64 appointmentId, qint64 companyId, qint64 branchId, qint64 atMs)
{
    return record(u"appointment"_s, appointmentId, companyId, branchId, atMs);
}

Status UsageRollup::record(const QString &kind, qint64 refId, qint64 companyId, qint64 branchId, qint64 atMs)
{
    // One statement in the common case: the row joins its company's open period of the month. On
    // PostgreSQL the period is taken FOR KEY SHARE, which the invoice run's FOR UPDATE waits for (and
    // the other way round, after which the re-checked period is closed and the row stays unlinked).
    // RETURNING yields a row only when the insert happened: a retry adds nothing to the day either.
    const qint64 periodStart = money::monthStartOf(atMs);
    const QString period = u"(SELECT p.id FROM billing_periods p WHERE p.company_id = companies.id AND p.period_start = ? "
                           "AND p.invoice_id IS NULL"_s
        + keyShare() + u")"_s;
    const QString sql = kind == u"call"_s
        ? u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, unit_price_cents, occurred_at, period_id) "
          "SELECT id, ?, 'call', ?, call_price_cents, ?, "_s
            + period + u" FROM companies WHERE id = ? ON CONFLICT (call_id) WHERE kind = 'call' DO NOTHING "
                       "RETURNING id, unit_price_cents, period_id"_s
        : u"INSERT INTO usage_logs (company_id, branch_id, kind, appointment_id, unit_price_cents, occurred_at, period_id) "
          "SELECT id, ?, 'appointment', ?, appointment_price_cents, ?, "_s
            + period + u" FROM companies WHERE id = ? ON CONFLICT (appointment_id) WHERE kind = 'appointment' DO NOTHING "
                       "RETURNING id, unit_price_cents, period_id"_s;
    auto q = m_db.exec(sql, {branchId, refId, atMs, periodStart, companyId});
    if (!q)
        return q.error();
    if (!q->next()) {
        q->finish();
        return {};
    }
    const qint64 rowId = q->value(0).toLongLong();
    const qint64 price = q->value(1).toLongLong();
    const bool linked = !q->value(2).isNull();
    q->finish(); // SQLite: the RETURNING statement must be done before the caller commits
    if (!linked) {
        // The company's first usage of the month (once per company and month), or the month is invoiced.
        auto open = openPeriod(companyId, atMs);
        if (!open)
            return open.error();
        if (*open > 0) {
            auto set = m_db.exec(u"UPDATE usage_logs SET period_id = ? WHERE id = ?"_s, {*open, rowId});
            if (!set)
                return set.error();
        }
    }
    return add(companyId, kind, atMs, 1, price);
}

Result<qint64> UsageRollup::openPeriod(qint64 companyId, qint64 atMs)
{
    const qint64 periodStart = money::monthStartOf(atMs);
    // A month invoiced before gets no new period (every invoice run closes a period for each invoice it
    // makes; the invoice check covers invoices made otherwise). A period made meanwhile by another
    // writer wins the conflict, and PostgreSQL waits for that writer's commit first.
    auto made = m_db.exec(u"INSERT INTO billing_periods (company_id, period_start, created_at) SELECT ?, ?, ? WHERE NOT EXISTS "
                          "(SELECT 1 FROM invoices WHERE company_id = ? AND period_start = ? AND kind = 'invoice') "
                          "ON CONFLICT (company_id, period_start) DO NOTHING"_s,
                          {companyId, periodStart, nowMs(), companyId, periodStart});
    if (!made)
        return made.error();
    auto id = m_db.scalar(u"SELECT id FROM billing_periods WHERE company_id = ? AND period_start = ? AND invoice_id IS NULL"_s + keyShare(),
                          {companyId, periodStart});
    if (!id)
        return id.error();
    return id->isValid() ? id->toLongLong() : qint64(0);
}

QString UsageRollup::keyShare() const
{
    return m_db.engine() == Engine::Postgres ? u" FOR KEY SHARE"_s : QString();
}

Status UsageRollup::add(qint64 companyId, const QString &kind, qint64 atMs, qint64 quantity, qint64 amountCents)
{
    const bool call = kind == u"call"_s;
    if (!call && kind != u"appointment"_s)
        return makeError(ErrorKind::Invalid, u"billing.usage_kind"_s, u"Unknown usage kind %1"_s.arg(kind));
    auto q = m_db.exec(u"INSERT INTO usage_daily (company_id, day, calls, appointments, call_cents, appointment_cents) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (company_id, day) DO UPDATE SET "
                       "calls = usage_daily.calls + excluded.calls, appointments = usage_daily.appointments + excluded.appointments, "
                       "call_cents = usage_daily.call_cents + excluded.call_cents, "
                       "appointment_cents = usage_daily.appointment_cents + excluded.appointment_cents"_s,
                       {companyId, dayNumber(atMs), call ? quantity : 0, call ? 0 : quantity, call ? amountCents : 0,
                        call ? 0 : amountCents});
    if (!q)
        return q.error();
    return {};
}

Status UsageRollup::removeAppointmentUsage(qint64 appointmentId)
{
    auto q = m_db.exec(u"DELETE FROM usage_logs WHERE appointment_id = ? RETURNING company_id, kind, occurred_at, unit_price_cents"_s,
                       {appointmentId});
    if (!q)
        return q.error();
    struct Removed
    {
        qint64 companyId;
        QString kind;
        qint64 at;
        qint64 price;
    };
    QList<Removed> removed;
    while (q->next())
        removed.append({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toLongLong()});
    q->finish();
    for (const Removed &r : std::as_const(removed)) {
        auto s = add(r.companyId, r.kind, r.at, -1, -r.price);
        if (!s)
            return s;
    }
    return {};
}

Result<qint64> UsageRollup::rebuild(qint64 companyId)
{
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    const QString filter = companyId > 0 ? u" WHERE company_id = ?"_s : QString();
    const QVariantList params = companyId > 0 ? QVariantList{companyId} : QVariantList{};
    auto cleared = m_db.exec(u"DELETE FROM usage_daily"_s + filter, params);
    if (!cleared)
        return cleared.error();
    // Offsets change only on whole UTC hours, so hours fold into local days exactly.
    auto q = m_db.exec(u"SELECT company_id, occurred_at / 3600000, kind, COUNT(*), CAST(SUM(unit_price_cents) AS BIGINT) FROM usage_logs"_s
                           + filter + u" GROUP BY company_id, occurred_at / 3600000, kind"_s,
                       params);
    if (!q)
        return q.error();
    QHash<std::pair<qint64, qint64>, DayTotals> days;
    while (q->next()) {
        DayTotals &t = days[{q->value(0).toLongLong(), dayNumber(q->value(1).toLongLong() * hourMs)}];
        const bool call = q->value(2).toString() == u"call"_s;
        (call ? t.calls : t.appointments) += q->value(3).toLongLong();
        (call ? t.callCents : t.appointmentCents) += q->value(4).toLongLong();
    }
    q->finish();
    QList<std::pair<qint64, qint64>> keys = days.keys();
    std::sort(keys.begin(), keys.end());
    for (qsizetype from = 0; from < keys.size(); from += rowsPerInsert) {
        const qsizetype count = std::min<qsizetype>(rowsPerInsert, keys.size() - from);
        QString sql = u"INSERT INTO usage_daily (company_id, day, calls, appointments, call_cents, appointment_cents) VALUES "_s;
        QVariantList values;
        values.reserve(count * 6);
        for (qsizetype i = 0; i < count; ++i) {
            const auto &key = keys.at(from + i);
            const DayTotals &t = days.value(key);
            sql += i == 0 ? u"(?, ?, ?, ?, ?, ?)"_s : u", (?, ?, ?, ?, ?, ?)"_s;
            values << key.first << key.second << t.calls << t.appointments << t.callCents << t.appointmentCents;
        }
        auto inserted = m_db.exec(sql, values);
        if (!inserted)
            return inserted.error();
    }
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    return qint64(keys.size());
}

} // namespace askpro
