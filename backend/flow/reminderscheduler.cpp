#include "flow/reminderscheduler.h"

#include "core/logging.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "flow/confirmationmessage.h"
#include "jobs/jobqueue.h"

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
    auto q = m_db.exec(u"SELECT a.id, a.company_id, a.starts_at, a.ends_at, COALESCE(a.call_id, 0), b.time_zone, b.language, b.name, b.address, "
                       "b.phone_e164, c.name, COALESCE(s.name, ''), COALESCE(cu.name, ''), COALESCE(cu.phone_e164, ''), "
                       "COALESCE(cu.message_phone_e164, ''), COALESCE(cu.sms_opt_out, 0), COALESCE(cu.preferred_channel, 'auto'), "
                       "COALESCE(cu.language, ''), "
                       "(SELECT COUNT(*) FROM api_credentials k WHERE k.provider = 'twilio' AND (k.company_id IS NULL OR k.company_id = a.company_id)) "
                       "FROM appointments a JOIN branches b ON b.id = a.branch_id JOIN companies c ON c.id = a.company_id "
                       "LEFT JOIN services s ON s.id = a.service_id LEFT JOIN customers cu ON cu.id = a.customer_id "
                       "WHERE a.status = 'booked' AND a.starts_at > ? AND a.starts_at <= ? AND a.starts_at - a.created_at >= ? ORDER BY a.starts_at"_s,
                       {nowMs, nowMs + 25 * hourMs, 24 * hourMs});
    if (!q)
        return q.error();
    struct Due
    {
        qint64 appointmentId, companyId, callId, startsAt;
        QString number, text, language, reason;
    };
    QList<Due> due;
    while (q->next()) {
        const QTimeZone zone(q->value(5).toString().toUtf8());
        const QDateTime start = QDateTime::fromMSecsSinceEpoch(q->value(2).toLongLong(), QTimeZone::utc());
        if (!zone.isValid() || dueAt(start, zone).toMSecsSinceEpoch() > nowMs)
            continue;
        const QString messageNumber = q->value(14).toString();
        const QString number = messageNumber.isEmpty() ? q->value(13).toString() : messageNumber;
        const QString preference = q->value(16).toString();
        QString reason;
        if (preference == u"email"_s || preference == u"none"_s)
            reason = u"preference"_s;
        else if (number.isEmpty())
            reason = u"no_number"_s;
        else if (!PhoneNumbers::canReceiveSms(number))
            reason = u"landline"_s;
        else if (q->value(15).toInt() != 0)
            reason = u"opted_out"_s;
        else if (q->value(18).toLongLong() == 0)
            reason = u"no_credentials"_s;
        const QString customerLanguage = q->value(17).toString();
        const QString language = customerLanguage == u"en"_s || customerLanguage == u"de"_s ? customerLanguage : q->value(6).toString();
        const int minutes = int((q->value(3).toLongLong() - q->value(2).toLongLong()) / 60000);
        const QString text = ConfirmationMessage::reminderSmsText({language, q->value(12).toString(), q->value(11).toString(), q->value(10).toString(),
                                                                   q->value(7).toString(), q->value(8).toString(),
                                                                   PhoneNumbers::display(q->value(9).toString()), q->value(5).toString(), start,
                                                                   minutes, QString()});
        due.append({q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(4).toLongLong(), q->value(2).toLongLong(), number, text, language, reason});
    }
    q->finish();
    int queued = 0;
    for (const Due &d : std::as_const(due)) {
        // One per appointment and start: a moved appointment's new time gets its own; the row and its job commit together.
        Transaction tx(m_db, Durability::Relaxed);
        if (!tx.started())
            return tx.started().error();
        auto inserted = m_db.exec(u"INSERT INTO notifications (company_id, call_id, appointment_id, kind, channel, dedupe_key, recipient, language, "
                                  "subject, body, status, skip_reason, created_at) VALUES (?, ?, ?, 'reminder', 'sms', ?, ?, ?, '', ?, ?, ?, ?) "
                                  "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"_s,
                                  {d.companyId, d.callId > 0 ? QVariant(d.callId) : Database::null(), d.appointmentId,
                                   u"reminder-sms:%1:%2"_s.arg(d.appointmentId).arg(d.startsAt), d.number, d.language, d.text,
                                   d.reason.isEmpty() ? u"queued"_s : u"skipped"_s, d.reason, nowMs});
        if (!inserted)
            return inserted.error();
        if (!inserted->next())
            continue; // recorded before
        const qint64 id = inserted->value(0).toLongLong();
        inserted->finish();
        if (d.reason.isEmpty()) {
            auto job = JobQueue(m_db).enqueue(u"notification.send"_s, "{\"notification_id\":" + QByteArray::number(id) + '}', u"sms:%1"_s.arg(id));
            if (!job)
                return job.error();
            ++queued;
        }
        if (auto committed = tx.commit(); !committed)
            return committed.error();
    }
    if (queued > 0)
        qCInfo(lcFlow) << "reminders queued:" << queued;
    return queued;
}

} // namespace askpro
