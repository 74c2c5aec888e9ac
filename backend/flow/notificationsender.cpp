// Notification sending: claim the row, send it on its channel, record the outcome on it and on the call's timeline.
#include "flow/notificationsender.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "domain/quiethours.h"
#include "flow/callstore.h"
#include "flow/messageoutbox.h"
#include "integrations/twilioclient.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// What an SMS row keeps as last_error: a stable code that screens word in their reader's language
// (Labels::messageReason), never an English sentence. Twilio's numbered errors as "twilio.21610", else the
// error's own code ("twilio.timeout", "secrets.corrupt", …); Twilio's own words stay in the log.
QString smsErrorCode(const Error &e, int providerCode)
{
    if (providerCode > 0)
        return u"twilio.%1"_s.arg(providerCode);
    return e.code.isEmpty() ? u"sms.failed"_s : e.code;
}

// A confirmation that comes within this long of the call that asked for it is expected, whatever the hour.
constexpr qint64 confirmationGraceMs = 10 * 60 * 1000;

} // namespace

Result<QString> NotificationSender::noLongerWanted(qint64 notificationId)
{
    // A message sent again has a key of its own: the first one's names the start.
    auto q = m_db.exec(u"SELECT n.kind, COALESCE(o.dedupe_key, n.dedupe_key), COALESCE(a.status, ''), COALESCE(a.starts_at, 0), "
                       "COALESCE(c.outcome, ''), CASE WHEN c.resolved_at IS NULL THEN 0 ELSE 1 END FROM notifications n "
                       "LEFT JOIN notifications o ON o.id = n.resend_of "
                       "LEFT JOIN appointments a ON a.id = n.appointment_id LEFT JOIN calls c ON c.id = n.call_id WHERE n.id = ?"_s,
                       {notificationId});
    if (!q)
        return q.error();
    if (!q->next())
        return QString();
    const QString kind = q->value(0).toString();
    if (kind == u"callback"_s) {
        // Support may have called back already (it waited for the quiet hours to end), or the call got booked.
        if (q->value(4).toString() == u"booked"_s)
            return u"call_booked"_s;
        if (q->value(5).toInt() != 0 || q->value(4).toString() != u"needs_callback"_s)
            return u"call_resolved"_s;
        return QString();
    }
    if (kind != u"reminder"_s)
        return QString();
    if (q->value(2).toString() != u"booked"_s)
        return u"appointment_cancelled"_s;
    // The key names the start the reminder was written for ("reminder-sms:<appointment>:<start>", "reminder-email:…").
    if (q->value(1).toString().section(u':', 2, 2).toLongLong() != q->value(3).toLongLong())
        return u"appointment_moved"_s;
    return QString();
}

Result<bool> NotificationSender::skipIfNoLongerWanted(qint64 notificationId)
{
    auto why = noLongerWanted(notificationId);
    if (!why)
        return why.error();
    if (why->isEmpty())
        return false;
    auto skipped = m_db.exec(u"UPDATE notifications SET status = 'skipped', skip_reason = ?, status_at = ? WHERE id = ? AND status = 'queued'"_s,
                             {*why, nowMs(), notificationId});
    if (!skipped)
        return skipped.error();
    return true;
}

Result<qint64> NotificationSender::quietHoursEnd(qint64 notificationId, qint64 now)
{
    auto q = m_db.exec(u"SELECT n.kind, COALESCE(n.resend_of, 0), COALESCE(b.time_zone, ''), COALESCE(c.ended_at, c.started_at, c.created_at, 0) "
                       "FROM notifications n LEFT JOIN calls c ON c.id = n.call_id LEFT JOIN appointments a ON a.id = n.appointment_id "
                       "LEFT JOIN branches b ON b.id = COALESCE(a.branch_id, c.branch_id) WHERE n.id = ?"_s,
                       {notificationId});
    if (!q)
        return q.error();
    if (!q->next())
        return now; // gone: the claim below finds nothing
    const bool answersTheCall = q->value(0).toString() == u"confirmation"_s && q->value(1).toLongLong() == 0
        && q->value(3).toLongLong() > 0 && now - q->value(3).toLongLong() <= confirmationGraceMs;
    const QTimeZone zone(q->value(2).toString().toUtf8());
    q->finish();
    if (answersTheCall || !zone.isValid())
        return now;
    return QuietHours::nextAllowed(QDateTime::fromMSecsSinceEpoch(now, QTimeZone::utc()), zone).toMSecsSinceEpoch();
}

NotificationSender::NotificationSender(Database &db, SmtpSettings settings)
    : m_db(db), m_email(std::make_unique<EmailChannel>(std::move(settings)))
{
}

