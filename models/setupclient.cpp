// Setup runs through the admin API, followed by polling the run's progress lines and the test call's checks.
#include "setupclient.h"

#include "apiaccount.h"
#include "livechannel.h"
#include "jsonfields.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
const Json noList = Json::array();
const Json noObject = Json::object();
const Json none;
} // namespace

SetupClient::SetupClient(client::ApiAccount &account, QObject *parent)
    : QObject(parent)
    , m_account(account)
    , m_runTimer(new QTimer(this))
    , m_testCallTimer(new QTimer(this))
{
    m_runTimer->setInterval(pollMs);
    m_testCallTimer->setInterval(pollMs);
    connect(m_runTimer, &QTimer::timeout, this, &SetupClient::pollRun);
    connect(m_testCallTimer, &QTimer::timeout, this, &SetupClient::pollTestCall);
    // The server's word that a run moved brings its lines at once; polling goes on, slower, for a lost message.
    client::LiveChannel *live = m_account.live();
    const auto pace = [this](bool connected) {
        m_runTimer->setInterval(connected ? livePollMs : pollMs);
        m_testCallTimer->setInterval(connected ? livePollMs : pollMs);
    };
    pace(live->isConnected());
    connect(live, &client::LiveChannel::connectedChanged, this, pace);
    connect(live, &client::LiveChannel::changed, this, [this](const QStringList &lists) {
        if (!lists.contains(u"setup"_s))
            return;
        if (m_runTimer->isActive())
            pollRun();
        if (m_testCallTimer->isActive())
            pollTestCall();
    });
}

SetupClient::~SetupClient() = default;

Error SetupClient::errorOf(const client::ApiResult &result)
{
    const ErrorKind kind = result.unreachable() ? ErrorKind::Transient
        : result.status == 400                  ? ErrorKind::Invalid
        : result.status == 404                  ? ErrorKind::NotFound
        : result.status == 409                  ? ErrorKind::Conflict
        : result.status == 401                  ? ErrorKind::Unauthorized
                                                : ErrorKind::Rejected;
    Error error = makeError(kind, result.errorCode, result.errorMessage);
    error.httpStatus = result.status;
    return error;
}

void SetupClient::unfinishedRuns(std::function<void(const Result<QList<SetupRunInfo>> &)> done)
{
    connect(m_account.get(u"/setup/runs"_s), &client::ApiCall::finished, this, [done](const client::ApiResult &r) {
        if (!r.ok()) {
            done(errorOf(r));
            return;
        }
        QList<SetupRunInfo> runs;
        for (const Json &item : client::child(r.body, "items", noList)) {
            auto run = SetupRunInfo::fromJson(item);
            if (!run) {
                done(run.error());
                return;
            }
            runs.append(*run);
        }
        done(runs);
    });
}

void SetupClient::create(const SetupInput &input, std::function<void(const Result<qint64> &)> done)
{
    connect(m_account.post(u"/setup/runs"_s, input.toJson(true)), &client::ApiCall::finished, this, [done](const client::ApiResult &r) {
        if (!r.ok())
            done(errorOf(r));
        else
            done(client::number(r.body, "id"));
    });
}

void SetupClient::updateInput(qint64 runId, const SetupInput &input, Done done)
{
    connect(m_account.put(u"/setup/runs/%1/input"_s.arg(runId), input.toJson(true)), &client::ApiCall::finished, this,
            [done](const client::ApiResult &r) { done(r.ok() ? Status() : Status(errorOf(r))); });
}

void SetupClient::info(qint64 runId, std::function<void(const Result<SetupRunInfo> &)> done)
{
    connect(m_account.get(u"/setup/runs/%1"_s.arg(runId), QUrlQuery{{u"since"_s, QString::number(std::numeric_limits<qint64>::max())}}),
            &client::ApiCall::finished, this, [this, done](const client::ApiResult &r) {
                if (!r.ok()) {
                    done(errorOf(r));
                    return;
                }
                auto run = SetupRunInfo::fromJson(client::child(r.body, "run", noObject));
                if (run)
                    m_lastRun = *run;
                done(run);
            });
}

void SetupClient::phoneInUse(const QString &e164, qint64 exceptBranchId, std::function<void(const Result<bool> &)> done)
{
    const QUrlQuery query{{u"number"_s, e164}, {u"except_branch"_s, QString::number(exceptBranchId)}};
    connect(m_account.get(u"/setup/phone-in-use"_s, query), &client::ApiCall::finished, this, [done](const client::ApiResult &r) {
        if (!r.ok())
            done(errorOf(r));
        else
            done(client::flag(r.body, "in_use"));
    });
}

void SetupClient::run(qint64 runId, Done done, const QString &lastStep)
{
    startAction(u"/setup/runs/%1/run"_s.arg(runId), Json{{"last_step", lastStep.toStdString()}}, runId, std::move(done));
}

void SetupClient::cancel(qint64 runId, Done done, bool releaseBoughtNumber)
{
    startAction(u"/setup/runs/%1/cancel"_s.arg(runId), Json{{"release_number", releaseBoughtNumber}}, runId, std::move(done));
}

