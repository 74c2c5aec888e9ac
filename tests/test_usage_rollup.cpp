// Daily usage totals (usage_daily) on both engines: the chart figures equal a direct count over usage_logs
// after calls, appointments, retried webhooks and a credit note, across both DST changes; the migration's
// backfill and UsageRollup::rebuild give the same days as the time zone database.
#include "billing/billingquery.h"
#include "billing/invoicegenerator.h"
#include "billing/usagerollup.h"
#include "core/clock.h"
#include "db/database.h"
#include "flow/callstore.h"
#include "testdatabase.h"

#include <QMap>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

qint64 berlin(int y, int m, int d, int h, int min = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch();
}

qint64 utc(int y, int m, int d, int h, int min = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), QTimeZone::utc()).toMSecsSinceEpoch();
}

// Instants around both changes of 2026 (29 March, 25 October) and midnight, where UTC and Berlin days differ.
const QList<qint64> &edgeTimes()
{
    static const QList<qint64> times{
        utc(2026, 3, 28, 22, 30), // 23:30 CET, 28 March
        utc(2026, 3, 28, 23, 30), // 00:30 CET, 29 March (UTC still says the 28th)
        utc(2026, 3, 29, 0, 59),  // 01:59 CET, just before the change
        utc(2026, 3, 29, 1, 0),   // 03:00 CEST
        utc(2026, 3, 29, 21, 59), // 23:59 CEST, 29 March
        utc(2026, 3, 29, 22, 0),  // 00:00 CEST, 30 March
        utc(2026, 10, 24, 21, 59), // 23:59 CEST, 24 October
        utc(2026, 10, 24, 22, 0),  // 00:00 CEST, 25 October
        utc(2026, 10, 25, 0, 30),  // 02:30 CEST
        utc(2026, 10, 25, 1, 30),  // 02:30 CET, the hour that repeats
        utc(2026, 10, 25, 22, 59), // 23:59 CET, 25 October
        utc(2026, 10, 25, 23, 0),  // 00:00 CET, 26 October
        berlin(2026, 12, 31, 23, 59),
        berlin(2027, 1, 1, 0, 0),
    };
    return times;
}

struct Company
{
    qint64 id = 0;
    qint64 branch = 0;
};

Company plant(Database &db, const QString &phone, qint64 callPrice = 50, qint64 appointmentPrice = 200)
{
    const auto [company, branch] = test::plantCompanyAndBranch(db, phone);
    if (!db.exec(u"UPDATE companies SET call_price_cents = ?, appointment_price_cents = ?, live_since = ? WHERE id = ?"_s,
                 {callPrice, appointmentPrice, berlin(2025, 1, 1, 0), company}))
        qFatal("cannot price the company");
    return {company, branch};
}

int serial = 0;

qint64 callRow(Database &db, const Company &c, qint64 at)
{
    return *db.insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, started_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                      "RETURNING id"_s,
                      {u"call_%1"_s.arg(++serial), c.id, c.branch, at, at, at});
}

qint64 appointmentRow(Database &db, const Company &c, qint64 at)
{
    return *db.insert(u"INSERT INTO appointments (company_id, branch_id, starts_at, ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                      "RETURNING id"_s,
                      {c.id, c.branch, at + 86400000, at + 88200000, at, at});
}

// The call flow's way: the usage row in the transaction that records the call or booking.
bool recordCall(Database &db, qint64 callId, const Company &c, qint64 at)
{
    Transaction tx(db);
    return tx.started().ok() && CallStore(db).recordCallUsage(callId, c.id, c.branch, at).ok() && tx.commit().ok();
}

bool recordAppointment(Database &db, qint64 appointmentId, const Company &c, qint64 at)
{
    Transaction tx(db);
    return tx.started().ok() && CallStore(db).recordAppointmentUsage(appointmentId, c.id, c.branch, at).ok() && tx.commit().ok();
}

