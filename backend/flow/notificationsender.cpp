// Notification sending: claim the row, send over SMTP, record the outcome on it and on the call's timeline.
#include "flow/notificationsender.h"

#include "core/clock.h"
#include "db/database.h"
#include "flow/callstore.h"

using namespace Qt::StringLiterals;

namespace askpro {

NotificationSender::NotificationSender(Database &db, SmtpSettings settings) : m_db(db), m_mailer(std::move(settings)) {}

JobOutcome NotificationSender::send(qint64 notificationId, bool lastAttempt)
{
    auto q = m_db.exec(u"UPDATE notifications SET attempts = attempts + 1 WHERE id = ? AND status = 'queued' "
                       "RETURNING recipient, subject, body, attachment_name, attachment_type, attachment, COALESCE(call_id, 0)"_s,
                       {notificationId});
    if (!q)
        return JobOutcome::retry(q.error());
    if (!q->next())
        return JobOutcome::done(); // sent before, or gone
    MailMessage message{q->value(0).toString(), q->value(1).toString(), q->value(2).toString(),
                        q->value(3).toString(), q->value(4).toString(), q->value(5).toByteArray()};
    const qint64 callId = q->value(6).toLongLong();
    q->finish();

    const Status sent = m_mailer.send(message);
    CallStore calls(m_db);
    if (sent) {
        auto marked = m_db.exec(u"UPDATE notifications SET status = 'sent', sent_at = ?, last_error = '' WHERE id = ?"_s,
                                {nowMs(), notificationId});
        if (callId > 0) {
            auto logged = calls.addEvent(callId, timeline::confirmationSent(message.to));
            Q_UNUSED(logged);
        }
        return marked ? JobOutcome::done() : JobOutcome::retry(marked.error());
    }
    const bool final = lastAttempt || !sent.error().isTransient();
    auto marked = m_db.exec(u"UPDATE notifications SET status = ?, last_error = ? WHERE id = ?"_s,
                            {final ? u"failed"_s : u"queued"_s, sent.error().describe(), notificationId});
    Q_UNUSED(marked);
    if (callId > 0) {
        auto logged = calls.addEvent(callId, timeline::confirmationFailed(message.to, sent.error(), final));
        Q_UNUSED(logged);
    }
    return final ? JobOutcome::failed(sent.error()) : JobOutcome::retry(sent.error());
}

} // namespace askpro
