// End to end on both engines: signed Retell webhooks from the sandbox become calls, Cal.com bookings in
// the sandbox and confirmation mail received by a real SMTP server; plus every way this can go wrong.
#include "core/clock.h"
#include "db/database.h"
#include "flow/recoverysweep.h"
#include "http/askproserver.h"
#include "httptestclient.h"
#include "integrations/calcomclient.h"
#include "integrations/retellclient.h"
#include "jobs/workerpool.h"
#include "sandbox.h"
#include "security/credentialstore.h"
#include "smtpsink.h"
#include "testdatabase.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QTest>
#include <QTimeZone>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace askpro;
using sandbox::Sandbox;

namespace {

const QString branchNumber = u"+4930123456"_s;
const QString callerNumber = u"+491701234567"_s;

JsonResult await(JsonReply *reply)
{
    JsonResult out = makeError(ErrorKind::Transient, u"test.timeout"_s, u"no answer"_s);
    QEventLoop loop;
    QObject::connect(reply, &JsonReply::finished, &loop, [&](const JsonResult &r) {
        out = r;
        loop.quit();
    });
    QTimer::singleShot(15000, &loop, &QEventLoop::quit);
    loop.exec();
    return out;
}

// A weekday at least two days ahead, 10:00 in Berlin: inside the sandbox's default schedule.
QDateTime nextWorkdayAt(int hour)
{
    const QTimeZone berlin("Europe/Berlin");
    QDate day = QDateTime::currentDateTime().toTimeZone(berlin).date().addDays(2);
    while (day.dayOfWeek() > 5)
        day = day.addDays(1);
    return QDateTime(day, QTime(hour, 0), berlin);
}

} // namespace

class TestCallFlow final : public QObject
{
    Q_OBJECT

    struct Fixture
    {
        std::shared_ptr<Database> db;
        test::SmtpSink smtp;
        std::unique_ptr<Sandbox> providers;
        std::unique_ptr<AskProServer> server;
        QNetworkAccessManager network;
        quint16 port = 0;
        qint64 companyId = 0;
        qint64 branchId = 0;
        qint64 eventTypeId = 0;
        QString agentId;
        SecretBox box{SecretBox::newKey()};

        ServerConfig config() const
        {
            ServerConfig c;
            c.endpoints.retell = providers->baseUrl(sandbox::Provider::Retell);
            c.endpoints.calcom = providers->baseUrl(sandbox::Provider::Calcom);
            c.endpoints.stripe = providers->baseUrl(sandbox::Provider::Stripe);
            c.endpoints.timeoutMs = 3000;
            c.smtp.url = smtp.url();
            c.pollIntervalMs = 200;
            return c;
        }
        QString callStatus(const QString &callId) const
        {
            auto v = db->scalar(u"SELECT outcome FROM calls WHERE retell_call_id = ?"_s, {callId});
            return v ? v->toString() : QString();
        }
        int count(const QString &sql, const QVariantList &params = {}) const
        {
            auto v = db->scalar(sql, params);
            return v ? v->toInt() : -1;
        }
    };

