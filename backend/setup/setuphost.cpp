// Setup runs and test calls in the server's event loop; the admin API's setup routes read what they reported.
#include "setup/setuphost.h"

#include "setup/setuprunner.h"
#include "setup/testcall.h"

#include <QNetworkAccessManager>

using namespace Qt::StringLiterals;

namespace askpro {

struct SetupHost::RunLog
{
    QList<Json> events;
    qint64 action = 0; // the latest run or cancel started here
    bool busy = false;
    Json outcome; // null while busy or before the first action
};

struct SetupHost::TestCallLog
{
    std::unique_ptr<TestCall> call;
    bool sandbox = false; // read once: the wizard asks for the state every few hundred milliseconds
    bool started = false;
    bool finished = false;
    bool booked = false;
    QString callId;
    QString error;
    Json checks = Json::object();
};

SetupHost::SetupHost(Database &db, CredentialStore &credentials, ProviderEndpoints endpoints, QString publicUrl, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_endpoints(std::move(endpoints))
    , m_network(new QNetworkAccessManager(this))
    , m_runner(std::make_unique<SetupRunner>(db, credentials, m_network, m_endpoints, std::move(publicUrl)))
{
    connect(m_runner.get(), &SetupRunner::progress, this, [this](qint64 runId, const QString &step, const QString &state, const QString &message) {
        record(runId, "progress", step, state, message);
    });
    connect(m_runner.get(), &SetupRunner::detail, this, [this](qint64 runId, const QString &step, const QString &state, const QString &message) {
        record(runId, "detail", step, state, message);
    });
}

// Test calls and the runner go before the network manager whose replies they wait for.
SetupHost::~SetupHost()
{
    m_testCalls.clear();
    m_runner.reset();
}

SetupHost::RunLog &SetupHost::log(qint64 runId)
{
    auto &entry = m_runs[runId];
    if (!entry)
        entry = std::make_shared<RunLog>();
    return *entry;
}

void SetupHost::record(qint64 runId, const char *kind, const QString &step, const QString &state, const QString &message)
{
    RunLog &run = log(runId);
    run.events.append(Json{{"seq", ++m_seq}, {"kind", kind}, {"step", step.toStdString()}, {"state", state.toStdString()},
                           {"message", message.toStdString()}});
    if (run.events.size() > maxEvents)
        run.events.removeFirst();
    Q_EMIT changed();
}

void SetupHost::setPublicUrl(const QString &publicUrl)
{
    m_runner->setPublicUrl(publicUrl);
}

Result<qint64> SetupHost::create(const Actor &actor, const SetupInput &input)
{
    m_runner->setActor(actor);
    return m_runner->create(input);
}

Status SetupHost::updateInput(const Actor &actor, qint64 runId, const SetupInput &input)
{
    if (m_runner->isRunning(runId))
        return makeError(ErrorKind::Conflict, u"setup.busy"_s, SetupRunner::tr("Setup %1 is already running.").arg(runId));
    m_runner->setActor(actor);
    if (auto updated = m_runner->updateInput(runId, input); !updated)
        return updated;
    const SetupCredentials &keys = input.credentials;
    if (!keys.retellApiKey.isEmpty() || !keys.calcomApiKey.isEmpty() || !keys.stripeApiKey.isEmpty() || !keys.sipPassword.isEmpty())
        m_runner->setCredentials(runId, keys);
    return {};
}

Result<QList<SetupRunInfo>> SetupHost::unfinishedRuns()
{
    return m_runner->unfinishedRuns();
}

Result<bool> SetupHost::phoneInUse(const QString &e164, qint64 exceptBranchId)
{
    return m_runner->phoneInUse(e164, exceptBranchId);
}

Result<qint64> SetupHost::begin(qint64 runId)
{
    auto run = m_runner->info(runId);
    if (!run)
        return run.error();
    RunLog &entry = log(runId);
    if (entry.busy || m_runner->isRunning(runId))
        return makeError(ErrorKind::Conflict, u"setup.busy"_s, SetupRunner::tr("Setup %1 is already running.").arg(runId));
    entry.busy = true;
    entry.outcome = nullptr;
    entry.action = ++m_seq;
    return entry.action;
}

void SetupHost::end(qint64 runId, qint64 action, const Status &status)
{
    RunLog &entry = log(runId);
    if (entry.action != action)
        return;
    entry.busy = false;
    entry.outcome = Json{{"ok", status.ok()}, {"message", status.ok() ? std::string() : status.error().message.toStdString()},
                         {"code", status.ok() ? std::string() : status.error().code.toStdString()}};
    Q_EMIT changed();
}

Result<qint64> SetupHost::start(const Actor &actor, qint64 runId, const QString &lastStep)
{
    if (!SetupSteps::all().contains(lastStep))
        return makeError(ErrorKind::Invalid, u"parameter.last_step"_s, u"last_step must be one of %1"_s.arg(SetupSteps::all().join(u", "_s)));
    auto action = begin(runId);
    if (!action)
        return action;
    m_runner->setActor(actor);
    m_runner->run(runId, [this, runId, id = *action](const Status &status) { end(runId, id, status); }, lastStep);
    return action;
}

Result<qint64> SetupHost::cancel(const Actor &actor, qint64 runId, bool releaseBoughtNumber)
{
    // Refused at once, not as the outcome of a background action: the caller asks its user and sends it again.
    if (!releaseBoughtNumber) {
        auto run = m_runner->info(runId);
        if (!run)
            return run.error();
        if (!run->boughtNumber.isEmpty() && run->status != u"cancelled"_s && run->status != u"live"_s)
            return SetupRunner::releaseRefused(run->boughtNumber);
    }
    auto action = begin(runId);
    if (!action)
        return action;
    m_runner->setActor(actor);
    m_runner->cancel(runId, [this, runId, id = *action](const Status &status) { end(runId, id, status); }, releaseBoughtNumber);
    return action;
}

Result<Json> SetupHost::state(qint64 runId, qint64 since)
{
    auto run = m_runner->info(runId);
    if (!run)
        return run.error();
    Json events = Json::array();
    bool busy = m_runner->isRunning(runId);
    qint64 action = 0;
    Json outcome;
    if (const auto entry = m_runs.value(runId)) {
        for (const Json &event : std::as_const(entry->events))
            if (event["seq"].get<qint64>() > since)
                events.push_back(event);
        busy = busy || entry->busy;
        action = entry->action;
        outcome = entry->outcome;
    }
    return Json{{"run", run->toJson()}, {"busy", busy}, {"action", action}, {"outcome", outcome}, {"events", events}};
}

bool SetupHost::sandboxMode() const
{
    return TestCall(m_db, m_credentials, m_network, m_endpoints).sandboxMode();
}

Status SetupHost::startTestCall(qint64 branchId, const QString &yourNumber)
{
    auto &entry = m_testCalls[branchId];
    // A call being followed is not interrupted; a live wait for a call that has not arrived yet starts over
    // (another number typed, say), and the old window closes with its TestCall.
    if (entry && entry->started && !entry->finished && entry->error.isEmpty() && !entry->callId.isEmpty())
        return makeError(ErrorKind::Conflict, u"testcall.busy"_s, TestCall::tr("A test call to this branch is still being followed."));
    entry = std::make_shared<TestCallLog>();
    entry->call = std::make_unique<TestCall>(m_db, m_credentials, m_network, m_endpoints);
    TestCallLog *log = entry.get();
    log->sandbox = log->call->sandboxMode();
    connect(log->call.get(), &TestCall::checkChanged, this, [this, log](const QString &check, const QString &state, const QString &message) {
        log->checks[check.toStdString()] = Json{{"state", state.toStdString()}, {"message", message.toStdString()}};
        Q_EMIT changed();
    });
    connect(log->call.get(), &TestCall::callRecognised, this, [this, log](const QString &callId) {
        log->callId = callId; // live: the operator's call arrived
        Q_EMIT changed();
    });
    connect(log->call.get(), &TestCall::finished, this, [this, log](bool booked) {
        log->finished = true;
        log->booked = booked;
        Q_EMIT changed();
    });
    log->started = true;
    log->call->start(branchId, yourNumber, [this, log](const Result<QString> &callId) {
        if (!callId)
            log->error = callId.error().message;
        else if (!callId->isEmpty())
            log->callId = *callId; // live mode: empty until the operator's call arrives (callRecognised)
        Q_EMIT changed();
    });
    return {};
}

Json SetupHost::testCallState(qint64 branchId) const
{
    const auto entry = m_testCalls.value(branchId);
    Json state{{"mode", (entry ? entry->sandbox : sandboxMode()) ? "sandbox" : "live"}, {"started", false}, {"finished", false},
               {"booked", false}, {"call_id", nullptr}, {"error", nullptr}, {"checks", Json::object()}};
    if (entry) {
        state["started"] = entry->started;
        state["finished"] = entry->finished;
        state["booked"] = entry->booked;
        state["call_id"] = entry->callId.isEmpty() ? Json() : Json(entry->callId.toStdString());
        state["error"] = entry->error.isEmpty() ? Json() : Json(entry->error.toStdString());
        state["checks"] = entry->checks;
    }
    return state;
}

} // namespace askpro
