// Billing benchmark (prints figures, never fails for being slow): invoices for 1,000 companies from
// 5,000,000 usage rows on their billing periods (target <= 10 s), a one-year daily usage chart (target
// <= 100 ms) and what recording a usage row costs, on SQLite and, when ASKPRO_TEST_PG_URL is set, PostgreSQL.
#include "billing/billingquery.h"
#include "billing/invoicegenerator.h"
#include "billing/usagerollup.h"
#include "db/database.h"
#include "testdatabase.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QTextStream>
#include <QTimeZone>

#include <array>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

constexpr int companies = 1000;
constexpr qint64 rows = 5'000'000;
constexpr int rowsPerStatement = 1000;
constexpr int statementsPerTransaction = 500; // 500,000 rows per transaction

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

bool check(const Status &s, const char *what)
{
    if (!s)
        out() << "FAILED " << what << ": " << s.error().describe() << Qt::endl;
    return s.ok();
}

// Adds day totals to usage_daily in one multi-row upsert per 500 days, as UsageRollup::add does one at a time.
bool addDays(Database &db, const QHash<std::pair<qint64, qint64>, std::array<qint64, 4>> &days)
{
    QList<std::pair<qint64, qint64>> keys = days.keys();
    std::sort(keys.begin(), keys.end());
    for (qsizetype from = 0; from < keys.size(); from += 500) {
        QString sql = u"INSERT INTO usage_daily (company_id, day, calls, appointments, call_cents, appointment_cents) VALUES "_s;
        QVariantList values;
        for (qsizetype i = from; i < std::min<qsizetype>(from + 500, keys.size()); ++i) {
            const auto &t = days.value(keys.at(i));
            sql += (i == from ? u"(?, ?, ?, ?, ?, ?)"_s : u", (?, ?, ?, ?, ?, ?)"_s);
            values << keys.at(i).first << keys.at(i).second << t[0] << t[1] << t[2] << t[3];
        }
        auto upserted = db.exec(sql + u" ON CONFLICT (company_id, day) DO UPDATE SET calls = usage_daily.calls + excluded.calls, "
                                      "appointments = usage_daily.appointments + excluded.appointments, "
                                      "call_cents = usage_daily.call_cents + excluded.call_cents, "
                                      "appointment_cents = usage_daily.appointment_cents + excluded.appointment_cents"_s,
                                values);
        if (!upserted)
            return check(upserted.error(), "usage_daily");
    }
    return true;
}

