#include "jobs/notificationqueue.h"

#include "db/database.h"
#include "jobs/jobqueue.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QVariant idOrNull(qint64 id)
{
    return id > 0 ? QVariant(id) : Database::null();
}

} // namespace

NotificationQueue::NotificationQueue(Database &db) : m_db(db)
{
}

Result<std::optional<qint64>> NotificationQueue::record(const Notification &m, qint64 nowMs)
{
    auto inserted = m_db.exec(u"INSERT INTO notifications (company_id, call_id, appointment_id, kind, channel, dedupe_key, recipient, language, "
                              "subject, body, attachment_name, attachment_type, attachment, status, skip_reason, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"_s,
                              {idOrNull(m.companyId), idOrNull(m.callId), idOrNull(m.appointmentId), m.kind, m.channel, m.dedupeKey,
                               m.recipient, m.language, m.subject, m.body, m.attachmentName, m.attachmentType,
                               m.attachmentName.isEmpty() ? Database::null() : QVariant(m.attachment),
                               m.skipReason.isEmpty() ? u"queued"_s : u"skipped"_s, m.skipReason, nowMs});
    if (!inserted)
        return inserted.error();
    if (!inserted->next())
        return std::optional<qint64>();
    const qint64 id = inserted->value(0).toLongLong();
    inserted->finish();
    if (m.skipReason.isEmpty()) {
        if (auto queued = queueSending(id, m.channel); !queued)
            return queued.error();
    }
    return std::optional<qint64>(id);
}

Status NotificationQueue::queueSending(qint64 notificationId, const QString &channel)
{
    auto job = JobQueue(m_db).enqueue(u"notification.send"_s, "{\"notification_id\":" + QByteArray::number(notificationId) + '}',
                                      (channel == u"sms"_s ? u"sms:%1"_s : u"mail:%1"_s).arg(notificationId));
    return job ? Status() : Status(job.error());
}

} // namespace askpro
