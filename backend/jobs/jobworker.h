// One worker thread's loop: claims jobs, runs them (several at once, since they mostly wait on HTTP),
// records their outcome and keeps its heartbeat fresh.
#pragma once

#include "config/serverconfig.h"
#include "jobs/jobqueue.h"
#include "jobs/joboutcome.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

#include <atomic>
#include <memory>

class QNetworkAccessManager;
class QTimer;

namespace askpro {

class CallProcessor;
class CredentialStore;
class Database;
class JobHandler;
class NotificationSender;

class JobWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobWorker)
public:
    JobWorker(Database &db, CredentialStore &credentials, ServerConfig config, QString workerId, QObject *parent = nullptr);
    ~JobWorker() override;

    [[nodiscard]] const QString &workerId() const { return m_workerId; }
    // Jobs this worker runs right now; read from other threads to choose whom to wake.
    [[nodiscard]] int load() const { return m_load.load(std::memory_order_relaxed); }
    // Runs jobs of the handler's kind; before start(), from the thread that made the worker.
    void addHandler(std::shared_ptr<const JobHandler> handler);

public Q_SLOTS:
    // Runs in the worker's thread: builds the network manager and the processors, registers the worker.
    void start();
    // Looks for work now (a job was just queued).
    void wake();
    void stop();

Q_SIGNALS:
    void jobFinished(qint64 jobId, const QString &kind, bool succeeded);
    void stopped();

private:
    void pump();
    void run(const Job &job);
    void settle(const Job &job, const JobOutcome &outcome);
    void heartbeat();
    void beatIfDue();

    Database &m_db;
    CredentialStore &m_credentials;
    ServerConfig m_config;
    QString m_workerId;
    QNetworkAccessManager *m_network = nullptr;
    CallProcessor *m_calls = nullptr;
    std::unique_ptr<NotificationSender> m_mail;
    QTimer *m_poll = nullptr;
    QTimer *m_heartbeat = nullptr;
    QElapsedTimer m_sinceBeat;
    QHash<QString, std::shared_ptr<const JobHandler>> m_handlers;
    int m_inFlight = 0;
    std::atomic<int> m_load{0}; // m_inFlight, for other threads
    int m_maxInFlight = 4;
    bool m_stopping = false;
    // Ready jobs may be waiting that this worker has not claimed: the last claim saw another, or a wake
    // came while it was full. Without it a finished job claims nothing, saving an empty claim per job.
    bool m_backlog = false;
    quint64 m_enqueuedAtClaim = 0; // JobQueue::enqueuedInThisProcess() when this worker last claimed
    qint64 m_done = 0;
};

} // namespace askpro
