// The demo's calendar in the provider sandbox: seeded staff, hours and upcoming appointments are known to
// the sandbox's Cal.com, so an hour of the demo's simulated callers, booked as the call flow books them
// (the wished time, else the first free slot that day), never lands on a staff member's seeded appointment;
// and the callers ask each branch for its own services, apart from the stated share of deliberate failures.
#include "core/clock.h"
#include "democallfeed.h"
#include "demo/demoseeder.h"
#include "flowfixture.h"
#include "integrations/calcomclient.h"
#include "sandbox.h"
#include "testdatabase.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestDemoCalendar final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void liveBookingsGoAroundSeededOnes_data() { test::addEngineRows(); }

    void liveBookingsGoAroundSeededOnes()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        // Now, not a fixed day: the sandbox refuses bookings in the past, as Cal.com does.
        auto seeded = DemoSeeder(*db).seed(21);
        QVERIFY2(seeded.ok(), seeded.ok() ? "" : qPrintable(seeded.error().describe()));
        auto calendar = DemoSeeder::sandboxCalendar(*db);
        QVERIFY2(calendar.ok(), calendar.ok() ? "" : qPrintable(calendar.error().describe()));
        const QJsonObject seed = QJsonDocument::fromJson(*calendar).object();
        const int seededBookings = int(seed.value(u"calcom"_s).toObject().value(u"bookings"_s).toArray().size());
        QVERIFY2(seededBookings > 100, qPrintable(QString::number(seededBookings)));

        sandbox::Sandbox providers{sandbox::SandboxConfig{}};
        const QString problem = providers.loadSeed(seed);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(providers.listen(QHostAddress::LocalHost, 0) > 0);
        QCOMPARE(int(providers.calcomBookings().size()), seededBookings);

        QStringList numbers;
        auto branches = db->exec(u"SELECT phone_e164 FROM branches WHERE active = 1 ORDER BY id"_s);
        QVERIFY(branches.ok());
        while (branches->next())
            numbers.append(branches->value(0).toString());
        sandbox::DemoCallFeed feed(providers, 6, numbers);
        feed.setDeliberateFailureShare(0.05);

        QNetworkAccessManager network;
        const CalcomClient calcom(&network, providers.baseUrl(sandbox::Provider::Calcom), "cal_test_sandbox");
        const QDate today = QDateTime::currentDateTimeUtc().toTimeZone(QTimeZone(QByteArrayLiteral("Europe/Berlin"))).date();
        int requests = 0;
        int foreign = 0;
        int booked = 0;
        int callback = 0;
        // One simulated hour at the demo's rate of six calls a minute.
        for (int i = 0; i < 360; ++i) {
            const sandbox::SimulatedCallOptions call = feed.nextCall(today);
            if (call.scenario != sandbox::CallScenario::Book)
                continue;
            ++requests;
            auto mapped = db->scalar(u"SELECT m.calcom_event_type_id FROM event_type_mappings m JOIN branches b ON b.id = m.branch_id "
                                     "JOIN services s ON s.id = m.service_id WHERE b.phone_e164 = ? AND b.active = 1 AND s.name = ?"_s,
                                     {call.toNumber, call.appointment.service});
            QVERIFY(mapped.ok());
            if (mapped->isNull()) {
                QCOMPARE(call.appointment.service, QString::fromUtf8(sandbox::DemoCallFeed::deliberateService));
                ++foreign;
                continue;
            }
            CalcomBookingRequest request;
            request.eventTypeId = mapped->toLongLong();
            request.start = call.appointment.start.toUTC();
            request.name = call.appointment.customerName;
            request.email = call.appointment.customerEmail;
            request.timeZone = u"Europe/Berlin"_s;
            request.language = u"de"_s;
            JsonResult made = test::await(calcom.createBooking(request));
            if (!made) {
                // Taken: the first free slot of that day, as the flow offers alternatives.
                const QDate day = call.appointment.start.date();
                JsonResult free = test::await(calcom.freeSlots(request.eventTypeId, day, day, u"Europe/Berlin"_s));
                QVERIFY(free.ok());
                const Json &daySlots = (*free)[day.toString(Qt::ISODate).toStdString()];
                if (!daySlots.is_array() || daySlots.empty()) {
                    ++callback;
                    continue;
                }
                request.start = QDateTime::fromString(QString::fromStdString(daySlots[0]["start"].get<std::string>()), Qt::ISODateWithMs).toUTC();
                made = test::await(calcom.createBooking(request));
                QVERIFY2(made.ok(), made.ok() ? "" : qPrintable(made.error().describe()));
            }
            ++booked;
        }
        qInfo("%s: %d seeded bookings; of %d requests in one simulated hour %d booked, %d left for a callback, %d deliberately "
              "for a service the branch does not offer",
              qPrintable(engine), seededBookings, requests, booked, callback, foreign);
        QVERIFY(booked > requests / 2);
        QVERIFY(foreign <= requests / 10);
        QCOMPARE(feed.deliberateFailuresPlaced(), foreign);

        // No host has two accepted bookings at once, and no live booking sits on a seeded appointment of
        // the staff member it went to.
        struct Span
        {
            qint64 host;
            qint64 start;
            qint64 end;
            bool live;
        };
        QList<Span> spans;
        QSet<QString> seededUids;
        for (const auto &b : seed.value(u"calcom"_s).toObject().value(u"bookings"_s).toArray())
            seededUids.insert(b.toObject().value(u"uid"_s).toString());
        for (const auto &value : providers.calcomBookings()) {
            const QJsonObject b = value.toObject();
            if (b.value(u"status"_s).toString() != u"accepted"_s)
                continue;
            spans.append({b.value(u"hosts"_s).toArray().first().toObject().value(u"id"_s).toInteger(),
                          QDateTime::fromString(b.value(u"start"_s).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch(),
                          QDateTime::fromString(b.value(u"end"_s).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch(),
                          !seededUids.contains(b.value(u"uid"_s).toString())});
        }
        int overlaps = 0;
        int liveOnSeeded = 0;
        for (qsizetype i = 0; i < spans.size(); ++i) {
            for (qsizetype j = i + 1; j < spans.size(); ++j) {
                const Span &a = spans.at(i);
                const Span &b = spans.at(j);
                if (a.host == b.host && a.start < b.end && b.start < a.end) {
                    ++overlaps;
                    if (a.live != b.live)
                        ++liveOnSeeded;
                }
            }
        }
        QCOMPARE(overlaps, 0);
        QCOMPARE(liveOnSeeded, 0);
        // The seeded appointments in the database agree: a staff member is their Cal.com host.
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM appointments a JOIN appointments b ON b.staff_id = a.staff_id AND b.id > a.id "
                            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
                            "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"_s)
                     ->toLongLong(),
                 0);
    }
};

QTEST_GUILESS_MAIN(TestDemoCalendar)
#include "test_demo_calendar.moc"