    // Database, SMTP sink, sandbox, server; a company with one branch, one service mapped to a Cal.com
    // event type, a Retell agent bound to the branch's number, credentials stored encrypted.
    std::unique_ptr<Fixture> makeFixture(const QString &engine, bool workers = true)
    {
        auto f = std::make_unique<Fixture>();
        f->db = test::freshDatabase(engine);
        if (!f->db || !f->smtp.start())
            return nullptr;
        // The server's port must be known before the sandbox (which posts webhooks to it) is built.
        f->providers = std::make_unique<Sandbox>(sandbox::SandboxConfig{});
        if (f->providers->listen(QHostAddress::LocalHost, 0) == 0)
            return nullptr;
        f->server = std::make_unique<AskProServer>(f->db, f->box, f->config(), workers);
        auto port = f->server->start(QHostAddress::LocalHost, 0);
        if (!port)
            return nullptr;
        f->port = *port;
        const QString webhookUrl = u"http://127.0.0.1:%1/webhooks/retell"_s.arg(f->port);

        const qint64 now = nowMs();
        f->companyId = *f->db->insert(u"INSERT INTO companies (name, address, billing_email, created_at, updated_at) "
                                      "VALUES ('Zahnarztpraxis Dr. Berg', 'Friedrichstr. 1, 10117 Berlin', 'rechnung@berg.de', ?, ?) RETURNING id"_s,
                                      {now, now});
        f->branchId = *f->db->insert(u"INSERT INTO branches (company_id, name, address, phone_e164, time_zone, language, created_at, updated_at) "
                                     "VALUES (?, 'Praxis Mitte', 'Friedrichstr. 1, 10117 Berlin', ?, 'Europe/Berlin', 'de', ?, ?) RETURNING id"_s,
                                     {f->companyId, branchNumber, now, now});
        const qint64 serviceId = *f->db->insert(u"INSERT INTO services (company_id, name, duration_minutes, price_cents, created_at) "
                                                "VALUES (?, '30 Min Beratung', 30, 0, ?) RETURNING id"_s,
                                                {f->companyId, now});

        CalcomClient calcom(&f->network, f->providers->baseUrl(sandbox::Provider::Calcom), "cal_test_sandbox");
        auto eventType = await(calcom.createEventType(u"30 Min Beratung"_s, u"beratung-30"_s, 30));
        if (!eventType)
            return nullptr;
        f->eventTypeId = jsonInt(*eventType, "id");
        auto mapped = f->db->exec(u"INSERT INTO event_type_mappings (branch_id, service_id, calcom_event_type_id) VALUES (?, ?, ?)"_s,
                                  {f->branchId, serviceId, f->eventTypeId});
        auto hook = await(calcom.createWebhook(u"http://127.0.0.1:%1/webhooks/calcom"_s.arg(f->port), "calcom_hook_secret"));

        RetellClient retell(&f->network, f->providers->baseUrl(sandbox::Provider::Retell), "key_sandbox_retell");
        auto llm = await(retell.createLlm(Json{{"general_prompt", "Sie sind die Telefonassistenz."}, {"model", "gpt-4o"}}));
        if (!llm)
            return nullptr;
        auto agent = await(retell.createAgent(Json{{"response_engine", {{"type", "retell-llm"}, {"llm_id", jsonString(*llm, "llm_id").toStdString()}}},
                                                    {"voice_id", "11labs-Adrian"},
                                                    {"agent_name", "Praxis Mitte"},
                                                    {"language", "de-DE"},
                                                    {"webhook_url", webhookUrl.toStdString()}}));
        if (!agent)
            return nullptr;
        f->agentId = jsonString(*agent, "agent_id");
        auto number = await(retell.importPhoneNumber(branchNumber, u"sip.example.org"_s));
        auto bound = await(retell.bindPhoneNumber(branchNumber, f->agentId));
        if (!mapped || !hook || !number || !bound)
            return nullptr;
        auto agentStored = f->db->exec(u"UPDATE branches SET retell_agent_id = ? WHERE id = ?"_s, {f->agentId, f->branchId});
        auto retellKey = f->server->credentials().put({std::nullopt, u"retell"_s, {}, "key_sandbox_retell", {}});
        auto calcomKey = f->server->credentials().put({f->companyId, u"calcom"_s, {}, "cal_test_sandbox", "calcom_hook_secret"});
        if (!agentStored || !retellKey || !calcomKey)
            return nullptr;
        return f;
    }

