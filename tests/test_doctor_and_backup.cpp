// Doctor finds and repairs planted orphans and duplicates on both engines; backups are consistent copies.
#include "db/backup.h"
#include "db/doctor.h"
#include "db/migrator.h"

#include <QDir>
#include <QFileInfo>
#include "testdatabase.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

// Plants rows that only a database without enforced foreign keys (an old import) could hold.
void plantDamage(Database &db, qint64 company, qint64 branch)
{
    const bool sqlite = db.engine() == Engine::Sqlite;
    QVERIFY(db.control(sqlite ? u"PRAGMA foreign_keys = OFF"_s : u"SET session_replication_role = replica"_s).ok());
    const QStringList statements{
        u"INSERT INTO staff (id, company_id, name, email, created_at) VALUES (101, :c, 'Anna Keller', 'anna@praxis.de', 0)"_s,
        u"INSERT INTO staff (id, company_id, name, email, created_at) VALUES (102, :c, 'Anna Keller', 'ANNA@praxis.de', 0)"_s,
        u"INSERT INTO staff (id, company_id, name, email, created_at) VALUES (103, 999, 'Ghost', 'ghost@praxis.de', 0)"_s,
        u"INSERT INTO staff (id, company_id, branch_id, name, email, created_at) VALUES (104, :c, 998, 'Ben', 'ben@praxis.de', 0)"_s,
        u"INSERT INTO appointments (id, company_id, branch_id, staff_id, starts_at, ends_at, created_at, updated_at) VALUES (201, :c, 997, 102, 10, 20, 0, 0)"_s,
        u"INSERT INTO calls (id, retell_call_id, branch_id, to_number, outcome, created_at, updated_at) VALUES (301, 'c301', NULL, '+4930123456', 'booked', 0, 0)"_s,
        u"INSERT INTO calls (id, retell_call_id, branch_id, to_number, outcome, created_at, updated_at) VALUES (302, 'c302', 996, '+4940000000', 'booked', 0, 0)"_s,
    };
    for (QString sql : statements) {
        sql.replace(u":c"_s, QString::number(company));
        auto done = db.exec(sql);
        QVERIFY2(done.ok(), qPrintable(done.ok() ? QString() : done.error().describe()));
    }
    Q_UNUSED(branch);
    QVERIFY(db.control(sqlite ? u"PRAGMA foreign_keys = ON"_s : u"SET session_replication_role = DEFAULT"_s).ok());
}

} // namespace

