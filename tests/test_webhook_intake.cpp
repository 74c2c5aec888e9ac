// Webhook intake over real HTTP on both engines: what is accepted, stored, deduplicated or refused, and why.
#include "core/clock.h"
#include "http/askproserver.h"
#include "httptestclient.h"
#include "intake/signatures.h"
#include "intake/webhookinbox.h"
#include "security/credentialstore.h"
#include "testdatabase.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {
const QByteArray retellKey = "key_retell_test_0001";
const QByteArray calcomSecret = "calcom_webhook_secret";

QByteArray callEvent(const char *event, const char *callId)
{
    return QByteArray(R"({"event":")") + event + R"(","call":{"call_id":")" + callId
        + R"(","to_number":"+4930123456","from_number":"+491701234567","call_status":"ended"}})";
}
} // namespace

class TestWebhookIntake final : public QObject
{
    Q_OBJECT
private:
    struct Running
    {
        std::shared_ptr<Database> db;
        std::unique_ptr<AskProServer> server;
        QUrl base;
    };
    // Intake only (no workers), so the test sees exactly what intake stored.
    Running start(const QString &engine)
    {
        Running r;
        r.db = test::freshDatabase(engine);
        r.server = std::make_unique<AskProServer>(r.db, SecretBox(SecretBox::newKey()), ServerConfig(), false);
        [&] {
            QVERIFY(r.server->credentials().put({std::nullopt, u"retell"_s, {}, retellKey, {}}).ok());
            QVERIFY(r.server->credentials().put({std::nullopt, u"calcom"_s, {}, "cal_test_key", calcomSecret}).ok());
        }();
        auto port = r.server->start(QHostAddress::LocalHost, 0);
        r.base = QUrl(u"http://127.0.0.1:%1"_s.arg(port.ok() ? *port : 0));
        return r;
    }

private Q_SLOTS:
    void retellDeliveries_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("signature");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("stored"); // inbox status, or empty for nothing stored
        QTest::addColumn<int>("jobs");
        const qint64 now = nowMs();
        const QByteArray ended = callEvent("call_ended", "call_1");
        for (const QString &engine : {u"sqlite"_s, u"postgresql"_s}) {
            const auto row = [&](const char *name) { return &QTest::addRow("%s: %s", qPrintable(engine), name); };
            *row("valid call_ended") << engine << ended << WebhookSignatures::signRetell(ended, retellKey, now) << 200 << u"pending"_s << 1;
            *row("event_type spelling") << engine << QByteArray(ended).replace("\"event\"", "\"event_type\"")
                                        << WebhookSignatures::signRetell(QByteArray(ended).replace("\"event\"", "\"event_type\""), retellKey, now)
                                        << 200 << u"pending"_s << 1;
            const QByteArray transcript = callEvent("transcript_updated", "call_1");
            *row("ignored event is stored") << engine << transcript << WebhookSignatures::signRetell(transcript, retellKey, now) << 200
                                            << u"ignored"_s << 0;
            // Refused for the signature: not acknowledged, so not stored (counted and sampled in memory instead,
            // test_refused_requests).
            *row("missing signature") << engine << ended << QByteArray() << 401 << QString() << 0;
            *row("wrong key") << engine << ended << WebhookSignatures::signRetell(ended, "key_other", now) << 401 << QString() << 0;
            *row("stale signature") << engine << ended << WebhookSignatures::signRetell(ended, retellKey, now - 10 * 60 * 1000) << 401
                                    << QString() << 0;
            const QByteArray broken = "{\"event\": \"call_ended\", ";
            *row("malformed JSON") << engine << broken << WebhookSignatures::signRetell(broken, retellKey, now) << 400 << u"rejected"_s << 0;
            const QByteArray noCall = R"({"event":"call_ended","call":{}})";
            *row("no call_id") << engine << noCall << WebhookSignatures::signRetell(noCall, retellKey, now) << 400 << u"rejected"_s << 0;
            const QByteArray huge = "{\"event\":\"call_ended\",\"pad\":\"" + QByteArray(1024 * 1024, 'x') + "\"}";
            *row("over 1 MiB") << engine << huge << WebhookSignatures::signRetell(huge, retellKey, now) << 413 << QString() << 0;
        }
    }
    void retellDeliveries()
    {
        QFETCH(QString, engine);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, signature);
        QFETCH(int, status);
        QFETCH(QString, stored);
        QFETCH(int, jobs);
        ASKPRO_REQUIRE_ENGINE(engine);
        Running r = start(engine);
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!signature.isEmpty())
            headers.append({"X-Retell-Signature", signature}); // header names are case-insensitive
        const auto answer = test::httpSend("POST", r.base.resolved(QUrl(u"/webhooks/retell"_s)), body, headers);
        QCOMPARE(answer.status, status);
        if (status != 200)
            QVERIFY2(answer.body.contains("\"message\""), answer.body.constData());
        auto inbox = r.db->exec(u"SELECT status, error FROM webhook_inbox"_s);
        QVERIFY(inbox.ok());
        if (stored.isEmpty()) {
            QVERIFY(!inbox->next());
        } else {
            QVERIFY(inbox->next());
            QCOMPARE(inbox->value(0).toString(), stored);
            if (stored == u"rejected"_s)
                QVERIFY(!inbox->value(1).toString().isEmpty()); // the reason is visible to support
        }
        QCOMPARE(r.db->scalar(u"SELECT COUNT(*) FROM jobs"_s)->toInt(), jobs);
    }

    void duplicateIsAcknowledgedOnce_data() { test::addEngineRows(); }
    void duplicateIsAcknowledgedOnce()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        Running r = start(engine);
        const QByteArray body = callEvent("call_analyzed", "call_dup");
        for (int i = 0; i < 3; ++i) {
            const auto answer = test::httpSend("POST", r.base.resolved(QUrl(u"/webhooks/retell"_s)), body,
                                               {{"x-retell-signature", WebhookSignatures::signRetell(body, retellKey, nowMs())}});
            QCOMPARE(answer.status, 200);
            QCOMPARE(answer.body.contains("\"duplicate\":true"), i > 0);
        }
        QCOMPARE(r.db->scalar(u"SELECT COUNT(*) FROM webhook_inbox"_s)->toInt(), 1);
        QCOMPARE(r.db->scalar(u"SELECT delivery_count FROM webhook_inbox"_s)->toInt(), 3);
        QCOMPARE(r.db->scalar(u"SELECT COUNT(*) FROM jobs"_s)->toInt(), 1);
    }

    void calcomDeliveries_data() { test::addEngineRows(); }
    void calcomDeliveries()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        Running r = start(engine);
        const QByteArray body = R"({"triggerEvent":"BOOKING_CANCELLED","createdAt":"2026-11-24T10:00:00Z","payload":{"uid":"u1"}})";
        const QUrl url = r.base.resolved(QUrl(u"/webhooks/calcom"_s));
        QCOMPARE(test::httpSend("POST", url, body, {{"X-Cal-Signature-256", WebhookSignatures::signCalcom(body, calcomSecret)}}).status, 200);
        QCOMPARE(test::httpSend("POST", url, body, {{"X-Cal-Signature-256", WebhookSignatures::signCalcom(body, calcomSecret)}}).status, 200);
        QCOMPARE(test::httpSend("POST", url, body, {{"X-Cal-Signature-256", WebhookSignatures::signCalcom(body, "forged")}}).status, 401);
        QCOMPARE(test::httpSend("POST", url, body).status, 401);
        QCOMPARE(r.db->scalar(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'calcom' AND status = 'pending'"_s)->toInt(), 1);
        QCOMPARE(r.db->scalar(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'calcom' AND status = 'rejected'"_s)->toInt(), 0);
        QCOMPARE(r.db->scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'calcom.event'"_s)->toInt(), 1);
    }

    // The creation of one of our own bookings is stored (acknowledged means stored) but queues no job:
    // the call flow has it already, or finds it by its metadata.
    void calcomOwnBookingIsStoredOnly_data() { test::addEngineRows(); }
    void calcomOwnBookingIsStoredOnly()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        Running r = start(engine);
        const QByteArray ours = R"({"triggerEvent":"BOOKING_CREATED","payload":{"uid":"u2","metadata":{"askpro_call_id":"call_1"}}})";
        const QByteArray theirs = R"({"triggerEvent":"BOOKING_CREATED","payload":{"uid":"u3","metadata":{}}})";
        const QUrl url = r.base.resolved(QUrl(u"/webhooks/calcom"_s));
        for (const QByteArray &body : {ours, theirs})
            QCOMPARE(test::httpSend("POST", url, body, {{"X-Cal-Signature-256", WebhookSignatures::signCalcom(body, calcomSecret)}}).status,
                     200);
        QCOMPARE(r.db->scalar(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'calcom'"_s)->toInt(), 2);
        QCOMPARE(r.db->scalar(u"SELECT status FROM webhook_inbox WHERE provider = 'calcom' ORDER BY id"_s)->toString(), u"ignored"_s);
        QCOMPARE(r.db->scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'calcom.event'"_s)->toInt(), 1);
    }

    // Group commit: one transaction for a batch; a key twice in the batch, or already stored, is a
    // duplicate that is counted, never stored or queued twice; a stored-only event gets no job.
    void groupCommitKeepsEveryDeliveryApart_data() { test::addEngineRows(); }
    void groupCommitKeepsEveryDeliveryApart()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        WebhookInbox inbox(*db);
        const auto delivery = [](const QString &key, const QString &jobKind) {
            return Delivery{u"retell"_s, u"call_ended"_s, key, QByteArray("{\"k\":\"") + key.toUtf8() + "\"}", jobKind, Signer{true, {}}};
        };
        QVERIFY(inbox.accept(delivery(u"d"_s, u"retell.event"_s)).ok());
        QList<Delivery> batch{delivery(u"a"_s, u"retell.event"_s), delivery(u"b"_s, u"retell.event"_s), delivery(u"a"_s, u"retell.event"_s),
                              delivery(u"c"_s, QString()), delivery(u"d"_s, u"retell.event"_s)};
        for (int i = 0; i < 7; ++i) // 12 in all: statements of 8, 4 rows
            batch.append(delivery(u"e%1"_s.arg(i), u"retell.event"_s));
        const QList<Result<Accepted>> results = inbox.acceptAll(batch);
        QCOMPARE(results.size(), batch.size());
        for (const auto &r : results)
            QVERIFY(r.ok());
        QVERIFY(!results.at(0)->duplicate && results.at(0)->jobId > 0);
        QVERIFY(!results.at(1)->duplicate && results.at(1)->jobId > 0);
        QVERIFY(results.at(2)->duplicate);
        QCOMPARE(results.at(2)->inboxId, results.at(0)->inboxId);
        QCOMPARE(results.at(2)->jobId, results.at(0)->jobId);
        QVERIFY(!results.at(3)->duplicate && results.at(3)->jobId == 0);
        QVERIFY(results.at(4)->duplicate && results.at(4)->jobId > 0);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM webhook_inbox"_s)->toInt(), 11); // d, a, b, c, e0..e6
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM jobs"_s)->toInt(), 10);          // all but c
        QCOMPARE(db->scalar(u"SELECT delivery_count FROM webhook_inbox WHERE dedupe_key = 'a'"_s)->toInt(), 2);
        QCOMPARE(db->scalar(u"SELECT status FROM webhook_inbox WHERE dedupe_key = 'c'"_s)->toString(), u"ignored"_s);
        for (qsizetype i = 5; i < results.size(); ++i)
            QCOMPARE(db->scalar(u"SELECT payload FROM jobs WHERE id = ?"_s, {results.at(i)->jobId})->toString(),
                     u"{\"inbox_id\":%1}"_s.arg(results.at(i)->inboxId));
    }

    void healthAnswers()
    {
        Running r = start(u"sqlite"_s);
        const auto answer = test::httpSend("GET", r.base.resolved(QUrl(u"/health"_s)));
        QCOMPARE(answer.status, 200);
        QVERIFY(answer.body.contains("\"database\""));
        QVERIFY(answer.body.contains("\"backlog\""));
    }
};

QTEST_GUILESS_MAIN(TestWebhookIntake)
#include "test_webhook_intake.moc"