    sandbox::SimulatedCallOptions bookingCall(const QDateTime &start, bool agreed = false)
    {
        sandbox::SimulatedCallOptions o;
        o.toNumber = branchNumber;
        o.fromNumber = callerNumber;
        o.language = u"de"_s;
        o.scenario = sandbox::CallScenario::Book;
        o.appointment.service = u"Beratung"_s;
        o.appointment.start = start;
        o.appointment.customerName = u"Jana Weber"_s;
        o.appointment.customerEmail = u"jana.weber@example.org"_s;
        o.appointment.agreedToAlternatives = agreed;
        o.eventSpacingMs = 20;
        return o;
    }

private Q_SLOTS:
    void bookedAndConfirmed_data() { test::addEngineRows(); }
    void bookedAndConfirmed()
    {
        QFETCH(QString, engine);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto f = makeFixture(engine);
        QVERIFY(f);
        auto options = bookingCall(nextWorkdayAt(10));
        options.webhooks.callAnalyzed = 2; // Retell is known to deliver twice
        const QString callId = f->providers->simulateCall(options);
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"booked"_s, 20000);

        // One booking in Cal.com, made for this call, and the same uid here.
        const QJsonArray bookings = f->providers->calcomBookings();
        QCOMPARE(bookings.size(), 1);
        const QString uid = bookings.first().toObject().value(u"uid"_s).toString();
        QCOMPARE(bookings.first().toObject().value(u"metadata"_s).toObject().value(u"askpro_call_id"_s).toString(), callId);
        QCOMPARE(f->db->scalar(u"SELECT a.calcom_booking_uid FROM appointments a JOIN calls c ON c.id = a.call_id WHERE c.retell_call_id = ?"_s,
                               {callId})->toString(),
                 uid);
        const QDateTime start = QDateTime::fromMSecsSinceEpoch(
            f->db->scalar(u"SELECT starts_at FROM appointments"_s)->toLongLong(), QTimeZone::utc());
        QCOMPARE(start, options.appointment.start.toUTC());
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM customers WHERE phone_e164 = ? AND name = 'Jana Weber'"_s, {callerNumber}), 1);

        // The confirmation reaches a real SMTP server, with the invitation attached.
        QTRY_COMPARE_WITH_TIMEOUT(f->smtp.messages().size(), 1, 20000);
        const QByteArray mail = f->smtp.messages().first();
        QVERIFY(mail.contains("jana.weber@example.org"));
        QVERIFY(mail.contains("text/calendar"));
        QVERIFY(mail.contains("termin.ics"));
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM notifications WHERE status = 'sent'"_s), 1, 10000);