// Seeds companies, branches and usage rows, and their day totals in the same transactions. Usage rows
// point at call and appointment ids that have no rows: the generator never reads calls, and 5 M call
// rows would only measure the seeding. As recording does, each row is on its company's open billing
// period of the month (made here up front, as the month's first usage would).
bool seed(Database &db, qint64 monthStart, qint64 monthMs)
{
    const bool sqlite = db.engine() == Engine::Sqlite;
    if (!check(db.control(sqlite ? u"PRAGMA foreign_keys = OFF"_s : u"SET session_replication_role = replica"_s), "disable fk"))
        return false;
    QString sql = u"INSERT INTO companies (name, address, billing_email, live_since, created_at, updated_at) VALUES "_s;
    for (int c = 1; c <= companies; ++c)
        sql += u"%1('Firma %2', 'Weg %2\n10115 Berlin', 'r%2@example.org', 0, 0, 0)"_s.arg(c == 1 ? u""_s : u","_s).arg(c);
    if (auto made = db.exec(sql); !made)
        return check(made.error(), "companies");
    sql = u"INSERT INTO branches (company_id, name, phone_e164, created_at, updated_at) VALUES "_s;
    for (int c = 1; c <= companies; ++c)
        sql += u"%1(%2, 'B', '+49300%2', 0, 0)"_s.arg(c == 1 ? u""_s : u","_s).arg(c);
    if (!db.exec(sql))
        return false;
    if (auto periods = db.exec(u"INSERT INTO billing_periods (company_id, period_start, created_at) SELECT id, ?, ? FROM companies"_s,
                               {monthStart, monthStart});
        !periods)
        return check(periods.error(), "billing periods");
    QHash<qint64, qint64> periodOf; // company -> its open period of the month
    auto periods = db.exec(u"SELECT company_id, id FROM billing_periods"_s);
    if (!periods)
        return check(periods.error(), "billing periods");
    while (periods->next())
        periodOf.insert(periods->value(0).toLongLong(), periods->value(1).toLongLong());
    periods->finish();
    QList<qint64> dayOfHour; // the local day of each UTC hour of the month
    for (qint64 h = 0; h * 3600000 < monthMs; ++h)
        dayOfHour.append(UsageRollup::dayNumber(monthStart + h * 3600000));
    qint64 id = 0;
    while (id < rows) {
        Transaction tx(db);
        if (!check(tx.started(), "begin"))
            return false;
        QHash<std::pair<qint64, qint64>, std::array<qint64, 4>> days;
        for (int s = 0; s < statementsPerTransaction && id < rows; ++s) {
            QString values;
            values.reserve(rowsPerStatement * 64);
            for (int r = 0; r < rowsPerStatement && id < rows; ++r, ++id) {
                const qint64 company = id % companies + 1;
                const bool appointment = id % 5 == 4; // one in five rows is a booked appointment
                const qint64 at = monthStart + (id * 7919) % monthMs;
                values += (r == 0 ? u"("_s : u",("_s) + QString::number(company) + u","_s + QString::number(company)
                    + (appointment ? u",'appointment',NULL,"_s : u",'call',"_s) + QString::number(id + 1)
                    + (appointment ? u","_s : u",NULL,"_s) + (appointment ? u"200,"_s : u"50,"_s) + QString::number(at) + u","_s
                    + QString::number(periodOf.value(company)) + u")"_s;
                auto &t = days[{company, dayOfHour.at((at - monthStart) / 3600000)}];
                ++t[appointment ? 1 : 0];
                t[appointment ? 3 : 2] += appointment ? 200 : 50;
            }
            auto inserted = db.exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, appointment_id, unit_price_cents, "
                                    "occurred_at, period_id) VALUES "_s
                                    + values);
            if (!inserted) {
                out() << "FAILED insert: " << inserted.error().describe() << Qt::endl;
                return false;
            }
        }
        if (!addDays(db, days) || !check(tx.commit(), "commit"))
            return false;
    }
    return check(db.control(sqlite ? u"PRAGMA foreign_keys = ON"_s : u"SET session_replication_role = DEFAULT"_s), "enable fk");
}

