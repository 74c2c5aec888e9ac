// SMS confirmations end to end on both engines: a booking by a mobile caller reaches the Twilio stand-in over
// real HTTP, its signed status callbacks come back and move the row forward only; landlines and numbers that
// replied STOP get none, with the reason; wrong signatures are refused.
#include "apiaccount.h"
#include "apisession.h"
#include "core/clock.h"
#include "db/database.h"
#include "flowfixture.h"
#include "httptestclient.h"
#include "integrations/twilioclient.h"
#include "domain/phonenumbers.h"
#include "domain/quiethours.h"
#include "domain/smslength.h"
#include "flow/messagetemplates.h"
#include "flow/reminderscheduler.h"
#include "jobs/jobqueue.h"
#include "security/credentialstore.h"
#include "signatures.h"
#include "support/supportservice.h"
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

std::unique_ptr<test::FlowFixture> withTwilio(const QString &engine, const test::FlowOptions &options = {})
{
    auto f = test::FlowFixture::create(engine, options);
    if (!f)
        return nullptr;
    const auto &c = f->providers->config();
    auto stored = f->server->credentials().put({std::nullopt, u"twilio"_s, {}, (c.twilioAccountSid + u':' + c.twilioAuthToken).toUtf8(),
                                                senderNumber.toUtf8()});
    return stored ? std::move(f) : nullptr;
}

// The booking most tests start from: a call from `from` for the next workday at `hour`, waited for until it is
// booked. Its Retell call id, or empty when it did not end booked within 20 s.
// The caller says the time on the branch's clock, which a test may have moved out of Berlin (for the quiet hours):
// the same instant, inside the sandbox's schedule, told in the branch's zone.
QDateTime onTheBranchClock(test::FlowFixture &f, const QDateTime &at)
{
    auto zone = f.db->scalar(u"SELECT time_zone FROM branches WHERE id = ?"_s, {f.branchId});
    return zone ? at.toTimeZone(QTimeZone(zone->toString().toUtf8())) : at;
}

QString book(test::FlowFixture &f, const QString &from, int hour)
{
    const QString callId = f.providers->simulateCall(bookingCall(from, onTheBranchClock(f, nextWorkdayAt(hour))));
    return QTest::qWaitFor([&f, &callId] { return f.callStatus(callId) == u"booked"_s; }, 20000) ? callId : QString();
}

// A call from `from` for a time that someone took at Cal.com before: it ends as needs-callback (or "" if not).
QString callForATakenTime(test::FlowFixture &f, const QString &from = callerNumber, const QString &email = {})
{
    const QDateTime wanted = nextWorkdayAt(11);
    sandbox::ExternalBooking elsewhere;
    elsewhere.eventTypeId = f.eventTypeId;
    elsewhere.start = wanted;
    elsewhere.attendeeName = u"Max Muster"_s;
    elsewhere.attendeeEmail = u"max@example.org"_s;
    QString error;
    if (f.providers->bookElsewhere(elsewhere, &error).isEmpty()) {
        qWarning("%s", qPrintable(error));
        return {};
    }
    auto call = bookingCall(from, onTheBranchClock(f, wanted));
    call.appointment.customerEmail = email;
    const QString callId = f.providers->simulateCall(call);
    return QTest::qWaitFor([&f, &callId] { return f.callStatus(callId) == u"needs_callback"_s; }, 20000) ? callId : QString();
}

// A status callback signed as Twilio signs it (the sandbox's own implementation, not the server's).
test::HttpAnswer postStatus(test::FlowFixture &f, qint64 ref, const QString &sid, const QString &status, const QString &token,
                            const QString &errorCode = {})
{
    const QString url = u"http://127.0.0.1:%1/webhooks/twilio/status?ref=%2"_s.arg(f.port).arg(ref);
    QList<std::pair<QString, QString>> params{{u"MessageSid"_s, sid}, {u"MessageStatus"_s, status},
                                              {u"AccountSid"_s, f.providers->config().twilioAccountSid}, {u"To"_s, callerNumber}};
    if (!errorCode.isEmpty())
        params.append({u"ErrorCode"_s, errorCode});
    QByteArrayList pairs;
    for (const auto &[name, value] : params)
        pairs.append(QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value));
    return test::httpSend("POST", QUrl(url), pairs.join('&'),
                          {{"content-type", "application/x-www-form-urlencoded"},
                           {"x-twilio-signature", sandbox::signatures::twilio(url, params, token)}});
}

// An inbound reply (STOP, START, …) from the caller, signed as Twilio signs it (or not at all).
test::HttpAnswer postInbound(test::FlowFixture &f, const QString &sid, const QString &word, bool signedByTwilio = true)
{
    const QString url = u"http://127.0.0.1:%1/webhooks/twilio/inbound"_s.arg(f.port);
    const QList<std::pair<QString, QString>> params{{u"MessageSid"_s, sid}, {u"From"_s, callerNumber}, {u"To"_s, senderNumber}, {u"Body"_s, word}};
    QByteArrayList pairs;
    for (const auto &[name, value] : params)
        pairs.append(QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value));
    QList<std::pair<QByteArray, QByteArray>> headers{{"content-type", "application/x-www-form-urlencoded"}};
    if (signedByTwilio)
        headers.append({"x-twilio-signature", sandbox::signatures::twilio(url, params, f.providers->config().twilioAuthToken)});
    return test::httpSend("POST", QUrl(url), pairs.join('&'), headers);
}

// An SMS row of the fixture's company without a call or a job: what a status callback finds by its reference.
qint64 insertSms(test::FlowFixture &f, const QString &status)
{
    const qint64 now = nowMs();
    auto q = f.db->exec(u"INSERT INTO notifications (company_id, kind, channel, dedupe_key, recipient, subject, body, status, status_at, "
                        "created_at) VALUES (?, 'confirmation', 'sms', ?, ?, '', 'Ihr Termin', ?, ?, ?) RETURNING id"_s,
                        {f.companyId, u"test-sms:%1"_s.arg(now), callerNumber, status, now, now});
    return q && q->next() ? q->value(0).toLongLong() : 0;
}

// The codes on the timeline of the call with the SMS.
QStringList smsTimeline(test::FlowFixture &f)
{
    QStringList codes;
    auto q = f.db->exec(u"SELECT e.code FROM call_events e JOIN notifications n ON n.call_id = e.call_id WHERE n.channel = 'sms' "
                        "AND e.code LIKE 'sms.%' ORDER BY e.id"_s);
    while (q && q->next())
        codes.append(q->value(0).toString());
    return codes;
}

// An IANA zone in which it is night now (between 22:00 and 06:00), or day (10:00 to 19:00): away from the
// quiet hours' edges, so a test does not straddle one. Etc/GMT-N is UTC+N.
QString zoneWhereItIs(bool night)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int offset = -12; offset <= 12; ++offset) {
        const QString id = offset == 0 ? u"Etc/GMT"_s : u"Etc/GMT%1%2"_s.arg(offset > 0 ? u"-"_s : u"+"_s).arg(std::abs(offset));
        const QTimeZone zone(id.toUtf8());
        const int hour = now.toTimeZone(zone).time().hour();
        if (zone.isValid() && (night ? (hour >= 22 || hour < 6) : (hour >= 10 && hour < 19)))
            return id;
    }
    return {};
}

// A call of the fixture's branch that ended endedAgoMs ago, with a queued SMS confirmation and its send job.
qint64 queuedSmsOfCall(test::FlowFixture &f, const QString &retellId, qint64 endedAgoMs, qint64 resendOf = 0)
{
    const qint64 now = nowMs();
    auto call = f.db->insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, outcome, started_at, ended_at, created_at, updated_at) "
                             "VALUES (?, ?, ?, 'booked', ?, ?, ?, ?) RETURNING id"_s,
                             {retellId, f.companyId, f.branchId, now - endedAgoMs - 60000, now - endedAgoMs, now, now});
    if (!call)
        return 0;
    auto sms = f.db->insert(u"INSERT INTO notifications (company_id, call_id, kind, channel, dedupe_key, recipient, subject, body, status, created_at, "
                            "resend_of) VALUES (?, ?, 'confirmation', 'sms', ?, ?, '', 'Ihr Termin', 'queued', ?, ?) RETURNING id"_s,
                            {f.companyId, *call, u"night:%1"_s.arg(retellId), callerNumber, now, resendOf > 0 ? QVariant(resendOf) : Database::null()});
    if (!sms)
        return 0;
    auto job = JobQueue(*f.db).enqueue(u"notification.send"_s, "{\"notification_id\":" + QByteArray::number(*sms) + '}', u"sms:%1"_s.arg(*sms));
    return job ? *sms : 0;
}