        // Billed exactly once: one call, one appointment, whatever was delivered twice.
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT delivery_count FROM webhook_inbox WHERE event_type = 'call_analyzed'"_s), 2, 10000);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM usage_logs WHERE kind = 'call' AND unit_price_cents = 50"_s), 1);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM usage_logs WHERE kind = 'appointment' AND unit_price_cents = 200"_s), 1);
        QCOMPARE(f->providers->calcomBookings().size(), 1);

        // The timeline tells the whole story.
        QStringList steps;
        auto q = f->db->exec(u"SELECT DISTINCT step FROM call_events"_s);
        while (q->next())
            steps << q->value(0).toString();
        for (const QString &step : {u"received"_s, u"request"_s, u"availability"_s, u"booking"_s, u"confirmation"_s})
            QVERIFY2(steps.contains(step), qPrintable(steps.join(u","_s)));
    }

    void noRequest_data() { test::addEngineRows(); }
    void noRequest()
    {
        QFETCH(QString, engine);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto f = makeFixture(engine);
        QVERIFY(f);
        auto options = bookingCall(nextWorkdayAt(10));
        options.scenario = sandbox::CallScenario::NoRequest;
        const QString callId = f->providers->simulateCall(options);
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"no_request"_s, 20000);
        QCOMPARE(f->providers->calcomBookings().size(), 0);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM usage_logs WHERE kind = 'call'"_s), 1);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM usage_logs WHERE kind = 'appointment'"_s), 0);
    }

    void inactiveBranchIsAVisibleFailure_data() { test::addEngineRows(); }
    void inactiveBranchIsAVisibleFailure()
    {
        QFETCH(QString, engine);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto f = makeFixture(engine);
        QVERIFY(f);
        QVERIFY(f->db->exec(u"UPDATE branches SET active = 0"_s).ok());
        const QString callId = f->providers->simulateCall(bookingCall(nextWorkdayAt(10)));
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"failed"_s, 20000);
        QVERIFY(f->db->scalar(u"SELECT failure_reason FROM calls"_s)->toString().contains(u"no active branch"_s));
        QCOMPARE(f->db->scalar(u"SELECT failure_kind FROM calls"_s)->toString(), u"configuration"_s);
        QCOMPARE(f->providers->calcomBookings().size(), 0);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM appointments"_s), 0);
        // Configuration errors are not retried.
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM jobs WHERE status = 'failed' AND attempts = 1"_s), 3, 10000);
    }

    void takenSlot_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<bool>("agreed");
        QTest::addColumn<QString>("outcome");
        for (const QString &engine : {u"sqlite"_s, u"postgresql"_s}) {
            QTest::addRow("%s: caller agreed to another time", qPrintable(engine)) << engine << true << u"booked"_s;
            QTest::addRow("%s: caller wants only that time", qPrintable(engine)) << engine << false << u"needs_callback"_s;
        }
    }
    void takenSlot()
    {
        QFETCH(QString, engine);
        QFETCH(bool, agreed);
        QFETCH(QString, outcome);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto f = makeFixture(engine);
        QVERIFY(f);
        const QDateTime wanted = nextWorkdayAt(11);
        QString error;
        sandbox::ExternalBooking elsewhere;
        elsewhere.eventTypeId = f->eventTypeId;
        elsewhere.start = wanted;
        elsewhere.attendeeName = u"Max Muster"_s;
        elsewhere.attendeeEmail = u"max@example.org"_s;
        const QString other = f->providers->bookElsewhere(elsewhere, &error);
        QVERIFY2(!other.isEmpty(), qPrintable(error));
        const QString callId = f->providers->simulateCall(bookingCall(wanted, agreed));
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), outcome, 20000);
        if (agreed) {
            QCOMPARE(f->providers->calcomBookings().size(), 2);
            const qint64 booked = f->db->scalar(u"SELECT starts_at FROM appointments WHERE status = 'booked' AND call_id IS NOT NULL"_s)->toLongLong();
            QVERIFY(booked != wanted.toMSecsSinceEpoch());
        } else {
            QCOMPARE(f->providers->calcomBookings().size(), 1);
            const QString alternatives = f->db->scalar(u"SELECT alternatives_json FROM calls WHERE retell_call_id = ?"_s, {callId})->toString();
            QVERIFY2(alternatives.startsWith(u"[\""_s), qPrintable(alternatives));
            QCOMPARE(f->count(u"SELECT COUNT(*) FROM appointments WHERE call_id IS NOT NULL"_s), 0);
        }
    }

    void calcomOutageRecovers_data() { test::addEngineRows(); }
    void calcomOutageRecovers()
    {
        QFETCH(QString, engine);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto f = makeFixture(engine);
        QVERIFY(f);
        sandbox::FaultSettings down;
        down.errorRate = 1.0;
        f->providers->setFaults(sandbox::Provider::Calcom, down);
        const QString callId = f->providers->simulateCall(bookingCall(nextWorkdayAt(14)));
        QTRY_VERIFY_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM call_events WHERE status = 'retry'"_s) > 0, 20000);
        QCOMPARE(f->callStatus(callId), u"pending"_s);
        f->providers->setFaults(sandbox::Provider::Calcom, {});
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"booked"_s, 30000);
        QCOMPARE(f->providers->calcomBookings().size(), 1);
    }

    void restartMidBacklog_data() { test::addEngineRows(); }
    void restartMidBacklog()
    {
        QFETCH(QString, engine);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto f = makeFixture(engine, false); // intake only: the backlog grows
        QVERIFY(f);
        QStringList calls;
        for (int i = 0; i < 5; ++i)
            calls << f->providers->simulateCall(bookingCall(nextWorkdayAt(9 + i)));
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM jobs WHERE status = 'queued'"_s), 15, 20000);
        QCOMPARE(f->providers->calcomBookings().size(), 0);

        f->server.reset(); // the server goes away with its backlog stored
        AskProServer restarted(f->db, f->box, f->config(), true);
        QVERIFY(restarted.start(QHostAddress::LocalHost, 0).ok());
        for (const QString &callId : calls)
            QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"booked"_s, 30000);
        QCOMPARE(f->providers->calcomBookings().size(), 5);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM appointments"_s), 5);
    }

    void liveBookingThenWebhooksBookOnce_data() { test::addEngineRows(); }
    void liveBookingThenWebhooksBookOnce()
    {
        QFETCH(QString, engine);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto f = makeFixture(engine);
        QVERIFY(f);
        const QDateTime start = nextWorkdayAt(15);
        const Json args = {{"service", "Beratung"},
                           {"date", start.date().toString(Qt::ISODate).toStdString()},
                           {"time", "15:00"},
                           {"customer_name", "Jana Weber"},
                           {"customer_email", "jana.weber@example.org"}};
        const Json call = {{"call_id", "call_live_0001"}, {"agent_id", f->agentId.toStdString()}, {"to_number", branchNumber.toStdString()},
                           {"from_number", callerNumber.toStdString()}, {"call_status", "ongoing"}};
        const QByteArray body = jsonText(Json{{"name", "book_appointment"}, {"call", call}, {"args", args}});
        const QUrl base(u"http://127.0.0.1:%1"_s.arg(f->port));
        const auto answer = test::httpSend("POST", base.resolved(QUrl(u"/functions/book-appointment"_s)), body,
                                           {{"x-retell-signature", f->providers->retellSignature(body)}});
        QCOMPARE(answer.status, 200);
        QVERIFY2(answer.body.contains("\"booked\":true"), answer.body.constData());

        // After the call, Retell's webhooks carry the same request: they find the booking and add nothing.
        Json ended = call;
        ended["call_status"] = "ended";
        ended["call_analysis"] = {{"custom_analysis_data", args}};
        for (const char *event : {"call_ended", "call_analyzed"}) {
            const QByteArray hook = jsonText(Json{{"event", event}, {"call", ended}});
            QCOMPARE(test::httpSend("POST", base.resolved(QUrl(u"/webhooks/retell"_s)), hook,
                                    {{"x-retell-signature", f->providers->retellSignature(hook)}}).status,
                     200);
        }
        QTRY_COMPARE_WITH_TIMEOUT(f->count(u"SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')"_s), 0, 20000);
        QCOMPARE(f->providers->calcomBookings().size(), 1);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM appointments"_s), 1);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM usage_logs WHERE kind = 'appointment'"_s), 1);
        QCOMPARE(f->callStatus(u"call_live_0001"_s), u"booked"_s);
    }

    void lostWebhooksAreReconciled_data() { test::addEngineRows(); }
    void lostWebhooksAreReconciled()
    {
        QFETCH(QString, engine);
        if (engine == u"postgresql"_s && !test::postgresAvailable())
            QSKIP("no PostgreSQL test cluster");
        auto f = makeFixture(engine);
        QVERIFY(f);
        auto options = bookingCall(nextWorkdayAt(16));
        options.webhooks = {0, 0, 0}; // a webhook outage: nothing reaches us
        const QString callId = f->providers->simulateCall(options);
        QTest::qWait(500);
        QCOMPARE(f->count(u"SELECT COUNT(*) FROM calls"_s), 0);

        RecoverySweep sweep(*f->db, f->server->credentials(), &f->network, f->config().endpoints);
        bool finished = false;
        sweep.run(24 * 60 * 60 * 1000, [&finished](const JobOutcome &) { finished = true; });
        QTRY_VERIFY_WITH_TIMEOUT(finished, 15000);
        QCOMPARE(sweep.report().lostCallsRecovered, 1);
        f->server->workers()->wakeAll();
        QTRY_COMPARE_WITH_TIMEOUT(f->callStatus(callId), u"booked"_s, 20000);
        QCOMPARE(f->providers->calcomBookings().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestCallFlow)
#include "test_call_flow.moc"
