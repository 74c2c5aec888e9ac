// Webhooks act only for the company whose key signed them (issue 20), over real HTTP with real workers on both
// engines: cross-tenant deliveries are acknowledged without effect, stale Cal.com events are kept but not applied.
#include "core/clock.h"
#include "flow/calcomeventprocessor.h"
#include "http/askproserver.h"
#include "httptestclient.h"
#include "intake/signatures.h"
#include "intake/webhookinbox.h"
#include "jobs/workerpool.h"
#include "security/credentialstore.h"
#include "security/userstore.h"
#include "support/supportservice.h"
#include "testdatabase.h"

#include <QDateTime>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

struct Tenant
{
    qint64 company = 0;
    qint64 branch = 0;
    qint64 service = 0;
    qint64 eventType = 0;
    QString number;
    QString agent;
    QByteArray calcomSecret;
    QByteArray retellKey;
};

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QByteArray calcomEvent(const QString &trigger, const Json &payload, qint64 createdAtMs)
{
    return QByteArray::fromStdString(
        Json{{"triggerEvent", trigger.toStdString()}, {"createdAt", iso(createdAtMs).toStdString()}, {"payload", payload}}.dump());
}

QByteArray retellEvent(const QString &event, const QString &callId, const QString &to, const QString &agent)
{
    return QByteArray::fromStdString(Json{{"event", event.toStdString()},
                                          {"call",
                                           {{"call_id", callId.toStdString()},
                                            {"agent_id", agent.toStdString()},
                                            {"to_number", to.toStdString()},
                                            {"from_number", "+491701234567"},
                                            {"call_status", "ongoing"}}}}
                                         .dump());
}

} // namespace

class TestTenantWebhooks final : public QObject
{
    Q_OBJECT
private:
    struct Setting
    {
        std::shared_ptr<Database> db;
        std::unique_ptr<AskProServer> server;
        QUrl base;
        Tenant a;
        Tenant b;
        qint64 appointmentA = 0;
        qint64 appointmentB = 0;

        [[nodiscard]] QVariant value(const QString &sql, const QVariantList &params = {}) const
        {
            auto v = db->scalar(sql, params);
            return v ? *v : QVariant();
        }
        [[nodiscard]] QString appointmentState(qint64 id) const
        {
            return value(u"SELECT status || '@' || CAST(starts_at AS TEXT) || '@' || COALESCE(calcom_booking_uid, '') FROM appointments WHERE id = ?"_s,
                         {id})
                .toString();
        }
    };

