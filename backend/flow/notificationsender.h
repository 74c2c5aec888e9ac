// Sends queued notifications (confirmations by e-mail or SMS) and records each attempt's result on the row.
#pragma once

#include "flow/notificationchannel.h"
#include "jobs/joboutcome.h"

#include <memory>

namespace askpro {

class Database;

class NotificationSender final
{
    Q_DECLARE_TR_FUNCTIONS(NotificationSender)
public:
    // E-mail only (no SMS channel: SMS rows fail as misconfigured).
    NotificationSender(Database &db, SmtpSettings settings);
    NotificationSender(Database &db, SmtpSettings settings, CredentialStore &credentials, QNetworkAccessManager *network,
                       SmsSettings sms);
    ~NotificationSender();

    // Sends one queued e-mail. A sent one is never sent again; a refused address fails for good.
    [[nodiscard]] JobOutcome send(qint64 notificationId, bool lastAttempt);
    // Sends one queued notification on its channel; done is called once (for SMS, when Twilio answered).
    void dispatch(qint64 notificationId, bool lastAttempt, JobDone done);

    // How long an SMS whose answer was lost waits for its status callback before it may be sent once more.
    void setAnswerWaitMs(qint64 ms) { m_answerWaitMs = ms; }

private:
    void sendSms(qint64 notificationId, bool lastAttempt, JobDone done);
    // Claims a queued row (or one whose lost answer was looked up and not found) and sends it.
    void claimAndSendSms(qint64 notificationId, bool lastAttempt, JobDone done);
    // When the SMS may go (UTC ms): now, or the end of the quiet hours at its branch (QuietHours); a confirmation
    // within 10 minutes of its call goes at once.
    [[nodiscard]] Result<qint64> quietHoursEnd(qint64 notificationId, qint64 now);
    // Why an SMS is no longer wanted when its turn comes, or "": a reminder whose appointment was cancelled or moved
    // ("appointment_cancelled", "appointment_moved"), a callback notice for a call booked or resolved by support
    // meanwhile ("call_booked", "call_resolved").
    [[nodiscard]] Result<QString> noLongerWanted(qint64 notificationId);
    // Marks the queued message skipped with that reason; whether it did.
    [[nodiscard]] Result<bool> skipIfNoLongerWanted(qint64 notificationId);

    Database &m_db;
    std::unique_ptr<EmailChannel> m_email;
    std::unique_ptr<SmsChannel> m_sms;
    qint64 m_answerWaitMs = 10 * 60 * 1000;
};

} // namespace askpro
