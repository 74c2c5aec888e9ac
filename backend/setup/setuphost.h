// The server's side of the setup wizard: one SetupRunner for every signed-in operator, runs and test calls
// started in the background, and what each reported, kept for the wizard to read by polling the admin API.
// The keys a wizard sends stay in this process's memory until the run stores them encrypted.
#pragma once

#include "config/serverconfig.h"
#include "core/result.h"
#include "security/accesspolicy.h"
#include "setup/setupprogress.h"

#include <QHash>
#include <QObject>

#include <memory>

class QNetworkAccessManager;

namespace askpro {

class CredentialStore;
class Database;
class SetupRunner;
class TestCall;

class SetupHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupHost)
public:
    // How many progress lines of one run are kept (the oldest go first).
    static constexpr int maxEvents = 500;

    SetupHost(Database &db, CredentialStore &credentials, ProviderEndpoints endpoints, QString publicUrl, QObject *parent = nullptr);
    ~SetupHost() override;

    // Where providers reach this server (their webhooks and functions); see SetupRunner::setPublicUrl.
    void setPublicUrl(const QString &publicUrl);

    [[nodiscard]] Result<qint64> create(const Actor &actor, const SetupInput &input);
    // New input for an unfinished run; its keys replace the kept ones where given.
    [[nodiscard]] Status updateInput(const Actor &actor, qint64 runId, const SetupInput &input);
    [[nodiscard]] Result<QList<SetupRunInfo>> unfinishedRuns();
    [[nodiscard]] Result<bool> phoneInUse(const QString &e164, qint64 exceptBranchId);

    // Starts the run's remaining steps up to lastStep, or its cancellation, in the background; answers the
    // action's number, which state() reports with its outcome once it ended. Conflict while one runs.
    [[nodiscard]] Result<qint64> start(const Actor &actor, qint64 runId, const QString &lastStep);
    // releaseBoughtNumber: the user confirmed that a number the run bought is released (else 409 setup.release_number).
    [[nodiscard]] Result<qint64> cancel(const Actor &actor, qint64 runId, bool releaseBoughtNumber);
    // {"run", "busy", "action", "outcome": null | {"ok", "message"}, "events": [{seq, kind, step, state, message}] after since}.
    [[nodiscard]] Result<Json> state(qint64 runId, qint64 since);

    // Test calls, one per branch at a time: started() in the background; testCallState() reports the checks.
    [[nodiscard]] bool sandboxMode() const;
    [[nodiscard]] Status startTestCall(qint64 branchId, const QString &yourNumber);
    // {"mode": "sandbox" | "live", "started", "call_id", "error", "finished", "booked", "checks": {check: {state, message}}}.
    [[nodiscard]] Json testCallState(qint64 branchId) const;

Q_SIGNALS:
    // A run or a test call moved: a progress line, an outcome, a check (live sockets tell the wizards at once).
    void changed();

private:
    struct RunLog;
    struct TestCallLog;
    RunLog &log(qint64 runId);
    void record(qint64 runId, const char *kind, const QString &step, const QString &state, const QString &message);
    [[nodiscard]] Result<qint64> begin(qint64 runId);
    void end(qint64 runId, qint64 action, const Status &status);

    Database &m_db;
    CredentialStore &m_credentials;
    ProviderEndpoints m_endpoints;
    QNetworkAccessManager *m_network;
    std::unique_ptr<SetupRunner> m_runner;
    QHash<qint64, std::shared_ptr<RunLog>> m_runs;
    QHash<qint64, std::shared_ptr<TestCallLog>> m_testCalls;
    qint64 m_seq = 0;
};

} // namespace askpro
