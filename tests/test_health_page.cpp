// The health dashboard shows the stored checks as tiles, notices a change of state, and lists the success
// metrics with their targets.
#include "core/clock.h"
#include "pages/healthpage.h"
#include "testdatabase.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestHealthPage final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void showsChecksChangesAndMetrics()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const qint64 now = nowMs();
        for (const char *check : {"database", "retell", "calcom", "stripe", "smtp", "workers", "backlog", "webhooks"})
            QVERIFY(db->exec(u"INSERT INTO health_checks (check_name, state, latency_ms, message, checked_at) VALUES (?, 'ok', 12, '', ?)"_s,
                             {QString::fromLatin1(check), now - 60000})
                        .ok());
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        Q_UNUSED(branch);
        for (int i = 0; i < 10; ++i)
            QVERIFY(db->exec(u"INSERT INTO calls (retell_call_id, company_id, appointment_requested, outcome, created_at, updated_at) "
                             "VALUES (?, ?, 1, ?, ?, ?)"_s,
                             {u"c%1"_s.arg(i), company, i < 9 ? u"booked"_s : u"failed"_s, now, now})
                        .ok());

        HealthPage page(db, nullptr, ServerConfig());
        QCOMPARE(page.tileCount(), 8);
        QCOMPARE(page.tileState(u"calcom"_s), u"ok"_s);
        QVERIFY(page.metricsText().contains(u"90.0 %"_s) || page.metricsText().contains(u"90,0 %"_s)); // 9 of 10 booked
        QVERIFY(page.metricsText().contains(u"> 90 %"_s));
        QVERIFY(page.metricsText().contains(u"< 5 %"_s));

        QSignalSpy changes(&page, &HealthPage::checkChanged);
        QVERIFY(db->exec(u"INSERT INTO health_checks (check_name, state, latency_ms, message, checked_at) "
                         "VALUES ('calcom', 'down', 3000, 'Cal.com cannot be reached', ?)"_s,
                         {now})
                    .ok());
        page.refresh();
        QCOMPARE(page.tileState(u"calcom"_s), u"down"_s);
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().at(0).toString(), u"calcom"_s);
        page.refresh(); // the state holds: no second notice
        QCOMPARE(changes.size(), 1);
    }

    void emptyDatabaseSaysSo()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        HealthPage page(db, nullptr, ServerConfig());
        QCOMPARE(page.tileCount(), 0);
        QVERIFY(page.metricsText().contains(u"no data yet"_s));
    }
};

QTEST_MAIN(TestHealthPage)
#include "test_health_page.moc"
