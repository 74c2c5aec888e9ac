// Webhook signatures of the three providers: good, wrong, stale, malformed and missing.
#include "intake/signatures.h"

#include "integrations/jsonreply.h"
#include "support/payloadtext.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestSignatures final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // JSON from outside nests at most 64 levels: deeper is refused before parsing (which, like writing it
    // back, recurses per level), and a stored refused body is shown as text rather than parsed.
    void deepJsonRefused()
    {
        const QByteArray deep = QByteArray(200000, '[') + QByteArray(200000, ']');
        const auto parsed = parseJson(deep, u"The webhook body"_s);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, u"json.too_deep"_s);
        QVERIFY(jsonDepthWithin(QByteArray(QByteArray(64, '[') + QByteArray(64, ']'))));
        QVERIFY(!jsonDepthWithin(QByteArray(65, '{')));
        QVERIFY(jsonDepthWithin("{\"text\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"]]\"}", 2)); // brackets in strings
        QVERIFY(parseJson("{\"a\": [{\"b\": [1, 2]}]}", u"test"_s).ok());
        const QString shown = PayloadText::maskedPrettyJson(QString::fromLatin1(deep));
        QCOMPARE(shown.size(), deep.size());
    }

    void retell_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QString>("code"); // empty: accepted
        const QByteArray body = R"({"event":"call_ended"})";
        const qint64 now = 1'800'000'000'000;
        QTest::newRow("valid") << WebhookSignatures::signRetell(body, "key_1", now) << QString();
        QTest::newRow("valid, second key") << WebhookSignatures::signRetell(body, "key_2", now) << QString();
        QTest::newRow("4 minutes old") << WebhookSignatures::signRetell(body, "key_1", now - 4 * 60 * 1000) << QString();
        QTest::newRow("6 minutes old") << WebhookSignatures::signRetell(body, "key_1", now - 6 * 60 * 1000) << u"signature.stale"_s;
        QTest::newRow("from the future") << WebhookSignatures::signRetell(body, "key_1", now + 6 * 60 * 1000) << u"signature.stale"_s;
        QTest::newRow("other key") << WebhookSignatures::signRetell(body, "key_x", now) << u"signature.wrong"_s;
        QTest::newRow("other body") << WebhookSignatures::signRetell("{}", "key_1", now) << u"signature.wrong"_s;
        QTest::newRow("upper-case hex") << WebhookSignatures::signRetell(body, "key_1", now).toUpper().replace("V=", "v=").replace(",D=", ",d=")
                                        << QString();
        QTest::newRow("missing") << QByteArray() << u"signature.missing"_s;
        QTest::newRow("no digest") << QByteArray("v=1800000000000") << u"signature.malformed"_s;
        QTest::newRow("garbage") << QByteArray("hello") << u"signature.malformed"_s;
    }
    void retell()
    {
        QFETCH(QByteArray, header);
        QFETCH(QString, code);
        const auto s = WebhookSignatures::verifyRetell(R"({"event":"call_ended"})", header, {{"key_1", {}}, {"key_2", 7}}, 1'800'000'000'000);
        QCOMPARE(s.ok(), code.isEmpty());
        if (!code.isEmpty()) {
            QCOMPARE(s.error().code, code);
            QCOMPARE(s.error().kind, ErrorKind::Unauthorized);
        }
    }

    void calcom_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<bool>("ok");
        const QByteArray body = R"({"triggerEvent":"BOOKING_CREATED"})";
        QTest::newRow("valid") << WebhookSignatures::signCalcom(body, "whsec") << true;
        QTest::newRow("wrong secret") << WebhookSignatures::signCalcom(body, "other") << false;
        QTest::newRow("truncated") << WebhookSignatures::signCalcom(body, "whsec").left(20) << false;
        QTest::newRow("missing") << QByteArray() << false;
    }
    void calcom()
    {
        QFETCH(QByteArray, header);
        QFETCH(bool, ok);
        QCOMPARE(WebhookSignatures::verifyCalcom(R"({"triggerEvent":"BOOKING_CREATED"})", header, {{"whsec", 3}}).ok(), ok);
    }

    // The answer names whose key matched: the platform, one company, or every company sharing the secret.
    void signer_data()
    {
        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<bool>("platform");
        QTest::addColumn<QList<qint64>>("companies");
        QTest::newRow("platform") << QByteArray("whsec_platform") << true << QList<qint64>{};
        QTest::newRow("company 3") << QByteArray("whsec_three") << false << QList<qint64>{3};
        QTest::newRow("shared by 4 and 9") << QByteArray("whsec_shared") << false << QList<qint64>{4, 9};
        QTest::newRow("platform and company 5") << QByteArray("whsec_both") << true << QList<qint64>{5};
    }
    void signer()
    {
        QFETCH(QByteArray, secret);
        QFETCH(bool, platform);
        QFETCH(QList<qint64>, companies);
        const QList<SigningKey> keys{{"whsec_platform", {}}, {"whsec_three", 3}, {"whsec_shared", 9}, {"whsec_shared", 4},
                                     {"whsec_both", 5},      {"whsec_both", {}}};
        const QByteArray body = R"({"triggerEvent":"BOOKING_CANCELLED"})";
        auto calcom = WebhookSignatures::verifyCalcom(body, WebhookSignatures::signCalcom(body, secret), keys);
        QVERIFY(calcom.ok());
        QCOMPARE(calcom->platform, platform);
        QCOMPARE(calcom->companies, companies);
        auto retell = WebhookSignatures::verifyRetell(body, WebhookSignatures::signRetell(body, secret, 1'800'000'000'000), keys, 1'800'000'000'000);
        QVERIFY(retell.ok());
        QCOMPARE(*retell, *calcom);
    }

    void stripe_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<bool>("ok");
        const QByteArray body = R"({"type":"invoice.paid"})";
        const qint64 now = 1'800'000'000;
        QTest::newRow("valid") << WebhookSignatures::signStripe(body, "whsec_s", now) << true;
        QTest::newRow("second v1 matches") << QByteArray("t=1800000000,v1=deadbeef," + WebhookSignatures::signStripe(body, "whsec_s", now).mid(13))
                                           << true;
        QTest::newRow("299 s old") << WebhookSignatures::signStripe(body, "whsec_s", now - 299) << true;
        QTest::newRow("301 s old") << WebhookSignatures::signStripe(body, "whsec_s", now - 301) << false;
        QTest::newRow("wrong secret") << WebhookSignatures::signStripe(body, "whsec_x", now) << false;
        QTest::newRow("no v1") << QByteArray("t=1800000000") << false;
    }
    void stripe()
    {
        QFETCH(QByteArray, header);
        QFETCH(bool, ok);
        QCOMPARE(WebhookSignatures::verifyStripe(R"({"type":"invoice.paid"})", header, "whsec_s", 1'800'000'000).ok(), ok);
    }
};

QTEST_GUILESS_MAIN(TestSignatures)
#include "test_signatures.moc"
