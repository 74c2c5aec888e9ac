// Retell's inbound call webhook over real HTTP on loopback, both engines: the variables the agent starts the call
// with (date and time in the branch's zone, DST included), the caller's name only for the company's own
// customers, the fallback announcement of an inactive branch, and nothing at all for numbers we cannot serve.
#include "core/clock.h"
#include "domain/openinghours.h"
#include "http/askproserver.h"
#include "httptestclient.h"
#include "integrations/jsonreply.h"
#include "intake/signatures.h"
#include "security/credentialstore.h"
#include "support/supportservice.h"
#include "testdatabase.h"

#include <QDateTime>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

struct Company
{
    qint64 id = 0;
    qint64 branch = 0;
    QString number;
    QByteArray retellKey;
};

QByteArray inboundBody(const QString &from, const QString &to)
{
    return QByteArray::fromStdString(Json{{"event", "call_inbound"},
                                          {"call_inbound", {{"agent_id", "agent_x"}, {"from_number", from.toStdString()},
                                                            {"to_number", to.toStdString()}}}}
                                         .dump());
}

} // namespace

class TestInboundWebhook final : public QObject
{
    Q_OBJECT
private:
    struct Setting
    {
        std::shared_ptr<Database> db;
        std::unique_ptr<AskProServer> server;
        QUrl base;
        Company a;
        Company b;
        qint64 inactiveBranch = 0;

        [[nodiscard]] QVariant value(const QString &sql, const QVariantList &params = {}) const
        {
            auto v = db->scalar(sql, params);
            return v ? *v : QVariant();
        }
    };

    static Company plant(Database &db, const QString &name, const QString &number)
    {
        const qint64 now = nowMs();
        Company c;
        c.number = number;
        c.retellKey = "key_retell_" + name.toUtf8();
        c.id = *db.insert(u"INSERT INTO companies (name, fallback_announcement, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id"_s,
                          {QString(u"Praxis "_s + name), QString(u"Ansage von "_s + name), now, now});
        c.branch = *db.insert(u"INSERT INTO branches (company_id, name, address, phone_e164, time_zone, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, 'Europe/Berlin', ?, ?) RETURNING id"_s,
                              {c.id, QString(u"Filiale "_s + name), u"Hauptstraße 1, 10115 Berlin"_s, number, now, now});
        const qint64 service = *db.insert(u"INSERT INTO services (company_id, name, duration_minutes, price_cents, created_at) "
                                          "VALUES (?, 'Beratung', 30, 0, ?) RETURNING id"_s,
                                          {c.id, now});
        // Bookable by phone only with an event type at the branch; the unmapped one is never offered.
        auto unmapped = db.exec(u"INSERT INTO services (company_id, name, duration_minutes, price_cents, created_at) VALUES (?, 'Bleaching', 90, 0, ?)"_s,
                                {c.id, now});
        auto mapped = db.exec(u"INSERT INTO event_type_mappings (branch_id, service_id, calcom_event_type_id) VALUES (?, ?, ?)"_s,
                              {c.branch, service, 5000 + c.id});
        auto staff = db.exec(u"INSERT INTO staff (company_id, branch_id, name, email, created_at) VALUES (?, ?, 'Dr. Anna Weber', ?, ?), "
                             "(?, ?, 'Tom Krüger', ?, ?)"_s,
                             {c.id, c.branch, QString(name + u"-weber@example.org"_s), now, c.id, c.branch, QString(name + u"-krueger@example.org"_s), now});
        if (!unmapped || !mapped || !staff)
            qFatal("planting failed");
        // Monday to Friday 08:00–12:00 and 13:00–18:00, Saturday 09:00–14:00; closed on 2026-12-24 to 26.
        QList<OpeningInterval> weekly;
        for (int day = 1; day <= 5; ++day)
            weekly << OpeningInterval{day, 8 * 60, 12 * 60} << OpeningInterval{day, 13 * 60, 18 * 60};
        weekly << OpeningInterval{6, 9 * 60, 14 * 60};
        if (!OpeningHours::store(db, c.branch, weekly, {{QDate(2026, 12, 24), QDate(2026, 12, 26), u"Weihnachten"_s}}).ok())
            qFatal("hours failed");
        return c;
    }