struct Day
{
    qint64 calls = 0;
    qint64 appointments = 0;
    qint64 callCents = 0;
    qint64 appointmentCents = 0;
    bool operator==(const Day &) const = default;
};

// Straight from the usage rows, days by the time zone database.
QMap<QDate, Day> countedDays(Database &db, qint64 companyId)
{
    QMap<QDate, Day> days;
    auto q = db.exec(u"SELECT occurred_at, kind, unit_price_cents FROM usage_logs WHERE ? = 0 OR company_id = ?"_s, {companyId, companyId});
    if (!q)
        qFatal("%s", qPrintable(q.error().describe()));
    while (q->next()) {
        Day &d = days[money::localDate(q->value(0).toLongLong())];
        const bool call = q->value(1).toString() == u"call"_s;
        ++(call ? d.calls : d.appointments);
        (call ? d.callCents : d.appointmentCents) += q->value(2).toLongLong();
    }
    return days;
}

QMap<QDate, Day> rolledUpDays(Database &db)
{
    QMap<QDate, Day> days;
    auto q = db.exec(u"SELECT day, calls, appointments, call_cents, appointment_cents FROM usage_daily"_s);
    if (!q)
        qFatal("%s", qPrintable(q.error().describe()));
    while (q->next()) {
        Day &d = days[UsageRollup::dateOf(q->value(0).toLongLong())];
        d.calls += q->value(1).toLongLong();
        d.appointments += q->value(2).toLongLong();
        d.callCents += q->value(3).toLongLong();
        d.appointmentCents += q->value(4).toLongLong();
    }
    // A day whose usage was taken away again may keep a row of zeros.
    for (auto it = days.begin(); it != days.end();)
        it = it.value() == Day{} ? days.erase(it) : std::next(it);
    return days;
}

// The chart (BillingQuery::dailyUsage) against the direct count, day by day over [from, to].
void compareChart(Database &db, qint64 companyId, QDate from, QDate to)
{
    const QMap<QDate, Day> counted = countedDays(db, companyId);
    auto chart = BillingQuery::dailyUsage(db, Actor::system(u"test"_s), from, to, companyId);
    QVERIFY2(chart, qPrintable(chart ? QString() : chart.error().describe()));
    QCOMPARE(chart->size(), from.daysTo(to) + 1);
    qint64 charted = 0;
    for (const DailyUsage &d : std::as_const(*chart)) {
        const Day expected = counted.value(d.day);
        if (d.calls != expected.calls || d.appointments != expected.appointments)
            QFAIL(qPrintable(u"%1, company %2: chart %3 calls / %4 appointments, rows %5 / %6"_s.arg(d.day.toString(Qt::ISODate))
                                 .arg(companyId)
                                 .arg(d.calls)
                                 .arg(d.appointments)
                                 .arg(expected.calls)
                                 .arg(expected.appointments)));
        charted += d.calls + d.appointments;
    }
    qint64 total = 0;
    for (auto it = counted.begin(); it != counted.end(); ++it)
        if (it.key() >= from && it.key() <= to)
            total += it.value().calls + it.value().appointments;
    QCOMPARE(charted, total);
}

} // namespace