NotificationSender::NotificationSender(Database &db, SmtpSettings settings, CredentialStore &credentials,
                                       QNetworkAccessManager *network, SmsSettings sms)
    : m_db(db)
    , m_email(std::make_unique<EmailChannel>(std::move(settings)))
    , m_sms(std::make_unique<SmsChannel>(credentials, network, std::move(sms)))
{
}

NotificationSender::~NotificationSender() = default;

JobOutcome NotificationSender::send(qint64 notificationId, bool lastAttempt)
{
    if (auto skipped = skipIfNoLongerWanted(notificationId); !skipped || *skipped)
        return skipped ? JobOutcome::done() : JobOutcome::retry(skipped.error());
    auto q = m_db.exec(u"UPDATE notifications SET attempts = attempts + 1 WHERE id = ? AND status = 'queued' AND channel = 'email' "
                       "RETURNING recipient, subject, body, attachment_name, attachment_type, attachment, "
                       "CASE WHEN kind = 'confirmation' THEN COALESCE(call_id, 0) ELSE 0 END"_s,
                       {notificationId});
    if (!q)
        return JobOutcome::retry(q.error());
    if (!q->next())
        return JobOutcome::done(); // sent before, or gone
    OutgoingNotification message;
    message.id = notificationId;
    message.recipient = q->value(0).toString();
    message.subject = q->value(1).toString();
    message.body = q->value(2).toString();
    message.attachmentName = q->value(3).toString();
    message.attachmentType = q->value(4).toString();
    message.attachment = q->value(5).toByteArray();
    const qint64 callId = q->value(6).toLongLong(); // a confirmation's call: its timeline tells of the e-mail
    q->finish();

    const Status sent = m_email->sendNow(message);
    CallStore calls(m_db);
    if (sent) {
        auto marked = m_db.exec(u"UPDATE notifications SET status = 'sent', sent_at = ?, status_at = ?, last_error = '' WHERE id = ?"_s,
                                {nowMs(), nowMs(), notificationId});
        if (callId > 0) {
            auto logged = calls.addEvent(callId, timeline::confirmationSent(message.recipient));
            Q_UNUSED(logged);
        }
        return marked ? JobOutcome::done() : JobOutcome::retry(marked.error());
    }
    const bool final = lastAttempt || !sent.error().isTransient();
    auto marked = m_db.exec(u"UPDATE notifications SET status = ?, last_error = ? WHERE id = ?"_s,
                            {final ? u"failed"_s : u"queued"_s, sent.error().describe(), notificationId});
    Q_UNUSED(marked);
    if (callId > 0) {
        auto logged = calls.addEvent(callId, timeline::confirmationFailed(message.recipient, sent.error(), final));
        Q_UNUSED(logged);
    }
    return final ? JobOutcome::failed(sent.error()) : JobOutcome::retry(sent.error());
}

void NotificationSender::dispatch(qint64 notificationId, bool lastAttempt, JobDone done)
{
    auto channel = m_db.scalar(u"SELECT channel FROM notifications WHERE id = ?"_s, {notificationId});
    if (!channel)
        return done(JobOutcome::retry(channel.error()));
    if (channel->toString() == u"sms"_s)
        return sendSms(notificationId, lastAttempt, std::move(done));
    done(send(notificationId, lastAttempt));
}