// What recording costs live traffic: usage rows recorded one per transaction (as the call flow does),
// with the plain insert of version 5 (no period, no day total), the insert that joins the open period
// (migration 0006) and the whole of UsageRollup (period and day total), alternating in rounds after a
// warm-up (which also makes June's periods), in June (outside the measured month and chart). Foreign keys
// are off, so the call ids need no call rows.
void recordingCost(Database &db, const QString &engine)
{
    const bool sqlite = db.engine() == Engine::Sqlite;
    (void)db.control(sqlite ? u"PRAGMA foreign_keys = OFF"_s : u"SET session_replication_role = replica"_s);
    const qint64 june = money::monthRange(2026, 6).first;
    constexpr int rounds = 4;
    constexpr int perRound = 500;
    enum Variant { Plain, WithPeriod, Rollup, VariantCount };
    qint64 callId = rows + 1'000'000;
    qint64 spent[VariantCount] = {0, 0, 0};
    QElapsedTimer timer;
    const QString keyShare = sqlite ? QString() : u" FOR KEY SHARE"_s;
    const auto record = [&](Variant variant, int count) {
        for (int i = 0; i < count; ++i, ++callId) {
            Transaction tx(db);
            const qint64 company = callId % companies + 1;
            const qint64 at = june + (callId % 40000) * 60000;
            const auto insert = [&](bool period) -> Status {
                auto q = period ? db.exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, unit_price_cents, occurred_at, period_id) "
                                          "SELECT id, ?, 'call', ?, call_price_cents, ?, (SELECT p.id FROM billing_periods p WHERE "
                                          "p.company_id = companies.id AND p.period_start = ? AND p.invoice_id IS NULL"_s
                                              + keyShare + u") FROM companies WHERE id = ? ON CONFLICT (call_id) WHERE kind = 'call' DO NOTHING"_s,
                                          {company, callId, at, june, company})
                                : db.exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, unit_price_cents, occurred_at) "
                                          "SELECT id, ?, 'call', ?, call_price_cents, ? FROM companies WHERE id = ? "
                                          "ON CONFLICT (call_id) WHERE kind = 'call' DO NOTHING"_s,
                                          {company, callId, at, company});
                if (!q)
                    return q.error();
                return {};
            };
            const Status s = variant == Rollup ? UsageRollup(db).recordCall(callId, company, company, at) : insert(variant == WithPeriod);
            if (!check(s, "record usage") || !check(tx.commit(), "commit"))
                return false;
        }
        return true;
    };
    if (!record(Rollup, 1200))
        return;
    for (int r = 0; r < rounds; ++r) {
        for (Variant variant : {Plain, WithPeriod, Rollup}) {
            timer.restart();
            if (!record(variant, perRound))
                return;
            spent[variant] += timer.nsecsElapsed();
        }
    }
    const char *names[VariantCount] = {"plain insert (version 5)", "insert joining the open period",
                                       "UsageRollup (period and day total)"};
    for (Variant variant : {Plain, WithPeriod, Rollup})
        out() << engine << ": recording a usage row in its own transaction, " << names[variant] << ": "
              << QString::number(double(spent[variant]) / 1000.0 / (rounds * perRound), 'f', 0) << " us" << Qt::endl;
    (void)db.control(sqlite ? u"PRAGMA foreign_keys = ON"_s : u"SET session_replication_role = DEFAULT"_s);
}

// The usage rows above fill one month; a year at that rate (60 M rows) is 365 day rows per company.
// Adds day totals for the eleven months before May (as if the traffic had run all year) and times the
// all-company chart over them.
void fullYearChart(Database &db, const QString &engine, QDate from, QDate to)
{
    const qint64 first = UsageRollup::dayNumber(from);
    const qint64 last = UsageRollup::dayNumber(QDate(2026, 4, 30));
    Transaction tx(db);
    QString sql;
    QVariantList values;
    const auto flush = [&]() {
        if (values.isEmpty())
            return true;
        auto inserted = db.exec(u"INSERT INTO usage_daily (company_id, day, calls, appointments, call_cents, appointment_cents) VALUES "_s + sql,
                                values);
        sql.clear();
        values.clear();
        return check(inserted ? Status() : Status(inserted.error()), "day totals");
    };
    for (qint64 day = first; day <= last; ++day) {
        for (int c = 1; c <= companies; ++c) {
            sql += values.isEmpty() ? u"(?, ?, ?, ?, ?, ?)"_s : u", (?, ?, ?, ?, ?, ?)"_s;
            values << c << day << 129 << 32 << 129 * 50 << 32 * 200;
            if (values.size() >= 500 * 6 && !flush())
                return;
        }
    }
    if (!flush() || !check(tx.commit(), "commit"))
        return;
    if (db.engine() == Engine::Postgres)
        (void)db.control(u"ANALYZE usage_daily"_s);
    auto rowsNow = db.scalar(u"SELECT COUNT(*) FROM usage_daily WHERE day >= ? AND day <= ?"_s,
                             {first, UsageRollup::dayNumber(to)});
    qint64 best = std::numeric_limits<qint64>::max();
    QElapsedTimer timer;
    for (int i = 0; i < 3; ++i) {
        timer.restart();
        auto days = BillingQuery::dailyUsage(db, Actor::system(u"bench"_s), from, to, 0);
        best = qMin(best, timer.elapsed());
        if (!days)
            out() << "FAILED chart query" << Qt::endl;
    }
    out() << engine << ": one-year daily chart data (all companies, a full year of day totals: " << (rowsNow ? rowsNow->toLongLong() : -1)
          << " rows, ~60 M usage rows' worth): " << best << " ms (target <= 100)" << Qt::endl;
}

