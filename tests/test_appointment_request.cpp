// Reading the caller's request from analysis data, tool calls and live function arguments.
#include "flow/appointmentrequest.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestAppointmentRequest final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fields_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("requested");
        QTest::addColumn<QString>("date");
        QTest::addColumn<QString>("time");
        QTest::newRow("iso date and time") << QByteArray(R"({"appointment_requested":true,"service":"Beratung","date":"2026-12-01","time":"10:30"})")
                                           << true << u"2026-12-01"_s << u"10:30"_s;
        QTest::newRow("german date, Uhr") << QByteArray(R"({"service":"Beratung","date":"01.12.2026","time":"9:00 Uhr"})") << true
                                          << u"2026-12-01"_s << u"09:00"_s;
        QTest::newRow("datetime_iso only") << QByteArray(R"({"service":"Termin","datetime_iso":"2026-12-01T14:00:00"})") << true
                                           << u"2026-12-01"_s << u"14:00"_s;
        QTest::newRow("explicitly not requested") << QByteArray(R"({"appointment_requested":false,"service":"Beratung"})") << false
                                                  << QString() << QString();
        QTest::newRow("requested as string") << QByteArray(R"({"appointment_requested":"true","date":"2026-12-01","time":"10:00"})") << true
                                             << u"2026-12-01"_s << u"10:00"_s;
        QTest::newRow("nothing bookable") << QByteArray(R"({"notes":"Frage zu Preisen"})") << false << QString() << QString();
        QTest::newRow("not an object") << QByteArray(R"([1,2])") << false << QString() << QString();
    }
    void fields()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, requested);
        QFETCH(QString, date);
        QFETCH(QString, time);
        const auto r = AppointmentRequest::fromFields(Json::parse(json.toStdString()));
        QCOMPARE(r.has_value(), requested);
        if (r) {
            QCOMPARE(r->date.toString(Qt::ISODate), date);
            QCOMPARE(r->time.toString(u"HH:mm"_s), time);
        }
    }

    void fromToolCallInTranscript()
    {
        // Retell hands tool arguments over as a JSON text inside the transcript.
        const Json args = {{"service", "Beratung"}, {"date", "2026-12-02"}, {"time", "11:00"}, {"customer_name", "Jana Weber"},
                           {"customer_email", "jana@example.org"}, {"agreed_to_alternatives", true}};
        const Json call = {{"call_id", "c1"},
                           {"transcript_with_tool_calls",
                            {{{"role", "agent"}, {"content", "Wann passt es Ihnen?"}},
                             {{"role", "tool_call_invocation"}, {"name", "collect_appointment_data"}, {"arguments", args.dump()}}}}};
        const auto r = AppointmentRequest::fromCall(call);
        QVERIFY(r);
        QCOMPARE(r->customerName, u"Jana Weber"_s);
        QCOMPARE(r->customerEmail, u"jana@example.org"_s);
        QVERIFY(r->agreedToAlternatives);
        QCOMPARE(r->date, QDate(2026, 12, 2));
    }

    void analysisWinsOverToolCall()
    {
        const Json analysis = {{"appointment_requested", true}, {"service", "Termin"}, {"date", "2026-12-03"}, {"time", "15:00"}};
        const Json toolArgs = {{"service", "Beratung"}, {"date", "2026-12-02"}, {"time", "11:00"}};
        const Json call = {{"call_analysis", {{"custom_analysis_data", analysis}}},
                           {"transcript_with_tool_calls",
                            {{{"role", "tool_call_invocation"}, {"name", "collect_appointment_data"}, {"arguments", toolArgs}}}}};
        const auto r = AppointmentRequest::fromCall(call);
        QVERIFY(r);
        QCOMPARE(r->service, u"Termin"_s);
    }

    void roundTripThroughJson()
    {
        AppointmentRequest r;
        r.service = u"Beratung"_s;
        r.date = QDate(2026, 12, 1);
        r.time = QTime(10, 0);
        r.agreedToAlternatives = true;
        const auto back = AppointmentRequest::fromFields(r.toJson());
        QVERIFY(back);
        QCOMPARE(back->time, QTime(10, 0));
        QVERIFY(back->agreedToAlternatives);
    }
};

QTEST_GUILESS_MAIN(TestAppointmentRequest)
#include "test_appointment_request.moc"