// Exactly once: the row says 'sending' (committed) before the request goes out. An answer that never came
// leaves it so: the message may be at Twilio, whose Messages endpoint has no idempotency key. Then the row
// waits for its status callback (which names it by ?ref=) for m_answerWaitMs; without one it is looked up at Twilio
// by recipient and date sent, and only when Twilio has no such message is it sent once more.
// The claim itself requires an empty provider_id: once Twilio's sid is known (from its answer or a callback), no
// worker can claim the row again, whatever its status says.
void NotificationSender::sendSms(qint64 notificationId, bool lastAttempt, JobDone done)
{
    if (!m_sms)
        return done(JobOutcome::failed(makeError(ErrorKind::Configuration, u"sms.unavailable"_s, u"No SMS channel in this process"_s)));
    const qint64 now = nowMs();
    if (auto skipped = skipIfNoLongerWanted(notificationId); !skipped || *skipped)
        return done(skipped ? JobOutcome::done() : JobOutcome::retry(skipped.error()));
    auto quietUntil = quietHoursEnd(notificationId, now);
    if (!quietUntil)
        return done(JobOutcome::retry(quietUntil.error()));
    if (*quietUntil > now) {
        // Told on the row, so the delivery log says why it is still queued; the wait uses up no attempt.
        auto noted = m_db.exec(u"UPDATE notifications SET last_error = 'sms.quiet_hours' WHERE id = ? AND status = 'queued'"_s, {notificationId});
        Q_UNUSED(noted);
        return done(JobOutcome::waitFor(makeError(ErrorKind::Transient, u"sms.quiet_hours"_s, u"No SMS at night: waiting for 08:00 at the branch"_s),
                                        *quietUntil - now));
    }
    // An earlier attempt got no answer and no callback came in the time allowed: Twilio may hold the message all
    // the same. Look it up by recipient and date sent before the one resend.
    auto earlier = m_db.exec(u"SELECT status, provider_id, COALESCE(status_at, 0), recipient, body, company_id FROM notifications "
                             "WHERE id = ? AND channel = 'sms'"_s,
                             {notificationId});
    if (!earlier)
        return done(JobOutcome::retry(earlier.error()));
    if (earlier->next() && earlier->value(0).toString() == u"sending"_s && earlier->value(1).toString().isEmpty()
        && earlier->value(2).toLongLong() < now - m_answerWaitMs) {
        OutgoingNotification message;
        message.id = notificationId;
        message.recipient = earlier->value(3).toString();
        message.body = earlier->value(4).toString();
        if (!earlier->value(5).isNull())
            message.companyId = earlier->value(5).toLongLong();
        const qint64 attemptedAt = earlier->value(2).toLongLong();
        earlier->finish();
        m_sms->findSent(message, attemptedAt, [this, notificationId, lastAttempt, done](const ChannelResult &found) {
            if (!found.status) {
                // Not known either way: never a blind resend.
                const Error &e = found.status.error();
                qCWarning(lcTwilio) << "SMS" << notificationId << ": the lookup after a lost answer failed:" << e.describe();
                return done(lastAttempt ? JobOutcome::failed(e) : JobOutcome::retry(e));
            }
            if (found.providerId.isEmpty())
                return claimAndSendSms(notificationId, lastAttempt, done); // Twilio never got it
            const qint64 at = nowMs();
            auto marked = m_db.exec(u"UPDATE notifications SET status = 'sent', sent_at = COALESCE(sent_at, ?), last_error = '', provider_id = ?, "
                                    "provider_status = CASE WHEN provider_status = '' THEN ? ELSE provider_status END, status_at = ? "
                                    "WHERE id = ? AND status = 'sending' AND provider_id = '' RETURNING COALESCE(call_id, 0), recipient"_s,
                                    {at, found.providerId, found.providerStatus, at, notificationId});
            if (!marked)
                return done(JobOutcome::retry(marked.error()));
            qCInfo(lcTwilio) << "SMS" << notificationId << "found at Twilio as" << found.providerId << "after its answer was lost";
            if (marked->next() && marked->value(0).toLongLong() > 0) {
                const qint64 callId = marked->value(0).toLongLong();
                const QString recipient = marked->value(1).toString();
                marked->finish();
                auto logged = CallStore(m_db).addEvent(callId, timeline::smsSent(recipient));
                Q_UNUSED(logged);
            }
            return done(JobOutcome::done());
        });
        return;
    }
    earlier->finish();
    claimAndSendSms(notificationId, lastAttempt, std::move(done));
}

