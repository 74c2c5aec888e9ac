// The server's worker threads, one JobWorker each, plus the sweep that frees jobs of dead workers.
#pragma once

#include "config/serverconfig.h"

#include <QList>
#include <QObject>

#include <memory>

class QThread;
class QTimer;

namespace askpro {

class CredentialStore;
class Database;
class JobHandler;
class JobWorker;

class WorkerPool final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkerPool)
public:
    WorkerPool(Database &db, CredentialStore &credentials, const ServerConfig &config, QObject *parent = nullptr);
    ~WorkerPool() override;

    // Jobs of the handler's kind run on every worker, and its sweep with the pool's; before start().
    void addHandler(std::shared_ptr<const JobHandler> handler);
    void start();
    // Lets running jobs finish (at most timeoutMs), then ends the threads.
    void stop(int timeoutMs = 10000);
    [[nodiscard]] int size() const { return int(m_workers.size()); }

public Q_SLOTS:
    // Jobs were queued: the workers look now instead of at their next poll.
    void wakeAll();
    // One job was queued: the least busy worker looks now (the others would only compete for the lock).
    void wakeOne();

Q_SIGNALS:
    void jobFinished(qint64 jobId, const QString &kind, bool succeeded);

private:
    Database &m_db;
    QList<QThread *> m_threads;
    QList<JobWorker *> m_workers;
    QList<std::shared_ptr<const JobHandler>> m_handlers;
    QTimer *m_orphanSweep = nullptr;
    QTimer *m_recovery = nullptr;
    QTimer *m_reminders = nullptr;
    QTimer *m_health = nullptr;
};

} // namespace askpro
