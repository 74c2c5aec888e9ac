// Job dispatch by kind. Outcomes: done, retry with backoff (at least Retry-After), or failed.
#include "jobs/jobworker.h"

#include "billing/billingjobs.h"
#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "flow/calcomeventprocessor.h"
#include "flow/callprocessor.h"
#include "flow/notificationsender.h"
#include "flow/recoverysweep.h"
#include "flow/reminderscheduler.h"
#include "flow/twilioeventprocessor.h"
#include "health/healthcheck.h"
#include "jobs/jobhandler.h"
#include "security/credentialstore.h"
#include "integrations/jsonreply.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QNetworkAccessManager>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro {

JobWorker::JobWorker(Database &db, CredentialStore &credentials, ServerConfig config, QString workerId, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_config(std::move(config))
    , m_workerId(std::move(workerId))
{
}

JobWorker::~JobWorker() = default;

void JobWorker::start()
{
    m_network = new QNetworkAccessManager(this);
    m_calls = new CallProcessor(m_db, m_credentials, m_network, m_config.endpoints, m_config.slotTtlMs, this);
    m_mail = std::make_unique<NotificationSender>(m_db, m_config.smtp, m_credentials, m_network,
                                                  SmsSettings{m_config.endpoints.twilio, m_config.publicUrl, m_config.endpoints.timeoutMs});
    m_mail->setAnswerWaitMs(m_config.smsAnswerWaitMs);
    m_poll = new QTimer(this);
    m_poll->setInterval(m_config.pollIntervalMs);
    connect(m_poll, &QTimer::timeout, this, &JobWorker::pump);
    m_poll->start();
    m_heartbeat = new QTimer(this);
    m_heartbeat->setInterval(5000);
    connect(m_heartbeat, &QTimer::timeout, this, &JobWorker::heartbeat);
    m_heartbeat->start();
    m_sinceBeat.start();
    const qint64 now = nowMs();
    auto registered = m_db.exec(u"INSERT INTO workers (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?) "
                                "ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"_s,
                                {m_workerId, QHostInfo::localHostName(), QCoreApplication::applicationPid(), now, now});
    if (!registered)
        qCWarning(lcJobs) << "worker registration failed:" << registered.error().describe();
    pump();
}

void JobWorker::wake()
{
    pump();
}

void JobWorker::stop()
{
    m_stopping = true;
    if (m_poll)
        m_poll->stop();
    if (m_inFlight == 0)
        Q_EMIT stopped();
}

void JobWorker::addHandler(std::shared_ptr<const JobHandler> handler)
{
    const QString kind = handler->kind();
    m_handlers.insert(kind, std::move(handler));
}

void JobWorker::heartbeat()
{
    m_sinceBeat.start();
    if (auto beat = JobQueue(m_db).heartbeat(m_workerId, m_done); !beat)
        qCWarning(lcJobs) << "heartbeat failed:" << beat.error().describe();
}

void JobWorker::beatIfDue()
{
    // The timer cannot fire while a job holds the thread; a beat a second is plenty against the sweep's 20 s.
    if (!m_sinceBeat.isValid() || m_sinceBeat.elapsed() >= 1000)
        heartbeat();
}

void JobWorker::pump()
{
    JobQueue queue(m_db);
    while (!m_stopping) {
        if (m_inFlight >= m_maxInFlight) {
            m_backlog = true;
            return;
        }
        m_enqueuedAtClaim = JobQueue::enqueuedInThisProcess();
        auto claimed = queue.claim(m_workerId);
        if (!claimed) {
            qCWarning(lcJobs) << "claiming a job failed:" << claimed.error().describe();
            return;
        }
        m_backlog = *claimed && (*claimed)->moreReady;
        if (!*claimed)
            return;
        m_load.store(++m_inFlight, std::memory_order_relaxed);
        run(**claimed);
        if (!m_backlog)
            return; // the next enqueue wakes a worker; jobs of other servers are found by the poll
    }
}

void JobWorker::run(const Job &job)
{
    const bool lastAttempt = job.attempts >= job.maxAttempts;
    const Json payload = Json::parse(job.payload.toStdString(), nullptr, false);
    const auto finished = [this, job](const JobOutcome &outcome) { settle(job, outcome); };
    qCDebug(lcJobs) << m_workerId << "runs job" << job.id << job.kind << "attempt" << job.attempts;
    if (job.kind == u"retell.event"_s) {
        m_calls->processInboxEvent(jsonInt(payload, "inbox_id"), lastAttempt, finished);
    } else if (job.kind == u"call.retry"_s) {
        m_calls->retryBooking(jsonInt(payload, "call_id"), lastAttempt, finished);
    } else if (job.kind == u"calcom.event"_s) {
        finished(CalcomEventProcessor(m_db, m_config.calcomEventMaxAgeMs).process(jsonInt(payload, "inbox_id"), jsonBool(payload, "replay")));
    } else if (job.kind == u"twilio.event"_s) {
        finished(TwilioEventProcessor(m_db).process(jsonInt(payload, "inbox_id"), lastAttempt));
    } else if (job.kind == u"recovery.sweep"_s) {
        auto *sweep = new RecoverySweep(m_db, m_credentials, m_network, m_config.endpoints, this);
        sweep->run(jsonInt(payload, "window_ms", 24 * 60 * 60 * 1000), [sweep, finished](const JobOutcome &outcome) {
            sweep->deleteLater();
            finished(outcome);
        });
    } else if (job.kind == QLatin1String(ReminderScheduler::JobKind)) {
        auto queued = ReminderScheduler(m_db).queueDue(nowMs());
        finished(queued ? JobOutcome::done() : JobOutcome::retry(queued.error()));
    } else if (job.kind == u"health.run"_s) {
        auto *checker = new HealthChecker(m_db, m_credentials, m_network, m_config, this);
        checker->runAll([this, checker, finished](const QList<CheckResult> &results) {
            auto recorded = checker->record(results, m_config.alertEmail);
            checker->deleteLater();
            finished(recorded ? JobOutcome::done() : JobOutcome::retry(recorded.error()));
        });
    } else if (job.kind == u"stripe.event"_s || job.kind.startsWith(u"invoice"_s)) {
        BillingJobs::run(m_db, m_credentials, m_network, m_config, job.kind, payload, lastAttempt, this, finished);
    } else if (const auto handler = m_handlers.constFind(job.kind); handler != m_handlers.cend()) {
        (*handler)->run(m_db, JobRun{job, lastAttempt, [this] { beatIfDue(); }}, finished);
    } else if (job.kind == u"notification.send"_s) {
        m_mail->dispatch(jsonInt(payload, "notification_id"), lastAttempt, finished);
    } else {
        finished(JobOutcome::failed(makeError(ErrorKind::Configuration, u"jobs.unknown_kind"_s,
                                              u"No handler for jobs of kind %1"_s.arg(job.kind))));
    }
}

void JobWorker::settle(const Job &job, const JobOutcome &outcome)
{
    JobQueue queue(m_db);
    // With the handler's unit of work open, the job's end joins its last writes: one commit, and never
    // a finished job whose result was lost, nor a result whose job runs again.
    const std::shared_ptr<Transaction> unit = outcome.unitOfWork && outcome.unitOfWork->isOpen() ? outcome.unitOfWork : nullptr;
    const auto record = [&](const JobOutcome &o) -> Status {
        switch (o.kind) {
        case JobOutcome::Kind::Done:
            return queue.complete(job.id);
        case JobOutcome::Kind::Retry: {
            if (!o.countsAsAttempt)
                return queue.defer(job.id, o.error.describe(), qMax<qint64>(o.retryAfterMs, 100));
            auto retried = queue.retryLater(job.id, o.error.describe(), JobQueue::backoffMs(job.attempts, o.retryAfterMs));
            return retried ? Status() : Status(retried.error());
        }
        case JobOutcome::Kind::Failed:
            return queue.fail(job.id, o.error.describe());
        }
        return {};
    };
    bool succeeded = outcome.kind == JobOutcome::Kind::Done;
    Status recorded = record(outcome);
    if (unit) {
        if (recorded)
            recorded = unit->commit();
        else
            unit->rollback();
        if (!recorded) {
            // The handler's last step is gone with the transaction: the job runs again and redoes it.
            qCWarning(lcJobs) << "job" << job.id << "could not commit its last step:" << recorded.error().describe();
            succeeded = false;
            recorded = record(JobOutcome::retry(recorded.error()));
        }
    }
    if (!recorded)
        qCWarning(lcJobs) << "recording the outcome of job" << job.id << "failed:" << recorded.error().describe();
    if (succeeded)
        ++m_done;
    m_load.store(--m_inFlight, std::memory_order_relaxed);
    Q_EMIT jobFinished(job.id, job.kind, succeeded);
    if (m_stopping) {
        if (m_inFlight == 0)
            Q_EMIT stopped();
        return;
    }
    // Continue with the next job from the event loop, not from inside this job's call stack.
    if (m_backlog || JobQueue::enqueuedInThisProcess() != m_enqueuedAtClaim)
        QMetaObject::invokeMethod(this, &JobWorker::pump, Qt::QueuedConnection);
}

} // namespace askpro
