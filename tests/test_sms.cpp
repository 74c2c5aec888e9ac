// SMS confirmations end to end on both engines: a booking by a mobile caller reaches the Twilio stand-in over
// real HTTP, its signed status callbacks come back and move the row forward only; landlines and numbers that
// replied STOP get none, with the reason; wrong signatures are refused.
#include "core/clock.h"
#include "db/database.h"
#include "flowfixture.h"
#include "httptestclient.h"
#include "integrations/twilioclient.h"
#include "security/credentialstore.h"
#include "signatures.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace askpro;
using test::branchNumber;
using test::callerNumber;
using test::nextWorkdayAt;

namespace {

const QString senderNumber = u"+4915510000000"_s;

sandbox::SimulatedCallOptions bookingCall(const QString &from, const QDateTime &start)
{
    sandbox::SimulatedCallOptions o;
    o.toNumber = branchNumber;
    o.fromNumber = from;
    o.language = u"de"_s;
    o.scenario = sandbox::CallScenario::Book;
    o.appointment.service = u"Beratung"_s;
    o.appointment.start = start;
    o.appointment.customerName = u"Jana Weber"_s;
    o.eventSpacingMs = 20;
    return o;
}

std::unique_ptr<test::FlowFixture> withTwilio(const QString &engine)
{
    auto f = test::FlowFixture::create(engine);
    if (!f)
        return nullptr;
    const auto &c = f->providers->config();
    auto stored = f->server->credentials().put({std::nullopt, u"twilio"_s, {}, (c.twilioAccountSid + u':' + c.twilioAuthToken).toUtf8(),
                                                senderNumber.toUtf8()});
    return stored ? std::move(f) : nullptr;
}

// A status callback signed as Twilio signs it (the sandbox's own implementation, not the server's).
test::HttpAnswer postStatus(test::FlowFixture &f, qint64 ref, const QString &sid, const QString &status, const QString &token)
{
    const QString url = u"http://127.0.0.1:%1/webhooks/twilio/status?ref=%2"_s.arg(f.port).arg(ref);
    const QList<std::pair<QString, QString>> params{{u"MessageSid"_s, sid}, {u"MessageStatus"_s, status},
                                                     {u"AccountSid"_s, f.providers->config().twilioAccountSid}, {u"To"_s, callerNumber}};
    QByteArrayList pairs;
    for (const auto &[name, value] : params)
        pairs.append(QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value));
    return test::httpSend("POST", QUrl(url), pairs.join('&'),
                          {{"content-type", "application/x-www-form-urlencoded"},
                           {"x-twilio-signature", sandbox::signatures::twilio(url, params, token)}});
}

} // namespace

