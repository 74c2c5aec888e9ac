// The durable job queue on both engines: dedupe, readiness, retries, waits, orphans and concurrent claims;
// and what it rests on in Database: relaxed commits, truthful commits, the per-connection statement cache.
#include "core/clock.h"
#include "db/database.h"
#include "jobs/jobqueue.h"
#include "testdatabase.h"

#include <QMutex>
#include <QSet>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestJobQueue final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void enqueueDedupesAndClaimsInOrder_data() { test::addEngineRows(); }
    void enqueueDedupesAndClaimsInOrder()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        JobQueue queue(*db);
        auto first = queue.enqueue(u"k"_s, "{\"n\":1}", u"key-1"_s);
        QVERIFY(first.ok() && first->has_value());
        auto again = queue.enqueue(u"k"_s, "{\"n\":1}", u"key-1"_s);
        QVERIFY(again.ok());
        QVERIFY(!again->has_value());
        QVERIFY(queue.enqueue(u"k"_s, "{\"n\":2}").ok());
        QVERIFY(queue.enqueue(u"k"_s, "{\"n\":3}", {}, nowMs() + 60'000).ok()); // not ready yet

        auto a = queue.claim(u"w1"_s);
        QVERIFY(a.ok() && a->has_value());
        QCOMPARE((*a)->payload, QByteArray("{\"n\":1}"));
        QCOMPARE((*a)->attempts, 1);
        auto b = queue.claim(u"w1"_s);
        QVERIFY(b.ok() && b->has_value());
        QCOMPARE((*b)->payload, QByteArray("{\"n\":2}"));
        auto none = queue.claim(u"w1"_s);
        QVERIFY(none.ok() && !none->has_value());
        QVERIFY(queue.complete((*a)->id).ok());
        auto backlog = queue.backlog();
        QVERIFY(backlog.ok());
        QCOMPARE(backlog->queued, 1);
        QCOMPARE(backlog->running, 1);
    }

    void retriesUntilAttemptsAreUsed_data() { test::addEngineRows(); }
    void retriesUntilAttemptsAreUsed()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        JobQueue queue(*db);
        QVERIFY(queue.enqueue(u"k"_s, "{}", {}, 0, 2).ok());
        auto job = queue.claim(u"w"_s);
        QVERIFY(job.ok() && job->has_value());
        auto again = queue.retryLater((*job)->id, u"Cal.com is failing (HTTP 503)"_s, 0);
        QVERIFY(again.ok() && *again);
        job = queue.claim(u"w"_s);
        QVERIFY(job.ok() && job->has_value());
        QCOMPARE((*job)->attempts, 2);
        auto last = queue.retryLater((*job)->id, u"still failing"_s, 0);
        QVERIFY(last.ok());
        QVERIFY(!*last);
        QCOMPARE(db->scalar(u"SELECT status FROM jobs WHERE id = ?"_s, {(*job)->id})->toString(), u"failed"_s);
        QCOMPARE(db->scalar(u"SELECT last_error FROM jobs WHERE id = ?"_s, {(*job)->id})->toString(), u"still failing"_s);
    }

    // A wait for another attempt's lease is not an attempt: defer() gives it back, even on the last one.
    void deferDoesNotUseAnAttempt_data() { test::addEngineRows(); }
    void deferDoesNotUseAnAttempt()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        JobQueue queue(*db);
        QVERIFY(queue.enqueue(u"k"_s, "{}", {}, 0, 1).ok());
        auto job = queue.claim(u"w"_s);
        QVERIFY(job.ok() && job->has_value());
        QCOMPARE((*job)->attempts, 1);
        QVERIFY(queue.defer((*job)->id, u"another attempt is booking"_s, 0).ok());
        QCOMPARE(db->scalar(u"SELECT status FROM jobs WHERE id = ?"_s, {(*job)->id})->toString(), u"queued"_s);
        job = queue.claim(u"w"_s);
        QVERIFY(job.ok() && job->has_value());
        QCOMPARE((*job)->attempts, 1); // still the first and last attempt
        QVERIFY(queue.defer((*job)->id, u"later"_s, 60'000).ok());
        auto none = queue.claim(u"w"_s);
        QVERIFY(none.ok() && !none->has_value()); // not due yet
    }

    // The job's end joins the caller's open transaction (the call flow's unit of work): one commit, and a
    // rollback takes both back.
    void endingJoinsTheOpenTransaction_data() { test::addEngineRows(); }
    void endingJoinsTheOpenTransaction()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        JobQueue queue(*db);
        QVERIFY(queue.enqueue(u"k"_s, "{}").ok());
        auto job = queue.claim(u"w"_s);
        QVERIFY(job.ok() && job->has_value());
        {
            Transaction tx(*db, Durability::Relaxed);
            QVERIFY(tx.started().ok());
            QVERIFY(db->inTransaction());
            QVERIFY(queue.complete((*job)->id).ok());
            tx.rollback();
        }
        QVERIFY(!db->inTransaction());
        QCOMPARE(db->scalar(u"SELECT status FROM jobs WHERE id = ?"_s, {(*job)->id})->toString(), u"running"_s);
        Transaction tx(*db, Durability::Relaxed);
        QVERIFY(queue.complete((*job)->id).ok());
        QVERIFY(tx.commit().ok());
        QCOMPARE(db->scalar(u"SELECT status FROM jobs WHERE id = ?"_s, {(*job)->id})->toString(), u"done"_s);
        if (engine == u"sqlite"_s) // relaxed only for that transaction: FULL (2) again afterwards
            QCOMPARE(db->scalar(u"PRAGMA synchronous"_s)->toInt(), 2);
    }

    // PostgreSQL discards a transaction once one of its statements failed and answers COMMIT with a
    // silent rollback; commit() must say so instead of reporting success.
    void commitAfterAFailedStatementFails_data() { test::addEngineRows(); }
    void commitAfterAFailedStatementFails()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        JobQueue queue(*db);
        Transaction tx(*db);
        QVERIFY(queue.enqueue(u"k"_s, "{}", u"same"_s).ok());
        QVERIFY(!db->exec(u"INSERT INTO jobs (kind, payload, dedupe_key, run_after, max_attempts, created_at) VALUES ('k', '{}', 'same', 0, 1, 0)"_s)
                     .ok());
        const Status committed = tx.commit();
        if (engine == u"postgresql"_s) {
            QVERIFY(!committed.ok());
            QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM jobs"_s)->toInt(), 0);
        } else {
            QVERIFY(committed.ok()); // SQLite fails the statement only
            QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM jobs"_s)->toInt(), 1);
        }
        QVERIFY(!db->inTransaction());
    }

    // The statement cache reuses a prepared statement only once its earlier result is let go: a caller
    // holding a result never sees it replaced by a later run of the same text.
    void cachedStatementsNeverShareAHeldResult_data() { test::addEngineRows(); }
    void cachedStatementsNeverShareAHeldResult()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        JobQueue queue(*db);
        QVERIFY(queue.enqueue(u"first"_s, "{}").ok());
        QVERIFY(queue.enqueue(u"second"_s, "{}").ok());
        const QString sql = u"SELECT kind FROM jobs WHERE kind = ?"_s;
        auto a = db->exec(sql, {u"first"_s});
        auto b = db->exec(sql, {u"second"_s});
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->next());
        QCOMPARE(a->value(0).toString(), u"first"_s);
        QVERIFY(b->next());
        QCOMPARE(b->value(0).toString(), u"second"_s);
        a->finish();
        // Let go, the statement is used again, many times over, with fresh parameters each time.
        for (int i = 0; i < 50; ++i)
            QCOMPARE(db->scalar(sql, {i % 2 ? u"first"_s : u"second"_s})->toString(), i % 2 ? u"first"_s : u"second"_s);
        QVERIFY(!db->scalar(sql, {u"none"_s})->isValid());
    }

    void orphanedJobsReturnToTheQueue_data() { test::addEngineRows(); }
    void orphanedJobsReturnToTheQueue()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        JobQueue queue(*db);
        QVERIFY(queue.enqueue(u"k"_s, "{}").ok());
        QVERIFY(queue.enqueue(u"k"_s, "{}").ok());
        const qint64 now = nowMs();
        QVERIFY(db->exec(u"INSERT INTO workers (id, host, pid, started_at, heartbeat_at) VALUES ('alive', 'h', 1, ?, ?), ('dead', 'h', 2, ?, ?)"_s,
                         {now, now, now - 600'000, now - 600'000})
                    .ok());
        QVERIFY(queue.claim(u"alive"_s)->has_value());
        QVERIFY(queue.claim(u"dead"_s)->has_value());
        auto freed = queue.requeueOrphaned(20'000);
        QVERIFY(freed.ok());
        QCOMPARE(*freed, 1);
        auto next = queue.claim(u"alive"_s);
        QVERIFY(next->has_value());
    }

    void concurrentClaimsNeverShareAJob_data() { test::addEngineRows(); }
    void concurrentClaimsNeverShareAJob()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        constexpr int jobs = 300;
        {
            Transaction tx(*db);
            for (int i = 0; i < jobs; ++i)
                QVERIFY(JobQueue(*db).enqueue(u"k"_s, QByteArray::number(i)).ok());
            QVERIFY(tx.commit().ok());
        }
        QMutex mutex;
        QList<qint64> claimed;
        int errors = 0;
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&, t] {
                JobQueue queue(*db);
                for (;;) {
                    auto job = queue.claim(u"w%1"_s.arg(t));
                    QMutexLocker lock(&mutex);
                    if (!job) {
                        if (++errors > 1000)
                            return; // the count check below then fails
                        continue;
                    }
                    if (!job->has_value())
                        return;
                    claimed.append((*job)->id);
                }
            }));
            threads.last()->start();
        }
        for (QThread *t : threads) {
            QVERIFY(t->wait(120'000));
            delete t;
        }
        QCOMPARE(claimed.size(), jobs);
        QCOMPARE(QSet<qint64>(claimed.begin(), claimed.end()).size(), jobs);
        qInfo("%d claim attempts met a lock and tried again", errors);
    }

    void backoffGrowsAndHonoursRetryAfter()
    {
        QVERIFY(JobQueue::backoffMs(1) >= 1000 && JobQueue::backoffMs(1) <= 1250);
        QVERIFY(JobQueue::backoffMs(4) >= 8000);
        QVERIFY(JobQueue::backoffMs(30) <= 5 * 60 * 1000 * 5 / 4);
        QCOMPARE(JobQueue::backoffMs(1, 30'000), 30'000);
    }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#include "test_job_queue.moc"
