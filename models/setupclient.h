// The setup wizard's side of the admin API: creates, edits, runs and cancels setups on askpro-server and follows
// them by polling, reporting each step as the runner on the server reports it. The keys typed into the wizard
// go to the server with the run; nothing here opens a database or a key file.
#pragma once

#include "core/result.h"
#include "setup/setupprogress.h"

#include <QObject>
#include <QPointer>

#include <functional>

class QTimer;

namespace askpro::client {
class ApiAccount;
struct ApiResult;
}

namespace askpro {

class SetupClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupClient)
public:
    using Done = std::function<void(const Status &)>;
    static constexpr int pollMs = 400;
    static constexpr int livePollMs = 2000; // while the live socket is connected

    explicit SetupClient(client::ApiAccount &account, QObject *parent = nullptr);
    ~SetupClient() override;

    void unfinishedRuns(std::function<void(const Result<QList<SetupRunInfo>> &)> done);
    void create(const SetupInput &input, std::function<void(const Result<qint64> &)> done);
    void updateInput(qint64 runId, const SetupInput &input, Done done);
    // The run as the server has it now (branch, step, status).
    void info(qint64 runId, std::function<void(const Result<SetupRunInfo> &)> done);
    // Whether an active branch other than exceptBranchId answers the number.
    void phoneInUse(const QString &e164, qint64 exceptBranchId, std::function<void(const Result<bool> &)> done);

    // Starts the run's remaining steps up to lastStep (or its cancellation) on the server and follows it:
    // progress() and detail() per line the runner reports, done() once with the outcome.
    void run(qint64 runId, Done done, const QString &lastStep = QStringLiteral("activate"));
    // releaseBoughtNumber: the user agreed that a number the run bought is released at Retell.
    void cancel(qint64 runId, Done done, bool releaseBoughtNumber = false);
    // The latest run info seen while following (0 branch before the first step stored it).
    [[nodiscard]] const SetupRunInfo &lastRun() const { return m_lastRun; }

    // Whether the server's test calls are simulated by the sandbox (a demo) or placed by Retell.
    void testCallMode(qint64 branchId, std::function<void(const Result<bool> &sandbox)> done);
    // Places a test call to the branch and follows it: started() with the call id or the reason, then
    // checkChanged() per check and testCallFinished() once.
    void startTestCall(qint64 branchId, const QString &yourNumber, std::function<void(const Result<QString> &)> started);

    // A failed answer as an error for people.
    [[nodiscard]] static Error errorOf(const client::ApiResult &result);

Q_SIGNALS:
    // state: running | done | failed | skipped; message in plain words.
    void progress(qint64 runId, const QString &step, const QString &state, const QString &message);
    void detail(qint64 runId, const QString &step, const QString &state, const QString &message);
    // state: waiting | done | failed
    void checkChanged(const QString &check, const QString &state, const QString &message);
    void testCallFinished(bool booked);

private:
    void follow(qint64 runId, qint64 action, Done done);
    void pollRun();
    void pollTestCall();
    void startAction(const QString &path, const Json &body, qint64 runId, Done done);

    client::ApiAccount &m_account;
    QTimer *m_runTimer;
    QTimer *m_testCallTimer;
    SetupRunInfo m_lastRun;
    // The action being followed.
    qint64 m_runId = 0;
    qint64 m_action = 0;
    qint64 m_seen = 0; // the last progress line shown
    bool m_runPolling = false;
    Done m_done;
    // The test call being followed.
    qint64 m_testBranchId = 0;
    bool m_testPolling = false;
    std::function<void(const Result<QString> &)> m_started;
    QHash<QString, QString> m_checks; // check -> "state\nmessage" shown last
};

} // namespace askpro
