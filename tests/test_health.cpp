// Health checks against the sandbox and a real SMTP server: an outage is noticed and alerted once, its
// recovery once more; a stalled worker is noticed; /metrics serves Prometheus text.
#include "core/clock.h"
#include "flowfixture.h"
#include "health/healthcheck.h"
#include "http/askproserver.h"
#include "integrations/retellclient.h"
#include "httptestclient.h"
#include "security/credentialstore.h"
#include "testdatabase.h"

#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

QList<CheckResult> runChecks(HealthChecker &checker)
{
    QList<CheckResult> results;
    bool done = false;
    checker.runAll([&](const QList<CheckResult> &r) {
        results = r;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000))
        qWarning("health checks did not finish in 20 s");
    return results;
}

QString stateOf(const QList<CheckResult> &results, const QString &name)
{
    for (const CheckResult &r : results)
        if (r.name == name)
            return r.state;
    return {};
}

} // namespace

class TestHealth final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void outageAlertsOnceAndRecovers_data() { test::addEngineRows(); }
    void outageAlertsOnceAndRecovers()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = test::FlowFixture::create(engine);
        QVERIFY(f);
        QVERIFY(f->server->credentials().put({std::nullopt, u"stripe"_s, f->providers->baseUrl(sandbox::Provider::Stripe).toString(),
                                              "sk_test_sandbox", "whsec_sandbox"}).ok());
        QNetworkAccessManager network;
        HealthChecker checker(*f->db, f->server->credentials(), &network, f->config());
        QTRY_VERIFY_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM workers"_s) > 0, 5000);

        auto healthy = runChecks(checker);
        QCOMPARE(healthy.size(), 9);
        for (const CheckResult &r : healthy)
            QVERIFY2(r.state == u"ok"_s, qPrintable(r.name + u": "_s + r.message));
        QVERIFY(checker.record(healthy, u"ops@askproai.example"_s).ok());
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'alert'"_s), 0);

        sandbox::FaultSettings down;
        down.errorRate = 1.0;
        f->providers->setFaults(sandbox::Provider::Calcom, down);
        for (int round = 0; round < 3; ++round) { // the state holds: still one alert
            auto results = runChecks(checker);
            QCOMPARE(stateOf(results, u"calcom"_s), u"down"_s);
            QVERIFY(checker.record(results, u"ops@askproai.example"_s).ok());
        }
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'alert'"_s), 1);
        QVERIFY(f->db->scalar(u"SELECT subject FROM notifications WHERE kind = 'alert'"_s)->toString().contains(u"calcom is down"_s));

        f->providers->setFaults(sandbox::Provider::Calcom, {});
        auto recovered = runChecks(checker);
        QCOMPARE(stateOf(recovered, u"calcom"_s), u"ok"_s);
        auto changes = checker.record(recovered, u"ops@askproai.example"_s);
        QVERIFY(changes.ok());
        QCOMPARE(changes->size(), 1);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'alert'"_s), 2);
        // The alerts go out through the same mail path as confirmations.
        QTRY_COMPARE_WITH_TIMEOUT(f->smtp.messages().size(), 2, 20000);
    }

    // Each live company's Cal.com key is tried, not only the first company's; every active branch's number must
    // still be in the Retell account, answered by its agent, and ask our addresses. Each fault is named.
    void everyCompanyKeyAndNumberBinding_data() { test::addEngineRows(); }
    void everyCompanyKeyAndNumberBinding()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = test::FlowFixture::create(engine);
        QVERIFY(f);
        QNetworkAccessManager network;
        HealthChecker checker(*f->db, f->server->credentials(), &network, f->config());
        auto healthy = runChecks(checker);
        QCOMPARE(stateOf(healthy, u"numbers"_s), u"ok"_s);
        QCOMPARE(stateOf(healthy, u"calcom"_s), u"ok"_s);

        // A second business whose Cal.com key no longer opens: the first still books, so degraded, naming it.
        const auto [other, otherBranch] = test::plantCompanyAndBranch(*f->db, u"+4940555000"_s);
        Q_UNUSED(otherBranch);
        QVERIFY(f->db->exec(u"UPDATE companies SET name = 'Physio Nord' WHERE id = ?"_s, {other}).ok());
        QVERIFY(f->server->credentials().put({other, u"calcom"_s, {}, "cal_revoked_key", "hook"}).ok());
        auto oneKeyFails = runChecks(checker);
        QCOMPARE(stateOf(oneKeyFails, u"calcom"_s), u"degraded"_s);
        for (const CheckResult &r : oneKeyFails)
            if (r.name == u"calcom"_s)
                QVERIFY2(r.message.contains(u"Physio Nord"_s) && r.message.contains(u"1 of 2"_s), qPrintable(r.message));
        QVERIFY(f->server->credentials().put({f->companyId, u"calcom"_s, {}, "cal_revoked_too", "hook"}).ok());
        QCOMPARE(stateOf(runChecks(checker), u"calcom"_s), u"down"_s);

        // Someone points the number's inbound webhook elsewhere at Retell: calls lose the agent's date and hours.
        RetellClient retell(&network, f->providers->baseUrl(sandbox::Provider::Retell), "key_sandbox_retell");
        QVERIFY(test::await(retell.bindPhoneNumber(test::branchNumber, f->agentId, u"https://elsewhere.example/inbound"_s)));
        auto misrouted = runChecks(checker);
        QCOMPARE(stateOf(misrouted, u"numbers"_s), u"down"_s);
        for (const CheckResult &r : misrouted)
            if (r.name == u"numbers"_s)
                QVERIFY2(r.message.contains(test::branchNumber) && r.message.contains(u"another address"_s), qPrintable(r.message));
        QVERIFY(test::await(retell.bindPhoneNumber(test::branchNumber, f->agentId, u"http://127.0.0.1:%1/webhooks/retell-inbound"_s.arg(f->port))));
        QCOMPARE(stateOf(runChecks(checker), u"numbers"_s), u"ok"_s);

        // The number is released at Retell: calls to it reach nobody.
        QVERIFY(test::await(retell.deletePhoneNumber(test::branchNumber)));
        auto gone = runChecks(checker);
        for (const CheckResult &r : gone)
            if (r.name == u"numbers"_s) {
                QCOMPARE(r.state, u"down"_s);
                QVERIFY2(r.message.contains(u"not in the Retell account"_s), qPrintable(r.message));
            }
    }

    void changedBaseUrlIsRefused_data() { test::addEngineRows(); }
    void changedBaseUrlIsRefused()
    {
        // Whoever can write the database but lacks the key file points Stripe's address at a listener of
        // theirs: the key is refused there, the health page says why, and nothing reaches the listener.
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = test::FlowFixture::create(engine);
        QVERIFY(f);
        const QString stripeUrl = f->providers->baseUrl(sandbox::Provider::Stripe).toString();
        QVERIFY(f->server->credentials().put({std::nullopt, u"stripe"_s, stripeUrl, "sk_test_sandbox", "whsec_sandbox"}).ok());
        QNetworkAccessManager network;
        HealthChecker checker(*f->db, f->server->credentials(), &network, f->config());
        QTRY_VERIFY_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM workers"_s) > 0, 5000);
        QCOMPARE(stateOf(runChecks(checker), u"stripe"_s), u"ok"_s); // the address stored with the key is used

        QTcpServer attacker;
        QVERIFY(attacker.listen(QHostAddress::LocalHost));
        int arrived = 0;
        connect(&attacker, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket *socket = attacker.nextPendingConnection()) {
                ++arrived;
                socket->close();
            }
        });
        const QString elsewhere = u"http://127.0.0.1:%1/v1"_s.arg(attacker.serverPort());
        QVERIFY(f->db->exec(u"UPDATE api_credentials SET base_url = ? WHERE provider = 'stripe'"_s, {elsewhere}).ok());

        auto refused = f->server->credentials().get(std::nullopt, u"stripe"_s);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, u"credentials.base_url_changed"_s);
        const auto results = runChecks(checker);
        QCOMPARE(stateOf(results, u"stripe"_s), u"down"_s);
        for (const CheckResult &r : results)
            if (r.name == u"stripe"_s) {
                QVERIFY2(r.message.contains(u"stripe credential of the platform"_s), qPrintable(r.message));
                QVERIFY2(r.message.contains(elsewhere), qPrintable(r.message));
            }
        QTest::qWait(300);
        QCOMPARE(arrived, 0);

        // Set back, the key works again; stored anew through the store, a new address is meant and used.
        QVERIFY(f->db->exec(u"UPDATE api_credentials SET base_url = ? WHERE provider = 'stripe'"_s, {stripeUrl}).ok());
        QCOMPARE(stateOf(runChecks(checker), u"stripe"_s), u"ok"_s);
        QVERIFY(f->server->credentials().put({std::nullopt, u"stripe"_s, elsewhere, "sk_test_sandbox", "whsec_sandbox"}).ok());
        (void)runChecks(checker);
        QTRY_VERIFY_WITH_TIMEOUT(arrived > 0, 5000);
    }

    void stalledWorkerIsNoticed()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const qint64 now = nowMs();
        QVERIFY(db->exec(u"INSERT INTO workers (id, host, pid, started_at, heartbeat_at) VALUES ('w-alive', 'h', 1, ?, ?), "
                         "('w-stuck', 'h', 2, ?, ?)"_s,
                         {now, now, now - 120000, now - 90000})
                    .ok());
        CredentialStore credentials(*db, SecretBox(SecretBox::newKey()));
        HealthChecker checker(*db, credentials, nullptr, ServerConfig());
        const auto local = checker.localChecks();
        QCOMPARE(stateOf(local, u"workers"_s), u"degraded"_s);
        for (const CheckResult &r : local)
            if (r.name == u"workers"_s)
                QVERIFY(r.message.contains(u"w-stuck"_s));
        // With no worker left alive nothing is processed at all: that is down, not degraded.
        QVERIFY(db->exec(u"DELETE FROM workers WHERE id = 'w-alive'"_s).ok());
        QCOMPARE(stateOf(checker.localChecks(), u"workers"_s), u"down"_s);
    }

    void metricsServePrometheusText()
    {
        auto f = test::FlowFixture::create(u"sqlite"_s);
        QVERIFY(f);
        const QUrl base(u"http://127.0.0.1:%1"_s.arg(f->port));
        QCOMPARE(test::httpSend("GET", base.resolved(QUrl(u"/health"_s))).status, 200);
        const auto metrics = test::httpSend("GET", base.resolved(QUrl(u"/metrics"_s)));
        QCOMPARE(metrics.status, 200);
        for (const char *name : {"# TYPE askpro_http_requests_total counter", "askpro_jobs{status=\"queued\"}",
                                 "askpro_workers_alive", "askpro_webhook_to_booking_seconds{quantile=\"0.95\"}",
                                 "askpro_http_requests_total{path=\"/health\",status=\"200\"} 1"})
            QVERIFY2(metrics.body.contains(name), name);

        // Made-up paths, a percent-encoded line feed among them, share one bucket and inject nothing.
        for (const char *path : {"/no-such-page", "/x%0Aaskpro_workers_alive%20999", "/another"})
            QCOMPARE(test::httpSend("GET", QUrl(base.toString() + QString::fromLatin1(path))).status, 404);
        const auto after = test::httpSend("GET", base.resolved(QUrl(u"/metrics"_s)));
        QVERIFY2(after.body.contains("askpro_http_requests_total{path=\"other\",status=\"404\"} 3"), after.body.constData());
        QVERIFY(!after.body.contains("999"));
        QVERIFY(!after.body.contains("no-such-page"));
    }

    // /metrics and the detail of /health: for this machine when no token is set, but not for what a local
    // reverse proxy forwards; with a token, only for its bearer. /health's bare status is public.
    void monitoringIsProtected()
    {
        auto f = test::FlowFixture::create(u"sqlite"_s);
        QVERIFY(f);
        const QUrl base(u"http://127.0.0.1:%1"_s.arg(f->port));
        const QList<QPair<QByteArray, QByteArray>> forwarded{{"X-Forwarded-For", "203.0.113.7"}};
        QCOMPARE(test::httpSend("GET", base.resolved(QUrl(u"/metrics"_s)), {}, forwarded).status, 401);
        // Degraded until the new server's workers have beaten once (a loaded machine starts them late).
        const auto bareHealth = [&] { return test::httpSend("GET", base.resolved(QUrl(u"/health"_s)), {}, forwarded); };
        QCOMPARE(bareHealth().status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(bareHealth().body, QByteArray("{\"status\":\"ok\"}"), 10000);

        ServerConfig config = f->config();
        config.monitoringToken = u"monitor-0123456789abcdef"_s;
        AskProServer guarded(f->db, SecretBox(SecretBox::newKey()), config, false);
        auto port = guarded.start(QHostAddress::LocalHost, 0);
        QVERIFY(port.ok());
        const QUrl other(u"http://127.0.0.1:%1"_s.arg(*port));
        QCOMPARE(test::httpSend("GET", other.resolved(QUrl(u"/metrics"_s))).status, 401); // loopback alone is not enough now
        QCOMPARE(test::httpSend("GET", other.resolved(QUrl(u"/metrics"_s)), {}, {{"Authorization", "Bearer monitor-0123456789abcdeX"}}).status, 401);
        QCOMPARE(test::httpSend("GET", other.resolved(QUrl(u"/metrics"_s)), {}, {{"Authorization", "Bearer monitor-0123456789abcdef"}}).status, 200);
        const auto detail = test::httpSend("GET", other.resolved(QUrl(u"/health"_s)), {}, {{"Authorization", "Bearer monitor-0123456789abcdef"}});
        QVERIFY(detail.body.contains("\"backlog\""));
        QVERIFY(!test::httpSend("GET", other.resolved(QUrl(u"/health"_s))).body.contains("\"backlog\""));
    }
};

QTEST_GUILESS_MAIN(TestHealth)
#include "test_health.moc"