class TestDoctorAndBackup final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void findsAndRepairs_data() { test::addEngineRows(); }
    void findsAndRepairs()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        plantDamage(*db, company, branch);
        if (QTest::currentTestFailed())
            return;

        Doctor doctor(*db);
        auto findings = doctor.inspect();
        QVERIFY(findings.ok());
        QMap<QString, QList<qint64>> found;
        for (const auto &f : *findings)
            found.insert(f.check, f.ids);
        QCOMPARE(found.value(u"staff_without_company"_s), QList<qint64>{103});
        QCOMPARE(found.value(u"staff_branch_gone"_s), QList<qint64>{104});
        QCOMPARE(found.value(u"duplicate_staff"_s), QList<qint64>{102});
        QCOMPARE(found.value(u"appointments_branch_gone"_s), QList<qint64>{201});
        QCOMPARE(found.value(u"calls_without_branch"_s), (QList<qint64>{301, 302}));

        auto repaired = doctor.fix(u"test"_s);
        QVERIFY2(repaired.ok(), qPrintable(repaired.ok() ? QString() : repaired.error().describe()));
        QCOMPARE(*repaired, 6);
        QVERIFY(doctor.inspect()->isEmpty());

        // Nothing valuable was thrown away: rows were re-linked to their rightful homes.
        QCOMPARE(db->scalar(u"SELECT branch_id FROM appointments WHERE id = 201"_s)->toLongLong(), branch);
        QCOMPARE(db->scalar(u"SELECT staff_id FROM appointments WHERE id = 201"_s)->toLongLong(), 101);
        QCOMPARE(db->scalar(u"SELECT branch_id FROM calls WHERE id = 301"_s)->toLongLong(), branch);
        QCOMPARE(db->scalar(u"SELECT outcome FROM calls WHERE id = 302"_s)->toString(), u"failed"_s);
        QVERIFY(db->scalar(u"SELECT branch_id FROM calls WHERE id = 302"_s)->isNull());
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM staff WHERE id IN (102, 103)"_s)->toInt(), 0);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE actor = 'test'"_s)->toInt(), 6);
    }

    void commandLineRepairsAfterBackup_data() { test::addEngineRows(); }
    void commandLineRepairsAfterBackup()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        const QString url = test::freshDatabaseUrl(engine);
        auto opened = Database::open(url);
        QVERIFY(opened.ok());
        auto db = *opened;
        QVERIFY(Migrator(*db).migrate().ok());
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        plantDamage(*db, company, branch);

        const QString server = qEnvironmentVariable("ASKPRO_SERVER");
        QVERIFY(!server.isEmpty());
        QTemporaryDir dir;
        auto run = [&](const QStringList &args) {
            QProcess p;
            p.start(server, args);
            p.waitForFinished(120000);
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()));
        };
        auto [reportCode, report] = run({u"doctor"_s, u"--db"_s, url});
        QCOMPARE(reportCode, 3);
        QVERIFY2(report.contains(u"Duplicate staff"_s), qPrintable(report));
        QVERIFY(!report.contains(u"postgres@"_s) || !report.contains(u":"_s + u"password"_s));

        const QString backupPath = dir.filePath(u"before-fix.bak"_s);
        auto [fixCode, fixed] = run({u"doctor"_s, u"--db"_s, url, u"--fix"_s, u"--backup"_s, backupPath});
        QVERIFY2(fixCode == 0, qPrintable(fixed));
        QVERIFY(QFile::exists(backupPath));
        QVERIFY(QFileInfo(backupPath).size() > 0);
        // The server's umask (077): a backup holds sealed secrets and customers' data, its owner's alone.
        QCOMPARE(QFileInfo(backupPath).permissions() & ~(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser),
                 QFile::Permissions());

        auto [cleanCode, clean] = run({u"doctor"_s, u"--db"_s, url});
        QCOMPARE(cleanCode, 0);
        QVERIFY(clean.contains(u"No orphans"_s));

        if (engine == u"sqlite"_s) {
            // The backup is a complete database holding the damage as it was before the fix.
            auto copy = Database::open(u"sqlite:"_s + backupPath);
            QVERIFY(copy.ok());
            QCOMPARE((*copy)->scalar(u"SELECT COUNT(*) FROM staff WHERE id = 102"_s)->toInt(), 1);
        }
    }

    // Two server processes starting at once on a machine without a key agree on one key file, made private
    // from its first byte; once secrets are sealed, a lost key file is an error, never a silent new key.
    void keyFileCreatedOnceAndNeverReplaced()
    {
        const QString server = qEnvironmentVariable("ASKPRO_SERVER");
        QVERIFY(!server.isEmpty());
        QTemporaryDir dir;
        const QString url = u"sqlite:"_s + dir.filePath(u"askpro.db"_s);
        const QString keyFile = dir.filePath(u"keys/askpro.key"_s);
        const QStringList list{u"credentials"_s, u"--list"_s, u"--db"_s, url, u"--key-file"_s, keyFile};
        {
            QProcess migrate;
            migrate.start(server, {u"migrate"_s, u"--db"_s, url});
            QVERIFY(migrate.waitForFinished(60000) && migrate.exitCode() == 0);
        }
        for (int round = 0; round < 5; ++round) {
            QFile::remove(keyFile);
            QProcess first;
            QProcess second;
            first.start(server, list);
            second.start(server, list);
            QVERIFY(first.waitForFinished(60000) && second.waitForFinished(60000));
            QVERIFY2(first.exitCode() == 0 && second.exitCode() == 0, QByteArray(first.readAllStandardError() + second.readAllStandardError()).constData());
            QFile file(keyFile);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(QByteArray::fromBase64(file.readAll().trimmed()).size(), 32);
            QCOMPARE(file.permissions() & ~(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser), QFile::Permissions());
            QCOMPARE(QDir(dir.filePath(u"keys"_s)).entryList(QDir::Files).size(), 1); // no temporary file left behind
        }

        // A sealed credential, then the key file is lost: the server names what to do instead of making a key.
        QProcess store;
        store.start(server, {u"credentials"_s, u"--db"_s, url, u"--key-file"_s, keyFile, u"retell"_s});
        store.write("key_retell_test_secret_01\n");
        store.closeWriteChannel();
        QVERIFY(store.waitForFinished(60000));
        QVERIFY2(store.exitCode() == 0, store.readAllStandardError().constData());
        QVERIFY(QFile::rename(keyFile, keyFile + u".lost"_s));
        QProcess refused;
        refused.start(server, list);
        QVERIFY(refused.waitForFinished(60000));
        QVERIFY(refused.exitCode() != 0);
        const QString why = QString::fromUtf8(refused.readAllStandardError());
        QVERIFY2(why.contains(keyFile + u".next"_s) && why.contains(u"--rotate-key"_s), qPrintable(why));
        QVERIFY(!QFile::exists(keyFile));
    }

    void backupRefusesToOverwrite_data() { test::addEngineRows(); }
    void backupRefusesToOverwrite()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"copy"_s);
        QVERIFY(Backup::write(*db, path).ok());
        auto again = Backup::write(*db, path);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().kind, ErrorKind::Invalid);
    }
};

QTEST_GUILESS_MAIN(TestDoctorAndBackup)
#include "test_doctor_and_backup.moc"
