// The schema's rules hold on both engines: foreign keys and the domain's unique keys refuse bad rows.
#include "core/clock.h"
#include "testdatabase.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestConstraints final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void refusesViolations_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        const QStringList engines{u"sqlite"_s, u"postgresql"_s};
        struct Case
        {
            const char *name;
            QString first;
            QString second;
        };
        const QList<Case> cases{
            {"branch of a missing company", QString(),
             u"INSERT INTO branches (company_id, name, phone_e164, created_at, updated_at) VALUES (999, 'x', '+4930999', 0, 0)"_s},
            {"same number on two active branches",
             u"INSERT INTO branches (company_id, name, phone_e164, created_at, updated_at) VALUES (:c, 'b2', '+4930111', 0, 0)"_s,
             u"INSERT INTO branches (company_id, name, phone_e164, created_at, updated_at) VALUES (:c, 'b3', '+4930111', 0, 0)"_s},
            {"same customer phone within a company",
             u"INSERT INTO customers (company_id, phone_e164, created_at, updated_at) VALUES (:c, '+491701', 0, 0)"_s,
             u"INSERT INTO customers (company_id, phone_e164, created_at, updated_at) VALUES (:c, '+491701', 0, 0)"_s},
            {"same Retell call id",
             u"INSERT INTO calls (retell_call_id, created_at, updated_at) VALUES ('call_1', 0, 0)"_s,
             u"INSERT INTO calls (retell_call_id, created_at, updated_at) VALUES ('call_1', 0, 0)"_s},
            {"same Cal.com booking uid",
             u"INSERT INTO appointments (company_id, branch_id, starts_at, ends_at, calcom_booking_uid, created_at, updated_at) VALUES (:c, :b, 1, 2, 'uid1', 0, 0)"_s,
             u"INSERT INTO appointments (company_id, branch_id, starts_at, ends_at, calcom_booking_uid, created_at, updated_at) VALUES (:c, :b, 3, 4, 'uid1', 0, 0)"_s},
            {"same invoice number",
             u"INSERT INTO invoices (company_id, number, year, sequence, period_start, period_end, vat_rate_bp, created_at) VALUES (:c, 'AP-2026-0001', 2026, 1, 1, 2, 1900, 0)"_s,
             u"INSERT INTO invoices (company_id, kind, number, year, sequence, period_start, period_end, vat_rate_bp, created_at) VALUES (:c, 'credit_note', 'AP-2026-0001', 2026, 2, 5, 6, 1900, 0)"_s},
            {"second usage row for one call",
             u"INSERT INTO calls (id, retell_call_id, created_at, updated_at) VALUES (77, 'call_77', 0, 0)"_s,
             u"INSERT INTO usage_logs (company_id, kind, call_id, unit_price_cents, occurred_at) VALUES (:c, 'call', 77, 50, 0), (:c, 'call', 77, 50, 0)"_s},
            {"appointment ending before it starts", QString(),
             u"INSERT INTO appointments (company_id, branch_id, starts_at, ends_at, created_at, updated_at) VALUES (:c, :b, 10, 5, 0, 0)"_s},
            {"call of a missing branch", QString(),
             u"INSERT INTO calls (retell_call_id, branch_id, created_at, updated_at) VALUES ('call_x', 4711, 0, 0)"_s},
            {"unknown user role", QString(),
             u"INSERT INTO users (username, password_hash, role, created_at) VALUES ('eve', 'x', 'root', 0)"_s},
        };
        for (const QString &engine : engines)
            for (const Case &c : cases)
                QTest::addRow("%s: %s", qPrintable(engine), c.name) << engine << c.first << c.second;
    }
    void refusesViolations()
    {
        QFETCH(QString, engine);
        QFETCH(QString, first);
        QFETCH(QString, second);
        ASKPRO_FRESH_DB(db, engine);
        const auto planted = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        const qint64 company = planted.first;
        const qint64 branch = planted.second;
        // The statements are fixed test text; ids are substituted as numbers.
        auto fill = [&](QString sql) {
            return sql.replace(u":c"_s, QString::number(company)).replace(u":b"_s, QString::number(branch));
        };
        if (!first.isEmpty()) {
            auto ok = db->exec(fill(first));
            QVERIFY2(ok.ok(), qPrintable(ok.ok() ? QString() : ok.error().describe()));
        }
        auto refused = db->exec(fill(second));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Conflict);
    }

    void inactiveBranchMayShareANumber_data() { test::addEngineRows(); }
    void inactiveBranchMayShareANumber()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        Q_UNUSED(branch);
        auto inactive = db->exec(u"INSERT INTO branches (company_id, name, phone_e164, active, created_at, updated_at) "
                                 "VALUES (?, 'alt', '+4930123456', 0, 0, 0)"_s,
                                 {company});
        QVERIFY(inactive.ok());
        auto otherCompanyCustomer = db->exec(
            u"INSERT INTO customers (company_id, phone_e164, created_at, updated_at) VALUES (?, '+491701', 0, 0)"_s, {company});
        QVERIFY(otherCompanyCustomer.ok());
    }

    void transactionRollsBack_data() { test::addEngineRows(); }
    void transactionRollsBack()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        {
            Transaction tx(*db);
            QVERIFY(tx.started().ok());
            QVERIFY(db->exec(u"INSERT INTO companies (name, created_at, updated_at) VALUES ('gone', 0, 0)"_s).ok());
        }
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM companies"_s)->toInt(), 0);
        {
            Transaction tx(*db);
            QVERIFY(db->exec(u"INSERT INTO companies (name, created_at, updated_at) VALUES ('kept', 0, 0)"_s).ok());
            QVERIFY(tx.commit().ok());
        }
        QCOMPARE(db->scalar(u"SELECT name FROM companies"_s)->toString(), u"kept"_s);
    }
};

QTEST_GUILESS_MAIN(TestConstraints)
#include "test_constraints.moc"