void NotificationSender::claimAndSendSms(qint64 notificationId, bool lastAttempt, JobDone done)
{
    const qint64 now = nowMs();
    auto q = m_db.exec(u"UPDATE notifications SET attempts = attempts + 1, status = 'sending', status_at = ? WHERE id = ? AND channel = 'sms' "
                       "AND provider_id = '' AND (status = 'queued' OR (status = 'sending' AND status_at < ?)) "
                       "RETURNING recipient, body, company_id, COALESCE(call_id, 0), COALESCE(appointment_id, 0)"_s,
                       {now, notificationId, now - m_answerWaitMs});
    if (!q)
        return done(JobOutcome::retry(q.error()));
    if (!q->next()) {
        q->finish();
        auto state = m_db.exec(u"SELECT status, provider_id, COALESCE(status_at, 0) FROM notifications WHERE id = ?"_s, {notificationId});
        if (state && state->next() && state->value(0).toString() == u"sending"_s && state->value(1).toString().isEmpty()) {
            // An earlier attempt got no answer: wait for the callback before one resend.
            const qint64 waitMs = qMax<qint64>(state->value(2).toLongLong() + m_answerWaitMs - now, 1000);
            return done(JobOutcome::waitFor(makeError(ErrorKind::Transient, u"sms.answer_lost"_s,
                                                      u"Twilio's answer was lost: waiting for the status callback"_s),
                                            waitMs));
        }
        return done(JobOutcome::done()); // sent before, skipped, or gone
    }
    OutgoingNotification message;
    message.id = notificationId;
    message.recipient = q->value(0).toString();
    message.body = q->value(1).toString();
    if (!q->value(2).isNull())
        message.companyId = q->value(2).toLongLong();
    const qint64 callId = q->value(3).toLongLong();
    const qint64 appointmentId = q->value(4).toLongLong();
    q->finish();

    Database &db = m_db;
    m_sms->send(message, [&db, notificationId, callId, appointmentId, recipient = message.recipient, lastAttempt, done](const ChannelResult &r) {
        const qint64 at = nowMs();
        CallStore calls(db);
        if (r.status) {
            // A callback may have come first and moved the status on (sent, delivered or failed): then it told the
            // timeline already, and only a sid still missing is filled in.
            auto marked = db.exec(u"UPDATE notifications SET status = 'sent', sent_at = COALESCE(sent_at, ?), last_error = ?, "
                                  "provider_id = CASE WHEN provider_id = '' THEN ? ELSE provider_id END, "
                                  "provider_status = CASE WHEN provider_status = '' THEN ? ELSE provider_status END, "
                                  "status_at = ? WHERE id = ? AND status = 'sending' RETURNING id"_s,
                                  {at, r.incompleteAnswer ? u"sms.no_sid"_s : QString(), r.providerId,
                                   r.providerStatus, at, notificationId});
            qCInfo(lcTwilio) << "SMS" << notificationId << "accepted as" << r.providerId;
            if (!marked)
                return done(JobOutcome::retry(marked.error()));
            const bool moved = marked->next();
            marked->finish();
            if (moved && callId > 0) {
                auto logged = calls.addEvent(callId, timeline::smsSent(recipient));
                Q_UNUSED(logged);
            }
            if (!moved) {
                auto filled = db.exec(u"UPDATE notifications SET provider_id = CASE WHEN provider_id = '' THEN ? ELSE provider_id END, "
                                      "sent_at = COALESCE(sent_at, ?) WHERE id = ?"_s,
                                      {r.providerId, at, notificationId});
                if (!filled)
                    return done(JobOutcome::retry(filled.error()));
            }
            return done(JobOutcome::done());
        }
        const Error &e = r.status.error();
        if (r.answerLost) {
            // The row stays 'sending': the next attempt waits for the callback (see above), and a callback that
            // comes after the last attempt still marks it sent.
            auto noted = db.exec(u"UPDATE notifications SET last_error = 'sms.answer_lost' WHERE id = ?"_s, {notificationId});
            Q_UNUSED(noted);
            return done(lastAttempt ? JobOutcome::failed(e) : JobOutcome::retry(e));
        }
        // 21211 (invalid number), 21610 (unsubscribed), 21408 (region not enabled) and every other 4xx are for
        // good; 5xx and 429 were not taken, so they back off and try again.
        const bool final = lastAttempt || !e.isTransient();
        if (r.providerCode == 21610) {
            // The number replied STOP: Twilio refuses it until it says START, so we stop asking. Recorded before the
            // message is marked failed, so whoever sees the failure sees the opt-out too.
            auto optedOut = db.exec(u"UPDATE customers SET sms_opt_out = 1, sms_opt_out_at = ?, sms_opt_changed_at = ? WHERE sms_opt_out = 0 AND id IN "
                                    "(SELECT c.customer_id FROM notifications n JOIN calls c ON c.id = n.call_id WHERE n.id = ?)"_s,
                                    {at, at, notificationId});
            Q_UNUSED(optedOut);
        }
        auto marked = db.exec(u"UPDATE notifications SET status = ?, last_error = ?, error_code = ?, status_at = ? WHERE id = ?"_s,
                              {final ? u"failed"_s : u"queued"_s, smsErrorCode(e, r.providerCode),
                               r.providerCode ? QString::number(r.providerCode) : QString(),
                               at, notificationId});
        Q_UNUSED(marked);
        if (callId > 0) {
            auto logged = calls.addEvent(callId, timeline::smsFailed(recipient, e, final));
            Q_UNUSED(logged);
        }
        if (final) {
            // A customer who prefers SMS still gets the confirmation, by e-mail, when an address is known.
            auto instead = MessageOutbox(db).useEmailInstead(appointmentId);
            if (!instead)
                qCWarning(lcTwilio) << "SMS" << notificationId << ": the e-mail instead could not be queued:" << instead.error().describe();
            else if (callId > 0 && !instead->isEmpty()) {
                auto logged = calls.addEvent(callId, timeline::emailInstead(*instead));
                Q_UNUSED(logged);
            }
        }
        done(final ? JobOutcome::failed(e) : JobOutcome::retry(e));
    });
}

} // namespace askpro
