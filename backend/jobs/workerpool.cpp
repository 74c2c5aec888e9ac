// Worker threads: each JobWorker lives in its own QThread with its own database connection.
#include "jobs/workerpool.h"

#include "billing/invoicegenerator.h"
#include "core/logging.h"
#include "flow/reminderscheduler.h"
#include "db/database.h"
#include "jobs/jobhandler.h"
#include "jobs/jobqueue.h"
#include "jobs/jobworker.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QHostInfo>
#include <QThread>
#include <QTimer>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace askpro {

WorkerPool::WorkerPool(Database &db, CredentialStore &credentials, const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_db(db)
{
    const QString instance = QHostInfo::localHostName() + u"-"_s + QString::number(QCoreApplication::applicationPid()) + u"-"_s
        + QUuid::createUuid().toString(QUuid::Id128).left(6);
    for (int i = 0; i < qMax(1, config.workers); ++i) {
        auto *thread = new QThread(this);
        thread->setObjectName(u"askpro-worker-%1"_s.arg(i));
        auto *worker = new JobWorker(db, credentials, config, instance + u"/"_s + QString::number(i));
        worker->moveToThread(thread);
        connect(thread, &QThread::started, worker, &JobWorker::start);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        connect(worker, &JobWorker::jobFinished, this, &WorkerPool::jobFinished);
        m_threads.append(thread);
        m_workers.append(worker);
    }
    m_orphanSweep = new QTimer(this);
    m_orphanSweep->setInterval(JobQueue::HeartbeatTimeoutMs / 2);
    // Every server proposes the sweep; the dedupe key per interval lets exactly one of them run it.
    m_recovery = new QTimer(this);
    m_recovery->setInterval(config.sweepIntervalMs);
    connect(m_recovery, &QTimer::timeout, this, [this, interval = config.sweepIntervalMs] {
        auto queued = JobQueue(m_db).enqueue(u"recovery.sweep"_s, "{}", u"sweep:%1"_s.arg(QDateTime::currentMSecsSinceEpoch() / interval));
        if (queued && queued->has_value())
            wakeAll();
        auto billing = InvoiceGenerator::enqueueMonthlyRun(m_db, QDateTime::currentMSecsSinceEpoch()); // last month's invoices, once
        Q_UNUSED(billing);
    });
    // Reminders the same way: one server a minute records those due.
    m_reminders = new QTimer(this);
    m_reminders->setInterval(ReminderScheduler::IntervalMs);
    connect(m_reminders, &QTimer::timeout, this, [this] {
        auto queued = JobQueue(m_db).enqueue(QString::fromLatin1(ReminderScheduler::JobKind), "{}",
                                             u"reminders:%1"_s.arg(QDateTime::currentMSecsSinceEpoch() / ReminderScheduler::IntervalMs));
        if (queued && queued->has_value())
            wakeOne();
    });
    // Health checks the same way: one server per interval runs them and records the results.
    m_health = new QTimer(this);
    m_health->setInterval(config.healthIntervalMs);
    connect(m_health, &QTimer::timeout, this, [this, interval = config.healthIntervalMs] {
        auto queued = JobQueue(m_db).enqueue(u"health.run"_s, "{}", u"health:%1"_s.arg(QDateTime::currentMSecsSinceEpoch() / interval));
        if (queued && queued->has_value())
            wakeOne();
    });
    connect(m_orphanSweep, &QTimer::timeout, this, [this] {
        auto freed = JobQueue(m_db).requeueOrphaned(JobQueue::HeartbeatTimeoutMs);
        if (freed && *freed > 0) {
            qCInfo(lcJobs) << "gave" << *freed << "jobs of stopped workers back to the queue";
            wakeAll();
        }
        for (const auto &handler : std::as_const(m_handlers))
            handler->sweep(m_db);
    });
}

WorkerPool::~WorkerPool()
{
    stop();
}

void WorkerPool::addHandler(std::shared_ptr<const JobHandler> handler)
{
    // The workers' threads do not run yet: handing it over here needs no lock.
    for (JobWorker *worker : std::as_const(m_workers))
        worker->addHandler(handler);
    m_handlers.append(std::move(handler));
}

void WorkerPool::start()
{
    for (QThread *thread : std::as_const(m_threads))
        thread->start();
    m_orphanSweep->start();
    // What a stopped server's jobs left half done is repaired before new work starts.
    for (const auto &handler : std::as_const(m_handlers))
        handler->sweep(m_db);
    m_recovery->start();
    m_reminders->start();
    m_health->start();
}

void WorkerPool::wakeAll()
{
    for (JobWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, &JobWorker::wake, Qt::QueuedConnection);
}

void WorkerPool::wakeOne()
{
    if (m_workers.isEmpty())
        return;
    // The least busy worker, the first of equals: at low load one thread (and its database connection)
    // takes the jobs and stays warm, instead of each job waking a thread that has gone idle. Busy
    // workers spread the jobs, and idle ones still claim on their poll.
    JobWorker *chosen = m_workers.first();
    for (JobWorker *worker : std::as_const(m_workers))
        if (worker->load() < chosen->load())
            chosen = worker;
    QMetaObject::invokeMethod(chosen, &JobWorker::wake, Qt::QueuedConnection);
}

void WorkerPool::stop(int timeoutMs)
{
    if (m_threads.isEmpty())
        return;
    m_orphanSweep->stop();
    m_recovery->stop();
    m_reminders->stop();
    m_health->stop();
    int running = 0;
    QEventLoop loop;
    for (int i = 0; i < m_workers.size(); ++i) {
        if (!m_threads[i]->isRunning())
            continue;
        ++running;
        connect(m_workers[i], &JobWorker::stopped, &loop, [&running, &loop] {
            if (--running == 0)
                loop.quit();
        }, Qt::QueuedConnection);
        QMetaObject::invokeMethod(m_workers[i], &JobWorker::stop, Qt::QueuedConnection);
    }
    if (running > 0) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait(QDeadlineTimer(timeoutMs));
    }
    qDeleteAll(m_threads);
    m_threads.clear();
    m_workers.clear();
}

} // namespace askpro
