// Job queue SQL. A claim is one UPDATE ... RETURNING, so it is atomic on both engines.
#include "jobs/jobqueue.h"

#include "core/clock.h"
#include "db/database.h"

#include <QRandomGenerator>

#include <atomic>

using namespace Qt::StringLiterals;

namespace askpro {

JobQueue::JobQueue(Database &db) : m_db(db) {}

namespace {

std::atomic<quint64> enqueuedInProcess{0};

// Runs write inside the caller's open transaction, or in a relaxed one of its own.
template<typename T, typename Write>
Result<T> relaxed(Database &db, Write write)
{
    if (db.inTransaction())
        return write();
    Transaction tx(db, Durability::Relaxed);
    if (!tx.started())
        return tx.started().error();
    Result<T> result = write();
    if (!result)
        return result;
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    return result;
}

} // namespace

Result<std::optional<qint64>> JobQueue::enqueue(const QString &kind, const QByteArray &payload, const QString &dedupeKey,
                                                qint64 runAfterMs, int maxAttempts)
{
    const qint64 now = nowMs();
    auto q = m_db.exec(u"INSERT INTO jobs (kind, payload, dedupe_key, run_after, max_attempts, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"_s,
                       {kind, QString::fromUtf8(payload), dedupeKey.isEmpty() ? Database::null() : dedupeKey,
                        runAfterMs > 0 ? runAfterMs : now, maxAttempts, now});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<qint64>();
    enqueuedInProcess.fetch_add(1, std::memory_order_relaxed);
    return std::optional<qint64>(q->value(0).toLongLong());
}

quint64 JobQueue::enqueuedInThisProcess()
{
    return enqueuedInProcess.load(std::memory_order_relaxed);
}

Result<QHash<QString, qint64>> JobQueue::enqueueAll(const QList<NewJob> &jobs)
{
    QHash<QString, qint64> ids;
    const qint64 now = nowMs();
    // Rows per statement in powers of two: few statement texts, so each stays prepared on its connection.
    for (qsizetype from = 0; from < jobs.size();) {
        qsizetype rows = 1;
        while (rows * 2 <= jobs.size() - from && rows < 32)
            rows *= 2;
        QString sql = u"INSERT INTO jobs (kind, payload, dedupe_key, run_after, max_attempts, created_at) VALUES (?, ?, ?, ?, 8, ?)"_s;
        for (qsizetype i = 1; i < rows; ++i)
            sql += u", (?, ?, ?, ?, 8, ?)"_s;
        sql += u" ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key"_s;
        QVariantList params;
        params.reserve(rows * 5);
        for (qsizetype i = from; i < from + rows; ++i)
            params << jobs.at(i).kind << QString::fromUtf8(jobs.at(i).payload) << jobs.at(i).dedupeKey << now << now;
        auto q = m_db.exec(sql, params);
        if (!q)
            return q.error();
        while (q->next()) {
            ids.insert(q->value(1).toString(), q->value(0).toLongLong());
            enqueuedInProcess.fetch_add(1, std::memory_order_relaxed);
        }
        q->finish();
        from += rows;
    }
    return ids;
}

Result<std::optional<Job>> JobQueue::claim(const QString &workerId)
{
    return relaxed<std::optional<Job>>(m_db, [&]() -> Result<std::optional<Job>> {
        const qint64 now = nowMs();
        auto q = m_db.exec(u"UPDATE jobs SET status = 'running', locked_by = ?, locked_at = ?, attempts = attempts + 1 "
                           "WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_after <= ? ORDER BY run_after, id LIMIT 1"_s
                               + m_db.skipLocked()
                               + u") AND status = 'queued' RETURNING id, kind, payload, attempts, max_attempts, "
                                 "(SELECT COUNT(*) FROM (SELECT 1 FROM jobs AS other WHERE other.status = 'queued' AND other.run_after <= ? "
                                 "AND other.id <> jobs.id LIMIT 1) AS ready)"_s,
                           {workerId, now, now, now});
        if (!q)
            return q.error();
        if (!q->next())
            return std::optional<Job>();
        Job job;
        job.id = q->value(0).toLongLong();
        job.kind = q->value(1).toString();
        job.payload = q->value(2).toString().toUtf8();
        job.attempts = q->value(3).toInt();
        job.maxAttempts = q->value(4).toInt();
        job.moreReady = q->value(5).toLongLong() > 0;
        q->finish(); // a RETURNING statement must end before SQLite commits
        return std::optional<Job>(job);
    });
}

Status JobQueue::complete(qint64 jobId)
{
    auto done = relaxed<bool>(m_db, [&]() -> Result<bool> {
        auto q = m_db.exec(u"UPDATE jobs SET status = 'done', finished_at = ?, locked_by = NULL WHERE id = ?"_s, {nowMs(), jobId});
        if (!q)
            return q.error();
        return true;
    });
    if (!done)
        return done.error();
    return {};
}

Result<bool> JobQueue::retryLater(qint64 jobId, const QString &error, qint64 delayMs)
{
    return relaxed<bool>(m_db, [&]() -> Result<bool> {
        auto q = m_db.exec(u"UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, "
                           "run_after = ?, last_error = ?, locked_by = NULL, "
                           "finished_at = CASE WHEN attempts >= max_attempts THEN CAST(? AS BIGINT) ELSE NULL END WHERE id = ? RETURNING status"_s,
                           {nowMs() + delayMs, error, nowMs(), jobId});
        if (!q)
            return q.error();
        const bool queued = q->next() && q->value(0).toString() == u"queued"_s;
        q->finish();
        return queued;
    });
}

Status JobQueue::defer(qint64 jobId, const QString &reason, qint64 delayMs)
{
    auto done = relaxed<bool>(m_db, [&]() -> Result<bool> {
        auto q = m_db.exec(u"UPDATE jobs SET status = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, "
                           "run_after = ?, last_error = ?, locked_by = NULL WHERE id = ?"_s,
                           {nowMs() + qMax<qint64>(delayMs, 0), reason, jobId});
        if (!q)
            return q.error();
        return true;
    });
    if (!done)
        return done.error();
    return {};
}

Status JobQueue::fail(qint64 jobId, const QString &error)
{
    auto done = relaxed<bool>(m_db, [&]() -> Result<bool> {
        auto q = m_db.exec(u"UPDATE jobs SET status = 'failed', last_error = ?, finished_at = ?, locked_by = NULL WHERE id = ?"_s,
                           {error, nowMs(), jobId});
        if (!q)
            return q.error();
        return true;
    });
    if (!done)
        return done.error();
    return {};
}

Status JobQueue::heartbeat(const QString &workerId, qint64 jobsDone)
{
    auto beat = m_db.exec(u"UPDATE workers SET heartbeat_at = ?, jobs_done = ? WHERE id = ?"_s, {nowMs(), jobsDone, workerId});
    return beat ? Status() : Status(beat.error());
}

Result<int> JobQueue::requeueOrphaned(qint64 heartbeatOlderThanMs)
{
    auto q = m_db.exec(u"UPDATE jobs SET status = 'queued', locked_by = NULL WHERE status = 'running' AND "
                       "(locked_by IS NULL OR locked_by NOT IN (SELECT id FROM workers WHERE heartbeat_at > ?)) RETURNING id"_s,
                       {nowMs() - heartbeatOlderThanMs});
    if (!q)
        return q.error();
    int count = 0;
    while (q->next())
        ++count;
    return count;
}

Result<Backlog> JobQueue::backlog()
{
    const qint64 now = nowMs();
    auto q = m_db.exec(u"SELECT COALESCE(SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END), 0), "
                       "COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0), "
                       "COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0), "
                       "MIN(CASE WHEN status = 'queued' AND run_after <= ? THEN created_at END) "
                       "FROM jobs WHERE status IN ('queued', 'running', 'failed')"_s,
                       {now});
    if (!q)
        return q.error();
    Backlog b;
    if (q->next()) {
        b.queued = q->value(0).toLongLong();
        b.running = q->value(1).toLongLong();
        b.failed = q->value(2).toLongLong();
        b.oldestQueuedAgeMs = q->value(3).isNull() ? 0 : now - q->value(3).toLongLong();
    }
    return b;
}

qint64 JobQueue::backoffMs(int attempt, qint64 retryAfterMs)
{
    const qint64 base = 1000LL << qBound(0, attempt - 1, 9);
    const qint64 capped = qMin<qint64>(base, 5 * 60 * 1000);
    const qint64 jitter = QRandomGenerator::global()->bounded(capped / 4 + 1);
    return qMax(capped + jitter, retryAfterMs);
}

} // namespace askpro
