// What happens to a message besides its own sending: the e-mail kept back for a customer who prefers SMS is
// queued when the SMS cannot be delivered, and support sends a message again from the delivery log.
#pragma once

#include "core/result.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QString>

namespace askpro {

class Database;

class MessageOutbox final
{
    Q_DECLARE_TR_FUNCTIONS(MessageOutbox)
public:
    explicit MessageOutbox(Database &db);

    // Queues the appointment's standby e-mail confirmation with its send job, joining the caller's open
    // transaction. Returns its recipient for the call's timeline, or an empty string when there is none (the
    // customer prefers e-mail anyway, no address is known, or it went already).
    [[nodiscard]] Result<QString> useEmailInstead(qint64 appointmentId);

    struct Resent
    {
        qint64 id = 0;       // the new message
        qint64 resendOf = 0; // the first message of the chain: every resend names the original
    };
    // Records messageId's message again as a new queued row and queues its sending; audited, and told on the
    // call's timeline. companyId 0: any company's message. Refused while the message or an earlier resend of it
    // is still being sent, for a message left unsent on purpose (landline, opt-out, preference, no number) and
    // for an SMS to a customer who has opted out since.
    [[nodiscard]] Result<Resent> resend(const Actor &actor, qint64 messageId, qint64 companyId);

private:
    Database &m_db;
};

} // namespace askpro
