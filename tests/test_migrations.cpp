// Migrations on both engines: fresh schema, idempotent reruns, a too-new database refused.
#include "db/migrator.h"
#include "testdatabase.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestMigrations final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void freshDatabaseGetsEveryTable_data() { test::addEngineRows(); }
    void freshDatabaseGetsEveryTable()
    {
        QFETCH(QString, engine);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto db = test::freshDatabase(engine, false);
        QVERIFY(db);
        Migrator migrator(*db);
        QCOMPARE(migrator.currentVersion().value(), 0);
        auto applied = migrator.migrate();
        QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().describe()));
        QCOMPARE(*applied, Migrator::latestVersion());
        QCOMPARE(migrator.currentVersion().value(), Migrator::latestVersion());
        for (const char *table : {"companies", "branches", "staff", "services", "customers", "calls", "call_events",
                                  "webhook_inbox", "notifications", "appointments", "api_credentials",
                                  "event_type_mappings", "slot_cache", "setup_runs", "subscriptions", "invoices",
                                  "invoice_lines", "usage_logs", "payments", "users", "jobs", "workers",
                                  "health_checks", "audit_log", "saved_views"}) {
            auto count = db->scalar(u"SELECT COUNT(*) FROM "_s + QString::fromLatin1(table));
            QVERIFY2(count.ok(), table);
            QCOMPARE(count->toInt(), 0);
        }
    }

    void rerunAppliesNothing_data() { test::addEngineRows(); }
    void rerunAppliesNothing()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        auto again = Migrator(*db).migrate();
        QVERIFY(again.ok());
        QCOMPARE(*again, 0);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM schema_migrations"_s)->toInt(), Migrator::latestVersion());
    }

    void newerDatabaseIsRefused_data() { test::addEngineRows(); }
    void newerDatabaseIsRefused()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        QVERIFY(db->exec(u"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"_s,
                         {Migrator::latestVersion() + 1, u"from_the_future"_s, 0})
                    .ok());
        auto refused = Migrator(*db).migrate();
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Configuration);
        QVERIFY(refused.error().message.contains(u"newer"_s));
    }

    void foreignKeysAreOn_data() { test::addEngineRows(); }
    void foreignKeysAreOn()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        if (engine == u"sqlite"_s)
            QCOMPARE(db->scalar(u"PRAGMA foreign_keys"_s)->toInt(), 1);
        auto refused = db->exec(u"INSERT INTO staff (company_id, name, email, created_at) VALUES (?, ?, ?, ?)"_s,
                                {4242, u"Nobody"_s, u"n@example.org"_s, 0});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Conflict);
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "test_migrations.moc"