void run(const QString &engine)
{
    auto db = test::freshDatabase(engine);
    if (!db) {
        out() << engine << ": no database" << Qt::endl;
        return;
    }
    const QDate month(2026, 5, 1);
    const auto [start, end] = money::monthRange(month.year(), month.month());
    QElapsedTimer timer;
    timer.start();
    if (!seed(*db, start, end - start))
        return;
    if (engine == u"postgresql"_s)
        (void)db->control(u"ANALYZE"_s);
    out() << engine << ": seeded " << companies << " companies and " << rows << " usage rows in " << timer.elapsed() << " ms" << Qt::endl;

    timer.restart();
    auto preview = InvoiceGenerator(*db).preview(1, month);
    out() << engine << ": dry-run preview of one company: " << timer.elapsed() << " ms" << Qt::endl;
    timer.restart();
    auto previews = InvoiceGenerator(*db).previewMonth(month);
    out() << engine << ": dry-run preview of all companies: " << (previews ? previews->size() : -1) << " plans in " << timer.elapsed()
          << " ms" << Qt::endl;
    timer.restart();
    auto report = InvoiceGenerator(*db).generateMonth(month, QDateTime(QDate(2026, 6, 1), QTime(6, 0), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch());
    const qint64 generateMs = timer.elapsed();
    if (!report) {
        out() << "FAILED generate: " << report.error().describe() << Qt::endl;
        return;
    }
    auto linked = db->scalar(u"SELECT COUNT(*) FROM usage_logs u JOIN billing_periods p ON p.id = u.period_id WHERE p.invoice_id IS NOT NULL"_s);
    out() << engine << ": generated " << report->created << " invoices (" << (linked ? linked->toLongLong() : -1)
          << " usage rows on them) in " << generateMs << " ms (target <= 10000)" << Qt::endl;
    timer.restart();
    auto again = InvoiceGenerator(*db).generateMonth(month);
    out() << engine << ": rerun of the month: " << (again ? again->created : -1) << " new, " << timer.elapsed() << " ms" << Qt::endl;

    const QDate from = month.addMonths(-11);
    const QDate to = QDate(2026, 5, 31);
    for (qint64 company : {qint64(1), qint64(0)}) {
        qint64 best = std::numeric_limits<qint64>::max();
        for (int i = 0; i < 3; ++i) {
            timer.restart();
            auto days = BillingQuery::dailyUsage(*db, Actor::system(u"bench"_s), from, to, company);
            auto revenue = BillingQuery::monthlyRevenue(*db, Actor::system(u"bench"_s), from, to, company);
            best = qMin(best, timer.elapsed());
            if (!days || !revenue) {
                out() << "FAILED chart query" << Qt::endl;
                return;
            }
            if (i == 0) {
                // The day totals must say what the usage rows say.
                qint64 charted = 0;
                for (const DailyUsage &d : std::as_const(*days))
                    charted += d.calls + d.appointments;
                auto counted = company ? db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE company_id = ?"_s, {company})
                                       : db->scalar(u"SELECT COUNT(*) FROM usage_logs"_s);
                if (!counted || counted->toLongLong() != charted)
                    out() << "FAILED chart total " << charted << " against " << (counted ? counted->toLongLong() : -1) << " rows" << Qt::endl;
            }
        }
        out() << engine << ": one-year daily chart data (" << (company ? "one company" : "all companies, 5 M rows") << "): " << best
              << " ms (target <= 100)" << Qt::endl;
    }
    fullYearChart(*db, engine, from, to);
    recordingCost(*db, engine);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // "bench_billing sqlite" or "bench_billing postgresql" runs one engine; no argument runs both.
    const QStringList only = app.arguments().mid(1);
    if (only.isEmpty() || only.contains(u"sqlite"_s))
        run(u"sqlite"_s);
    if ((only.isEmpty() || only.contains(u"postgresql"_s)) && !qEnvironmentVariableIsEmpty("ASKPRO_TEST_PG_URL"))
        run(u"postgresql"_s);
    return 0;
}
