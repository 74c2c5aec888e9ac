// The answer to Retell's inbound call webhook: what the agent should know before it says hello (today's date
// and time in the branch's zone, the branch, its opening hours, services, staff, the caller's name), read from
// local data only. The caller is ringing while this runs: no provider call, no job queue.
#pragma once

#include "core/result.h"
#include "integrations/jsonreply.h"
#include "intake/webhookinbox.h"

#include <QDateTime>

namespace askpro {

class Database;

struct InboundRequest
{
    QString fromNumber; // the caller, as Retell sends it (E.164, or empty/anonymous)
    QString toNumber;   // our number that was called
    QString agentId;    // the number's inbound agent, when Retell names it
};

struct InboundAnswer
{
    enum class Kind {
        Branch,         // an active branch of a company the signer serves
        InactiveBranch, // the branch is switched off: the company's fallback announcement
        UnknownNumber,  // no branch has the number: 200 without variables, kept for support
        NotOurs,        // another company's number: answered like an unknown one, never with that company's data
    };
    Kind kind = Kind::UnknownNumber;
    qint64 companyId = 0;
    qint64 branchId = 0;
    Json dynamicVariables = Json::object(); // every value a string, as Retell requires
    Json metadata = Json::object();
    QString reason; // why nothing was answered (UnknownNumber, NotOurs)

    // {"call_inbound": {"dynamic_variables": ..., "metadata": ...}}; {"call_inbound": {}} when there is nothing to say.
    [[nodiscard]] Json toJson() const;
};

class InboundCall final
{
public:
    explicit InboundCall(Database &db);

    // `scope` limits the branches to the companies whose key signed the webhook (SignerScope over company_id).
    [[nodiscard]] Result<InboundAnswer> answer(const InboundRequest &request, const SignerScope &scope, const QDateTime &now);

    // What a caller of an inactive branch hears when its company has stored no announcement.
    [[nodiscard]] static QString defaultAnnouncement(const QString &language, const QString &companyName);

private:
    Database &m_db;
};

} // namespace askpro