class TestSms final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The signature as Python's hmac computes it, independently of our code (and of the sandbox's).
    void signatureMatchesAnIndependentImplementation()
    {
        const QString url = u"https://askpro.example.org/webhooks/twilio/status?ref=42"_s;
        QMultiMap<QString, QString> params;
        params.insert(u"To"_s, u"+491701234567"_s);
        params.insert(u"MessageStatus"_s, u"delivered"_s);
        params.insert(u"MessageSid"_s, u"SM0123456789abcdef0123456789abcdef"_s);
        params.insert(u"Body"_s, u"Grüße & mehr"_s);
        params.insert(u"AccountSid"_s, u"AC00000000000000000000000000sandbox"_s);
        const QByteArray token = "12345abcdef";
        QProcess python;
        python.start(u"python3"_s, {u"-c"_s, u"import base64, hashlib, hmac, sys\n"
                                             "url, token, *pairs = sys.argv[1:]\n"
                                             "items = sorted(zip(pairs[0::2], pairs[1::2]), key=lambda p: p[0])\n"
                                             "data = url + ''.join(k + v for k, v in items)\n"
                                             "print(base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode())"_s,
                                    url, QString::fromLatin1(token), u"To"_s, u"+491701234567"_s, u"MessageStatus"_s, u"delivered"_s,
                                    u"MessageSid"_s, u"SM0123456789abcdef0123456789abcdef"_s, u"Body"_s, u"Grüße & mehr"_s,
                                    u"AccountSid"_s, u"AC00000000000000000000000000sandbox"_s});
        QVERIFY(python.waitForFinished(10000));
        QCOMPARE(python.exitCode(), 0);
        const QByteArray expected = python.readAllStandardOutput().trimmed();
        QCOMPARE(TwilioClient::sign(token, url, params), expected);
        QVERIFY(TwilioClient::verify(token, url, params, expected));
        QVERIFY(!TwilioClient::verify("other", url, params, expected));
        QVERIFY(!TwilioClient::verify(token, u"http://127.0.0.1:8080/webhooks/twilio/status?ref=42"_s, params, expected));
        // Through the form decoder, as the server reads a body.
        const QByteArray form = "To=%2B491701234567&MessageStatus=delivered&MessageSid=SM0123456789abcdef0123456789abcdef&"
                                "Body=Gr%C3%BC%C3%9Fe+%26+mehr&AccountSid=AC00000000000000000000000000sandbox";
        QVERIFY(TwilioClient::verify(token, url, TwilioClient::formParams(form), expected));
    }

    void mobileCallerGetsSmsAndStatusFlowsBack_data() { test::addEngineRows(); }
    void mobileCallerGetsSmsAndStatusFlowsBack()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const QString callId = f->providers->simulateCall(bookingCall(callerNumber, nextWorkdayAt(10)));
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"booked"_s, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 20000);
        const QJsonObject sms = f->providers->twilioMessages().first().toObject();
        QCOMPARE(sms.value(u"to"_s).toString(), callerNumber);
        QCOMPARE(sms.value(u"from"_s).toString(), senderNumber);
        const QString body = sms.value(u"body"_s).toString();
        QVERIFY2(body.contains(u"Praxis Mitte"_s) && body.contains(u"10:00"_s) && body.contains(u"+49 30 123456"_s), qPrintable(body));
        // The signed callbacks move it to delivered; the sid is the one Twilio answered.
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND provider_status = 'delivered' "
                                           "AND status = 'sent'"_s), 1, 20000);
        const qint64 ref = f->db->scalar(u"SELECT id FROM notifications WHERE channel = 'sms'"_s)->toLongLong();
        QCOMPARE(f->db->scalar(u"SELECT provider_id FROM notifications WHERE id = ?"_s, {ref})->toString(), sms.value(u"sid"_s).toString());

        // A late 'sent' callback never moves it back; the same callback twice is one inbox row.
        const QString token = f->providers->config().twilioAuthToken;
        QCOMPARE(postStatus(*f, ref, sms.value(u"sid"_s).toString(), u"sent"_s, token).status, 204);
        QCOMPARE(f->db->scalar(u"SELECT provider_status FROM notifications WHERE id = ?"_s, {ref})->toString(), u"delivered"_s);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'twilio' AND event_type = 'sent'"_s), 1);
        QCOMPARE(f->count(u"SELECT delivery_count FROM webhook_inbox WHERE provider = 'twilio' AND event_type = 'sent'"_s), 2);

        // Signed with another token: refused, nothing changes.
        QCOMPARE(postStatus(*f, ref, sms.value(u"sid"_s).toString(), u"read"_s, u"wrong-token"_s).status, 403);
        QCOMPARE(f->db->scalar(u"SELECT provider_status FROM notifications WHERE id = ?"_s, {ref})->toString(), u"delivered"_s);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'twilio' AND event_type = 'read'"_s), 0);
    }

    // 429 (and 5xx) were not taken: the job backs off and sends it once the stand-in accepts again.
    void rateLimitedIsRetried_data() { test::addEngineRows(); }
    void rateLimitedIsRetried()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        sandbox::FaultSettings limited;
        limited.rateLimitRate = 1.0;
        f->providers->setFaults(sandbox::Provider::Twilio, limited);
        const QString callId = f->providers->simulateCall(bookingCall(callerNumber, nextWorkdayAt(14)));
        QTRY_VERIFY_WITH_TIMEOUT(f->count(u"SELECT attempts FROM notifications WHERE channel = 'sms' AND status = 'queued'"_s) >= 1, 20000);
        f->providers->setFaults(sandbox::Provider::Twilio, {});
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND provider_status = 'delivered'"_s),
                                  1, 30000);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
        QVERIFY(f->count(u"SELECT attempts FROM notifications WHERE channel = 'sms'"_s) >= 2);
        Q_UNUSED(callId);
    }

    // The message was taken but its answer lost: no blind resend; the status callback (which names our row)
    // completes it, and the customer gets exactly one SMS.
    void lostAnswerIsNotResent_data() { test::addEngineRows(); }
    void lostAnswerIsNotResent()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        sandbox::FaultSettings lost;
        lost.answerLostRate = 1.0;
        f->providers->setFaults(sandbox::Provider::Twilio, lost);
        const QString callId = f->providers->simulateCall(bookingCall(callerNumber, nextWorkdayAt(15)));
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'sent' "
                                           "AND provider_status = 'delivered'"_s),
                                  1, 30000);
        f->providers->setFaults(sandbox::Provider::Twilio, {});
        // The job's retry comes and finds it sent.
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM jobs WHERE kind = 'notification.send' AND status = 'done'"_s), 1, 15000);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
        QCOMPARE(f->db->scalar(u"SELECT provider_id FROM notifications WHERE channel = 'sms'"_s)->toString(),
                 f->providers->twilioMessages().first().toObject().value(u"sid"_s).toString());
        Q_UNUSED(callId);
    }

    void landlineGetsNoSms_data() { test::addEngineRows(); }
    void landlineGetsNoSms()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const QString callId = f->providers->simulateCall(bookingCall(u"+4930987654"_s, nextWorkdayAt(11)));
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"booked"_s, 20000);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'skipped' AND skip_reason = 'landline'"_s), 1);
        QTest::qWait(500);
        QCOMPARE(f->providers->twilioMessages().size(), 0);
    }

    // The number replied STOP at Twilio: 21610 is final, not retried, and the customer is opted out.
    void unsubscribedNumberFailsForGood_data() { test::addEngineRows(); }
    void unsubscribedNumberFailsForGood()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        f->providers->setTwilioStopped(callerNumber, true);
        const QString callId = f->providers->simulateCall(bookingCall(callerNumber, nextWorkdayAt(12)));
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'failed' AND error_code = '21610'"_s),
                                  1, 20000);
        QCOMPARE(f->count(u"SELECT attempts FROM notifications WHERE channel = 'sms'"_s), 1);
        QCOMPARE(f->count(u"SELECT sms_opt_out FROM customers WHERE phone_e164 = ?"_s, {callerNumber}), 1);
        QCOMPARE(f->providers->twilioMessages().size(), 0);
        Q_UNUSED(callId);
    }

    // An inbound STOP (signed) opts the customer out: the next booking records the reason and sends nothing.
    void inboundStopOptsOut_data() { test::addEngineRows(); }
    void inboundStopOptsOut()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const qint64 now = nowMs();
        QVERIFY(f->db->exec(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) VALUES (?, ?, 'Jana Weber', ?, ?)"_s,
                            {f->companyId, callerNumber, now, now}));
        const QString url = u"http://127.0.0.1:%1/webhooks/twilio/inbound"_s.arg(f->port);
        const QList<std::pair<QString, QString>> params{{u"MessageSid"_s, u"SMinbound1"_s}, {u"From"_s, callerNumber}, {u"To"_s, senderNumber},
                                                         {u"Body"_s, u"Stopp"_s}};
        QByteArrayList pairs;
        for (const auto &[name, value] : params)
            pairs.append(QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value));
        const QByteArray form = pairs.join('&');
        const auto unsigned_ = test::httpSend("POST", QUrl(url), form, {{"content-type", "application/x-www-form-urlencoded"}});
        QCOMPARE(unsigned_.status, 403);
        const auto answer = test::httpSend("POST", QUrl(url), form,
                                           {{"content-type", "application/x-www-form-urlencoded"},
                                            {"x-twilio-signature",
                                             sandbox::signatures::twilio(url, params, f->providers->config().twilioAuthToken)}});
        QCOMPARE(answer.status, 200);
        QCOMPARE(f->count(u"SELECT sms_opt_out FROM customers WHERE phone_e164 = ?"_s, {callerNumber}), 1);
        const QString callId = f->providers->simulateCall(bookingCall(callerNumber, nextWorkdayAt(13)));
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"booked"_s, 20000);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'skipped' AND skip_reason = 'opted_out'"_s), 1);
        QCOMPARE(f->providers->twilioMessages().size(), 0);
    }
};

QTEST_MAIN(TestSms)
#include "test_sms.moc"
