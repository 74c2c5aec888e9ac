// The durable job table: enqueue, claim (SKIP LOCKED on PostgreSQL), finish, retry with backoff.
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace askpro {

class Database;

struct Job
{
    qint64 id = 0;
    QString kind;
    QByteArray payload; // JSON
    int attempts = 0;   // including the current one
    int maxAttempts = 0;
    bool moreReady = false; // another job was ready when this one was claimed
};

struct Backlog
{
    qint64 queued = 0;
    qint64 running = 0;
    qint64 failed = 0;
    qint64 oldestQueuedAgeMs = 0;
};

class JobQueue final
{
public:
    explicit JobQueue(Database &db);

    // Adds a job; joins the caller's open transaction if there is one. A dedupeKey already present
    // adds nothing and returns std::nullopt. Otherwise returns the new job's id.
    [[nodiscard]] Result<std::optional<qint64>> enqueue(const QString &kind, const QByteArray &payload,
                                                        const QString &dedupeKey = {}, qint64 runAfterMs = 0,
                                                        int maxAttempts = 8);
    struct NewJob
    {
        QString kind;
        QByteArray payload;
        QString dedupeKey; // required here
    };
    // enqueue() for several jobs in as few statements as possible (group commit of the webhook intake).
    // Returns the new jobs' ids by dedupe key; keys already present are left out.
    [[nodiscard]] Result<QHash<QString, qint64>> enqueueAll(const QList<NewJob> &jobs);
    // Takes the oldest ready job for this worker, or std::nullopt when none is ready.
    // The claim and the three endings below commit with Durability::Relaxed unless they join the caller's
    // open transaction: losing one in a power cut only runs the job once more, exactly as a crash of the
    // worker would, and every job is written to survive that.
    [[nodiscard]] Result<std::optional<Job>> claim(const QString &workerId);
    // Jobs this process has added (any connection): a worker that saw the count change since its last
    // claim looks again (a job's own follow-ups, such as its confirmation mail, are not announced).
    [[nodiscard]] static quint64 enqueuedInThisProcess();
    [[nodiscard]] Status complete(qint64 jobId);
    // Schedules another attempt after delayMs, or marks the job failed once its attempts are used up.
    // Returns true when another attempt was scheduled.
    [[nodiscard]] Result<bool> retryLater(qint64 jobId, const QString &error, qint64 delayMs);
    // Runs the job again after delayMs without counting the attempt that just waited.
    [[nodiscard]] Status defer(qint64 jobId, const QString &reason, qint64 delayMs);
    [[nodiscard]] Status fail(qint64 jobId, const QString &error);
    // How long a worker's heartbeat may be silent before the sweep counts it dead and takes its jobs back.
    static constexpr qint64 HeartbeatTimeoutMs = 20 * 1000;
    // The worker is alive and has finished jobsDone jobs: its running jobs stay its own.
    [[nodiscard]] Status heartbeat(const QString &workerId, qint64 jobsDone);
    // Gives running jobs of workers whose heartbeat stopped (a killed server) back to the queue.
    [[nodiscard]] Result<int> requeueOrphaned(qint64 heartbeatOlderThanMs);
    [[nodiscard]] Result<Backlog> backlog();

    // Exponential backoff with jitter: 1 s, 2 s, 4 s ... capped at 5 minutes; honours Retry-After.
    [[nodiscard]] static qint64 backoffMs(int attempt, qint64 retryAfterMs = 0);

private:
    Database &m_db;
};

} // namespace askpro