// A booked appointment of the fixture's branch for this customer, starting startsInMs from now and booked
// bookedAgoMs ago.
qint64 appointmentFor(test::FlowFixture &f, qint64 customer, qint64 startsInMs, qint64 bookedAgoMs, const QString &status = u"booked"_s)
{
    const qint64 now = nowMs();
    auto id = f.db->insert(u"INSERT INTO appointments (company_id, branch_id, customer_id, starts_at, ends_at, status, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                           {f.companyId, f.branchId, customer, now + startsInMs, now + startsInMs + 1800000, status, now - bookedAgoMs, now});
    return id ? *id : 0;
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
        params.insert(u"AccountSid"_s, u"AC000000000000000000000000005a4db0"_s);
        const QByteArray token = "12345abcdef";
        QProcess python;
        python.start(u"python3"_s, {u"-c"_s, u"import base64, hashlib, hmac, sys\n"
                                             "url, token, *pairs = sys.argv[1:]\n"
                                             "items = sorted(zip(pairs[0::2], pairs[1::2]), key=lambda p: p[0])\n"
                                             "data = url + ''.join(k + v for k, v in items)\n"
                                             "print(base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode())"_s,
                                    url, QString::fromLatin1(token), u"To"_s, u"+491701234567"_s, u"MessageStatus"_s, u"delivered"_s,
                                    u"MessageSid"_s, u"SM0123456789abcdef0123456789abcdef"_s, u"Body"_s, u"Grüße & mehr"_s,
                                    u"AccountSid"_s, u"AC000000000000000000000000005a4db0"_s});
        QVERIFY(python.waitForFinished(10000));
        QCOMPARE(python.exitCode(), 0);
        const QByteArray expected = python.readAllStandardOutput().trimmed();
        QCOMPARE(TwilioClient::sign(token, url, params), expected);
        QVERIFY(TwilioClient::verify(token, url, params, expected));
        QVERIFY(!TwilioClient::verify("other", url, params, expected));
        QVERIFY(!TwilioClient::verify(token, u"http://127.0.0.1:8080/webhooks/twilio/status?ref=42"_s, params, expected));
        // Through the form decoder, as the server reads a body.
        const QByteArray form = "To=%2B491701234567&MessageStatus=delivered&MessageSid=SM0123456789abcdef0123456789abcdef&"
                                "Body=Gr%C3%BC%C3%9Fe+%26+mehr&AccountSid=AC000000000000000000000000005a4db0";
        QVERIFY(TwilioClient::verify(token, url, TwilioClient::formParams(form), expected));
    }

    // Numbers in logs and timelines: the prefix and the last two digits only.
    void numbersAreMasked()
    {
        QCOMPARE(PhoneNumbers::masked(u"+491701234567"_s), u"+49170\u2022\u2022\u202267"_s);
        QCOMPARE(PhoneNumbers::maskedIn(u"21211 The 'To' number +491701234567 is not a valid phone number."_s),
                 u"21211 The 'To' number +49170\u2022\u2022\u202267 is not a valid phone number."_s);
        QCOMPARE(PhoneNumbers::maskedIn(u"Attempt to send to unsubscribed recipient"_s), u"Attempt to send to unsubscribed recipient"_s);
        // The one table of ranks, in C++ and as SQL.
        QVERIFY(TwilioClient::statusRank(u"queued"_s) < TwilioClient::statusRank(u"sent"_s));
        QVERIFY(TwilioClient::statusRank(u"sent"_s) < TwilioClient::statusRank(u"delivered"_s));
        QCOMPARE(TwilioClient::statusRank(u"undelivered"_s), TwilioClient::statusRank(u"delivered"_s));
        QCOMPARE(TwilioClient::statusRank(u"whatever"_s), 0);
        QVERIFY(TwilioClient::statusRankSql(u"provider_status"_s).contains(u"WHEN 'delivered' THEN 4"_s));
    }

    // A 2xx without a sid is "sent, answer incomplete": never sent again; the callback brings the sid.
    void answerWithoutSidIsNotResent_data() { test::addEngineRows(); }
    void answerWithoutSidIsNotResent()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        f->providers->setTwilioAnswerWithoutSid(true);
        const QString callId = f->providers->simulateCall(bookingCall(callerNumber, nextWorkdayAt(16)));
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'sent' "
                                           "AND provider_status = 'delivered'"_s),
                                  1, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM jobs WHERE kind = 'notification.send' AND status = 'done'"_s), 1, 15000);
        QCOMPARE(f->count(u"SELECT attempts FROM notifications WHERE channel = 'sms'"_s), 1);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
        QCOMPARE(f->db->scalar(u"SELECT provider_id FROM notifications WHERE channel = 'sms'"_s)->toString(),
                 f->providers->twilioMessages().first().toObject().value(u"sid"_s).toString());
        Q_UNUSED(callId);
    }

    // Once Twilio's sid is on the row (another worker's answer, or a callback), no worker claims it again, even
    // while its status still says queued.
    void rowWithSidIsNeverClaimed_data() { test::addEngineRows(); }
    void rowWithSidIsNeverClaimed()
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
        // Between two attempts (a claimed row is 'sending'): the sid arrives.
        const auto takeSid = [&f] {
            auto q = f->db->exec(u"UPDATE notifications SET provider_id = 'SMfromelsewhere' WHERE channel = 'sms' AND status = 'queued' RETURNING id"_s);
            return q && q->next();
        };
        QTRY_VERIFY_WITH_TIMEOUT(takeSid(), 10000);
        f->providers->setFaults(sandbox::Provider::Twilio, {});
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM jobs WHERE kind = 'notification.send' AND status = 'done'"_s), 1, 30000);
        QCOMPARE(f->providers->twilioMessages().size(), 0);
        Q_UNUSED(callId);
    }

    // The answer was lost (the row stays 'sending'), then Twilio reports the message undelivered: it is failed
    // with Twilio's code, never 'sent', and the call's timeline says why.
    void undeliveredWhileSendingIsFailed_data() { test::addEngineRows(); }
    void undeliveredWhileSendingIsFailed()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        f->providers->setTwilioCallbackSpacingMs(120000); // the stand-in's own callbacks come after the test
        sandbox::FaultSettings lost;
        lost.answerLostRate = 1.0;
        f->providers->setFaults(sandbox::Provider::Twilio, lost);
        const QString callId = f->providers->simulateCall(bookingCall(callerNumber, nextWorkdayAt(15)));
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'sending' "
                                          "AND last_error = 'sms.answer_lost'"_s) == 1,
                                 20000);
        const qint64 ref = f->db->scalar(u"SELECT id FROM notifications WHERE channel = 'sms'"_s)->toLongLong();
        const QString sid = f->providers->twilioMessages().first().toObject().value(u"sid"_s).toString();
        QCOMPARE(postStatus(*f, ref, sid, u"undelivered"_s, f->providers->config().twilioAuthToken, u"30003"_s).status, 204);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE id = ? AND status = 'failed' AND provider_status = 'undelivered' "
                                           "AND error_code = '30003' AND last_error = 'twilio.30003'"_s,
                                           {ref}),
                                  1, 10000);
        QCOMPARE(f->db->scalar(u"SELECT provider_id FROM notifications WHERE id = ?"_s, {ref})->toString(), sid);
        QTRY_VERIFY_WITH_TIMEOUT(smsTimeline(*f).contains(u"sms.failed"_s), 10000);
        QVERIFY(f->db->scalar(u"SELECT args FROM call_events WHERE code = 'sms.failed'"_s)->toString().contains(u"30003"_s));
        // A late 'sent' callback does not bring it back.
        QCOMPARE(postStatus(*f, ref, sid, u"sent"_s, f->providers->config().twilioAuthToken).status, 204);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'twilio' AND status = 'processed'"_s), 2, 10000);
        QCOMPARE(f->db->scalar(u"SELECT status FROM notifications WHERE id = ?"_s, {ref})->toString(), u"failed"_s);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
        Q_UNUSED(callId);
    }

    // A callback that cannot be applied is still stored (204: Twilio need not resend it), shown failed with its
    // reason, and support's replay applies it.
    void failedApplyIsKeptAndReplayed_data() { test::addEngineRows(); }
    void failedApplyIsKeptAndReplayed()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const qint64 ref = insertSms(*f, u"sent"_s);
        QVERIFY(ref > 0);
        // The database refuses every change of a notification (as a broken constraint or a lost disk would).
        if (f->db->engine() == Engine::Sqlite) {
            QVERIFY(f->db->control(u"CREATE TRIGGER refuse_sms BEFORE UPDATE ON notifications BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"_s));
        } else {
            QVERIFY(f->db->control(u"CREATE FUNCTION refuse_sms() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                   "RAISE EXCEPTION 'refused for the test'; END $$"_s));
            QVERIFY(f->db->control(u"CREATE TRIGGER refuse_sms BEFORE UPDATE ON notifications FOR EACH ROW EXECUTE FUNCTION refuse_sms()"_s));
        }
        QCOMPARE(postStatus(*f, ref, u"SMreplayed0001"_s, u"delivered"_s, f->providers->config().twilioAuthToken).status, 204);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'twilio' AND status = 'failed' "
                                           "AND error LIKE '%refused for the test%'"_s),
                                  1, 10000);
        QCOMPARE(f->db->scalar(u"SELECT provider_status FROM notifications WHERE id = ?"_s, {ref})->toString(), QString());
        // Twilio's retry of the same callback is a duplicate, acknowledged again: the stored row is what counts.
        QCOMPARE(postStatus(*f, ref, u"SMreplayed0001"_s, u"delivered"_s, f->providers->config().twilioAuthToken).status, 204);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'twilio'"_s), 1);

        QVERIFY(f->db->control(f->db->engine() == Engine::Sqlite ? u"DROP TRIGGER refuse_sms"_s : u"DROP TRIGGER refuse_sms ON notifications"_s));
        const qint64 inboxId = f->db->scalar(u"SELECT id FROM webhook_inbox WHERE provider = 'twilio'"_s)->toLongLong();
        auto replayed = SupportService(*f->db).replayWebhook(inboxId, Actor::system(u"tester"_s));
        QVERIFY2(replayed, replayed ? "" : qPrintable(replayed.error().describe()));
        QTRY_COMPARE_WITH_TIMEOUT(f->db->scalar(u"SELECT status FROM webhook_inbox WHERE id = ?"_s, {inboxId})->toString(), u"processed"_s, 15000);
        QCOMPARE(f->db->scalar(u"SELECT provider_status FROM notifications WHERE id = ?"_s, {ref})->toString(), u"delivered"_s);
        QCOMPARE(f->db->scalar(u"SELECT provider_id FROM notifications WHERE id = ?"_s, {ref})->toString(), u"SMreplayed0001"_s);
    }

    void mobileCallerGetsSmsAndStatusFlowsBack_data() { test::addEngineRows(); }
    void mobileCallerGetsSmsAndStatusFlowsBack()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const QString callId = book(*f, callerNumber, 10);
        QVERIFY(callId != QString());
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
        // The call's timeline tells it, with the number masked.
        QTRY_COMPARE_WITH_TIMEOUT(smsTimeline(*f), (QStringList{u"sms.sent"_s, u"sms.delivered"_s}), 10000);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM call_events WHERE code LIKE 'sms.%' AND (message LIKE '%1234567%' OR args LIKE '%1234567%')"_s), 0);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM call_events WHERE code = 'sms.delivered' AND args LIKE ?"_s,
                          {QString(u"%"_s + PhoneNumbers::masked(callerNumber) + u"%"_s)}),
                 1);

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

    // The answer and every callback were lost: after the wait the message is looked up at Twilio by recipient
    // and date sent, found, and marked sent with Twilio's sid; the customer gets exactly one SMS.
    void lostAnswerAndCallbacksAreLookedUp_data() { test::addEngineRows(); }
    void lostAnswerAndCallbacksAreLookedUp()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        test::FlowOptions options;
        options.smsAnswerWaitMs = 1500;
        auto f = withTwilio(engine, options);
        QVERIFY(f);
        sandbox::FaultSettings lost;
        lost.answerLostRate = 1.0;
        lost.writesOnly = true; // the lookup (a GET) gets its answer
        f->providers->setFaults(sandbox::Provider::Twilio, lost);
        f->providers->setTwilioCallbacksDropped(true);
        const QString callId = book(*f, callerNumber, 11);
        QVERIFY(callId != QString());
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'sent'"_s), 1, 30000);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
        QCOMPARE(f->db->scalar(u"SELECT provider_id FROM notifications WHERE channel = 'sms'"_s)->toString(),
                 f->providers->twilioMessages().first().toObject().value(u"sid"_s).toString());
        QCOMPARE(f->count(u"SELECT attempts FROM notifications WHERE channel = 'sms'"_s), 1);
        QTRY_COMPARE_WITH_TIMEOUT(smsTimeline(*f), QStringList{u"sms.sent"_s}, 10000);
        QTest::qWait(2500); // longer than the wait: nothing is sent again
        QCOMPARE(f->providers->twilioMessages().size(), 1);
    }

    // The request never reached Twilio (it timed out before Twilio took it): the lookup finds nothing, and the
    // message is sent once more, once.
    void messageTwilioNeverGotIsSentAgain_data() { test::addEngineRows(); }
    void messageTwilioNeverGotIsSentAgain()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        test::FlowOptions options;
        options.smsAnswerWaitMs = 1500;
        auto f = withTwilio(engine, options);
        QVERIFY(f);
        sandbox::FaultSettings unanswered;
        unanswered.timeoutRate = 1.0;
        unanswered.writesOnly = true;
        f->providers->setFaults(sandbox::Provider::Twilio, unanswered);
        const QString callId = book(*f, callerNumber, 12);
        QVERIFY(callId != QString());
        QTRY_VERIFY_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'sending' "
                                          "AND last_error = 'sms.answer_lost'"_s) == 1, 30000);
        QCOMPARE(f->providers->twilioMessages().size(), 0);
        f->providers->setFaults(sandbox::Provider::Twilio, {});
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'sent'"_s), 1, 60000);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
        QTest::qWait(2500);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
        QCOMPARE(f->count(u"SELECT attempts FROM notifications WHERE channel = 'sms'"_s), 2);
    }

    // A business that words its own confirmation has its text sent, filled in; the e-mail keeps the shipped one.
    void aCompanysOwnTextIsSent_data() { test::addEngineRows(); }
    void aCompanysOwnTextIsSent()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const MessageTemplate own{u"confirmation"_s, u"sms"_s, u"de"_s, QString(),
                                  u"Bis {{date}} um {{time}} bei {{branch}}! Fragen: {{phone}}. Ihre {{company}}"_s};
        auto saved = MessageTemplates(*f->db).save(Actor::system(u"test"_s), f->companyId, own);
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().message));
        QCOMPARE(saved->source, u"company"_s);
        const QString callId = book(*f, callerNumber, 10);
        QVERIFY(callId != QString());
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 20000);
        const QString body = f->providers->twilioMessages().first().toObject().value(u"body"_s).toString();
        QVERIFY2(body.startsWith(u"Bis "_s) && body.contains(u"um 10:00 bei Praxis Mitte! Fragen: +49 30 123456. Ihre Zahnarztpraxis Dr. Berg"_s),
                 qPrintable(body));
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM audit_log WHERE action = 'template.save'"_s), 1);
    }

    // SMS length: GSM-7 counts septets (an extension character two), one other character makes it UCS-2.
    void smsSegments()
    {
        QCOMPARE(SmsLength::of(QString()).segments, 0);
        QCOMPARE(SmsLength::of(QString(160, u'a')).segments, 1);
        QCOMPARE(SmsLength::of(QString(161, u'a')).segments, 2);
        QCOMPARE(SmsLength::of(QString(306, u'a')).segments, 2);
        QCOMPARE(SmsLength::of(QString(307, u'a')).segments, 3);
        const SmsLength euro = SmsLength::of(QString(79, u'a') + u"€"_s + QString(79, u'ü'));
        QVERIFY(!euro.unicode);
        QCOMPARE(euro.units, 160);
        QCOMPARE(euro.segments, 1);
        const SmsLength polish = SmsLength::of(u"Dzień dobry"_s);
        QVERIFY(polish.unicode);
        QCOMPARE(polish.units, 11);
        QCOMPARE(SmsLength::of(QString(70, u'ł')).segments, 1);
        QCOMPARE(SmsLength::of(QString(71, u'ł')).segments, 2);
        QCOMPARE(SmsLength::of(QString(135, u'ł')).segments, 3);
        // The shipped texts fit: a German confirmation fills one or two segments.
        const MessageTemplate shipped = MessageTemplates::shipped(u"confirmation"_s, u"sms"_s, u"de"_s);
        QVERIFY(MessageTemplates::check(shipped));
        const SmsLength filled = SmsLength::of(ConfirmationMessage::fill(shipped, MessageTemplates::sample(u"de"_s, u"Zahnarztpraxis Dr. Berg"_s)).body);
        QVERIFY2(!filled.unicode && filled.segments <= 2, qPrintable(QString::number(filled.units)));
        for (const QString &kind : MessageTemplates::kinds())
            for (const QString &channel : MessageTemplates::channels())
                for (const QString &language : MessageTemplates::languages())
                    QVERIFY2(MessageTemplates::check(MessageTemplates::shipped(kind, channel, language)),
                             qPrintable(kind + u' ' + channel + u' ' + language));
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

    // The customer's preferred channel: 'none' gets nothing, 'sms' gets the SMS, and the e-mail is only kept back.
    void preferredChannelDecides_data() { test::addEngineRows(); }
    void preferredChannelDecides()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const qint64 now = nowMs();
        QVERIFY(f->db->exec(u"INSERT INTO customers (company_id, phone_e164, name, preferred_channel, created_at, updated_at) "
                            "VALUES (?, ?, 'Jana Weber', 'none', ?, ?)"_s,
                            {f->companyId, callerNumber, now, now}));
        auto call = bookingCall(callerNumber, nextWorkdayAt(9));
        call.appointment.customerEmail = u"jana@example.org"_s;
        const QString first = f->providers->simulateCall(call);
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(first), u"booked"_s, 20000);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'email'"_s), 0);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'skipped' AND skip_reason = 'preference'"_s), 1);

        QVERIFY(f->db->exec(u"UPDATE customers SET preferred_channel = 'sms' WHERE phone_e164 = ?"_s, {callerNumber}));
        call.appointment.start = nextWorkdayAt(11);
        const QString second = f->providers->simulateCall(call);
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(second), u"booked"_s, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 20000);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'email' AND status <> 'skipped'"_s), 0);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'email' AND status = 'skipped' AND skip_reason = 'standby'"_s), 1);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM jobs WHERE kind = 'notification.send' AND status = 'done'"_s), 1, 15000);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'email' AND status = 'skipped' AND skip_reason = 'standby'"_s), 1);
        QCOMPARE(f->smtp.messages().size(), 0);
    }

    // A customer who prefers SMS still gets the confirmation when the SMS cannot reach them: by e-mail, once,
    // whether the SMS cannot be sent at all (a landline), fails for good at Twilio (21610), or is reported
    // undelivered afterwards; the call's timeline says so.
    void emailWhenTheSmsCannotReachThem_data() { test::addEngineRows(); }
    void emailWhenTheSmsCannotReachThem()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        f->providers->setTwilioCallbackSpacingMs(120000); // the stand-in's own callbacks come after the test
        const QString landline = u"+4930987654"_s;
        const QString stopped = u"+491709876543"_s;
        const qint64 now = nowMs();
        for (const QString &number : {landline, stopped, callerNumber}) {
            QVERIFY(f->db->exec(u"INSERT INTO customers (company_id, phone_e164, name, preferred_channel, created_at, updated_at) "
                                "VALUES (?, ?, 'Jana Weber', 'sms', ?, ?)"_s,
                                {f->companyId, number, now, now}));
        }
        f->providers->setTwilioStopped(stopped, true);
        const auto bookFrom = [&f](const QString &number, int hour) {
            auto call = bookingCall(number, nextWorkdayAt(hour));
            call.appointment.customerEmail = u"jana@example.org"_s;
            return f->providers->simulateCall(call);
        };
        const auto emailOf = [&f](const QString &callId) {
            return f->count(u"SELECT COUNT(*) FROM notifications n JOIN calls c ON c.id = n.call_id WHERE c.retell_call_id = ? "
                            "AND n.channel = 'email' AND n.status = 'sent' AND n.skip_reason = ''"_s,
                            {callId});
        };
        const auto timelineOf = [&f](const QString &callId) {
            return f->count(u"SELECT COUNT(*) FROM call_events e JOIN calls c ON c.id = e.call_id WHERE c.retell_call_id = ? "
                            "AND e.code = 'confirmation.email_instead'"_s,
                            {callId});
        };

        const QString fromLandline = bookFrom(landline, 9);
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(fromLandline), u"booked"_s, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(emailOf(fromLandline), 1, 15000);
        QCOMPARE(timelineOf(fromLandline), 1);

        const QString fromStopped = bookFrom(stopped, 10);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'failed' AND error_code = '21610'"_s),
                                  1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(emailOf(fromStopped), 1, 15000);
        QCOMPARE(timelineOf(fromStopped), 1);

        const QString fromMobile = bookFrom(callerNumber, 11);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'sent' AND recipient = ?"_s,
                                           {callerNumber}),
                                  1, 20000);
        QCOMPARE(emailOf(fromMobile), 0);
        const qint64 ref = f->db->scalar(u"SELECT id FROM notifications WHERE channel = 'sms' AND recipient = ?"_s, {callerNumber})->toLongLong();
        const QString sid = f->db->scalar(u"SELECT provider_id FROM notifications WHERE id = ?"_s, {ref})->toString();
        QCOMPARE(postStatus(*f, ref, sid, u"undelivered"_s, f->providers->config().twilioAuthToken, u"30003"_s).status, 204);
        QTRY_COMPARE_WITH_TIMEOUT(emailOf(fromMobile), 1, 15000);
        QCOMPARE(timelineOf(fromMobile), 1);
        // A second failure report changes nothing: one e-mail each.
        QCOMPARE(postStatus(*f, ref, sid, u"failed"_s, f->providers->config().twilioAuthToken, u"30005"_s).status, 204);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'twilio' AND status = 'processed'"_s), 2, 10000);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'email'"_s), 3);
        QCOMPARE(f->smtp.messages().size(), 3);
    }

    // The quiet hours follow the branch's clock across its DST changes.
    void quietHoursFollowTheBranchClock_data()
    {
        QTest::addColumn<QDateTime>("at");
        QTest::addColumn<QDateTime>("allowed");
        const QTimeZone berlin("Europe/Berlin");
        const auto local = [&berlin](int y, int mo, int d, int h, int mi) { return QDateTime(QDate(y, mo, d), QTime(h, mi), berlin); };
        QTest::newRow("day") << local(2026, 6, 10, 14, 0) << local(2026, 6, 10, 14, 0);
        QTest::newRow("last minute") << local(2026, 6, 10, 20, 59) << local(2026, 6, 10, 20, 59);
        QTest::newRow("evening") << local(2026, 6, 10, 21, 0) << local(2026, 6, 11, 8, 0);
        QTest::newRow("early") << local(2026, 6, 11, 7, 59) << local(2026, 6, 11, 8, 0);
        QTest::newRow("eight") << local(2026, 6, 11, 8, 0) << local(2026, 6, 11, 8, 0);
        // Into summer time the night is an hour shorter, out of it an hour longer; 08:00 stays 08:00.
        QTest::newRow("spring forward") << local(2026, 3, 28, 22, 30) << QDateTime(QDate(2026, 3, 29), QTime(6, 0), QTimeZone::utc());
        QTest::newRow("fall back") << local(2026, 10, 24, 23, 0) << QDateTime(QDate(2026, 10, 25), QTime(7, 0), QTimeZone::utc());
    }
    void quietHoursFollowTheBranchClock()
    {
        QFETCH(QDateTime, at);
        QFETCH(QDateTime, allowed);
        QCOMPARE(QuietHours::nextAllowed(at, QTimeZone("Europe/Berlin")).toMSecsSinceEpoch(), allowed.toMSecsSinceEpoch());
    }

    // At night at the branch an SMS waits for 08:00 there (queued, with the reason, using up no attempt); a
    // confirmation within 10 minutes of its call goes at once, a later one or a resend waits.
    void quietHoursHoldAnSmsUntilMorning_data() { test::addEngineRows(); }
    void quietHoursHoldAnSmsUntilMorning()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const QString night = zoneWhereItIs(true);
        QVERIFY(!night.isEmpty());
        QVERIFY(f->db->exec(u"UPDATE branches SET time_zone = ? WHERE id = ?"_s, {night, f->branchId}));

        const qint64 late = queuedSmsOfCall(*f, u"call_late"_s, 30 * 60000);
        const qint64 resent = queuedSmsOfCall(*f, u"call_resent"_s, 60000, late);
        QVERIFY(late > 0 && resent > 0);
        for (const qint64 id : {late, resent}) {
            QTRY_COMPARE_WITH_TIMEOUT(f->db->scalar(u"SELECT last_error FROM notifications WHERE id = ?"_s, {id})->toString(), u"sms.quiet_hours"_s,
                                      15000);
            QCOMPARE(f->db->scalar(u"SELECT status FROM notifications WHERE id = ?"_s, {id})->toString(), u"queued"_s);
            const qint64 runAfter = f->db->scalar(u"SELECT run_after FROM jobs WHERE dedupe_key = ?"_s, {u"sms:%1"_s.arg(id)})->toLongLong();
            const QDateTime due = QDateTime::fromMSecsSinceEpoch(runAfter, QTimeZone(night.toUtf8()));
            // 08:00, give or take the moments between the worker's reading of the clock and the queue's
            QVERIFY2(qAbs(due.time().msecsSinceStartOfDay() - QTime(8, 0).msecsSinceStartOfDay()) < 5000, qPrintable(due.toString(Qt::ISODateWithMs)));
            QVERIFY(runAfter > nowMs() && runAfter - nowMs() <= 11 * 3600 * 1000);
            QCOMPARE(f->count(u"SELECT attempts FROM jobs WHERE dedupe_key = ?"_s, {u"sms:%1"_s.arg(id)}), 0);
        }
        QCOMPARE(f->providers->twilioMessages().size(), 0);

        const qint64 prompt = queuedSmsOfCall(*f, u"call_prompt"_s, 60000);
        QVERIFY(prompt > 0);
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(f->db->scalar(u"SELECT status FROM notifications WHERE id = ?"_s, {prompt})->toString(), u"sent"_s, 15000);

        // By day the same late confirmation goes at once.
        QVERIFY(f->db->exec(u"UPDATE branches SET time_zone = ? WHERE id = ?"_s, {zoneWhereItIs(false), f->branchId}));
        const qint64 daytime = queuedSmsOfCall(*f, u"call_day"_s, 30 * 60000);
        QVERIFY(daytime > 0);
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 2, 15000);
    }

    // The reminder is due at the same local time the day before: 23 or 25 hours ahead across a DST change.
    void reminderIsDueTheDayBefore_data()
    {
        QTest::addColumn<QDateTime>("start");
        QTest::addColumn<qint64>("hoursBefore");
        const QTimeZone berlin("Europe/Berlin");
        QTest::newRow("summer") << QDateTime(QDate(2026, 6, 10), QTime(10, 0), berlin) << qint64(24);
        QTest::newRow("spring forward") << QDateTime(QDate(2026, 3, 29), QTime(10, 0), berlin) << qint64(23);
        QTest::newRow("fall back") << QDateTime(QDate(2026, 10, 25), QTime(10, 0), berlin) << qint64(25);
    }
    void reminderIsDueTheDayBefore()
    {
        QFETCH(QDateTime, start);
        QFETCH(qint64, hoursBefore);
        const QDateTime due = ReminderScheduler::dueAt(start, QTimeZone("Europe/Berlin"));
        QCOMPARE(due.secsTo(start), hoursBefore * 3600);
        QCOMPARE(due.toTimeZone(QTimeZone("Europe/Berlin")).time(), QTime(10, 0));
    }

    // The day before, a booking made more than a day ahead gets a reminder SMS in the customer's language, once; one
    // booked at short notice, one not yet due and a cancelled one get none; a landline gets a row with the reason; a
    // moved appointment gets one for its new time. A reminder whose appointment was cancelled or moved after it was
    // recorded is not sent.
    void remindersGoTheDayBefore_data() { test::addEngineRows(); }
    void remindersGoTheDayBefore()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        QVERIFY(f->db->exec(u"UPDATE branches SET time_zone = ? WHERE id = ?"_s, {zoneWhereItIs(false), f->branchId})); // no quiet hours
        const qint64 now = nowMs();
        const qint64 hour = 3600 * 1000;
        auto mobile = f->db->insert(u"INSERT INTO customers (company_id, phone_e164, name, language, created_at, updated_at) "
                                    "VALUES (?, ?, 'Jana Weber', 'en', ?, ?) RETURNING id"_s,
                                    {f->companyId, callerNumber, now, now});
        auto landline = f->db->insert(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) "
                                      "VALUES (?, '+4930987654', 'Karl Fest', ?, ?) RETURNING id"_s,
                                      {f->companyId, now, now});
        QVERIFY(mobile && landline);
        const qint64 due = appointmentFor(*f, *mobile, 20 * hour, 48 * hour);
        QVERIFY(appointmentFor(*f, *mobile, 21 * hour, 2 * hour) > 0);                       // booked at short notice
        QVERIFY(appointmentFor(*f, *mobile, 30 * hour, 48 * hour) > 0);                      // due in six hours
        QVERIFY(appointmentFor(*f, *mobile, 19 * hour, 48 * hour, u"cancelled"_s) > 0);     // cancelled
        const qint64 fixedLine = appointmentFor(*f, *landline, 22 * hour, 48 * hour);
        QVERIFY(due > 0 && fixedLine > 0);

        QCOMPARE(*ReminderScheduler(*f->db).queueDue(nowMs()), 2); // one to send, one skipped with its reason
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 15000);
        const QJsonObject sent = f->providers->twilioMessages().first().toObject();
        QCOMPARE(sent.value(u"to"_s).toString(), callerNumber);
        QVERIFY2(sent.value(u"body"_s).toString().startsWith(u"Reminder: your appointment"_s), qPrintable(sent.value(u"body"_s).toString()));
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'reminder' AND appointment_id = ? AND skip_reason = 'landline'"_s, {fixedLine}), 1);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'reminder'"_s), 2);
        QCOMPARE(*ReminderScheduler(*f->db).queueDue(nowMs()), 0); // once

        // Moved to a later hour the same day: a reminder for the new time.
        QVERIFY(f->db->exec(u"UPDATE appointments SET starts_at = starts_at + ?, ends_at = ends_at + ? WHERE id = ?"_s, {hour, hour, due}));
        QCOMPARE(*ReminderScheduler(*f->db).queueDue(nowMs()), 1);
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 2, 15000);

        // Recorded, then the appointment changed before the send: not sent, with the reason.
        const auto staleReminder = [&f, &now](qint64 appointment, qint64 startsAt) {
            auto id = f->db->insert(u"INSERT INTO notifications (company_id, appointment_id, kind, channel, dedupe_key, recipient, subject, body, "
                                    "status, created_at) VALUES (?, ?, 'reminder', 'sms', ?, ?, '', 'Erinnerung', 'queued', ?) RETURNING id"_s,
                                    {f->companyId, appointment, u"reminder-sms:%1:%2"_s.arg(appointment).arg(startsAt), callerNumber, now});
            if (!id)
                return qint64(0);
            auto job = JobQueue(*f->db).enqueue(u"notification.send"_s, "{\"notification_id\":" + QByteArray::number(*id) + '}',
                                                u"sms:%1"_s.arg(*id));
            return job ? *id : qint64(0);
        };
        const qint64 later = appointmentFor(*f, *mobile, 40 * hour, 48 * hour);
        const qint64 moved = staleReminder(later, now + 39 * hour);
        const qint64 cancelledLater = appointmentFor(*f, *mobile, 41 * hour, 48 * hour, u"cancelled"_s);
        const qint64 cancelled = staleReminder(cancelledLater, now + 41 * hour);
        QVERIFY(moved > 0 && cancelled > 0);
        QTRY_COMPARE_WITH_TIMEOUT(f->db->scalar(u"SELECT skip_reason FROM notifications WHERE id = ?"_s, {moved})->toString(), u"appointment_moved"_s, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(f->db->scalar(u"SELECT skip_reason FROM notifications WHERE id = ?"_s, {cancelled})->toString(),
                                  u"appointment_cancelled"_s, 15000);
        QCOMPARE(f->providers->twilioMessages().size(), 2);
    }

    // Support moves a booked appointment and later cancels it (through the admin API, at Cal.com): the caller gets
    // an SMS with the new time, then one that it is cancelled, each once, even though Cal.com's own webhooks of the
    // same changes come back too.
    void theCallerHearsOfChanges_data() { test::addEngineRows(); }
    void theCallerHearsOfChanges()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const QString day = zoneWhereItIs(false);
        QVERIFY(f->db->exec(u"UPDATE branches SET time_zone = ? WHERE id = ?"_s, {day, f->branchId})); // no quiet hours
        const QString callId = book(*f, callerNumber, 10);
        QVERIFY(callId != QString());
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 15000); // the confirmation
        const qint64 appointment = f->db->scalar(u"SELECT a.id FROM appointments a JOIN calls c ON c.id = a.call_id WHERE c.retell_call_id = ?"_s,
                                                 {callId})->toLongLong();
        QVERIFY(appointment > 0);
        auto support = test::signInTo(*f->db, f->port, Role::Support);
        const qint64 newStart = nextWorkdayAt(15).toMSecsSinceEpoch();
        const auto moved = test::waitFor(support->post(u"/appointments/%1/reschedule"_s.arg(appointment), {{"starts_at", newStart}}));
        QVERIFY2(moved.ok(), qPrintable(moved.errorMessage));
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 2, 15000);
        const QString movedText = f->providers->twilioMessages().at(1).toObject().value(u"body"_s).toString();
        const QString shown = QDateTime::fromMSecsSinceEpoch(newStart, QTimeZone(day.toUtf8())).toString(u"HH:mm"_s); // the branch's clock
        QVERIFY2(movedText.contains(u"verschoben"_s) && movedText.contains(shown), qPrintable(movedText));

        const auto cancelled = test::waitFor(support->post(u"/appointments/%1/cancel"_s.arg(appointment), {{"reason", "Praxis geschlossen"}}));
        QVERIFY2(cancelled.ok(), qPrintable(cancelled.errorMessage));
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 3, 15000);
        QVERIFY(f->providers->twilioMessages().at(2).toObject().value(u"body"_s).toString().contains(u"abgesagt"_s));
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE appointment_id = ? AND kind IN ('reschedule', 'cancellation')"_s, {appointment}), 2);
        // Cal.com's webhooks of both changes are applied (or found stale) without a second message.
        QTest::qWait(1500);
        QCOMPARE(f->providers->twilioMessages().size(), 3);
    }

    // The time the caller wanted is taken and they want no other: the call needs a callback, and the caller hears so
    // by SMS, once, though both of the call's events (call_ended, call_analyzed) carry the request.
    void aCallbackIsAnnounced_data() { test::addEngineRows(); }
    void aCallbackIsAnnounced()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        QVERIFY(f->db->exec(u"UPDATE branches SET time_zone = ? WHERE id = ?"_s, {zoneWhereItIs(false), f->branchId})); // no quiet hours
        const QString callId = callForATakenTime(*f);
        QVERIFY(!callId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 15000);
        const QString text = f->providers->twilioMessages().first().toObject().value(u"body"_s).toString();
        QVERIFY2(text.contains(u"ruft Sie zurück"_s), qPrintable(text));
        QTest::qWait(1500);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'callback' AND status = 'sent'"_s), 1);
    }

    // A caller from a landline who gave an address hears of the callback by e-mail, once; the SMS says landline.
    void aCallbackIsAnnouncedByEmailWhenNoSmsCan_data() { test::addEngineRows(); }
    void aCallbackIsAnnouncedByEmailWhenNoSmsCan()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const QString callId = callForATakenTime(*f, u"+4930987654"_s, u"karl@example.org"_s);
        QVERIFY(!callId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f->smtp.messages().size(), 1, 15000);
        const QByteArray mail = f->smtp.messages().first();
        QVERIFY(mail.contains("karl@example.org"));
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'callback' AND channel = 'email' AND status = 'sent'"_s),
                                  1, 15000);
        QVERIFY2(f->db->scalar(u"SELECT subject FROM notifications WHERE kind = 'callback' AND channel = 'email'"_s)->toString()
                     .endsWith(u"Wir rufen Sie zurück"_s),
                 qPrintable(f->db->scalar(u"SELECT subject FROM notifications WHERE kind = 'callback' AND channel = 'email'"_s)->toString()));
        const QString body = f->db->scalar(u"SELECT body FROM notifications WHERE kind = 'callback' AND channel = 'email'"_s)->toString();
        QVERIFY2(body.contains(u"Jana Weber"_s) && body.contains(u"Praxis Mitte ruft Sie"_s) && body.contains(u"+49 30 123456"_s), qPrintable(body));
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'callback' AND channel = 'sms' AND skip_reason = 'landline'"_s), 1);
        QTest::qWait(1500);
        QCOMPARE(f->smtp.messages().size(), 1);
        QCOMPARE(f->providers->twilioMessages().size(), 0);
    }

    // At night the callback notice waits for the morning like any SMS; when support has called back meanwhile and
    // resolved the call, it is not sent, and says why.
    void aCallbackNoticeResolvedOvernightIsNotSent_data() { test::addEngineRows(); }
    void aCallbackNoticeResolvedOvernightIsNotSent()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        QVERIFY(f->db->exec(u"UPDATE branches SET time_zone = ? WHERE id = ?"_s, {zoneWhereItIs(true), f->branchId})); // night at the branch
        const QString callId = callForATakenTime(*f);
        QVERIFY(!callId.isEmpty());
        const auto notice = [&f] { return f->count(u"SELECT id FROM notifications WHERE kind = 'callback'"_s); };
        QTRY_VERIFY_WITH_TIMEOUT(notice() > 0, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(f->db->scalar(u"SELECT last_error FROM notifications WHERE id = ?"_s, {notice()})->toString(),
                                  u"sms.quiet_hours"_s, 15000);
        QCOMPARE(f->providers->twilioMessages().size(), 0);

        const qint64 call = f->count(u"SELECT id FROM calls WHERE retell_call_id = ?"_s, {callId});
        auto support = test::signInTo(*f->db, f->port, Role::Support);
        const auto resolved = test::waitFor(support->post(u"/calls/%1/resolve"_s.arg(call), {{"comment", "Zurückgerufen, Termin am Telefon vereinbart"}}));
        QVERIFY2(resolved.ok(), qPrintable(resolved.errorMessage));
        // Morning comes.
        QVERIFY(f->db->exec(u"UPDATE jobs SET run_after = ? WHERE dedupe_key = ?"_s, {nowMs(), u"sms:%1"_s.arg(notice())}));
        QTRY_COMPARE_WITH_TIMEOUT(f->db->scalar(u"SELECT status FROM notifications WHERE id = ?"_s, {notice()})->toString(), u"skipped"_s, 15000);
        QCOMPARE(f->db->scalar(u"SELECT skip_reason FROM notifications WHERE id = ?"_s, {notice()})->toString(), u"call_resolved"_s);
        QCOMPARE(f->providers->twilioMessages().size(), 0);
    }

    // A booked call never hears that it will be called back: both events of each call race for its booking, and
    // the one that finds the slot taken by the other follows it instead of marking a callback.
    void aBookedCallerHearsOnlyOfTheBooking_data() { test::addEngineRows(); }
    void aBookedCallerHearsOnlyOfTheBooking()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        QVERIFY(f->db->exec(u"UPDATE branches SET time_zone = ? WHERE id = ?"_s, {zoneWhereItIs(false), f->branchId})); // no quiet hours
        constexpr int calls = 4;
        for (int i = 0; i < calls; ++i)
            QVERIFY(!book(*f, callerNumber, 9 + 2 * i).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), calls, 20000);
        QTest::qWait(1500);
        QCOMPARE(f->providers->twilioMessages().size(), calls);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE kind = 'callback'"_s), 0);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM calls WHERE outcome = 'booked'"_s), calls);
    }

    // A caller from a landline who gave an e-mail address gets by e-mail what an SMS cannot bring: the reminder the
    // day before and the notice that support cancelled; a customer who wants no messages gets none.
    void noticesGoByEmailWhenNoSmsCan_data() { test::addEngineRows(); }
    void noticesGoByEmailWhenNoSmsCan()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        QVERIFY(f->db->exec(u"UPDATE branches SET time_zone = ? WHERE id = ?"_s, {zoneWhereItIs(false), f->branchId})); // no quiet hours
        auto call = bookingCall(u"+4930987654"_s, onTheBranchClock(*f, nextWorkdayAt(10)));
        call.appointment.customerEmail = u"karl@example.org"_s;
        const QString callId = f->providers->simulateCall(call);
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"booked"_s, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(f->smtp.messages().size(), 1, 15000); // the confirmation
        const qint64 customer = f->count(u"SELECT id FROM customers WHERE phone_e164 = '+4930987654'"_s);
        QVERIFY(customer > 0);

        const qint64 tomorrow = appointmentFor(*f, customer, 20 * 3600 * 1000, 48 * 3600 * 1000);
        QCOMPARE(*ReminderScheduler(*f->db).queueDue(nowMs()), 1);
        QTRY_COMPARE_WITH_TIMEOUT(f->smtp.messages().size(), 2, 15000);
        QVERIFY(f->smtp.messages().at(1).contains("karl@example.org"));
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE appointment_id = ? AND kind = 'reminder' AND channel = 'sms' "
                          "AND skip_reason = 'landline'"_s, {tomorrow}), 1);
        QTRY_COMPARE_WITH_TIMEOUT(f->db->scalar(u"SELECT status FROM notifications WHERE appointment_id = ? AND kind = 'reminder' AND channel = 'email'"_s,
                                                {tomorrow})->toString(), u"sent"_s, 15000);
        QVERIFY(f->db->scalar(u"SELECT subject FROM notifications WHERE appointment_id = ? AND channel = 'email'"_s, {tomorrow})->toString()
                    .startsWith(u"Erinnerung: Ihr Termin morgen um"_s));

        // Sent again by support: still for the same start, so it goes (its key is its own; the first one's names the start).
        auto support = test::signInTo(*f->db, f->port, Role::Support);
        const qint64 reminder = f->count(u"SELECT id FROM notifications WHERE appointment_id = ? AND channel = 'email'"_s, {tomorrow});
        const auto again = test::waitFor(support->post(u"/messages/%1/resend"_s.arg(reminder), client::Json::object()));
        QVERIFY2(again.ok(), qPrintable(again.errorMessage));
        QTRY_COMPARE_WITH_TIMEOUT(f->smtp.messages().size(), 3, 15000);
        // The row says sent once the server has the SMTP server's answer, a moment after the message arrived.
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE resend_of = ? AND status = 'sent'"_s, {reminder}), 1, 15000);

        const qint64 booked = f->count(u"SELECT a.id FROM appointments a JOIN calls c ON c.id = a.call_id WHERE c.retell_call_id = ?"_s, {callId});
        const auto cancelled = test::waitFor(support->post(u"/appointments/%1/cancel"_s.arg(booked), {{"reason", "Praxis geschlossen"}}));
        QVERIFY2(cancelled.ok(), qPrintable(cancelled.errorMessage));
        QTRY_COMPARE_WITH_TIMEOUT(f->smtp.messages().size(), 4, 15000);
        QVERIFY(f->db->scalar(u"SELECT subject FROM notifications WHERE appointment_id = ? AND kind = 'cancellation' AND channel = 'email'"_s, {booked})
                    ->toString().endsWith(u"ist abgesagt"_s));
        // The calendar entry of the confirmation is withdrawn: the same UID, a higher SEQUENCE, METHOD:CANCEL.
        const QString uid = u"UID:appointment-%1@askproai"_s.arg(booked);
        const QString invitation = f->db->scalar(u"SELECT attachment FROM notifications WHERE appointment_id = ? AND kind = 'confirmation' "
                                                 "AND channel = 'email'"_s, {booked})->toString();
        const QString withdrawal = f->db->scalar(u"SELECT attachment FROM notifications WHERE appointment_id = ? AND kind = 'cancellation' "
                                                 "AND channel = 'email'"_s, {booked})->toString();
        QVERIFY2(invitation.contains(uid) && invitation.contains(u"METHOD:PUBLISH"_s) && invitation.contains(u"SEQUENCE:0"_s), qPrintable(invitation));
        QVERIFY2(withdrawal.contains(uid) && withdrawal.contains(u"METHOD:CANCEL"_s) && withdrawal.contains(u"STATUS:CANCELLED"_s)
                     && withdrawal.contains(u"SEQUENCE:1"_s),
                 qPrintable(withdrawal));
        QVERIFY(f->db->scalar(u"SELECT attachment_type FROM notifications WHERE appointment_id = ? AND kind = 'cancellation' AND channel = 'email'"_s,
                              {booked})->toString().contains(u"method=CANCEL"_s));
        QCOMPARE(f->providers->twilioMessages().size(), 0);
        // Only the confirmation is on the call's timeline as an e-mail.
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM call_events e JOIN calls c ON c.id = e.call_id WHERE c.retell_call_id = ? "
                          "AND e.code = 'confirmation.sent'"_s, {callId}), 1);

        QVERIFY(f->db->exec(u"UPDATE customers SET preferred_channel = 'none' WHERE id = ?"_s, {customer}));
        const qint64 unwanted = appointmentFor(*f, customer, 21 * 3600 * 1000, 48 * 3600 * 1000);
        QCOMPARE(*ReminderScheduler(*f->db).queueDue(nowMs()), 1);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE appointment_id = ?"_s, {unwanted}), 1); // the SMS, skipped
        QTest::qWait(1000);
        QCOMPARE(f->smtp.messages().size(), 4);
    }

    // Caller ID is a landline, so support records the customer's mobile number for messages through the admin
    // API (typed as the customer says it, read in the country of their number): the next booking's SMS goes
    // there. A landline as that number, a misspelt field and an opt-in by hand are refused; an opt-out said on
    // the phone stops the SMS, with that reason.
    void aNumberForMessagesIsUsed_data() { test::addEngineRows(); }
    void aNumberForMessagesIsUsed()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const QString landline = u"+4930987654"_s;
        const QString first = book(*f, landline, 9);
        QVERIFY(first != QString());
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND skip_reason = 'landline'"_s), 1);
        const qint64 customer = f->db->scalar(u"SELECT id FROM customers WHERE phone_e164 = ?"_s, {landline})->toLongLong();
        QVERIFY(customer > 0);

        auto support = test::signInTo(*f->db, f->port, Role::Support);
        const QString path = u"/customers/%1"_s.arg(customer);
        const auto patch = [&support, &path](const client::Json &body) { return test::waitFor(support->patch(path, body)); };
        const auto wrong = patch({{"message_phone", "030 5550000"}});
        QCOMPARE(wrong.status, 400);
        QCOMPARE(wrong.errorCode, u"customers.message_phone"_s);
        QCOMPARE(patch({{"mesage_phone", "0170 5551234"}}).errorCode, u"body.unknown"_s);
        QCOMPARE(patch({{"preferred_channel", "fax"}}).errorCode, u"customers.channel"_s);
        const auto saved = patch({{"message_phone", "0170 5551234"}, {"language", "en"}});
        QCOMPARE(saved.status, 200);
        QCOMPARE(saved.body.at("message_phone").get<std::string>(), std::string("+491705551234"));
        QVERIFY(saved.body.at("message_phone_is_mobile").get<bool>());
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM audit_log WHERE action = 'customer.update' AND entity_id = ?"_s, {customer}), 1);

        const QString second = book(*f, landline, 11);
        QVERIFY(second != QString());
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 20000);
        const QJsonObject sent = f->providers->twilioMessages().first().toObject();
        QCOMPARE(sent.value(u"to"_s).toString(), u"+491705551234"_s);
        QVERIFY2(sent.value(u"body"_s).toString().contains(u"appointment"_s), qPrintable(sent.value(u"body"_s).toString())); // English now

        // An opt-out said on the phone; undoing it is the customer's own START.
        QCOMPARE(patch({{"sms_opt_out", true}}).status, 200);
        QCOMPARE(patch({{"sms_opt_out", false}}).errorCode, u"customers.opt_in"_s);
        const QString third = book(*f, landline, 13);
        QVERIFY(third != QString());
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND skip_reason = 'opted_out'"_s), 1);
        QCOMPARE(f->providers->twilioMessages().size(), 1);
    }

    // Only a missing credential skips the SMS as no_credentials. One that is there but cannot be opened is a
    // fault: the SMS is queued, and its send job shows the error on the row instead of deciding for good.
    void unreadableCredentialIsNotMissing_data() { test::addEngineRows(); }
    void unreadableCredentialIsNotMissing()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        QVERIFY(f->db->exec(u"UPDATE api_credentials SET secret_ciphertext = ? WHERE provider = 'twilio'"_s,
                            {QByteArray("not a sealed secret at all, just bytes")}));
        const QString callId = book(*f, callerNumber, 10);
        QVERIFY(callId != QString());
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND skip_reason = 'no_credentials'"_s), 0);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status <> 'skipped' AND last_error <> ''"_s),
                                  1, 20000);
        const QString lastError = f->db->scalar(u"SELECT last_error FROM notifications WHERE channel = 'sms'"_s)->toString();
        QVERIFY2(lastError.startsWith(u"secrets."_s) && !lastError.contains(u' '), qPrintable(lastError));
        QCOMPARE(f->providers->twilioMessages().size(), 0);

        // Without any Twilio credential it is skipped, with that reason.
        QVERIFY(f->db->exec(u"DELETE FROM api_credentials WHERE provider = 'twilio'"_s));
        const QString second = book(*f, callerNumber, 12);
        QVERIFY(second != QString());
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'skipped' AND skip_reason = 'no_credentials'"_s), 1);
    }

    void landlineGetsNoSms_data() { test::addEngineRows(); }
    void landlineGetsNoSms()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const QString callId = book(*f, u"+4930987654"_s, 11);
        QVERIFY(callId != QString());
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
        // A stable code for screens to word, not Twilio's English.
        QCOMPARE(f->db->scalar(u"SELECT last_error FROM notifications WHERE channel = 'sms'"_s)->toString(), u"twilio.21610"_s);
        QVERIFY(f->db->scalar(u"SELECT sms_opt_changed_at FROM customers WHERE phone_e164 = ?"_s, {callerNumber})->toLongLong() > 0);
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
        QCOMPARE(postInbound(*f, u"SMinbound1"_s, u"Stopp"_s, false).status, 403);
        QCOMPARE(postInbound(*f, u"SMinbound1"_s, u"Stopp"_s).status, 200);
        // Stored first, applied by its job.
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT sms_opt_out FROM customers WHERE phone_e164 = ?"_s, {callerNumber}), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'twilio' AND status = 'processed'"_s), 1, 10000);
        const QString callId = book(*f, callerNumber, 13);
        QVERIFY(callId != QString());
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'skipped' AND skip_reason = 'opted_out'"_s), 1);
        QCOMPARE(f->providers->twilioMessages().size(), 0);
    }

    // A reply counts from when it arrived: a replayed (or late-processed) STOP never undoes a START received after
    // it, and the decision's time is kept on the customer.
    void olderReplyNeverUndoesANewerOne_data() { test::addEngineRows(); }
    void olderReplyNeverUndoesANewerOne()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto f = withTwilio(engine);
        QVERIFY(f);
        const qint64 now = nowMs();
        QVERIFY(f->db->exec(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) VALUES (?, ?, 'Jana Weber', ?, ?)"_s,
                            {f->companyId, callerNumber, now, now}));
        const auto processed = [&f] { return f->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'twilio' AND status = 'processed'"_s); };
        QCOMPARE(postInbound(*f, u"SMstop1"_s, u"STOP"_s).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(processed(), 1, 10000);
        QCOMPARE(f->count(u"SELECT sms_opt_out FROM customers WHERE phone_e164 = ?"_s, {callerNumber}), 1);
        const qint64 stopReceived = f->db->scalar(u"SELECT received_at FROM webhook_inbox WHERE dedupe_key LIKE '%SMstop1%'"_s)->toLongLong();
        QCOMPARE(f->db->scalar(u"SELECT sms_opt_changed_at FROM customers WHERE phone_e164 = ?"_s, {callerNumber})->toLongLong(), stopReceived);
        QTest::qWait(5); // the START arrives in a later millisecond

        QCOMPARE(postInbound(*f, u"SMstart1"_s, u"START"_s).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(processed(), 2, 10000);
        QCOMPARE(f->count(u"SELECT sms_opt_out FROM customers WHERE phone_e164 = ?"_s, {callerNumber}), 0);
        const qint64 startReceived = f->db->scalar(u"SELECT received_at FROM webhook_inbox WHERE dedupe_key LIKE '%SMstart1%'"_s)->toLongLong();
        QVERIFY(startReceived > stopReceived);
        QCOMPARE(f->db->scalar(u"SELECT sms_opt_changed_at FROM customers WHERE phone_e164 = ?"_s, {callerNumber})->toLongLong(), startReceived);

        // Support replays the old STOP; Twilio retries it: the customer stays opted in.
        const qint64 stopInbox = f->db->scalar(u"SELECT id FROM webhook_inbox WHERE dedupe_key LIKE '%SMstop1%'"_s)->toLongLong();
        auto replayed = SupportService(*f->db).replayWebhook(stopInbox, Actor::system(u"tester"_s));
        QVERIFY2(replayed, replayed ? "" : qPrintable(replayed.error().describe()));
        QCOMPARE(postInbound(*f, u"SMstop1"_s, u"STOP"_s).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM jobs WHERE kind = 'twilio.event' AND status NOT IN ('done', 'failed')"_s), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(processed(), 2, 10000);
        QCOMPARE(f->count(u"SELECT sms_opt_out FROM customers WHERE phone_e164 = ?"_s, {callerNumber}), 0);
        QCOMPARE(f->db->scalar(u"SELECT sms_opt_changed_at FROM customers WHERE phone_e164 = ?"_s, {callerNumber})->toLongLong(), startReceived);

        // A booking now gets its SMS.
        const QString callId = book(*f, callerNumber, 13);
        QVERIFY(callId != QString());
        QTRY_COMPARE_WITH_TIMEOUT(f->providers->twilioMessages().size(), 1, 20000);
    }
};

QTEST_MAIN(TestSms)
#include "test_sms.moc"