class TestUsageRollup final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dayNumbers_data()
    {
        QTest::addColumn<qint64>("at");
        QTest::addColumn<QDate>("day");
        QTest::newRow("epoch") << qint64(0) << QDate(1970, 1, 1);
        QTest::newRow("23:30 UTC in winter is tomorrow") << utc(2026, 1, 14, 23, 30) << QDate(2026, 1, 15);
        QTest::newRow("22:30 UTC in summer is tomorrow") << utc(2026, 7, 14, 22, 30) << QDate(2026, 7, 15);
        QTest::newRow("21:59 UTC in summer is today") << utc(2026, 7, 14, 21, 59) << QDate(2026, 7, 14);
        QTest::newRow("spring forward") << utc(2026, 3, 29, 1, 0) << QDate(2026, 3, 29);
        QTest::newRow("fall back, repeated hour") << utc(2026, 10, 25, 1, 30) << QDate(2026, 10, 25);
        QTest::newRow("fall back, last minute") << utc(2026, 10, 25, 22, 59) << QDate(2026, 10, 25);
        QTest::newRow("new year") << berlin(2027, 1, 1, 0) << QDate(2027, 1, 1);
    }
    void dayNumbers()
    {
        QFETCH(qint64, at);
        QFETCH(QDate, day);
        QCOMPARE(UsageRollup::dateOf(UsageRollup::dayNumber(at)), day);
        QCOMPARE(UsageRollup::dayNumber(day), UsageRollup::dayNumber(at));
        QCOMPARE(money::localDate(at), day);
    }

    void chartEqualsUsageRows_data() { test::addEngineRows(); }
    void chartEqualsUsageRows()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const Company a = plant(*db, u"+4930111111"_s);
        const Company b = plant(*db, u"+4930222222"_s, 60, 250);
        QList<qint64> calls;
        for (qint64 at : edgeTimes()) {
            const qint64 call = callRow(*db, a, at);
            calls.append(call);
            QVERIFY(recordCall(*db, call, a, at));
            QVERIFY(recordAppointment(*db, appointmentRow(*db, a, at), a, at));
            QVERIFY(recordCall(*db, callRow(*db, b, at + 1000), b, at + 1000));
        }
        for (int d = 1; d <= 28; ++d) // an ordinary month of traffic for b
            for (int h : {8, 12, 17})
                QVERIFY(recordCall(*db, callRow(*db, b, berlin(2026, 5, d, h)), b, berlin(2026, 5, d, h)));
        // Retried webhooks record the same call and booking again: no second row, no second count.
        QVERIFY(recordCall(*db, calls.first(), a, edgeTimes().first()));
        QVERIFY(recordCall(*db, calls.at(5), a, edgeTimes().at(5) + 3600000));
        const qint64 appointment = appointmentRow(*db, b, berlin(2026, 5, 20, 10));
        QVERIFY(recordAppointment(*db, appointment, b, berlin(2026, 5, 20, 10)));
        QVERIFY(recordAppointment(*db, appointment, b, berlin(2026, 5, 21, 10)));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE call_id = ?"_s, {calls.first()})->toInt(), 1);

        const QDate from(2026, 1, 1);
        const QDate to(2027, 1, 31);
        for (qint64 company : {qint64(0), a.id, b.id})
            compareChart(*db, company, from, to);
        QCOMPARE(rolledUpDays(*db), countedDays(*db, 0)); // amounts too

        // Invoicing links the rows and a credit note reverses an invoice: usage, and so the chart, stay.
        InvoiceGenerator generator(*db);
        auto report = generator.generateMonth(QDate(2026, 3, 1), berlin(2026, 4, 1, 6));
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->created, 2);
        auto credit = generator.createCreditNote(report->invoiceIds.first(), u"Kulanz"_s, Actor::system(u"test"_s), berlin(2026, 4, 3, 9));
        QVERIFY2(credit, qPrintable(credit ? QString() : credit.error().describe()));
        for (qint64 company : {qint64(0), a.id, b.id})
            compareChart(*db, company, from, to);
        // The doctor's repair takes an appointment's usage away from its day as well.
        QVERIFY(UsageRollup(*db).removeAppointmentUsage(appointment));
        compareChart(*db, b.id, from, to);
        QCOMPARE(rolledUpDays(*db), countedDays(*db, 0));
    }

    void rebuildMatchesRecording_data() { test::addEngineRows(); }
    void rebuildMatchesRecording()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const Company a = plant(*db, u"+4930333333"_s);
        const Company b = plant(*db, u"+4930444444"_s, 45, 180);
        for (qint64 at : edgeTimes()) {
            QVERIFY(recordCall(*db, callRow(*db, a, at), a, at));
            QVERIFY(recordAppointment(*db, appointmentRow(*db, b, at), b, at));
        }
        const QMap<QDate, Day> recorded = rolledUpDays(*db);
        QCOMPARE(recorded, countedDays(*db, 0));
        // Rows written around UsageRollup (an import) are missing from the totals until a rebuild.
        const qint64 late = utc(2026, 6, 30, 22, 15); // 1 July in Berlin
        QVERIFY(db->exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, unit_price_cents, occurred_at) VALUES (?, ?, 'call', ?, 50, ?)"_s,
                         {a.id, a.branch, callRow(*db, a, late), late}));
        QVERIFY(rolledUpDays(*db) != countedDays(*db, 0));
        auto rebuilt = UsageRollup(*db).rebuild(a.id);
        QVERIFY2(rebuilt, qPrintable(rebuilt ? QString() : rebuilt.error().describe()));
        QCOMPARE(rolledUpDays(*db), countedDays(*db, 0));
        QCOMPARE(countedDays(*db, 0).value(QDate(2026, 7, 1)).calls, 1);
        auto all = UsageRollup(*db).rebuild();
        QVERIFY(all);
        QCOMPARE(rolledUpDays(*db), countedDays(*db, 0));
        QCOMPARE(*all, db->scalar(u"SELECT COUNT(*) FROM usage_daily"_s)->toLongLong());
    }

    void migrationBackfillsDays_data() { test::addEngineRows(); }
    void migrationBackfillsDays()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        // Back to the schema before 0004, then usage of several years as version 3 wrote it (no day totals).
        for (const QString &undo : {u"DROP TABLE usage_daily"_s, u"DROP INDEX usage_logs_occurred"_s, u"DROP INDEX usage_logs_company_time"_s,
                                    u"CREATE INDEX usage_logs_company_time ON usage_logs(company_id, occurred_at)"_s})
            QVERIFY2(db->control(undo), qPrintable(undo));
        const Company a = plant(*db, u"+4930555555"_s);
        const Company b = plant(*db, u"+4930666666"_s, 70, 300);
        QList<qint64> times = edgeTimes();
        times << utc(2019, 3, 30, 23, 30) << utc(2019, 3, 31, 0, 30) << utc(2019, 10, 26, 22, 30) << utc(2019, 10, 27, 22, 30)
              << utc(2024, 2, 29, 23, 0) << utc(2024, 7, 1, 21, 0) << utc(2024, 7, 1, 22, 0) << berlin(2025, 12, 31, 23, 59);
        for (qint64 at : std::as_const(times)) {
            for (const Company &c : {a, b}) {
                QVERIFY(db->exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, unit_price_cents, occurred_at) "
                                 "SELECT id, ?, 'call', ?, call_price_cents, ? FROM companies WHERE id = ?"_s,
                                 {c.branch, callRow(*db, c, at), at, c.id}));
                QVERIFY(db->exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, appointment_id, unit_price_cents, occurred_at) "
                                 "SELECT id, ?, 'appointment', ?, appointment_price_cents, ? FROM companies WHERE id = ?"_s,
                                 {c.branch, appointmentRow(*db, c, at + 60000), at + 60000, c.id}));
            }
        }
        Transaction tx(*db);
        QVERIFY(tx.started().ok());
        for (const QString &statement : test::migrationStatements(u":/askpro/migrations/0004_billing_rollup.sql"_s, db->engine()))
            QVERIFY2(db->control(statement), qPrintable(statement.left(80)));
        QVERIFY(tx.commit());
        QCOMPARE(rolledUpDays(*db), countedDays(*db, 0));
        for (qint64 company : {qint64(0), a.id, b.id}) {
            compareChart(*db, company, QDate(2019, 1, 1), QDate(2019, 12, 31));
            compareChart(*db, company, QDate(2024, 1, 1), QDate(2027, 1, 31));
        }
        // The scratch table of summer times is gone again.
        QVERIFY(!db->exec(u"SELECT COUNT(*) FROM billing_zone_summer"_s));
    }
};

QTEST_GUILESS_MAIN(TestUsageRollup)
#include "test_usage_rollup.moc"
