// Requests refused for their signature cost nothing lasting: counted per provider and reason (/metrics and the
// admin API), a sample of at most 100 bodies of at most 4 KB kept in memory, nothing stored in the database;
// and one address that keeps being refused is answered 429, while correctly signed webhooks and live
// functions from that same address are never limited. Real server on loopback, both engines.
#include "apisession.h"
#include "core/clock.h"
#include "http/askproserver.h"
#include "httptestclient.h"
#include "intake/refusedrequests.h"
#include "intake/signatures.h"
#include "security/credentialstore.h"
#include "testdatabase.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {
const QByteArray retellKey = "key_retell_refused_01";
const QByteArray calcomSecret = "calcom_refused_secret";
const QByteArray stripeSecret = "whsec_refused_test";

QByteArray callEvent(const QByteArray &callId)
{
    return R"({"event":"call_ended","call":{"call_id":")" + callId + R"(","to_number":"+4930123456","call_status":"ended"}})";
}

// A body of exactly `size` bytes that masking leaves as it is: only digits and x.
QByteArray padded(int number, qsizetype size)
{
    QByteArray body = QByteArray::number(number).rightJustified(6, '0') + ':';
    body.append(QByteArray(size - body.size(), 'x'));
    return body;
}

// The database's size in bytes: pages in use on SQLite (WAL content included), the database on PostgreSQL.
qint64 databaseBytes(Database &db)
{
    if (db.engine() == Engine::Sqlite)
        return db.scalar(u"PRAGMA page_count"_s)->toLongLong() * db.scalar(u"PRAGMA page_size"_s)->toLongLong();
    return db.scalar(u"SELECT pg_database_size(current_database())"_s)->toLongLong();
}

// Posts `count` unsigned bodies of `size` bytes, 16 at a time on one client; returns how many were answered
// with `status`.
int postMany(const QUrl &url, int count, qsizetype size, int status)
{
    QNetworkAccessManager network;
    QEventLoop loop;
    int sent = 0;
    int answered = 0;
    int matched = 0;
    std::function<void()> next = [&] {
        if (sent >= count)
            return;
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = network.post(request, padded(sent++, size));
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply] {
            matched += reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == status ? 1 : 0;
            reply->deleteLater();
            if (++answered == count)
                loop.quit();
            else
                next();
        });
    };
    for (int i = 0; i < 16; ++i)
        next();
    loop.exec();
    return matched;
}

} // namespace

class TestRefusedRequests final : public QObject
{
    Q_OBJECT
private:
    // A server with a signed-in support user (view_payloads) and the platform's keys for every provider.
    std::unique_ptr<test::ApiSession> start(const QString &engine, const ServerConfig &config)
    {
        auto db = test::freshDatabase(engine);
        if (!db)
            qFatal("no %s database", qPrintable(engine));
        auto session = test::startApiSession(db, Role::Support, 0, QString(), config);
        CredentialStore &credentials = session->server->credentials();
        if (!credentials.put({std::nullopt, u"retell"_s, {}, retellKey, {}}).ok()
            || !credentials.put({std::nullopt, u"calcom"_s, {}, "cal_key", calcomSecret}).ok()
            || !credentials.put({std::nullopt, u"stripe"_s, {}, "sk_test", stripeSecret}).ok())
            qFatal("cannot store the test keys");
        return session;
    }
    static QUrl url(const test::ApiSession &s, const QString &path) { return s.account->server().resolved(QUrl(path)); }
    static ServerConfig limitedTo(int perMinute)
    {
        ServerConfig config;
        config.refusedPerMinute = perMinute;
        return config;
    }
    static qint64 count(const client::Json &answer, const char *provider, const char *reason)
    {
        for (const client::Json &c : answer["counts"])
            if (c["provider"] == provider && c["reason"] == reason)
                return c["count"].get<qint64>();
        return 0;
    }
    static test::HttpAnswer signedRetell(const test::ApiSession &s, const QString &path, const QByteArray &body)
    {
        return test::httpSend("POST", url(s, path), body, {{"X-Retell-Signature", WebhookSignatures::signRetell(body, retellKey, nowMs())}});
    }

private Q_SLOTS:
    // The bucket itself: a burst of perMinute refusals, refilled steadily; an IPv6 /64 is one client.
    void bucketRefillsAndGroupsIPv6()
    {
        RefusedRequests refused(600); // one refusal back every 100 ms
        for (int i = 0; i < 600; ++i) {
            QVERIFY(!refused.limited(u"2001:db8:1:2::10"_s));
            refused.record(u"retell"_s, u"missing"_s, u"2001:db8:1:2::10"_s, {});
        }
        QVERIFY(refused.limited(u"2001:db8:1:2::10"_s));
        QVERIFY(refused.limited(u"2001:db8:1:2:ffff::1"_s)); // same /64
        QVERIFY(!refused.limited(u"2001:db8:1:3::10"_s));     // the next /64
        QVERIFY(!refused.limited(u"192.0.2.1"_s));
        QVERIFY(!refused.limited(u"::ffff:192.0.2.2"_s)); // an IPv4 client on a dual-stack socket
        QTest::qWait(250);
        QVERIFY(!refused.limited(u"2001:db8:1:2::10"_s));
        QCOMPARE(refused.retryAfterSeconds(), 1);
        QCOMPARE(RefusedRequests(60).retryAfterSeconds(), 1);
        QCOMPARE(RefusedRequests(5).retryAfterSeconds(), 12);
        QVERIFY(!RefusedRequests(0).limited(u"192.0.2.1"_s)); // 0: no limit
        QCOMPARE(refused.counts().value({u"retell"_s, u"missing"_s}), 600);
        QVERIFY(refused.sample().isEmpty()); // empty bodies are not sampled
    }

