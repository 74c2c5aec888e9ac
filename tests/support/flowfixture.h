// The end-to-end setting shared by the call-flow tests and benchmarks: a fresh database, a real SMTP
// sink, the provider sandbox and a running server, with one company wired to Cal.com and Retell.
#pragma once

#include "config/serverconfig.h"
#include "db/database.h"
#include "http/askproserver.h"
#include "integrations/jsonreply.h"
#include "sandbox.h"
#include "security/secretbox.h"
#include "smtpsink.h"

#include <QDateTime>
#include <QNetworkAccessManager>

#include <memory>

namespace askpro::test {

inline const QString branchNumber = QStringLiteral("+4930123456");
inline const QString callerNumber = QStringLiteral("+491701234567");

// Waits for a provider reply in a local event loop (15 s at most).
JsonResult await(JsonReply *reply);
// A weekday at least two days ahead at this hour in Berlin: inside the sandbox's default schedule.
QDateTime nextWorkdayAt(int hour);

struct FlowOptions
{
    bool workers = true;      // false: intake only, the backlog grows
    int serviceMinutes = 30;  // length of the one service and its Cal.com event type
    bool smtp = true;
    qint64 smsAnswerWaitMs = 0; // how long a lost SMS answer waits for its callback; 0: the server's default
};

struct FlowFixture
{
    std::shared_ptr<Database> db;
    SmtpSink smtp;
    std::unique_ptr<sandbox::Sandbox> providers;
    std::unique_ptr<AskProServer> server;
    QNetworkAccessManager network;
    quint16 port = 0;
    quint16 plannedPort = 0; // chosen before the server starts, for its public URL
    qint64 smsAnswerWaitMs = 0;
    qint64 companyId = 0;
    qint64 branchId = 0;
    qint64 eventTypeId = 0;
    QString agentId;
    SecretBox box{SecretBox::newKey()};

    // Database, SMTP sink, sandbox, server; a company with one branch, one service mapped to a Cal.com
    // event type, a Retell agent bound to the branch's number, credentials stored encrypted.
    // nullptr (with a warning) when any part cannot be set up.
    static std::unique_ptr<FlowFixture> create(const QString &engine, const FlowOptions &options = {});

    [[nodiscard]] ServerConfig config() const;
    [[nodiscard]] QString callStatus(const QString &callId) const;
    [[nodiscard]] int count(const QString &sql, const QVariantList &params = {}) const;
};

} // namespace askpro::test
