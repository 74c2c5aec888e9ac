// The delivery log's actions on the notifications outbox. Every change here commits with the send job that
// carries it out, so a message is never queued without a job to send it, nor sent without its row.
#include "flow/messageoutbox.h"

#include "core/clock.h"
#include "db/database.h"
#include "flow/callstore.h"
#include "jobs/notificationqueue.h"
#include "support/auditlog.h"

#include <QUuid>

#include <optional>

using namespace Qt::StringLiterals;

namespace askpro {

MessageOutbox::MessageOutbox(Database &db) : m_db(db)
{
}

Result<QString> MessageOutbox::useEmailInstead(qint64 appointmentId)
{
    if (appointmentId <= 0)
        return QString();
    std::optional<Transaction> tx;
    if (!m_db.inTransaction()) {
        tx.emplace(m_db);
        if (!tx->started())
            return tx->started().error();
    }
    auto q = m_db.exec(u"UPDATE notifications SET status = 'queued', skip_reason = '' WHERE appointment_id = ? AND kind = 'confirmation' "
                       "AND channel = 'email' AND status = 'skipped' AND skip_reason = 'standby' RETURNING id, recipient"_s,
                       {appointmentId});
    if (!q)
        return q.error();
    if (!q->next())
        return QString();
    const qint64 id = q->value(0).toLongLong();
    const QString recipient = q->value(1).toString();
    q->finish();
    if (auto queued = NotificationQueue(m_db).queueSending(id, u"email"_s); !queued)
        return queued.error();
    if (tx) {
        if (auto committed = tx->commit(); !committed)
            return committed.error();
    }
    return recipient;
}

Result<MessageOutbox::Resent> MessageOutbox::resend(const Actor &actor, qint64 messageId, qint64 companyId)
{
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    // The customer's opt-out as it is now, through the message's call or appointment.
    auto q = m_db.exec(u"SELECT n.channel, n.status, n.skip_reason, n.recipient, COALESCE(n.resend_of, n.id), COALESCE(n.call_id, 0), "
                       "COALESCE(cu.sms_opt_out, 0) FROM notifications n LEFT JOIN calls c ON c.id = n.call_id "
                       "LEFT JOIN appointments a ON a.id = n.appointment_id "
                       "LEFT JOIN customers cu ON cu.id = COALESCE(a.customer_id, c.customer_id) "
                       "WHERE n.id = ? AND (? = 0 OR n.company_id = ?)"_s,
                       {messageId, companyId, companyId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"messages.missing"_s, tr("No such record."));
    const QString channel = q->value(0).toString();
    const QString status = q->value(1).toString();
    const QString skipReason = q->value(2).toString();
    const QString recipient = q->value(3).toString();
    const qint64 original = q->value(4).toLongLong();
    const qint64 callId = q->value(5).toLongLong();
    const bool optedOut = q->value(6).toInt() != 0;
    q->finish();

    if (status == u"queued"_s || status == u"sending"_s)
        return makeError(ErrorKind::Conflict, u"messages.in_flight"_s, tr("This message is still being sent."));
    if (status == u"skipped"_s) {
        if (skipReason == u"landline"_s)
            return makeError(ErrorKind::Conflict, u"messages.landline"_s, tr("The number is a landline and cannot receive SMS."));
        if (skipReason == u"opted_out"_s)
            return makeError(ErrorKind::Conflict, u"messages.opted_out"_s, tr("The customer has opted out of SMS."));
        if (skipReason == u"preference"_s)
            return makeError(ErrorKind::Conflict, u"messages.preference"_s, tr("The customer chose not to get messages on this channel."));
        if (skipReason == u"no_number"_s || recipient.isEmpty())
            return makeError(ErrorKind::Conflict, u"messages.no_recipient"_s, tr("There is nobody to send this message to."));
    }
    if (channel == u"whatsapp"_s)
        return makeError(ErrorKind::Conflict, u"messages.channel"_s, tr("WhatsApp messages cannot be sent again from here."));
    if (channel == u"sms"_s && optedOut)
        return makeError(ErrorKind::Conflict, u"messages.opted_out"_s, tr("The customer has opted out of SMS since."));
    auto pending = m_db.scalar(u"SELECT COUNT(*) FROM notifications WHERE resend_of = ? AND status IN ('queued', 'sending')"_s, {original});
    if (!pending)
        return pending.error();
    if (pending->toLongLong() > 0)
        return makeError(ErrorKind::Conflict, u"messages.resend_pending"_s, tr("This message is being sent again already."));

    const qint64 now = nowMs();
    auto inserted = m_db.exec(u"INSERT INTO notifications (company_id, call_id, appointment_id, kind, channel, dedupe_key, recipient, language, "
                              "subject, body, attachment_name, attachment_type, attachment, status, created_at, resend_of) "
                              "SELECT company_id, call_id, appointment_id, kind, channel, ?, recipient, language, subject, body, "
                              "attachment_name, attachment_type, attachment, 'queued', ?, ? FROM notifications WHERE id = ? RETURNING id"_s,
                              {u"resend:%1:%2"_s.arg(original).arg(QUuid::createUuid().toString(QUuid::WithoutBraces)), now, original, messageId});
    if (!inserted)
        return inserted.error();
    if (!inserted->next())
        return makeError(ErrorKind::NotFound, u"messages.missing"_s, tr("No such record."));
    const Resent resent{inserted->value(0).toLongLong(), original};
    inserted->finish();
    if (auto queued = NotificationQueue(m_db).queueSending(resent.id, channel); !queued)
        return queued.error();
    if (auto logged = AuditLog(m_db).write(actor, u"message.resend"_s, u"notification"_s, resent.id,
                                           u"{\"message_id\":%1}"_s.arg(messageId), u"{\"channel\":\"%1\"}"_s.arg(channel));
        !logged)
        return logged.error();
    if (callId > 0) {
        if (auto told = CallStore(m_db).addEvent(callId, timeline::supportResent(actor.username, channel)); !told)
            return told.error();
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return resent;
}

} // namespace askpro
