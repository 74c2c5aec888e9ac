// Sends queued notifications (confirmation e-mails) and records each attempt's result.
#pragma once

#include "integrations/smtpmailer.h"
#include "jobs/joboutcome.h"

namespace askpro {

class Database;

class NotificationSender final
{
    Q_DECLARE_TR_FUNCTIONS(NotificationSender)
public:
    NotificationSender(Database &db, SmtpSettings settings);

    // Sends one queued notification. A sent one is never sent again; a refused address fails for good.
    [[nodiscard]] JobOutcome send(qint64 notificationId, bool lastAttempt);

private:
    Database &m_db;
    SmtpMailer m_mailer;
};

} // namespace askpro
