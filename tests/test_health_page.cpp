// The health dashboard, read through the admin API of a real server: the stored checks as tiles, a change of
// state noticed, the success metrics with their targets (not for a business account), and "check now" run by
// the server's workers.
#include "apisession.h"
#include "core/clock.h"
#include "pages/healthpage.h"
#include "testdatabase.h"

#include <QGroupBox>
#include <QPushButton>

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

        auto session = test::startApiSession(db, Role::Support);
        HealthPage page(*session->account);
        QSignalSpy refreshed(&page, &HealthPage::refreshed);
        QVERIFY(refreshed.wait(10000));
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
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(page.tileState(u"calcom"_s), u"down"_s);
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().at(0).toString(), u"calcom"_s);
        page.refresh(); // the state holds: no second notice
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(changes.size(), 1);

        // A business owner sees the checks, not the platform's figures.
        auto owner = test::startApiSession(db, Role::CompanyOwner, company);
        HealthPage ownersView(*owner->account);
        QSignalSpy ownerRefreshed(&ownersView, &HealthPage::refreshed);
        QVERIFY(ownerRefreshed.wait(10000));
        QCOMPARE(ownersView.tileCount(), 8);
        QVERIFY(ownersView.metricsText().isEmpty());
        QVERIFY(!test::waitFor(owner->account->get(u"/health/checks"_s)).body.contains("metrics"));
    }

    // "Check now": the server's workers run every check (providers unreachable here: reported down) and the
    // page shows the new results once they are stored.
    void checkNowRunsOnTheServer()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        ServerConfig config;
        config.workers = 1;
        config.pollIntervalMs = 100;
        config.endpoints.retell = QUrl(u"http://127.0.0.1:1"_s);
        config.endpoints.calcom = QUrl(u"http://127.0.0.1:1"_s);
        config.endpoints.stripe = QUrl(u"http://127.0.0.1:1"_s);
        config.endpoints.timeoutMs = 2000;
        config.smtp.url = u"smtp://127.0.0.1:1"_s;
        config.smtp.timeoutMs = 2000;
        auto session = test::startApiSession(db, Role::Support, 0, QString(), config, true);
        HealthPage page(*session->account);
        QSignalSpy refreshed(&page, &HealthPage::refreshed);
        QVERIFY(refreshed.wait(10000));
        auto *button = page.findChild<QPushButton *>(u"checkNow"_s);
        QVERIFY(button->isEnabled());
        button->click();
        QVERIFY(!button->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(button->isEnabled(), 30000);
        QVERIFY(page.tileCount() >= 5);
        QCOMPARE(page.tileState(u"database"_s), u"ok"_s);
        QVERIFY(db->scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'health.run'"_s)->toInt() >= 1);
    }

    void emptyDatabaseSaysSo()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        auto session = test::startApiSession(db, Role::Support);
        HealthPage page(*session->account);
        QSignalSpy refreshed(&page, &HealthPage::refreshed);
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(page.tileCount(), 0);
        QVERIFY(page.metricsText().contains(u"no data yet"_s));
    }
};

QTEST_MAIN(TestHealthPage)
#include "test_health_page.moc"
