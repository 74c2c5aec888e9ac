// Applies one stored Twilio webhook (job kind "twilio.event"): a status callback moves its SMS forward, an
// inbound STOP/START sets the sender's opt-out. For the signing account's companies only.
#pragma once

#include "jobs/joboutcome.h"

namespace askpro {

class Database;
struct SignerScope;

class TwilioEventProcessor final
{
public:
    explicit TwilioEventProcessor(Database &db) : m_db(db) {}

    // The delivery's inbox row is marked processed in the same commit as its effect; a failure is kept on the
    // row with its reason (support sees it and can replay it) and the job tries again.
    [[nodiscard]] JobOutcome process(qint64 inboxId, bool lastAttempt);

    // The inbox dedupe key of a delivery. A status callback's key carries our message reference from the
    // signed URL's query (?ref=), which the body lacks: the job finds the row by it when the answer with the
    // sid was lost.
    [[nodiscard]] static QString statusKey(const QString &sid, const QString &status, qint64 ref);
    [[nodiscard]] static QString inboundKey(const QString &sid);

private:
    [[nodiscard]] Status applyStatus(qint64 inboxId, const QString &key, const QByteArray &body, const SignerScope &scope);
    [[nodiscard]] Status applyInbound(const QByteArray &body, qint64 receivedAt, const SignerScope &scope);

    Database &m_db;
};

} // namespace askpro