    static Tenant plant(Database &db, const QString &name, const QString &number, qint64 eventType)
    {
        const qint64 now = nowMs();
        Tenant t;
        t.number = number;
        t.eventType = eventType;
        t.agent = u"agent_"_s + name;
        t.calcomSecret = "whsec_calcom_" + name.toUtf8();
        t.retellKey = "key_retell_" + name.toUtf8();
        t.company = *db.insert(u"INSERT INTO companies (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id"_s, {name, now, now});
        t.branch = *db.insert(u"INSERT INTO branches (company_id, name, phone_e164, retell_agent_id, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                              {t.company, name, number, t.agent, now, now});
        t.service = *db.insert(u"INSERT INTO services (company_id, name, duration_minutes, price_cents, created_at) "
                               "VALUES (?, 'Beratung', 30, 0, ?) RETURNING id"_s,
                               {t.company, now});
        auto mapped = db.exec(u"INSERT INTO event_type_mappings (branch_id, service_id, calcom_event_type_id) VALUES (?, ?, ?)"_s,
                              {t.branch, t.service, eventType});
        if (!mapped)
            qFatal("%s", qPrintable(mapped.error().describe()));
        return t;
    }

    static qint64 appointment(Database &db, const Tenant &t, const QString &uid, qint64 startsAt, qint64 changedAt)
    {
        return *db.insert(u"INSERT INTO appointments (company_id, branch_id, service_id, starts_at, ends_at, status, calcom_booking_uid, "
                          "sync_state, source, created_at, updated_at, changed_at) VALUES (?, ?, ?, ?, ?, 'booked', ?, 'synced', 'calcom', ?, ?, ?) "
                          "RETURNING id"_s,
                          {t.company, t.branch, t.service, startsAt, startsAt + 30 * 60000, uid, changedAt, changedAt, changedAt});
    }

    // Two companies, each with its own Cal.com webhook secret and Retell key, a branch, an event type and one
    // booked appointment; a server with workers on loopback. The platform holds keys of its own too.
    static std::unique_ptr<Setting> start(const QString &engine)
    {
        auto s = std::make_unique<Setting>();
        s->db = test::freshDatabase(engine);
        if (!s->db)
            return nullptr;
        ServerConfig config;
        // Nothing here talks to a provider; unreachable on purpose so a stray request fails at once.
        config.endpoints.retell = config.endpoints.calcom = config.endpoints.stripe = QUrl(u"http://127.0.0.1:9"_s);
        config.endpoints.timeoutMs = 500;
        config.pollIntervalMs = 100;
        s->server = std::make_unique<AskProServer>(s->db, SecretBox(SecretBox::newKey()), config, true);
        s->a = plant(*s->db, u"a"_s, u"+4930111111"_s, 1001);
        s->b = plant(*s->db, u"b"_s, u"+4930222222"_s, 2002);
        const qint64 start = nowMs() + 3 * 24 * 3600 * 1000LL;
        s->appointmentA = appointment(*s->db, s->a, u"uid-a"_s, start, nowMs() - 3 * 3600 * 1000);
        s->appointmentB = appointment(*s->db, s->b, u"uid-b"_s, start, nowMs() - 3 * 3600 * 1000);
        CredentialStore &keys = s->server->credentials();
        for (const Tenant *t : {&s->a, &s->b}) {
            if (!keys.put({t->company, u"calcom"_s, {}, "cal_key_" + t->calcomSecret, t->calcomSecret}).ok()
                || !keys.put({t->company, u"retell"_s, {}, t->retellKey, {}}).ok())
                return nullptr;
        }
        if (!keys.put({std::nullopt, u"retell"_s, {}, "key_retell_platform", {}}).ok()
            || !keys.put({std::nullopt, u"calcom"_s, {}, "cal_key_platform", "whsec_calcom_platform"}).ok())
            return nullptr;
        auto port = s->server->start(QHostAddress::LocalHost, 0);
        if (!port)
            return nullptr;
        s->base = QUrl(u"http://127.0.0.1:%1"_s.arg(*port));
        return s;
    }

    // Posts a signed delivery and waits until its job has left the inbox row's 'pending'; the row's id.
    static qint64 deliver(Setting &s, const QString &path, const QByteArray &body, const QByteArray &signatureHeader,
                          const QByteArray &signature, int *httpStatus = nullptr)
    {
        const qint64 before = s.value(u"SELECT COALESCE(MAX(id), 0) FROM webhook_inbox"_s).toLongLong();
        const auto answer = test::httpSend("POST", QUrl(s.base.toString() + path), body,
                                           {{"Content-Type", "application/json"}, {signatureHeader, signature}});
        if (httpStatus)
            *httpStatus = answer.status;
        const qint64 id = s.value(u"SELECT COALESCE(MAX(id), 0) FROM webhook_inbox"_s).toLongLong();
        if (id <= before)
            return 0;
        for (int i = 0; i < 200 && s.value(u"SELECT status FROM webhook_inbox WHERE id = ?"_s, {id}).toString() == u"pending"_s; ++i)
            QTest::qWait(25);
        return id;
    }
    static qint64 deliverCalcom(Setting &s, const QByteArray &body, const QByteArray &secret, int *status = nullptr)
    {
        return deliver(s, u"/webhooks/calcom"_s, body, "X-Cal-Signature-256", WebhookSignatures::signCalcom(body, secret), status);
    }
    static qint64 deliverRetell(Setting &s, const QString &path, const QByteArray &body, const QByteArray &key, int *status = nullptr)
    {
        return deliver(s, path, body, "x-retell-signature", WebhookSignatures::signRetell(body, key, nowMs()), status);
    }
    static QString inboxStatus(const Setting &s, qint64 id)
    {
        return s.value(u"SELECT status FROM webhook_inbox WHERE id = ?"_s, {id}).toString();
    }

private Q_SLOTS:
    // Company A's secret signing a payload that names B's booking uid or event type: acknowledged (200), stored
    // as not_ours with its reason, and B's rows unchanged.
    void calcomCrossTenant_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QString>("trigger");
        QTest::addColumn<QString>("named"); // what of B's the payload names
        for (const QString &engine : {u"sqlite"_s, u"postgresql"_s}) {
            QTest::addRow("%s: cancel B's booking", qPrintable(engine)) << engine << u"BOOKING_CANCELLED"_s << u"uid"_s;
            QTest::addRow("%s: reschedule B's booking", qPrintable(engine)) << engine << u"BOOKING_RESCHEDULED"_s << u"rescheduleUid"_s;
            QTest::addRow("%s: reschedule onto B's uid", qPrintable(engine)) << engine << u"BOOKING_RESCHEDULED"_s << u"uid"_s;
            QTest::addRow("%s: create with B's event type", qPrintable(engine)) << engine << u"BOOKING_CREATED"_s << u"eventTypeId"_s;
            QTest::addRow("%s: create with B's uid", qPrintable(engine)) << engine << u"BOOKING_CREATED"_s << u"createUid"_s;
        }
    }
    void calcomCrossTenant()
    {
        QFETCH(QString, engine);
        QFETCH(QString, trigger);
        QFETCH(QString, named);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine);
        QVERIFY(s);
        const QString beforeB = s->appointmentState(s->appointmentB);
        const int appointmentsB = s->value(u"SELECT COUNT(*) FROM appointments WHERE company_id = ?"_s, {s->b.company}).toInt();
        const int customersB = s->value(u"SELECT COUNT(*) FROM customers WHERE company_id = ?"_s, {s->b.company}).toInt();
        const qint64 at = nowMs() + 5 * 24 * 3600 * 1000LL;
        Json payload{{"startTime", iso(at).toStdString()},
                     {"endTime", iso(at + 30 * 60000).toStdString()},
                     {"eventTypeId", s->a.eventType},
                     {"uid", "uid-new"},
                     {"bookingId", 77},
                     {"attendees", Json::array({{{"name", "Eva"}, {"email", "eva@example.org"}, {"phoneNumber", "+491701111111"}}})}};
        if (named == u"uid"_s)
            payload["uid"] = "uid-b";
        else if (named == u"rescheduleUid"_s)
            payload["rescheduleUid"] = "uid-b";
        else if (named == u"eventTypeId"_s)
            payload["eventTypeId"] = s->b.eventType;
        else if (named == u"createUid"_s)
            payload["uid"] = "uid-b";
        int status = 0;
        const qint64 id = deliverCalcom(*s, calcomEvent(trigger, payload, nowMs()), s->a.calcomSecret, &status);
        QCOMPARE(status, 200);
        QVERIFY(id > 0);
        QCOMPARE(inboxStatus(*s, id), u"not_ours"_s);
        QVERIFY(!s->value(u"SELECT error FROM webhook_inbox WHERE id = ?"_s, {id}).toString().isEmpty());
        QCOMPARE(s->value(u"SELECT signed_scope FROM webhook_inbox WHERE id = ?"_s, {id}).toString(), u"company"_s);
        QCOMPARE(s->value(u"SELECT signed_by FROM webhook_inbox WHERE id = ?"_s, {id}).toLongLong(), s->a.company);
        QCOMPARE(s->appointmentState(s->appointmentB), beforeB);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM appointments WHERE company_id = ?"_s, {s->b.company}).toInt(), appointmentsB);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM customers WHERE company_id = ?"_s, {s->b.company}).toInt(), customersB);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM appointments WHERE calcom_booking_uid = 'uid-new'"_s).toInt(), 0);
    }

    // The same deliveries signed by their own company take effect; the platform's Cal.com key serves neither
    // company here, as both have an account of their own.
    void calcomSameTenant_data() { test::addEngineRows(); }
    void calcomSameTenant()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine);
        QVERIFY(s);
        const qint64 at = nowMs() + 5 * 24 * 3600 * 1000LL;
        const Json created{{"startTime", iso(at).toStdString()},   {"endTime", iso(at + 30 * 60000).toStdString()},
                           {"eventTypeId", s->b.eventType},         {"uid", "uid-b-new"},
                           {"bookingId", 78},                       {"attendees", Json::array({{{"name", "Jan"}, {"phoneNumber", "+491702222222"}}})}};
        const qint64 platformId = deliverCalcom(*s, calcomEvent(u"BOOKING_CREATED"_s, created, nowMs()), "whsec_calcom_platform");
        QCOMPARE(inboxStatus(*s, platformId), u"not_ours"_s);
        QCOMPARE(s->value(u"SELECT signed_scope FROM webhook_inbox WHERE id = ?"_s, {platformId}).toString(), u"platform"_s);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM appointments WHERE calcom_booking_uid = 'uid-b-new'"_s).toInt(), 0);

        // A delivery changes its own body's hash: signed by B itself, the same booking is created.
        const qint64 createdId = deliverCalcom(*s, calcomEvent(u"BOOKING_CREATED"_s, created, nowMs() + 1), s->b.calcomSecret);
        QCOMPARE(inboxStatus(*s, createdId), u"processed"_s);
        QCOMPARE(s->value(u"SELECT company_id FROM appointments WHERE calcom_booking_uid = 'uid-b-new'"_s).toLongLong(), s->b.company);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM customers WHERE company_id = ? AND phone_e164 = '+491702222222'"_s, {s->b.company}).toInt(), 1);

        const qint64 cancelId = deliverCalcom(*s, calcomEvent(u"BOOKING_CANCELLED"_s, Json{{"uid", "uid-a"}, {"cancellationReason", "krank"}}, nowMs()),
                                              s->a.calcomSecret);
        QCOMPARE(inboxStatus(*s, cancelId), u"processed"_s);
        QVERIFY(s->appointmentState(s->appointmentA).startsWith(u"cancelled@"_s));
        QVERIFY(s->appointmentState(s->appointmentB).startsWith(u"booked@"_s));
        // The echo of a change already made, created a moment before it was recorded, is no stale event.
        const qint64 echoId = deliverCalcom(*s, calcomEvent(u"BOOKING_CANCELLED"_s, Json{{"uid", "uid-a"}}, nowMs() - 60000), s->a.calcomSecret);
        QCOMPARE(inboxStatus(*s, echoId), u"processed"_s);
    }

    // Company A's Retell key signing a call that names B's number, B's agent or B's call: acknowledged, not_ours,
    // and B's call rows unchanged. Signed by B, B's call is stored.
    void retellCrossTenant_data() { test::addEngineRows(); }
    void retellCrossTenant()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine);
        QVERIFY(s);
        const QString webhook = u"/webhooks/retell"_s;
        int status = 0;

        const qint64 own = deliverRetell(*s, webhook, retellEvent(u"call_started"_s, u"call_b1"_s, s->b.number, s->b.agent), s->b.retellKey, &status);
        QCOMPARE(status, 200);
        QCOMPARE(inboxStatus(*s, own), u"processed"_s);
        QCOMPARE(s->value(u"SELECT company_id FROM calls WHERE retell_call_id = 'call_b1'"_s).toLongLong(), s->b.company);
        const QString callB = s->value(u"SELECT company_id || '@' || branch_id || '@' || to_number || '@' || agent_id FROM calls "
                                       "WHERE retell_call_id = 'call_b1'"_s)
                                  .toString();

        struct Case
        {
            const char *name;
            QString callId;
            QString to;
            QString agent;
        };
        const QList<Case> cases{{"B's number", u"call_x1"_s, s->b.number, s->a.agent},
                                {"B's agent", u"call_x2"_s, s->a.number, s->b.agent},
                                {"B's call", u"call_b1"_s, s->a.number, s->a.agent}};
        for (const Case &c : cases) {
            const qint64 id = deliverRetell(*s, webhook, retellEvent(u"call_ended"_s, c.callId, c.to, c.agent), s->a.retellKey, &status);
            QVERIFY2(status == 200, c.name);
            QVERIFY2(inboxStatus(*s, id) == u"not_ours"_s, c.name);
            QVERIFY2(!s->value(u"SELECT error FROM webhook_inbox WHERE id = ?"_s, {id}).toString().isEmpty(), c.name);
        }
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM calls"_s).toInt(), 1);
        QCOMPARE(s->value(u"SELECT company_id || '@' || branch_id || '@' || to_number || '@' || agent_id FROM calls WHERE retell_call_id = 'call_b1'"_s)
                     .toString(),
                 callB);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM usage_logs"_s).toInt(), 0);

        // A live booking request signed by A for B's number is stored, and its job acts for nobody.
        const QByteArray function = QByteArray::fromStdString(
            Json{{"name", "book_appointment"},
                 {"call", {{"call_id", "call_x3"}, {"to_number", s->b.number.toStdString()}, {"from_number", "+491701234567"}}},
                 {"args", {{"service", "Beratung"}, {"date", "2030-01-07"}, {"time", "10:00"}}}}
                .dump());
        const qint64 live = deliverRetell(*s, u"/functions/book-appointment"_s, function, s->a.retellKey, &status);
        QCOMPARE(status, 200);
        QCOMPARE(inboxStatus(*s, live), u"not_ours"_s);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM calls"_s).toInt(), 1);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM appointments WHERE company_id = ?"_s, {s->b.company}).toInt(), 1);

        // Naming B's call, A's live request learns nothing of it: the answer is the one for an unknown call.
        const QByteArray foreignCall = QByteArray::fromStdString(
            Json{{"name", "book_appointment"},
                 {"call", {{"call_id", "call_b1"}, {"to_number", s->a.number.toStdString()}, {"from_number", "+491701234567"}}},
                 {"args", {{"service", "Beratung"}, {"date", "2030-01-08"}, {"time", "10:00"}}}}
                .dump());
        const auto foreignAnswer = test::httpSend("POST", QUrl(s->base.toString() + u"/functions/book-appointment"_s), foreignCall,
                                                  {{"x-retell-signature", WebhookSignatures::signRetell(foreignCall, s->a.retellKey, nowMs())}});
        QCOMPARE(foreignAnswer.status, 200);
        QVERIFY2(!foreignAnswer.body.contains("outcome"), foreignAnswer.body.constData());
        QCOMPARE(inboxStatus(*s, s->value(u"SELECT MAX(id) FROM webhook_inbox"_s).toLongLong()), u"not_ours"_s);
        QCOMPARE(s->value(u"SELECT company_id || '@' || branch_id || '@' || to_number || '@' || agent_id FROM calls WHERE retell_call_id = 'call_b1'"_s)
                     .toString(),
                 callB);

        // Availability for B's number asked with A's key finds no branch.
        const QByteArray availability = QByteArray::fromStdString(
            Json{{"name", "check_availability"},
                 {"call", {{"call_id", "call_x4"}, {"to_number", s->b.number.toStdString()}}},
                 {"args", {{"service", "Beratung"}, {"date", "2030-01-07"}}}}
                .dump());
        const auto answer = test::httpSend("POST", QUrl(s->base.toString() + u"/functions/check-availability"_s), availability,
                                           {{"x-retell-signature", WebhookSignatures::signRetell(availability, s->a.retellKey, nowMs())}});
        QCOMPARE(answer.status, 400);
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM slot_cache"_s).toInt(), 0);
    }

    // A Cal.com event created longer ago than the window is stored as stale, not applied; a reschedule created
    // before the appointment's last change never revives it; support's preview says what a replay would do.
    void freshness_data() { test::addEngineRows(); }
    void freshness()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine);
        QVERIFY(s);
        const qint64 now = nowMs();
        const qint64 staleId = deliverCalcom(*s, calcomEvent(u"BOOKING_CANCELLED"_s, Json{{"uid", "uid-a"}}, now - 2 * 3600 * 1000),
                                             s->a.calcomSecret);
        QCOMPARE(inboxStatus(*s, staleId), u"stale"_s);
        QVERIFY(s->value(u"SELECT error FROM webhook_inbox WHERE id = ?"_s, {staleId}).toString().contains(u"3600"_s));
        QVERIFY(s->appointmentState(s->appointmentA).startsWith(u"booked@"_s));

        // Support previews the replay: it would cancel, and the preview changes nothing.
        SupportService support(*s->db);
        const Actor agent = Actor::user(1, u"support"_s, Role::Support);
        auto preview = support.previewReplay(staleId, agent);
        QVERIFY2(preview.ok(), preview.ok() ? "" : qPrintable(preview.error().describe()));
        QVERIFY(preview->wouldChange);
        QVERIFY2(preview->text.contains(u"cancelled"_s), qPrintable(preview->text));
        QVERIFY(s->appointmentState(s->appointmentA).startsWith(u"booked@"_s));
        QCOMPARE(inboxStatus(*s, staleId), u"stale"_s);
        QVERIFY(!support.previewReplay(staleId, Actor::user(2, u"onboarding"_s, Role::Onboarding)).ok());

        // Cancelled 10 minutes ago (in Cal.com's clock); a reschedule created 20 minutes ago arrives late.
        const qint64 cancelId = deliverCalcom(*s, calcomEvent(u"BOOKING_CANCELLED"_s, Json{{"uid", "uid-b"}}, now - 10 * 60000), s->b.calcomSecret);
        QCOMPARE(inboxStatus(*s, cancelId), u"processed"_s);
        const QString cancelled = s->appointmentState(s->appointmentB);
        QVERIFY(cancelled.startsWith(u"cancelled@"_s));
        const qint64 at = now + 6 * 24 * 3600 * 1000LL;
        const QByteArray late = calcomEvent(u"BOOKING_RESCHEDULED"_s,
                                            Json{{"uid", "uid-b2"}, {"rescheduleUid", "uid-b"}, {"startTime", iso(at).toStdString()},
                                                 {"endTime", iso(at + 30 * 60000).toStdString()}, {"eventTypeId", s->b.eventType}},
                                            now - 20 * 60000);
        const qint64 lateId = deliverCalcom(*s, late, s->b.calcomSecret);
        QCOMPARE(inboxStatus(*s, lateId), u"stale"_s);
        QCOMPARE(s->appointmentState(s->appointmentB), cancelled);
        auto latePreview = support.previewReplay(lateId, agent);
        QVERIFY(latePreview.ok());
        QVERIFY(!latePreview->wouldChange);

        // A replay is support's decision: past the window it applies, after the preview, with the preview audited.
        const Actor tester = Actor::system(u"tester"_s);
        auto job = support.replayWebhook(staleId, tester);
        QVERIFY2(job.ok(), job.ok() ? "" : qPrintable(job.error().describe()));
        s->server->workers()->wakeOne();
        for (int i = 0; i < 200 && inboxStatus(*s, staleId) == u"pending"_s; ++i)
            QTest::qWait(25);
        QCOMPARE(inboxStatus(*s, staleId), u"processed"_s);
        QVERIFY(s->appointmentState(s->appointmentA).startsWith(u"cancelled@"_s));
        QVERIFY(s->value(u"SELECT after_json FROM audit_log WHERE action = 'webhook.replay'"_s).toString().contains(u"preview"_s));
        // A replayed late reschedule still cannot revive B's appointment.
        QVERIFY(support.replayWebhook(lateId, tester).ok());
        s->server->workers()->wakeOne();
        for (int i = 0; i < 200 && inboxStatus(*s, lateId) == u"pending"_s; ++i)
            QTest::qWait(25);
        QCOMPARE(inboxStatus(*s, lateId), u"stale"_s);
        QCOMPARE(s->appointmentState(s->appointmentB), cancelled);
    }

    // Rows stored before signers were recorded act for no company.
    void unknownSigner_data() { test::addEngineRows(); }
    void unknownSigner()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const Tenant a = plant(*db, u"a"_s, u"+4930111111"_s, 1001);
        const qint64 id = appointment(*db, a, u"uid-a"_s, nowMs() + 3600 * 1000, 0);
        auto stored = WebhookInbox(*db).accept({u"calcom"_s, u"BOOKING_CANCELLED"_s, u"old"_s,
                                                calcomEvent(u"BOOKING_CANCELLED"_s, Json{{"uid", "uid-a"}}, nowMs()), u"calcom.event"_s, std::nullopt});
        QVERIFY(stored.ok());
        QVERIFY(CalcomEventProcessor(*db).process(stored->inboxId).kind == JobOutcome::Kind::Done);
        QCOMPARE(db->scalar(u"SELECT status FROM webhook_inbox WHERE id = ?"_s, {stored->inboxId})->toString(), u"not_ours"_s);
        QCOMPARE(db->scalar(u"SELECT status FROM appointments WHERE id = ?"_s, {id})->toString(), u"booked"_s);
    }

    // Onboarding runs the wizard but cannot write the platform's rows: the keys and the Stripe webhook secret stay.
    void onboardingCannotWritePlatformKeys_data() { test::addEngineRows(); }
    void onboardingCannotWritePlatformKeys()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        CredentialStore store(*db, SecretBox(SecretBox::newKey()));
        QVERIFY(store.put({std::nullopt, u"stripe"_s, {}, "sk_test_platform_0001", "whsec_stripe_platform"}).ok());
        QVERIFY(store.put({std::nullopt, u"retell"_s, {}, "key_retell_platform_01", {}}).ok());
        const auto company = test::plantCompanyAndBranch(*db, u"+4930333333"_s).first;
        UserStore users(*db);
        auto admin = users.createFirstAdmin({u"chef"_s, u"Chef"_s, u"a long admin password"_s, Role::Admin, u"de"_s});
        QVERIFY(admin.ok());
        QVERIFY(users.create(*admin, {u"neu"_s, u"Neu"_s, u"a long onboarding password"_s, Role::Onboarding, u"de"_s}).ok());
        auto onboarding = users.signIn(u"neu"_s, u"a long onboarding password"_s);
        QVERIFY(onboarding.ok());
        for (const QString &provider : {u"stripe"_s, u"retell"_s, u"calcom"_s}) {
            auto put = store.put({std::nullopt, provider, {}, "attacker_key_0000001", {}}, *onboarding);
            QVERIFY2(!put.ok(), qPrintable(provider));
            QCOMPARE(put.error().kind, ErrorKind::Unauthorized);
        }
        QCOMPARE(store.get(std::nullopt, u"stripe"_s)->secret, QByteArray("sk_test_platform_0001"));
        QCOMPARE(store.get(std::nullopt, u"stripe"_s)->webhookSecret, QByteArray("whsec_stripe_platform"));
        QCOMPARE(store.get(std::nullopt, u"retell"_s)->secret, QByteArray("key_retell_platform_01"));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM api_credentials WHERE company_id IS NULL"_s)->toInt(), 2);
        // The new company's own key is the wizard's to store.
        QVERIFY(store.put({company, u"calcom"_s, {}, "cal_key_company_0001", {}}, *onboarding).ok());
        QVERIFY(store.put({std::nullopt, u"calcom"_s, {}, "cal_key_platform_001", {}}, *admin).ok());

        // Failed sign-ins are counted in one statement each, and the fifth locks the account.
        for (int i = 1; i <= UserStore::maxFailedSignIns; ++i) {
            QVERIFY(!users.signIn(u"neu"_s, u"wrong"_s).ok());
            auto row = db->exec(u"SELECT failed_sign_ins, locked_until FROM users WHERE username = 'neu'"_s);
            QVERIFY(row.ok());
            QSqlQuery &q = *row;
            QVERIFY(q.next());
            if (i < UserStore::maxFailedSignIns) {
                QCOMPARE(q.value(0).toInt(), i);
                QVERIFY(q.value(1).isNull());
            } else {
                QCOMPARE(q.value(0).toInt(), 0);
                QVERIFY(q.value(1).toLongLong() > nowMs());
            }
        }
        QCOMPARE(users.signIn(u"neu"_s, u"a long onboarding password"_s).error().code, u"signin.locked"_s);
    }
};

QTEST_GUILESS_MAIN(TestTenantWebhooks)
#include "test_tenant_webhooks.moc"