    // Two companies with their own Retell keys; A knows the caller +491701111111 as "Eva Schulz", B knows the same
    // number as "Someone Else". A also has an inactive branch at +4930999999. The clock is set to `nowMs`.
    static std::unique_ptr<Setting> start(const QString &engine, qint64 clockMs)
    {
        auto s = std::make_unique<Setting>();
        s->db = test::freshDatabase(engine);
        if (!s->db)
            return nullptr;
        ServerConfig config;
        config.endpoints.retell = config.endpoints.calcom = config.endpoints.stripe = QUrl(u"http://127.0.0.1:9"_s);
        config.endpoints.timeoutMs = 500;
        config.agentClock = [clockMs] { return clockMs; };
        s->server = std::make_unique<AskProServer>(s->db, SecretBox(SecretBox::newKey()), config, false);
        s->a = plant(*s->db, u"a"_s, u"+4930111111"_s);
        s->b = plant(*s->db, u"b"_s, u"+4930222222"_s);
        const qint64 now = nowMs();
        s->inactiveBranch = *s->db->insert(u"INSERT INTO branches (company_id, name, phone_e164, active, created_at, updated_at) "
                                           "VALUES (?, 'Filiale Alt', '+4930999999', 0, ?, ?) RETURNING id"_s,
                                           {s->a.id, now, now});
        auto customers = s->db->exec(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) VALUES "
                                     "(?, '+491701111111', 'Eva Schulz', ?, ?), (?, '+491701111111', 'Someone Else', ?, ?)"_s,
                                     {s->a.id, now, now, s->b.id, now, now});
        if (!customers)
            return nullptr;
        CredentialStore &keys = s->server->credentials();
        for (const Company *c : {&s->a, &s->b}) {
            if (!keys.put({c->id, u"retell"_s, {}, c->retellKey, {}}).ok())
                return nullptr;
        }
        auto port = s->server->start(QHostAddress::LocalHost, 0);
        if (!port)
            return nullptr;
        s->base = QUrl(u"http://127.0.0.1:%1"_s.arg(*port));
        return s;
    }

    static test::HttpAnswer ask(const Setting &s, const QByteArray &body, const QByteArray &signature)
    {
        return test::httpSend("POST", QUrl(s.base.toString() + u"/webhooks/retell-inbound"_s), body,
                              {{"Content-Type", "application/json"}, {"x-retell-signature", signature}});
    }
    static Json variables(const test::HttpAnswer &answer)
    {
        const Json body = Json::parse(answer.body.toStdString(), nullptr, false);
        return body.is_object() ? body.value("call_inbound", Json::object()).value("dynamic_variables", Json::object()) : Json();
    }
    static QString var(const Json &v, const char *key) { return QString::fromStdString(v.value(key, std::string("<missing>"))); }

    // 2026-03-04 (a Wednesday) 10:30 in Berlin, within the morning hours.
    static qint64 wednesdayMorning() { return QDateTime(QDate(2026, 3, 4), QTime(10, 30), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch(); }

private Q_SLOTS:
    void knownCaller_data() { test::addEngineRows(); }
    void knownCaller()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, wednesdayMorning());
        QVERIFY(s);
        const QByteArray body = inboundBody(u"+491701111111"_s, s->a.number);
        const auto answer = ask(*s, body, WebhookSignatures::signRetell(body, s->a.retellKey, nowMs()));
        QCOMPARE(answer.status, 200);
        const Json v = variables(answer);
        QVERIFY2(v.is_object() && !v.empty(), answer.body.constData());
        for (const auto &[key, value] : v.items())
            QVERIFY2(value.is_string(), key.c_str()); // Retell takes strings only
        QCOMPARE(var(v, "current_date"), u"2026-03-04"_s);
        QCOMPARE(var(v, "current_weekday"), u"Mittwoch"_s);
        QCOMPARE(var(v, "current_date_spoken"), u"Mittwoch, 4. März 2026"_s);
        QCOMPARE(var(v, "current_time"), u"10:30"_s);
        QCOMPARE(var(v, "current_datetime"), u"2026-03-04T10:30:00+01:00"_s);
        QCOMPARE(var(v, "time_zone"), u"Europe/Berlin"_s);
        QCOMPARE(var(v, "branch_name"), u"Filiale a"_s);
        QCOMPARE(var(v, "branch_address"), u"Hauptstraße 1, 10115 Berlin"_s);
        QCOMPARE(var(v, "company_name"), u"Praxis a"_s);
        QCOMPARE(var(v, "branch_active"), u"true"_s);
        QCOMPARE(var(v, "language"), u"de"_s);
        QCOMPARE(var(v, "opening_hours"),
                 u"Montag bis Freitag 08:00–12:00 und 13:00–18:00 Uhr; Samstag 09:00–14:00 Uhr; Sonntag geschlossen"_s);
        QCOMPARE(var(v, "opening_hours_today"), u"08:00–12:00 und 13:00–18:00 Uhr"_s);
        QCOMPARE(var(v, "open_now"), u"true"_s);
        QCOMPARE(var(v, "closures"), QString()); // Christmas is more than 60 days away
        QCOMPARE(var(v, "services"), u"Beratung (30 Min.)"_s);
        QCOMPARE(var(v, "staff"), u"Dr. Anna Weber, Tom Krüger"_s);
        QCOMPARE(var(v, "caller_known"), u"true"_s);
        QCOMPARE(var(v, "caller_name"), u"Eva Schulz"_s);
        QCOMPARE(var(v, "caller_number"), u"+491701111111"_s);
        const Json body2 = Json::parse(answer.body.toStdString());
        QCOMPARE(QString::fromStdString(body2["call_inbound"]["metadata"].value("askpro_branch_id", std::string())),
                 QString::number(s->a.branch));
        // The same caller at company B is B's customer, under B's name.
        const QByteArray toB = inboundBody(u"+491701111111"_s, s->b.number);
        QCOMPARE(var(variables(ask(*s, toB, WebhookSignatures::signRetell(toB, s->b.retellKey, nowMs()))), "caller_name"), u"Someone Else"_s);
        // Nothing was queued: the answer needs no job.
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM jobs"_s).toInt(), 0);
    }

    void unknownCaller_data() { test::addEngineRows(); }
    void unknownCaller()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        // Wednesday 2026-12-23 19:00: closed now, and Christmas is coming.
        auto s = start(engine, QDateTime(QDate(2026, 12, 23), QTime(19, 0), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch());
        QVERIFY(s);
        for (const QString &from : {u"+491709999999"_s, u"anonymous"_s, QString()}) {
            const QByteArray body = inboundBody(from, s->a.number);
            const auto answer = ask(*s, body, WebhookSignatures::signRetell(body, s->a.retellKey, nowMs()));
            QCOMPARE(answer.status, 200);
            const Json v = variables(answer);
            QCOMPARE(var(v, "caller_known"), u"false"_s);
            QCOMPARE(var(v, "caller_name"), QString());
            QCOMPARE(var(v, "current_date"), u"2026-12-23"_s);
            QCOMPARE(var(v, "open_now"), u"false"_s);
            QCOMPARE(var(v, "opening_hours_today"), u"08:00–12:00 und 13:00–18:00 Uhr"_s);
            QCOMPARE(var(v, "closures"), u"24.12.2026 bis 26.12.2026: Weihnachten"_s);
        }
    }

    void unknownNumber_data() { test::addEngineRows(); }
    void unknownNumber()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, wednesdayMorning());
        QVERIFY(s);
        const QByteArray body = inboundBody(u"+491701111111"_s, u"+4930555555"_s);
        const auto answer = ask(*s, body, WebhookSignatures::signRetell(body, s->a.retellKey, nowMs()));
        QCOMPARE(answer.status, 200);
        QCOMPARE(QString::fromUtf8(answer.body), u"{\"call_inbound\":{}}"_s);
        // Kept for support: an ignored inbox row with the reason, signed by A.
        QCOMPARE(s->value(u"SELECT COUNT(*) FROM webhook_inbox WHERE event_type = 'call_inbound' AND status = 'ignored'"_s).toInt(), 1);
        QVERIFY(s->value(u"SELECT error FROM webhook_inbox WHERE event_type = 'call_inbound'"_s).toString().contains(u"+4930555555"_s));
        QCOMPARE(s->value(u"SELECT signed_by FROM webhook_inbox WHERE event_type = 'call_inbound'"_s).toLongLong(), s->a.id);
        // Nothing to replay later: the answer was due while the phone rang.
        const qint64 kept = s->value(u"SELECT id FROM webhook_inbox WHERE event_type = 'call_inbound'"_s).toLongLong();
        auto replay = SupportService(*s->db).replayWebhook(kept, Actor::system(u"tester"_s));
        QVERIFY(!replay);
        QCOMPARE(replay.error().code, u"support.not_replayable"_s);
        // Malformed but signed: 400, kept as rejected.
        const QByteArray bad = "{\"event\":\"call_inbound\"}";
        QCOMPARE(ask(*s, bad, WebhookSignatures::signRetell(bad, s->a.retellKey, nowMs())).status, 400);
    }

    void inactiveBranch_data() { test::addEngineRows(); }
    void inactiveBranch()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, wednesdayMorning());
        QVERIFY(s);
        const QByteArray body = inboundBody(u"+491701111111"_s, u"+4930999999"_s);
        const auto answer = ask(*s, body, WebhookSignatures::signRetell(body, s->a.retellKey, nowMs()));
        QCOMPARE(answer.status, 200);
        Json v = variables(answer);
        QCOMPARE(var(v, "branch_active"), u"false"_s);
        QCOMPARE(var(v, "announcement"), u"Ansage von a"_s);
        QCOMPARE(var(v, "branch_name"), u"Filiale Alt"_s);
        QCOMPARE(var(v, "current_date"), u"2026-03-04"_s);
        QVERIFY(!v.contains("caller_name")); // an inactive branch tells nothing about its customers
        // Without a stored announcement the default one is spoken, never silence.
        QVERIFY(s->db->exec(u"UPDATE companies SET fallback_announcement = '' WHERE id = ?"_s, {s->a.id}).ok());
        v = variables(ask(*s, body, WebhookSignatures::signRetell(body, s->a.retellKey, nowMs())));
        QVERIFY(var(v, "announcement").startsWith(u"Vielen Dank für Ihren Anruf bei Praxis a."_s));
        // A switched-off company makes all its branches inactive.
        QVERIFY(s->db->exec(u"UPDATE companies SET active = 0 WHERE id = ?"_s, {s->a.id}).ok());
        const QByteArray toA = inboundBody(u"+491701111111"_s, s->a.number);
        QCOMPARE(var(variables(ask(*s, toA, WebhookSignatures::signRetell(toA, s->a.retellKey, nowMs()))), "branch_active"), u"false"_s);
    }

    // 2026-03-29 is the day Berlin moves to summer time (02:00 -> 03:00): 10:15 UTC is 12:15 local, a Sunday;
    // just before the switch, 00:59 UTC is 01:59 local.
    void dstDay_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<qint64>("clock");
        QTest::addColumn<QString>("time");
        QTest::addColumn<QString>("datetime");
        for (const QString &engine : {u"sqlite"_s, u"postgresql"_s}) {
            QTest::addRow("%s: after the switch", qPrintable(engine))
                << engine << QDateTime(QDate(2026, 3, 29), QTime(10, 15), QTimeZone::utc()).toMSecsSinceEpoch() << u"12:15"_s
                << u"2026-03-29T12:15:00+02:00"_s;
            QTest::addRow("%s: before the switch", qPrintable(engine))
                << engine << QDateTime(QDate(2026, 3, 29), QTime(0, 59), QTimeZone::utc()).toMSecsSinceEpoch() << u"01:59"_s
                << u"2026-03-29T01:59:00+01:00"_s;
            QTest::addRow("%s: UTC still on Saturday", qPrintable(engine))
                << engine << QDateTime(QDate(2026, 3, 28), QTime(23, 30), QTimeZone::utc()).toMSecsSinceEpoch() << u"00:30"_s
                << u"2026-03-29T00:30:00+01:00"_s;
        }
    }
    void dstDay()
    {
        QFETCH(QString, engine);
        QFETCH(qint64, clock);
        QFETCH(QString, time);
        QFETCH(QString, datetime);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, clock);
        QVERIFY(s);
        const QByteArray body = inboundBody(u"+491701111111"_s, s->a.number);
        const Json v = variables(ask(*s, body, WebhookSignatures::signRetell(body, s->a.retellKey, nowMs())));
        QCOMPARE(var(v, "current_date"), u"2026-03-29"_s);
        QCOMPARE(var(v, "current_weekday"), u"Sonntag"_s);
        QCOMPARE(var(v, "current_time"), time);
        QCOMPARE(var(v, "current_datetime"), datetime);
        QCOMPARE(var(v, "open_now"), u"false"_s);
        QCOMPARE(var(v, "opening_hours_today"), u"geschlossen"_s);
        QCOMPARE(var(v, "tomorrow_date"), u"2026-03-30"_s);
    }

    // A wrong signature is refused and counted; B's key asking about A's number learns nothing of A.
    void signatures_data() { test::addEngineRows(); }
    void signatures()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = start(engine, wednesdayMorning());
        QVERIFY(s);
        const QByteArray body = inboundBody(u"+491701111111"_s, s->a.number);
        QCOMPARE(ask(*s, body, WebhookSignatures::signRetell(body, "key_of_nobody", nowMs())).status, 401);
        QCOMPARE(ask(*s, body, QByteArray()).status, 401);
        QCOMPARE(ask(*s, body, WebhookSignatures::signRetell(body, s->a.retellKey, nowMs() - 10 * 60 * 1000)).status, 401);
        const auto metrics = test::httpSend("GET", QUrl(s->base.toString() + u"/metrics"_s));
        QVERIFY2(metrics.body.contains("askpro_refused_requests_total{provider=\"retell\""), metrics.body.constData());
        QVERIFY(metrics.body.contains("path=\"/webhooks/retell-inbound\",status=\"401\""));

        const auto crossed = ask(*s, body, WebhookSignatures::signRetell(body, s->b.retellKey, nowMs()));
        QCOMPARE(crossed.status, 200);
        QCOMPARE(QString::fromUtf8(crossed.body), u"{\"call_inbound\":{}}"_s);
        QVERIFY(!crossed.body.contains("Eva"));
        QCOMPARE(s->value(u"SELECT status FROM webhook_inbox WHERE event_type = 'call_inbound'"_s).toString(), u"not_ours"_s);
        QCOMPARE(s->value(u"SELECT signed_by FROM webhook_inbox WHERE event_type = 'call_inbound'"_s).toLongLong(), s->b.id);
    }

    // Opening hours on their own: a lunch break, a closure, an appointment running past closing time, a DST day.
    void openingHours()
    {
        const QTimeZone berlin("Europe/Berlin");
        OpeningHours hours({{1, 480, 720}, {1, 780, 1080}, {7, 600, 840}}, {{QDate(2026, 3, 9), QDate(2026, 3, 9), u"Fortbildung"_s}}, berlin);
        const auto at = [&](int y, int m, int d, int h, int min) { return QDateTime(QDate(y, m, d), QTime(h, min), berlin); };
        QVERIFY(hours.isOpen(at(2026, 3, 2, 8, 0)));
        QVERIFY(!hours.isOpen(at(2026, 3, 2, 12, 30)));
        QVERIFY(!hours.isOpen(at(2026, 3, 2, 18, 0)));
        QVERIFY(!hours.isOpen(at(2026, 3, 9, 9, 0))); // the closure
        QVERIFY(hours.fits(at(2026, 3, 2, 11, 30), 30));
        QVERIFY(!hours.fits(at(2026, 3, 2, 11, 45), 30)); // into the lunch break
        QVERIFY(!hours.fits(at(2026, 3, 2, 17, 45), 30));
        // Sunday 2026-03-29 10:00–14:00 local, whatever the offset.
        QVERIFY(hours.isOpen(QDateTime(QDate(2026, 3, 29), QTime(8, 0), QTimeZone::utc())));   // 10:00 CEST
        QVERIFY(!hours.isOpen(QDateTime(QDate(2026, 3, 29), QTime(7, 59), QTimeZone::utc()))); // 09:59 CEST
        QVERIFY(hours.fits(QDateTime(QDate(2026, 3, 29), QTime(11, 30), QTimeZone::utc()), 30)); // 13:30–14:00
        QCOMPARE(hours.weekText(u"en"_s),
                 u"Monday 08:00–12:00 and 13:00–18:00; Tuesday to Saturday closed; Sunday 10:00–14:00"_s);
        QCOMPARE(hours.dayText(QDate(2026, 3, 9), u"de"_s), u"geschlossen (Fortbildung)"_s);
        QVERIFY(!OpeningHours().known());
        QVERIFY(OpeningHours().isOpen(at(2026, 3, 1, 3, 0)));
        QVERIFY(!OpeningHours::problem({8, 0, 60}).isEmpty());
        QVERIFY(!OpeningHours::problem({1, 600, 600}).isEmpty());
        QVERIFY(OpeningHours::problem({1, 0, 1440}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestInboundWebhook)
#include "test_inbound_webhook.moc"
