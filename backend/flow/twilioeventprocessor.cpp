// Twilio status callbacks and inbound replies, applied from the inbox like the other providers' webhooks.
#include "flow/twilioeventprocessor.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "flow/callstore.h"
#include "flow/messageoutbox.h"
#include "intake/webhookinbox.h"
#include "integrations/twilioclient.h"

using namespace Qt::StringLiterals;

namespace askpro {

QString TwilioEventProcessor::statusKey(const QString &sid, const QString &status, qint64 ref)
{
    return u"status:%1:%2:%3"_s.arg(sid, status).arg(ref);
}

QString TwilioEventProcessor::inboundKey(const QString &sid)
{
    return u"inbound:"_s + sid + u":inbound"_s;
}

JobOutcome TwilioEventProcessor::process(qint64 inboxId, bool lastAttempt)
{
    WebhookInbox inbox(m_db);
    auto q = m_db.exec(u"SELECT event_type, dedupe_key, received_at FROM webhook_inbox WHERE id = ? AND provider = 'twilio'"_s, {inboxId});
    if (!q)
        return JobOutcome::retry(q.error());
    if (!q->next())
        return JobOutcome::failed(makeError(ErrorKind::NotFound, u"twilio.inbox_missing"_s, u"No Twilio delivery %1"_s.arg(inboxId)));
    const QString event = q->value(0).toString();
    const QString key = q->value(1).toString();
    const qint64 receivedAt = q->value(2).toLongLong();
    q->finish();
    auto body = inbox.body(inboxId);
    if (!body)
        return JobOutcome::retry(body.error());
    auto signer = inbox.signer(inboxId);
    if (!signer)
        return JobOutcome::retry(signer.error());
    const SignerScope scope = SignerScope::of(*signer, u"twilio"_s, u"company_id"_s);

    Status applied;
    {
        // The effect and the inbox row's 'processed' in one commit: never one without the other.
        Transaction tx(m_db, Durability::Relaxed);
        applied = tx.started();
        if (applied)
            applied = event == u"inbound"_s ? applyInbound(*body, receivedAt, scope) : applyStatus(inboxId, key, *body, scope);
        if (applied)
            applied = inbox.markProcessed(inboxId);
        if (applied)
            applied = tx.commit();
    }
    if (applied)
        return JobOutcome::done();
    const Error &e = applied.error();
    qCWarning(lcIntake) << "Twilio delivery" << inboxId << event << "not applied:" << e.describe();
    // Kept on the row for support (the inbox shows it failed, with why); a later attempt that succeeds marks it processed.
    auto marked = inbox.markFailed(inboxId, e.describe());
    Q_UNUSED(marked);
    return lastAttempt || !e.isTransient() ? JobOutcome::failed(e) : JobOutcome::retry(e);
}

Status TwilioEventProcessor::applyStatus(qint64 inboxId, const QString &key, const QByteArray &body, const SignerScope &scope)
{
    const QMultiMap<QString, QString> params = TwilioClient::formParams(body);
    const QString sid = params.value(u"MessageSid"_s, params.value(u"SmsSid"_s));
    const QString status = params.value(u"MessageStatus"_s, params.value(u"SmsStatus"_s));
    const QString errorCode = params.value(u"ErrorCode"_s);
    const qint64 ref = key.section(u':', 3, 3).toLongLong();
    const int rank = TwilioClient::statusRank(status);
    if (sid.isEmpty() || rank == 0) {
        qCInfo(lcIntake) << "Twilio delivery" << inboxId << "names no known status:" << status;
        return {};
    }
    const bool failure = TwilioClient::isFailure(status);
    const qint64 now = nowMs();
    // Found by our reference (the answer with the sid may have been lost) or else by the sid. The rank is in
    // the statement: a callback that is not ahead of the stored status changes nothing (out of order, or a
    // replay). A failure is the message's end: failed with Twilio's code, whether it was still 'sending'
    // (the answer lost) or 'sent'; any other status says Twilio has it, so 'queued' or 'sending' become 'sent'.
    const QString newStatus = failure ? u"CASE WHEN status IN ('queued', 'sending', 'sent') THEN 'failed' ELSE status END"_s
                                      : u"CASE WHEN status IN ('queued', 'sending') THEN 'sent' ELSE status END"_s;
    // A stable code, worded where it is shown: Twilio's error ("twilio.30003"), else the status it reported.
    const QString lastError = !failure ? QString() : u"twilio."_s + (errorCode.isEmpty() ? status : errorCode);
    // One row: the one holding the sid, else the one our reference names that has none yet. The update below
    // then changes exactly that row.
    auto q = m_db.exec(u"SELECT id, status, recipient, COALESCE(call_id, 0), COALESCE(appointment_id, 0) FROM notifications WHERE channel = 'sms' AND (id = ? OR provider_id = ?) "
                       "AND (provider_id = '' OR provider_id = ?) AND "_s + scope.sql
                           + u" ORDER BY CASE WHEN provider_id = ? THEN 0 ELSE 1 END LIMIT 1"_s,
                       QVariantList{ref, sid, sid} + scope.params + QVariantList{sid});
    if (!q)
        return q.error();
    if (!q->next()) {
        qCInfo(lcIntake) << "Twilio delivery" << inboxId << "names no SMS of the signing account";
        return {};
    }
    const qint64 rowId = q->value(0).toLongLong();
    const QString before = q->value(1).toString();
    const QString recipient = q->value(2).toString();
    const qint64 callId = q->value(3).toLongLong();
    const qint64 appointmentId = q->value(4).toLongLong();
    q->finish();
    auto changed = m_db.exec(u"UPDATE notifications SET provider_status = ?, error_code = CASE WHEN ? <> '' THEN ? ELSE error_code END, "
                             "status_at = ?, provider_id = CASE WHEN provider_id = '' THEN ? ELSE provider_id END, "
                             "status = "_s + newStatus + u", last_error = CASE WHEN ? <> '' THEN ? ELSE last_error END, "
                             "sent_at = COALESCE(sent_at, ?) "
                             "WHERE id = ? AND (provider_id = '' OR provider_id = ?) AND "_s
                                 + TwilioClient::statusRankSql(u"provider_status"_s) + u" < ? AND "_s + scope.sql + u" RETURNING id"_s,
                             QVariantList{status, errorCode, errorCode, now, sid, lastError, lastError, now, rowId, sid, rank}
                                 + scope.params);
    if (!changed)
        return changed.error();
    if (!changed->next())
        return {};
    changed->finish();
    // A customer who prefers SMS gets the confirmation by e-mail instead (in this delivery's transaction).
    QString emailInstead;
    if (failure && before != u"failed"_s) {
        auto instead = MessageOutbox(m_db).useEmailInstead(appointmentId);
        if (!instead)
            return instead.error();
        emailInstead = *instead;
    }
    if (callId <= 0)
        return {};
    CallStore calls(m_db);
    if (failure) {
        Error e{ErrorKind::Rejected, u"Twilio."_s + status, u"Twilio reported the message %1"_s.arg(status), errorCode, 0};
        Status told = calls.addEvent(callId, timeline::smsFailed(recipient, e, true));
        if (told && !emailInstead.isEmpty())
            told = calls.addEvent(callId, timeline::emailInstead(emailInstead));
        return told;
    }
    if (status == u"delivered"_s || status == u"read"_s)
        return calls.addEvent(callId, timeline::smsDelivered(recipient));
    if (before == u"queued"_s || before == u"sending"_s) // the answer with the sid was lost: this callback tells it was sent
        return calls.addEvent(callId, timeline::smsSent(recipient));
    return {};
}

Status TwilioEventProcessor::applyInbound(const QByteArray &body, qint64 receivedAt, const SignerScope &scope)
{
    static const QStringList stops{u"STOP"_s, u"STOPP"_s, u"STOPALL"_s, u"ABMELDEN"_s, u"UNSUBSCRIBE"_s, u"CANCEL"_s, u"END"_s, u"QUIT"_s};
    static const QStringList starts{u"START"_s, u"UNSTOP"_s, u"ANMELDEN"_s};
    const QMultiMap<QString, QString> params = TwilioClient::formParams(body);
    const QString word = params.value(u"Body"_s).trimmed().toUpper();
    const QString from = params.value(u"From"_s).remove(u"whatsapp:"_s);
    if (!stops.contains(word) && !starts.contains(word))
        return {};
    const bool stop = stops.contains(word);
    // Twilio's inbound request carries no time of its own; the inbox row's arrival is the reply's time, and a
    // replay or a job retried hours later still has it. Only a decision newer than the stored one applies, so an
    // old STOP never undoes a later START (nor the reverse); of two in the same millisecond, STOP wins.
    QVariantList args{stop ? 1 : 0, stop ? QVariant(receivedAt) : Database::null(), receivedAt, from, from, receivedAt, receivedAt, stop ? 1 : 0};
    args += scope.params;
    auto q = m_db.exec(u"UPDATE customers SET sms_opt_out = ?, sms_opt_out_at = ?, sms_opt_changed_at = ?, updated_at = updated_at "
                       "WHERE (phone_e164 = ? OR message_phone_e164 = ?) AND (sms_opt_changed_at IS NULL OR sms_opt_changed_at < ? "
                       "OR (sms_opt_changed_at = ? AND ? = 1)) AND "_s
                           + scope.sql + u" RETURNING id"_s,
                       args);
    if (!q)
        return q.error();
    bool changed = false;
    while (q->next())
        changed = true;
    qCInfo(lcIntake) << "Twilio reply" << word << "from" << PhoneNumbers::masked(from)
                     << (changed ? (stop ? "opts out" : "opts in") : "is older than the customer's last decision (or names no customer): ignored");
    return {};
}

} // namespace askpro
