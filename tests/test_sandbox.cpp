// The provider sandbox over real HTTP on loopback: auth and error shapes, Cal.com slots and bookings,
// Stripe idempotency and invoices, signed webhooks of all three providers, and fault injection.
#include "sandbox.h"
#include "signatures.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QTest>
#include <QTimeZone>
#include <QUrlQuery>

#include <memory>

using namespace Qt::StringLiterals;
using namespace askpro::sandbox;

namespace {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    qint64 elapsedMs = 0;
};

struct Delivery
{
    QString path;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// The next weekday at least two days ahead (beyond Cal.com's two-hour booking notice).
QDate nextWorkday()
{
    QDate day = QDate::currentDate().addDays(2);
    while (day.dayOfWeek() > 5)
        day = day.addDays(1);
    return day;
}

} // namespace

class TestSandbox final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Sandbox> m_sandbox;
    QNetworkAccessManager m_network;
    QHttpServer m_hooks;
    QUrl m_hookBase;
    QList<Delivery> m_deliveries;
    int m_flakyFailures = 0;

    QUrl url(Provider provider, const QString &path) const
    {
        QUrl base = m_sandbox->baseUrl(provider);
        const qsizetype query = path.indexOf(u'?');
        base.setPath(base.path(QUrl::FullyEncoded) + path.left(query), QUrl::TolerantMode); // keeps "%2B" as written
        if (query >= 0)
            base.setQuery(path.mid(query + 1));
        return base;
    }

    QNetworkReply *start(const QByteArray &method, const QUrl &target, const QByteArray &body, const Headers &headers)
    {
        QNetworkRequest request(target);
        request.setTransferTimeout(20'000);
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        return m_network.sendCustomRequest(request, method, body);
    }

    Reply send(const QByteArray &method, const QUrl &target, const QByteArray &body = {},
               const Headers &headers = {})
    {
        QElapsedTimer timer;
        timer.start();
        QNetworkReply *reply = start(method, target, body, headers);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        Reply result;
        result.elapsedMs = timer.elapsed();
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.json = QJsonDocument::fromJson(result.body).object();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            result.headers.insert(name.toLower(), value);
        return result;
    }

    Reply retell(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return send(method, url(Provider::Retell, path), body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(),
                    {{"Authorization"_ba, "Bearer key_sandbox_retell"_ba}, {"Content-Type"_ba, "application/json"_ba}});
    }

    Reply calcom(const QByteArray &method, const QString &path, const QByteArray &version, const QJsonObject &body = {})
    {
        Headers headers{{"Authorization"_ba, "Bearer cal_test_sandbox"_ba},
                                                         {"Content-Type"_ba, "application/json"_ba}};
        if (!version.isEmpty())
            headers.append({"cal-api-version"_ba, version});
        return send(method, url(Provider::Calcom, path), body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(), headers);
    }

    Reply stripe(const QByteArray &method, const QString &path, const QByteArray &form = {}, const QByteArray &idempotencyKey = {})
    {
        Headers headers{{"Authorization"_ba, "Bearer sk_test_sandbox"_ba},
                                                         {"Content-Type"_ba, "application/x-www-form-urlencoded"_ba}};
        if (!idempotencyKey.isEmpty())
            headers.append({"Idempotency-Key"_ba, idempotencyKey});
        return send(method, url(Provider::Stripe, path), form, headers);
    }

    static Headers authFor(Provider provider)
    {
        static const QByteArray keys[] = {"Bearer key_sandbox_retell"_ba, "Bearer cal_test_sandbox"_ba, "Bearer sk_test_sandbox"_ba};
        return {{"Authorization"_ba, keys[int(provider)]}};
    }

    QList<Delivery> deliveriesTo(const QString &path) const
    {
        QList<Delivery> result;
        for (const Delivery &d : m_deliveries) {
            if (d.path == path)
                result.append(d);
        }
        return result;
    }

    qint64 createEventType(int length = 30)
    {
        const Reply created = calcom("POST"_ba, u"/event-types"_s, "2024-06-14"_ba,
                                     {{u"title"_s, u"Haarschnitt"_s}, {u"slug"_s, u"haarschnitt"_s}, {u"lengthInMinutes"_s, length}});
        return created.json[u"data"_s].toObject()[u"id"_s].toInteger();
    }

    QJsonObject slotsOn(qint64 eventTypeId, const QDate &day)
    {
        const QString path = u"/slots?eventTypeId=%1&start=%2&end=%2&timeZone=Europe/Berlin"_s.arg(eventTypeId).arg(day.toString(Qt::ISODate));
        const Reply reply = calcom("GET"_ba, path, "2024-09-04"_ba);
        return reply.json[u"data"_s].toObject();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_hooks.setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            Delivery d{request.url().path(), request.body(), {}};
            for (const auto &[name, value] : request.headers())
                d.headers.insert(name.toLower(), value);
            m_deliveries.append(d);
            const bool fail = d.path.contains(u"flaky"_s) && m_flakyFailures-- > 0;
            responder.write(fail ? QHttpServerResponder::StatusCode::InternalServerError : QHttpServerResponder::StatusCode::Ok);
        });
        const quint16 hookPort = m_hooks.listen(QHostAddress::LocalHost, 0);
        QVERIFY(hookPort != 0);
        m_hookBase = QUrl(u"http://127.0.0.1:%1"_s.arg(hookPort));

        SandboxConfig config;
        config.retellWebhookUrl = m_hookBase.resolved(QUrl(u"/hooks/retell-default"_s));
        config.stripeWebhookUrl = m_hookBase.resolved(QUrl(u"/hooks/stripe"_s));
        config.webhookRetryDelayMs = 20;
        m_sandbox = std::make_unique<Sandbox>(config);
        QVERIFY(m_sandbox->listen(QHostAddress::LocalHost, 0) != 0);
        QVERIFY(m_sandbox->baseUrl(Provider::Calcom).toString().endsWith(u"/calcom/v2"_s));
    }

    void init()
    {
        m_sandbox->reset();
        for (const Provider p : {Provider::Retell, Provider::Calcom, Provider::Stripe})
            m_sandbox->setFaults(p, FaultSettings{});
        QTRY_COMPARE(m_sandbox->counts().webhooksPending, 0);
        m_deliveries.clear();
    }

    void authIsRefused_data()
    {
        QTest::addColumn<int>("provider");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("authorization");
        QTest::newRow("retell without key") << int(Provider::Retell) << u"/list-agents"_s << QByteArray();
        QTest::newRow("retell wrong key") << int(Provider::Retell) << u"/list-agents"_s << "Bearer key_wrong"_ba;
        QTest::newRow("calcom without key") << int(Provider::Calcom) << u"/me"_s << QByteArray();
        QTest::newRow("calcom wrong key") << int(Provider::Calcom) << u"/me"_s << "Bearer cal_test_wrong"_ba;
        QTest::newRow("stripe without key") << int(Provider::Stripe) << u"/customers"_s << QByteArray();
        QTest::newRow("stripe wrong key") << int(Provider::Stripe) << u"/customers"_s << "Bearer sk_test_wrong"_ba;
        const QString messages = u"/2010-04-01/Accounts/AC000000000000000000000000005a4db0/Messages.json"_s;
        QTest::newRow("twilio without key") << int(Provider::Twilio) << messages << QByteArray();
        QTest::newRow("twilio wrong token") << int(Provider::Twilio) << messages
                                            << "Basic " + "AC000000000000000000000000005a4db0:wrong"_ba.toBase64();
    }
    void authIsRefused()
    {
        QFETCH(int, provider);
        QFETCH(QString, path);
        QFETCH(QByteArray, authorization);
        Headers headers{{"cal-api-version"_ba, "2024-08-13"_ba}};
        if (!authorization.isEmpty())
            headers.append({"Authorization"_ba, authorization});
        const Reply reply = send("GET"_ba, url(Provider(provider), path), {}, headers);
        QCOMPARE(reply.status, 401);
        switch (Provider(provider)) {
        case Provider::Retell:
            QCOMPARE(reply.json[u"status"_s].toString(), u"error"_s);
            QVERIFY(!reply.json[u"message"_s].toString().isEmpty());
            break;
        case Provider::Calcom:
            QCOMPARE(reply.json[u"status"_s].toString(), u"error"_s);
            QCOMPARE(reply.json[u"error"_s][u"code"_s].toString(), u"UnauthorizedException"_s);
            QVERIFY(!reply.json[u"error"_s][u"message"_s].toString().isEmpty());
            break;
        case Provider::Stripe:
            QCOMPARE(reply.json[u"error"_s][u"type"_s].toString(), u"invalid_request_error"_s);
            QVERIFY(!reply.json[u"error"_s][u"message"_s].toString().isEmpty());
            break;
        case Provider::Twilio:
            // Twilio's error shape: {code, message, more_info, status}.
            QCOMPARE(reply.json[u"code"_s].toInt(), 20003);
            QCOMPARE(reply.json[u"status"_s].toInt(), 401);
            QVERIFY(!reply.json[u"more_info"_s].toString().isEmpty());
            break;
        }
    }

    void calcomNeedsApiVersion_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("version");
        QTest::addColumn<int>("status");
        const QString day = nextWorkday().toString(Qt::ISODate);
        const QString slotPath = u"/slots?eventTypeId=1&start=%1&end=%1"_s.arg(day);
        QTest::newRow("bookings without version") << u"/bookings"_s << QByteArray() << 400;
        QTest::newRow("bookings with slots version") << u"/bookings"_s << "2024-09-04"_ba << 400;
        QTest::newRow("bookings with its version") << u"/bookings"_s << "2024-08-13"_ba << 200;
        QTest::newRow("slots without version") << slotPath << QByteArray() << 400;
        QTest::newRow("slots with bookings version") << slotPath << "2024-08-13"_ba << 400;
        QTest::newRow("slots with its version") << slotPath << "2024-09-04"_ba << 200;
        QTest::newRow("event types without version") << u"/event-types"_s << QByteArray() << 400;
        QTest::newRow("schedules with their version") << u"/schedules"_s << "2024-06-11"_ba << 200;
    }
    void calcomNeedsApiVersion()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, version);
        QFETCH(int, status);
        QVERIFY(createEventType() > 0);
        const Reply reply = calcom("GET"_ba, path, version);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.json[u"status"_s].toString(), status == 200 ? u"success"_s : u"error"_s);
        if (status != 200)
            QVERIFY(reply.json[u"error"_s][u"message"_s].toString().contains(u"cal-api-version"_s));
    }

    void calcomSlotsAndBookings()
    {
        const qint64 eventTypeId = createEventType();
        const QDate day = nextWorkday();
        const QJsonArray before = slotsOn(eventTypeId, day)[day.toString(Qt::ISODate)].toArray();
        QCOMPARE(before.size(), 16); // 09:00 to 16:30, every 30 minutes
        const QDateTime first = QDateTime::fromString(before.first()[u"start"_s].toString(), Qt::ISODateWithMs);
        QCOMPARE(first.toTimeZone(QTimeZone("Europe/Berlin")).time(), QTime(9, 0));

        const QJsonObject booking{{u"start"_s, first.toUTC().toString(Qt::ISODateWithMs)},
                                  {u"eventTypeId"_s, eventTypeId},
                                  {u"attendee"_s, QJsonObject{{u"name"_s, u"Erika Muster"_s}, {u"email"_s, u"erika@example.com"_s},
                                                              {u"timeZone"_s, u"Europe/Berlin"_s}, {u"language"_s, u"de"_s}}},
                                  {u"metadata"_s, QJsonObject{{u"call_id"_s, u"call_1"_s}}}};
        const Reply booked = calcom("POST"_ba, u"/bookings"_s, "2024-08-13"_ba, booking);
        QCOMPARE(booked.status, 201);
        const QJsonObject data = booked.json[u"data"_s].toObject();
        QCOMPARE(data[u"status"_s].toString(), u"accepted"_s);
        QCOMPARE(data[u"duration"_s].toInt(), 30);
        QCOMPARE(data[u"eventType"_s][u"id"_s].toInteger(), eventTypeId);
        QCOMPARE(data[u"metadata"_s][u"call_id"_s].toString(), u"call_1"_s);
        const QString uid = data[u"uid"_s].toString();

        const QJsonArray after = slotsOn(eventTypeId, day)[day.toString(Qt::ISODate)].toArray();
        QCOMPARE(after.size(), 15);
        QCOMPARE(after.first()[u"start"_s].toString().mid(11, 5), u"09:30"_s);

        const Reply again = calcom("POST"_ba, u"/bookings"_s, "2024-08-13"_ba, booking);
        QCOMPARE(again.status, 409);
        QCOMPARE(again.json[u"status"_s].toString(), u"error"_s);

        QJsonObject night = booking;
        night[u"start"_s] = QDateTime(day, QTime(3, 0), QTimeZone("Europe/Berlin")).toUTC().toString(Qt::ISODateWithMs);
        QCOMPARE(calcom("POST"_ba, u"/bookings"_s, "2024-08-13"_ba, night).status, 400);

        QCOMPARE(calcom("GET"_ba, u"/bookings/"_s + uid, "2024-08-13"_ba).json[u"data"_s][u"uid"_s].toString(), uid);
        const Reply moved = calcom("POST"_ba, u"/bookings/%1/reschedule"_s.arg(uid), "2024-08-13"_ba,
                                   {{u"start"_s, first.addSecs(3600).toUTC().toString(Qt::ISODateWithMs)}, {u"reschedulingReason"_s, u"later"_s}});
        QCOMPARE(moved.status, 201);
        QCOMPARE(moved.json[u"data"_s][u"rescheduledFromUid"_s].toString(), uid);
        QCOMPARE(calcom("GET"_ba, u"/bookings/"_s + uid, "2024-08-13"_ba).json[u"data"_s][u"status"_s].toString(), u"cancelled"_s);
        QCOMPARE(slotsOn(eventTypeId, day)[day.toString(Qt::ISODate)].toArray().size(), 15); // 09:00 free again, 10:00 taken
        const QString newUid = moved.json[u"data"_s][u"uid"_s].toString();
        const Reply cancelled = calcom("POST"_ba, u"/bookings/%1/cancel"_s.arg(newUid), "2024-08-13"_ba, {{u"cancellationReason"_s, u"ill"_s}});
        QCOMPARE(cancelled.json[u"data"_s][u"status"_s].toString(), u"cancelled"_s);
        QCOMPARE(slotsOn(eventTypeId, day)[day.toString(Qt::ISODate)].toArray().size(), 16);
    }

    void calcomBookingWebhooksAreSigned()
    {
        const qint64 eventTypeId = createEventType();
        const Reply hook = calcom("POST"_ba, u"/webhooks"_s, {},
                                  {{u"subscriberUrl"_s, m_hookBase.resolved(QUrl(u"/hooks/calcom"_s)).toString()},
                                   {u"triggers"_s, QJsonArray{u"BOOKING_CREATED"_s, u"BOOKING_CANCELLED"_s}},
                                   {u"secret"_s, u"cal-secret"_s}, {u"active"_s, true}});
        QCOMPARE(hook.status, 201);

        ExternalBooking elsewhere;
        elsewhere.eventTypeId = eventTypeId;
        elsewhere.start = QDateTime(nextWorkday(), QTime(11, 0), QTimeZone("Europe/Berlin"));
        elsewhere.attendeeName = u"Walk In"_s;
        elsewhere.attendeeEmail = u"walk.in@example.com"_s;
        QString error;
        const QString uid = m_sandbox->bookElsewhere(elsewhere, &error);
        QVERIFY2(!uid.isEmpty(), qPrintable(error));
        QVERIFY(m_sandbox->bookElsewhere(elsewhere, &error).isEmpty());
        QVERIFY(!error.isEmpty());
        QCOMPARE(calcom("POST"_ba, u"/bookings/%1/cancel"_s.arg(uid), "2024-08-13"_ba, {{u"cancellationReason"_s, u"no time"_s}}).status, 200);

        QTRY_COMPARE(deliveriesTo(u"/hooks/calcom"_s).size(), 2);
        const QList<Delivery> deliveries = deliveriesTo(u"/hooks/calcom"_s);
        QStringList triggers;
        for (const Delivery &d : deliveries) {
            QCOMPARE(d.headers.value("x-cal-signature-256"_ba), signatures::hmacSha256Hex("cal-secret"_ba, d.body));
            const QJsonObject payload = d.json()[u"payload"_s].toObject();
            QCOMPARE(payload[u"uid"_s].toString(), uid);
            QCOMPARE(payload[u"eventTypeId"_s].toInteger(), eventTypeId);
            QCOMPARE(payload[u"attendees"_s][0][u"email"_s].toString(), u"walk.in@example.com"_s);
            triggers << d.json()[u"triggerEvent"_s].toString();
        }
        triggers.sort();
        QCOMPARE(triggers, (QStringList{u"BOOKING_CANCELLED"_s, u"BOOKING_CREATED"_s}));
    }

    void stripeIdempotencyKeyReplays()
    {
        const Reply first = stripe("POST"_ba, u"/customers"_s, "email=anna%40example.com&metadata[company_id]=42"_ba, "key-1"_ba);
        QCOMPARE(first.status, 200);
        QVERIFY(first.json[u"id"_s].toString().startsWith(u"cus_"_s));
        QCOMPARE(first.json[u"metadata"_s][u"company_id"_s].toString(), u"42"_s);
        const Reply replay = stripe("POST"_ba, u"/customers"_s, "metadata[company_id]=42&email=anna%40example.com"_ba, "key-1"_ba);
        QCOMPARE(replay.status, 200);
        QCOMPARE(replay.body, first.body);
        QCOMPARE(replay.headers.value("idempotent-replayed"_ba), "true"_ba);
        QCOMPARE(m_sandbox->counts().customers, 1);

        const Reply other = stripe("POST"_ba, u"/customers"_s, "email=bob%40example.com"_ba, "key-1"_ba);
        QCOMPARE(other.status, 400);
        QCOMPARE(other.json[u"error"_s][u"type"_s].toString(), u"idempotency_error"_s);
        QCOMPARE(m_sandbox->counts().customers, 1);

        const Reply found = stripe("GET"_ba, u"/customers/search?query=metadata['company_id']:'42'"_s);
        QCOMPARE(found.json[u"data"_s].toArray().size(), 1);
    }

    void stripeInvoiceLifecycleIsSignedAndTaxed_data()
    {
        QTest::addColumn<bool>("cardDeclines");
        QTest::newRow("payment succeeds") << false;
        QTest::newRow("card declined") << true;
    }
    void stripeInvoiceLifecycleIsSignedAndTaxed()
    {
        QFETCH(bool, cardDeclines);
        const QString customer = stripe("POST"_ba, u"/customers"_s, "name=Salon&metadata[company_id]=7"_ba).json[u"id"_s].toString();
        if (cardDeclines)
            m_sandbox->setCardDeclined(customer, true);
        const QString rate = stripe("POST"_ba, u"/tax_rates"_s, "display_name=USt.&percentage=19&inclusive=false"_ba).json[u"id"_s].toString();
        const Reply invoice = stripe("POST"_ba, u"/invoices"_s,
                                     (u"customer="_s + customer + u"&collection_method=charge_automatically&default_tax_rates[0]="_s + rate).toUtf8());
        QCOMPARE(invoice.json[u"status"_s].toString(), u"draft"_s);
        const QString id = invoice.json[u"id"_s].toString();
        QCOMPARE(stripe("POST"_ba, u"/invoiceitems"_s,
                        (u"customer="_s + customer + u"&amount=10000&currency=eur&description=Calls&invoice="_s + id).toUtf8())
                     .status,
                 200);
        const Reply finalized = stripe("POST"_ba, u"/invoices/%1/finalize"_s.arg(id));
        QCOMPARE(finalized.json[u"status"_s].toString(), u"open"_s);
        QCOMPARE(finalized.json[u"total"_s].toInteger(), 11900);
        QCOMPARE(finalized.json[u"tax"_s].toInteger(), 1900);
        QVERIFY(finalized.json[u"number"_s].toString().endsWith(u"-0001"_s));

        const Reply paid = stripe("POST"_ba, u"/invoices/%1/pay"_s.arg(id));
        QCOMPARE(paid.status, cardDeclines ? 402 : 200);
        if (cardDeclines)
            QCOMPARE(paid.json[u"error"_s][u"code"_s].toString(), u"card_declined"_s);
        QCOMPARE(stripe("GET"_ba, u"/invoices/"_s + id).json[u"status"_s].toString(), cardDeclines ? u"open"_s : u"paid"_s);

        QTRY_COMPARE(deliveriesTo(u"/hooks/stripe"_s).size(), 2);
        QStringList types;
        for (const Delivery &d : deliveriesTo(u"/hooks/stripe"_s)) {
            const QList<QByteArray> parts = d.headers.value("stripe-signature"_ba).split(',');
            QCOMPARE(parts.size(), 2);
            const QByteArray t = parts.at(0).mid(2);
            QCOMPARE(parts.at(1), "v1="_ba + signatures::hmacSha256Hex("whsec_sandbox"_ba, t + '.' + d.body));
            QVERIFY(qAbs(t.toLongLong() - QDateTime::currentSecsSinceEpoch()) < 300);
            QCOMPARE(d.json()[u"object"_s].toString(), u"event"_s);
            QCOMPARE(d.json()[u"data"_s][u"object"_s][u"id"_s].toString(), id);
            types << d.json()[u"type"_s].toString();
        }
        types.sort();
        QCOMPARE(types, (QStringList{u"invoice.finalized"_s, cardDeclines ? u"invoice.payment_failed"_s : u"invoice.paid"_s}));
    }

    void retellSimulatedCallDeliversSignedWebhooks()
    {
        const QString llm = retell("POST"_ba, u"/create-retell-llm"_s, {{u"general_prompt"_s, u"Be helpful"_s}}).json[u"llm_id"_s].toString();
        QCOMPARE(retell("POST"_ba, u"/create-agent"_s, {{u"agent_name"_s, u"x"_s}}).status, 400); // voice_id and response_engine missing
        const QString agent = retell("POST"_ba, u"/create-agent"_s,
                                     {{u"voice_id"_s, u"11labs-Anna"_s}, {u"language"_s, u"de-DE"_s},
                                      {u"response_engine"_s, QJsonObject{{u"type"_s, u"retell-llm"_s}, {u"llm_id"_s, llm}}},
                                      {u"webhook_url"_s, m_hookBase.resolved(QUrl(u"/hooks/retell"_s)).toString()}})
                                  .json[u"agent_id"_s].toString();
        QVERIFY(agent.startsWith(u"agent_"_s));
        // What Retell refuses, the sandbox refuses: no termination, a SIP URI for a host, a number outside US/CA to buy.
        QCOMPARE(retell("POST"_ba, u"/import-phone-number"_s, {{u"phone_number"_s, u"+4930123456"_s}}).status, 400);
        QCOMPARE(retell("POST"_ba, u"/import-phone-number"_s,
                        {{u"phone_number"_s, u"+4930123456"_s}, {u"termination_uri"_s, u"sip:trunk.example.com:5060"_s}})
                     .status,
                 400);
        QCOMPARE(retell("POST"_ba, u"/create-phone-number"_s, {{u"country_code"_s, u"DE"_s}}).status, 400);
        QCOMPARE(retell("POST"_ba, u"/create-phone-number"_s, {{u"phone_number"_s, u"+4940111112"_s}}).status, 400);
        QCOMPARE(retell("POST"_ba, u"/create-phone-number"_s, {{u"country_code"_s, u"US"_s}, {u"area_code"_s, 41}}).status, 400);
        const Reply bought = retell("POST"_ba, u"/create-phone-number"_s, {{u"country_code"_s, u"CA"_s}, {u"area_code"_s, 604}});
        QCOMPARE(bought.status, 201);
        QVERIFY(bought.json[u"phone_number"_s].toString().startsWith(u"+1604"_s));
        QCOMPARE(retell("POST"_ba, u"/import-phone-number"_s,
                        {{u"phone_number"_s, u"+4930123456"_s}, {u"termination_uri"_s, u"sip.example.com"_s},
                         {u"sip_trunk_auth_username"_s, u"trunk-user"_s}, {u"sip_trunk_auth_password"_s, u"trunk-secret"_s}})
                     .status,
                 201);
        const Reply imported = retell("GET"_ba, u"/get-phone-number/%2B4930123456"_s);
        QCOMPARE(imported.json[u"sip_trunk_auth_username"_s].toString(), u"trunk-user"_s);
        QVERIFY(!imported.json.contains(u"sip_trunk_auth_password"_s));
        const Reply bound = retell("PATCH"_ba, u"/update-phone-number/%2B4930123456"_s,
                                   {{u"inbound_agents"_s, QJsonArray{QJsonObject{{u"agent_id"_s, agent}, {u"weight"_s, 1}}}}});
        QCOMPARE(bound.status, 200);
        QCOMPARE(retell("GET"_ba, u"/get-phone-number/%2B4930123456"_s).json[u"inbound_agents"_s][0][u"agent_id"_s].toString(), agent);

        const QJsonObject simulate{{u"to_number"_s, u"+4930123456"_s}, {u"from_number"_s, u"+4915112345678"_s}, {u"language"_s, u"de"_s},
                                   {u"scenario"_s, u"book"_s},
                                   {u"appointment"_s, QJsonObject{{u"service"_s, u"Haarschnitt"_s}, {u"datetime"_s, u"2030-03-14T10:30:00+01:00"_s},
                                                                  {u"name"_s, u"Erika Muster"_s}, {u"email"_s, u"erika@example.com"_s},
                                                                  {u"agreed_to_alternatives"_s, true}}}};
        const Reply simulated = send("POST"_ba, m_sandbox->baseUrl(Provider::Retell).resolved(QUrl(u"/sandbox/retell/simulate-call"_s)),
                                     QJsonDocument(simulate).toJson(), {{"Content-Type"_ba, "application/json"_ba}});
        QVERIFY2(simulated.status == 201, simulated.body.constData());
        const QString callId = simulated.json[u"call_id"_s].toString();
        QVERIFY(callId.startsWith(u"call_"_s) && callId.size() == 37);

        QTRY_COMPARE(deliveriesTo(u"/hooks/retell"_s).size(), 3);
        QStringList events;
        for (const Delivery &d : deliveriesTo(u"/hooks/retell"_s)) {
            const QList<QByteArray> parts = d.headers.value("x-retell-signature"_ba).split(',');
            QCOMPARE(parts.size(), 2);
            const QByteArray timestamp = parts.at(0).mid(2);
            QCOMPARE(parts.at(1), "d="_ba + signatures::hmacSha256Hex("key_sandbox_retell"_ba, d.body + timestamp));
            QVERIFY(qAbs(timestamp.toLongLong() - QDateTime::currentMSecsSinceEpoch()) < 300'000);
            const QJsonObject call = d.json()[u"call"_s].toObject();
            QCOMPARE(call[u"call_id"_s].toString(), callId);
            QCOMPARE(call[u"agent_id"_s].toString(), agent);
            const QString event = d.json()[u"event"_s].toString();
            QCOMPARE(call.contains(u"call_analysis"_s), event == "call_analyzed"_L1);
            events << event;
        }
        events.sort();
        QCOMPARE(events, (QStringList{u"call_analyzed"_s, u"call_ended"_s, u"call_started"_s}));

        const QJsonObject call = retell("GET"_ba, u"/v2/get-call/"_s + callId).json;
        QCOMPARE(call[u"call_status"_s].toString(), u"ended"_s);
        QVERIFY(call[u"transcript"_s].toString().startsWith(u"Agent: "_s));
        const QJsonObject extracted = call[u"call_analysis"_s][u"custom_analysis_data"_s].toObject();
        QCOMPARE(extracted[u"appointment_requested"_s].toBool(), true);
        QCOMPARE(extracted[u"date"_s].toString(), u"2030-03-14"_s);
        QCOMPARE(extracted[u"time"_s].toString(), u"10:30"_s);
        QCOMPARE(extracted[u"agreed_to_alternatives"_s].toBool(), true);
        bool toolCall = false;
        for (const auto &entry : call[u"transcript_with_tool_calls"_s].toArray())
            toolCall = toolCall || entry[u"name"_s].toString() == "collect_appointment_data"_L1;
        QVERIFY(toolCall);

        const Reply listed = retell("POST"_ba, u"/v3/list-calls"_s,
                                    {{u"filter_criteria"_s, QJsonObject{{u"agent"_s, QJsonArray{QJsonObject{{u"agent_id"_s, agent}}}}}}, {u"limit"_s, 10}});
        QCOMPARE(listed.json[u"items"_s].toArray().size(), 1);
        QCOMPARE(listed.json[u"items"_s][0][u"call_id"_s].toString(), callId);
    }

    // Retell's lists answer 50 items unless asked for more, 1000 at most: a client that reads one page misses the rest.
    void retellListsArePaged()
    {
        QSet<QString> created;
        for (int i = 0; i < 60; ++i)
            created << retell("POST"_ba, u"/create-retell-llm"_s, {{u"general_prompt"_s, u"page %1"_s.arg(i)}}).json[u"llm_id"_s].toString();
        const Reply first = retell("GET"_ba, u"/v2/list-retell-llms"_s);
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json[u"items"_s].toArray().size(), 50);
        QVERIFY(first.json[u"has_more"_s].toBool());
        QSet<QString> seen;
        QString key;
        int pages = 0;
        do {
            const Reply page = retell("GET"_ba, u"/v2/list-retell-llms?limit=25"_s + (key.isEmpty() ? QString() : u"&pagination_key="_s + key));
            QCOMPARE(page.status, 200);
            QVERIFY(page.json[u"items"_s].toArray().size() <= 25);
            for (const auto &llm : page.json[u"items"_s].toArray())
                seen << llm[u"llm_id"_s].toString();
            key = page.json[u"has_more"_s].toBool() ? page.json[u"pagination_key"_s].toString() : QString();
            ++pages;
        } while (!key.isEmpty() && pages < 100);
        QVERIFY(seen.contains(created));
        QVERIFY(pages >= 3);
        for (const QString &limit : {u"0"_s, u"1001"_s}) {
            const Reply refused = retell("GET"_ba, u"/v2/list-retell-llms?limit="_s + limit);
            QCOMPARE(refused.status, 400);
            QVERIFY2(refused.body.contains("limit"), refused.body.constData());
        }
    }

    void retellWebhooksCanBeLostDuplicatedAndRetried()
    {
        SimulatedCallOptions options;
        options.toNumber = u"+4940999999"_s; // no agent: the account default URL gets the webhooks
        options.fromNumber = u"+4915100000000"_s;
        options.language = u"en"_s;
        options.scenario = CallScenario::NoRequest;
        options.webhooks = WebhookCopies{0, 1, 2};
        const QString callId = m_sandbox->simulateCall(options);
        QTRY_COMPARE(deliveriesTo(u"/hooks/retell-default"_s).size(), 3);
        QTest::qWait(100);
        QStringList events;
        for (const Delivery &d : deliveriesTo(u"/hooks/retell-default"_s))
            events << d.json()[u"event"_s].toString();
        QCOMPARE(events, (QStringList{u"call_ended"_s, u"call_analyzed"_s, u"call_analyzed"_s}));
        QCOMPARE(m_sandbox->retellCall(callId)[u"call_analysis"_s][u"custom_analysis_data"_s][u"appointment_requested"_s].toBool(), false);

        const QString llm = retell("POST"_ba, u"/create-retell-llm"_s, {{u"general_prompt"_s, u"x"_s}}).json[u"llm_id"_s].toString();
        const QString agent = retell("POST"_ba, u"/create-agent"_s,
                                     {{u"voice_id"_s, u"v"_s}, {u"response_engine"_s, QJsonObject{{u"type"_s, u"retell-llm"_s}, {u"llm_id"_s, llm}}},
                                      {u"webhook_url"_s, m_hookBase.resolved(QUrl(u"/hooks/flaky"_s)).toString()},
                                      {u"webhook_events"_s, QJsonArray{u"call_analyzed"_s}}})
                                  .json[u"agent_id"_s].toString();
        QCOMPARE(retell("POST"_ba, u"/import-phone-number"_s,
                        {{u"phone_number"_s, u"+4940111111"_s}, {u"termination_uri"_s, u"trunk.carrier.example"_s},
                         {u"inbound_agents"_s, QJsonArray{QJsonObject{{u"agent_id"_s, agent}, {u"weight"_s, 1}}}}})
                     .status,
                 201);
        m_flakyFailures = 2;
        options.toNumber = u"+4940111111"_s;
        options.webhooks = WebhookCopies{};
        m_sandbox->simulateCall(options);
        QTRY_COMPARE(deliveriesTo(u"/hooks/flaky"_s).size(), 3); // two 500s, then delivered
        QTRY_COMPARE(m_sandbox->counts().webhooksPending, 0);
    }

    void faults_data()
    {
        QTest::addColumn<int>("provider");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("fault");
        for (const auto &[provider, path, name] : {std::tuple{Provider::Retell, u"/list-agents"_s, u"retell"_s},
                                                   std::tuple{Provider::Calcom, u"/me"_s, u"calcom"_s},
                                                   std::tuple{Provider::Stripe, u"/customers"_s, u"stripe"_s}}) {
            for (const QString &fault : {u"error"_s, u"rate-limit"_s, u"latency"_s})
                QTest::addRow("%s %s", qPrintable(name), qPrintable(fault)) << int(provider) << path << fault;
        }
    }
    void faults()
    {
        QFETCH(int, provider);
        QFETCH(QString, path);
        QFETCH(QString, fault);
        FaultSettings settings;
        settings.errorRate = fault == "error"_L1 ? 1.0 : 0.0;
        settings.rateLimitRate = fault == "rate-limit"_L1 ? 1.0 : 0.0;
        settings.latencyMs = fault == "latency"_L1 ? 400 : 0;
        m_sandbox->setFaults(Provider(provider), settings);
        const Headers headers = authFor(Provider(provider));
        if (fault == "latency"_L1) {
            // The delayed answer must not hold up another provider's request meanwhile.
            const Provider other = Provider(provider) == Provider::Stripe ? Provider::Retell : Provider::Stripe;
            QNetworkReply *slow = start("GET"_ba, url(Provider(provider), path), {}, headers);
            QElapsedTimer timer;
            timer.start();
            const Reply quick = send("GET"_ba, url(other, other == Provider::Retell ? u"/list-agents"_s : u"/customers"_s), {}, authFor(other));
            QCOMPARE(quick.status, 200);
            QVERIFY(!slow->isFinished());
            QTRY_VERIFY(slow->isFinished());
            QVERIFY2(timer.elapsed() >= 350, qPrintable(QString::number(timer.elapsed())));
            QCOMPARE(slow->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            slow->deleteLater();
            return;
        }
        const Reply reply = send("GET"_ba, url(Provider(provider), path), {}, headers);
        if (fault == "rate-limit"_L1) {
            QCOMPARE(reply.status, 429);
            QCOMPARE(reply.headers.value("retry-after"_ba), "1"_ba);
        } else {
            QVERIFY2(reply.status >= 500 && reply.status <= 503, qPrintable(QString::number(reply.status)));
        }
        switch (Provider(provider)) {
        case Provider::Retell:
            QCOMPARE(reply.json[u"status"_s].toString(), u"error"_s);
            break;
        case Provider::Calcom:
            QVERIFY(!reply.json[u"error"_s][u"code"_s].toString().isEmpty());
            break;
        case Provider::Stripe:
            QCOMPARE(reply.json[u"error"_s][u"type"_s].toString(), fault == "error"_L1 ? u"api_error"_s : u"invalid_request_error"_s);
            break;
        case Provider::Twilio:
            QCOMPARE(reply.json[u"status"_s].toInt(), reply.status);
            break;
        }
    }

    // "Booked but the answer was lost": the request is carried out, only its answer goes missing, either
    // as a 502 or as no answer before the client gives up. A client must look for the booking, not repeat it.
    void lostAnswersCarryOutTheRequest_data()
    {
        QTest::addColumn<bool>("late");
        QTest::newRow("answered 502") << false;
        QTest::newRow("no answer in time") << true;
    }
    void lostAnswersCarryOutTheRequest()
    {
        QFETCH(bool, late);
        const qint64 eventTypeId = createEventType();
        const QDate day = nextWorkday();
        FaultSettings settings;
        (late ? settings.answerLateRate : settings.answerLostRate) = 1.0;
        m_sandbox->setFaults(Provider::Calcom, settings);
        const QJsonObject booking{{u"start"_s, QDateTime(day, QTime(10, 0), QTimeZone("Europe/Berlin")).toUTC().toString(Qt::ISODateWithMs)},
                                  {u"eventTypeId"_s, eventTypeId},
                                  {u"attendee"_s, QJsonObject{{u"name"_s, u"Erika Muster"_s}, {u"email"_s, u"erika@example.com"_s},
                                                              {u"timeZone"_s, u"Europe/Berlin"_s}}},
                                  {u"metadata"_s, QJsonObject{{u"askpro_call_id"_s, u"call_lost"_s}}}};
        QNetworkRequest request(url(Provider::Calcom, u"/bookings"_s));
        request.setTransferTimeout(late ? 500 : 20'000); // a client that gives up, as ours does
        for (const auto &[name, value] : Headers{{"Authorization"_ba, "Bearer cal_test_sandbox"_ba}, {"Content-Type"_ba, "application/json"_ba},
                                                 {"cal-api-version"_ba, "2024-08-13"_ba}})
            request.setRawHeader(name, value);
        QNetworkReply *reply = m_network.post(request, QJsonDocument(booking).toJson());
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (late) {
            QCOMPARE(status, 0);
            QCOMPARE(reply->error(), QNetworkReply::OperationCanceledError);
        } else {
            QCOMPARE(status, 502);
        }
        reply->deleteLater();
        m_sandbox->setFaults(Provider::Calcom, FaultSettings{});
        const QJsonArray bookings = m_sandbox->calcomBookings();
        QCOMPARE(bookings.size(), 1);
        QCOMPARE(bookings.first()[u"metadata"_s][u"askpro_call_id"_s].toString(), u"call_lost"_s);
    }

    void controlEndpoints()
    {
        const QUrl base = m_sandbox->baseUrl(Provider::Retell);
        const Reply set = send("POST"_ba, base.resolved(QUrl(u"/sandbox/faults"_s)),
                               R"({"provider":"calcom","error_rate":1.0,"seed":5})"_ba, {{"Content-Type"_ba, "application/json"_ba}});
        QCOMPARE(set.status, 200);
        QCOMPARE(m_sandbox->faults(Provider::Calcom).errorRate, 1.0);
        QCOMPARE(m_sandbox->faults(Provider::Retell).errorRate, 0.0);
        const Reply lost = send("POST"_ba, base.resolved(QUrl(u"/sandbox/faults"_s)),
                                R"({"provider":"calcom","answer_lost_rate":0.25,"answer_late_rate":0.05})"_ba,
                                {{"Content-Type"_ba, "application/json"_ba}});
        QCOMPARE(lost.json[u"calcom"_s][u"answer_lost_rate"_s].toDouble(), 0.25);
        QCOMPARE(m_sandbox->faults(Provider::Calcom).answerLateRate, 0.05);
        QCOMPARE(m_sandbox->faults(Provider::Calcom).errorRate, 1.0);
        QVERIFY(calcom("GET"_ba, u"/me"_s, {}).status >= 500);
        QVERIFY(stripe("POST"_ba, u"/customers"_s, "email=x%40example.com"_ba).status == 200);
        const Reply state = send("GET"_ba, base.resolved(QUrl(u"/sandbox/state"_s)));
        QCOMPARE(state.json[u"customers"_s].toInt(), 1);
        QCOMPARE(send("POST"_ba, base.resolved(QUrl(u"/sandbox/reset"_s))).status, 200);
        QCOMPARE(send("GET"_ba, base.resolved(QUrl(u"/sandbox/state"_s))).json[u"customers"_s].toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSandbox)
#include "test_sandbox.moc"
