#include "flow/reminderscheduler.h"

#include "core/logging.h"
#include "db/database.h"
#include "flow/appointmentnotice.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr qint64 hourMs = 60 * 60 * 1000;

} // namespace

ReminderScheduler::ReminderScheduler(Database &db) : m_db(db)
{
}

QDateTime ReminderScheduler::dueAt(const QDateTime &start, const QTimeZone &zone)
{
    const QDateTime local = start.toTimeZone(zone);
    return QDateTime(local.date().addDays(-1), local.time(), zone).toUTC();
}

Result<int> ReminderScheduler::queueDue(qint64 nowMs)
{
    // A day and a DST hour ahead at most; booked at least a day before the start.
    auto q = m_db.exec(u"SELECT a.id, a.starts_at, b.time_zone FROM appointments a JOIN branches b ON b.id = a.branch_id "
                       "WHERE a.status = 'booked' AND a.starts_at > ? AND a.starts_at <= ? AND a.starts_at - a.created_at >= ? "
                       "AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.appointment_id = a.id AND n.kind = 'reminder' "
                       "AND n.dedupe_key = 'reminder-sms:' || CAST(a.id AS TEXT) || ':' || CAST(a.starts_at AS TEXT)) ORDER BY a.starts_at"_s,
                       {nowMs, nowMs + 25 * hourMs, 24 * hourMs});
    if (!q)
        return q.error();
    QList<qint64> due;
    while (q->next()) {
        const QTimeZone zone(q->value(2).toString().toUtf8());
        if (zone.isValid() && dueAt(QDateTime::fromMSecsSinceEpoch(q->value(1).toLongLong(), QTimeZone::utc()), zone).toMSecsSinceEpoch() <= nowMs)
            due.append(q->value(0).toLongLong());
    }
    q->finish();
    int recorded = 0;
    for (const qint64 appointmentId : std::as_const(due)) {
        // Each reminder commits with its send job.
        Transaction tx(m_db, Durability::Relaxed);
        if (!tx.started())
            return tx.started().error();
        auto id = AppointmentNotice(m_db).record(appointmentId, AppointmentNotice::Kind::Reminder, nowMs);
        if (!id)
            return id.error();
        if (auto committed = tx.commit(); !committed)
            return committed.error();
        recorded += id->has_value() ? 1 : 0;
    }
    if (recorded > 0)
        qCInfo(lcFlow) << "reminders recorded:" << recorded;
    return recorded;
}

} // namespace askpro