void SetupClient::startAction(const QString &path, const Json &body, qint64 runId, Done done)
{
    connect(m_account.post(path, body), &client::ApiCall::finished, this, [this, runId, done](const client::ApiResult &r) {
        if (!r.ok()) {
            done(errorOf(r));
            return;
        }
        follow(runId, client::number(r.body, "action"), done);
    });
}

void SetupClient::follow(qint64 runId, qint64 action, Done done)
{
    if (m_runId != runId)
        m_seen = 0;
    m_runId = runId;
    m_action = action;
    m_done = std::move(done);
    m_runTimer->start();
    pollRun();
}

void SetupClient::pollRun()
{
    if (m_runPolling || !m_done)
        return;
    m_runPolling = true;
    const qint64 runId = m_runId;
    const qint64 action = m_action;
    connect(m_account.get(u"/setup/runs/%1"_s.arg(runId), QUrlQuery{{u"since"_s, QString::number(m_seen)}}), &client::ApiCall::finished, this,
            [this, runId, action](const client::ApiResult &r) {
                m_runPolling = false;
                if (runId != m_runId || action != m_action || !m_done)
                    return; // another action started meanwhile
                if (r.unreachable())
                    return; // the status bar says so; the next poll tries again
                if (!r.ok()) {
                    m_runTimer->stop();
                    std::exchange(m_done, {})(errorOf(r));
                    return;
                }
                if (auto run = SetupRunInfo::fromJson(client::child(r.body, "run", noObject)))
                    m_lastRun = *run;
                for (const Json &event : client::child(r.body, "events", noList)) {
                    m_seen = std::max(m_seen, client::number(event, "seq"));
                    const QString step = client::text(event, "step");
                    const QString state = client::text(event, "state");
                    const QString message = client::text(event, "message");
                    if (client::text(event, "kind") == u"detail"_s)
                        Q_EMIT detail(runId, step, state, message);
                    else
                        Q_EMIT progress(runId, step, state, message);
                }
                const Json &outcome = client::child(r.body, "outcome", none);
                if (client::number(r.body, "action") != action || !outcome.is_object())
                    return;
                m_runTimer->stop();
                const Status status = client::flag(outcome, "ok")
                    ? Status()
                    : Status(makeError(ErrorKind::Rejected, client::text(outcome, "code"), client::text(outcome, "message")));
                std::exchange(m_done, {})(status);
            });
}

void SetupClient::testCallMode(qint64 branchId, std::function<void(const Result<bool> &)> done)
{
    connect(m_account.get(u"/setup/branches/%1/test-call"_s.arg(branchId)), &client::ApiCall::finished, this, [done](const client::ApiResult &r) {
        if (!r.ok())
            done(errorOf(r));
        else
            done(client::text(r.body, "mode") == u"sandbox"_s);
    });
}

void SetupClient::startTestCall(qint64 branchId, const QString &yourNumber, std::function<void(const Result<QString> &)> started)
{
    m_testCallTimer->stop();
    m_checks.clear();
    m_started = {};
    connect(m_account.post(u"/setup/branches/%1/test-call"_s.arg(branchId), Json{{"your_number", yourNumber.toStdString()}}),
            &client::ApiCall::finished, this, [this, branchId, started](const client::ApiResult &r) {
                if (!r.ok()) {
                    started(errorOf(r));
                    return;
                }
                m_testBranchId = branchId;
                m_started = started;
                m_testCallTimer->start();
                pollTestCall();
            });
}

void SetupClient::pollTestCall()
{
    if (m_testPolling)
        return;
    m_testPolling = true;
    const qint64 branchId = m_testBranchId;
    connect(m_account.get(u"/setup/branches/%1/test-call"_s.arg(branchId)), &client::ApiCall::finished, this, [this, branchId](const client::ApiResult &r) {
        m_testPolling = false;
        if (branchId != m_testBranchId || r.unreachable())
            return;
        if (!r.ok()) {
            m_testCallTimer->stop();
            if (m_started)
                std::exchange(m_started, {})(errorOf(r));
            return;
        }
        if (const QString error = client::text(r.body, "error"); !error.isEmpty()) {
            m_testCallTimer->stop();
            if (m_started)
                std::exchange(m_started, {})(makeError(ErrorKind::Rejected, u"testcall.start"_s, error));
            return;
        }
        if (const QString callId = client::text(r.body, "call_id"); !callId.isEmpty() && m_started)
            std::exchange(m_started, {})(callId);
        const Json &checks = client::child(r.body, "checks", noObject);
        for (const QString &check : TestCallChecks::all()) {
            const Json &entry = client::child(checks, check.toStdString().c_str(), none);
            if (!entry.is_object())
                continue;
            const QString state = client::text(entry, "state");
            const QString message = client::text(entry, "message");
            const QString shown = state + u'\n' + message;
            if (m_checks.value(check) == shown)
                continue;
            m_checks.insert(check, shown);
            Q_EMIT checkChanged(check, state, message);
        }
        if (client::flag(r.body, "finished")) {
            m_testCallTimer->stop();
            Q_EMIT testCallFinished(client::flag(r.body, "booked"));
        }
    });
}

} // namespace askpro