    void refusedAreCountedNotStored_data() { test::addEngineRows(); }
    void refusedAreCountedNotStored()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, limitedTo(0));
        Database &db = s->server->database();
        const QByteArray body = callEvent("call_refused");
        for (int i = 0; i < 3; ++i)
            QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/retell"_s), body).status, 401);
        QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/retell"_s), body, {{"X-Retell-Signature", "v=soon,d=00"}}).status, 401);
        QCOMPARE(test::httpSend("POST", url(*s, u"/functions/book-appointment"_s), body).status, 401);
        const QByteArray cal = R"({"triggerEvent":"BOOKING_CANCELLED","payload":{"uid":"u1"}})";
        for (int i = 0; i < 2; ++i)
            QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/calcom"_s), cal, {{"X-Cal-Signature-256", WebhookSignatures::signCalcom(cal, "forged")}}).status,
                     401);
        QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/stripe"_s), R"({"id":"evt_1","type":"invoice.paid"})", {{"Stripe-Signature", "t=1,v1=00"}}).status,
                 400);
        QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/calcom"_s), QByteArray(1024 * 1024 + 1, 'x')).status, 413);

        // Not acknowledged, so not stored: the inbox holds only what was signed.
        QCOMPARE(db.scalar(u"SELECT COUNT(*) FROM webhook_inbox"_s)->toInt(), 0);
        QCOMPARE(db.scalar(u"SELECT COUNT(*) FROM jobs"_s)->toInt(), 0);
        // One signed delivery next to them is stored and queued as ever.
        QCOMPARE(signedRetell(*s, u"/webhooks/retell"_s, body).status, 200);
        QCOMPARE(db.scalar(u"SELECT COUNT(*) FROM webhook_inbox"_s)->toInt(), 1);

        const client::ApiResult refused = test::waitFor(s->account->get(u"/inbox/refused"_s));
        QVERIFY2(refused.ok(), qPrintable(refused.errorMessage));
        QCOMPARE(count(refused.body, "retell", "missing"), 4); // three webhooks, one live function
        QCOMPARE(count(refused.body, "retell", "malformed"), 1);
        QCOMPARE(count(refused.body, "calcom", "wrong"), 2);
        QCOMPARE(count(refused.body, "stripe", "stale"), 1);
        QCOMPARE(count(refused.body, "calcom", "too_large"), 1);
        QCOMPARE(refused.body["sample"].size(), std::size_t(9));
        QCOMPARE(QString::fromStdString(refused.body["sample"][0]["provider"].get<std::string>()), QStringLiteral("calcom")); // newest first
        QCOMPARE(refused.body["sample"][0]["size"].get<qint64>(), 1024 * 1024 + 1);
        QCOMPARE(QString::fromStdString(refused.body["sample"][0]["address"].get<std::string>()), QStringLiteral("127.0.0.1"));

        const auto metrics = test::httpSend("GET", url(*s, u"/metrics"_s));
        QCOMPARE(metrics.status, 200);
        QVERIFY2(metrics.body.contains("askpro_refused_requests_total{provider=\"retell\",reason=\"missing\"} 4\n"), metrics.body.constData());
        QVERIFY(metrics.body.contains("askpro_refused_requests_total{provider=\"calcom\",reason=\"wrong\"} 2\n"));
    }

    // The last 100 bodies, each cut at 4 KB, the oldest dropped first.
    void sampleIsBounded_data() { test::addEngineRows(); }
    void sampleIsBounded()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, limitedTo(0));
        for (int i = 0; i < 150; ++i)
            QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/retell"_s), padded(i, 10 * 1024)).status, 401);
        const client::ApiResult refused = test::waitFor(s->account->get(u"/inbox/refused"_s));
        QVERIFY2(refused.ok(), qPrintable(refused.errorMessage));
        QCOMPARE(count(refused.body, "retell", "missing"), 150);
        const client::Json &sample = refused.body["sample"];
        QCOMPARE(sample.size(), std::size_t(RefusedRequests::sampleLimit));
        for (std::size_t i = 0; i < sample.size(); ++i) {
            const std::string text = sample[i]["body"].get<std::string>();
            QCOMPARE(qsizetype(text.size()), RefusedRequests::sampleBytes);
            QCOMPARE(sample[i]["size"].get<qint64>(), 10 * 1024);
            QCOMPARE(QByteArray::fromStdString(text.substr(0, 6)), QByteArray::number(149 - int(i)).rightJustified(6, '0'));
        }
    }

    // 1,000 unsigned 60 KB posts: the database does not grow by their bodies (it grew by 60 MB before).
    void floodLeavesTheDatabaseAlone_data() { test::addEngineRows(); }
    void floodLeavesTheDatabaseAlone()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, limitedTo(0)); // every one of them refused and sampled, none merely turned away
        Database &db = s->server->database();
        const qint64 before = databaseBytes(db);
        QCOMPARE(postMany(url(*s, u"/webhooks/calcom"_s), 1000, 60 * 1024, 401), 1000);
        const qint64 grown = databaseBytes(db) - before;
        qInfo("database grew by %lld bytes after 1,000 refused 60 KB posts (%s)", grown, qPrintable(engine));
        QVERIFY2(grown < 256 * 1024, qPrintable(u"grew by %1 bytes"_s.arg(grown)));
        QCOMPARE(db.scalar(u"SELECT COUNT(*) FROM webhook_inbox"_s)->toInt(), 0);
    }

    // Beyond the limit an address is answered 429 with Retry-After; its signed webhooks and live functions
    // are still accepted and stored, and its sign-ins are turned away too.
    void limitAnswers429ButNeverToSignedRequests_data() { test::addEngineRows(); }
    void limitAnswers429ButNeverToSignedRequests()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, limitedTo(5));
        Database &db = s->server->database();
        const QByteArray unsignedBody = padded(0, 1000);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/retell"_s), unsignedBody).status, 401);
        for (const QString &path : {u"/webhooks/retell"_s, u"/webhooks/calcom"_s, u"/functions/check-availability"_s, u"/webhooks/retell-inbound"_s}) {
            const auto limited = test::httpSend("POST", url(*s, path), unsignedBody);
            QCOMPARE(limited.status, 429);
            QCOMPARE(limited.header("Retry-After"), QByteArray("12")); // one refusal back every 60/5 s
        }
        for (int i = 0; i < 20; ++i) {
            const auto answer = signedRetell(*s, u"/webhooks/retell"_s, callEvent("call_signed_" + QByteArray::number(i)));
            QCOMPARE(answer.status, 200);
        }
        QCOMPARE(signedRetell(*s, u"/functions/collect-appointment-data"_s, callEvent("call_signed_0")).status, 200);
        QCOMPARE(db.scalar(u"SELECT COUNT(*) FROM webhook_inbox WHERE status = 'pending'"_s)->toInt(), 20);
        QCOMPARE(db.scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'retell.event'"_s)->toInt(), 20);
        // The same address signing in: turned away before its password is checked.
        const auto signIn = test::httpSend("POST", url(*s, u"/api/v1/sessions"_s), R"({"user":"test-support","password":"wrong password 1"})");
        QCOMPARE(signIn.status, 429);
        QVERIFY(!signIn.header("Retry-After").isEmpty());

        const client::ApiResult refused = test::waitFor(s->account->get(u"/inbox/refused"_s));
        QVERIFY2(refused.ok(), qPrintable(refused.errorMessage));
        QCOMPARE(count(refused.body, "retell", "missing"), 5);
        QCOMPARE(count(refused.body, "retell", "rate_limited"), 3);
        QCOMPARE(count(refused.body, "calcom", "rate_limited"), 1);
        QCOMPARE(count(refused.body, "admin", "rate_limited"), 1);
        QCOMPARE(refused.body["sample"].size(), std::size_t(5)); // a 429 keeps no body
    }

    // Failed sign-ins fill the same bucket as refused webhooks (and keep no body: it holds a password).
    void failedSignInsCount_data() { test::addEngineRows(); }
    void failedSignInsCount()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, limitedTo(3));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(test::httpSend("POST", url(*s, u"/api/v1/sessions"_s), R"({"user":"test-support","password":"wrong password 1"})").status, 401);
        QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/calcom"_s), "{}").status, 429);
        QCOMPARE(test::httpSend("POST", url(*s, u"/api/v1/sessions"_s), R"({"user":"test-support","password":"test-passwort-lang"})").status, 429);
        const client::ApiResult refused = test::waitFor(s->account->get(u"/inbox/refused"_s));
        QVERIFY2(refused.ok(), qPrintable(refused.errorMessage));
        QCOMPARE(count(refused.body, "admin", "sign_in"), 3);
        QCOMPARE(refused.body["sample"].size(), std::size_t(0));
    }

    // Behind a trusted proxy each client has its own bucket (X-Forwarded-For's last hop); from anyone else,
    // X-Forwarded-For is ignored.
    void addressesBehindATrustedProxy_data() { test::addEngineRows(); }
    void addressesBehindATrustedProxy()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        {
            ServerConfig config = limitedTo(2);
            config.trustedProxies = {QHostAddress(u"127.0.0.1"_s)};
            auto s = start(engine, config);
            const auto from = [&](const QByteArray &client) {
                return test::httpSend("POST", url(*s, u"/webhooks/retell"_s), "{}", {{"X-Forwarded-For", "10.9.9.9, " + client}}).status;
            };
            QCOMPARE(from("203.0.113.7"), 401);
            QCOMPARE(from("203.0.113.7"), 401);
            QCOMPARE(from("203.0.113.7"), 429);
            QCOMPARE(from("203.0.113.8"), 401);
            const client::ApiResult refused = test::waitFor(s->account->get(u"/inbox/refused"_s));
            QCOMPARE(QString::fromStdString(refused.body["sample"][0]["address"].get<std::string>()), QStringLiteral("203.0.113.8"));
        }
        {
            auto s = start(engine, limitedTo(2)); // no trusted proxy: every request is 127.0.0.1's
            for (const QByteArray client : {"203.0.113.7", "203.0.113.8"})
                QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/retell"_s), "{}", {{"X-Forwarded-For", client}}).status, 401);
            QCOMPARE(test::httpSend("POST", url(*s, u"/webhooks/retell"_s), "{}", {{"X-Forwarded-For", "203.0.113.9"}}).status, 429);
        }
    }

    // The route is for holders of view_payloads, like the inbox itself.
    void routeNeedsViewPayloads_data() { test::addEngineRows(); }
    void routeNeedsViewPayloads()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto db = test::freshDatabase(engine);
        QVERIFY(db);
        const auto [companyId, branchId] = test::plantCompanyAndBranch(*db, u"+4930999000"_s);
        Q_UNUSED(branchId);
        auto s = test::startApiSession(db, Role::CompanyOwner, companyId);
        QCOMPARE(test::waitFor(s->account->get(u"/inbox/refused"_s)).status, 403);
        QCOMPARE(test::httpSend("GET", url(*s, u"/api/v1/inbox/refused"_s)).status, 401);
    }
};

QTEST_MAIN(TestRefusedRequests)
#include "test_refused_requests.moc"
