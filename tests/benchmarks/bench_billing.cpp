// Billing benchmark (prints figures, never fails for being slow): invoices for 1,000 companies from
// 5,000,000 usage rows (target <= 10 s) and a one-year daily usage chart (target <= 100 ms), on
// SQLite and, when ASKPRO_TEST_PG_URL is set, PostgreSQL.
#include "billing/billingquery.h"
#include "billing/invoicegenerator.h"
#include "db/database.h"
#include "testdatabase.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>
#include <QTimeZone>

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

// Seeds companies, branches and usage rows. Usage rows point at call and appointment ids that have
// no rows: the generator never reads calls, and 5 M call rows would only measure the seeding.
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
    qint64 id = 0;
    while (id < rows) {
        Transaction tx(db);
        if (!check(tx.started(), "begin"))
            return false;
        for (int s = 0; s < statementsPerTransaction && id < rows; ++s) {
            QString values;
            values.reserve(rowsPerStatement * 64);
            for (int r = 0; r < rowsPerStatement && id < rows; ++r, ++id) {
                const qint64 company = id % companies + 1;
                const bool appointment = id % 5 == 4; // one in five rows is a booked appointment
                const qint64 at = monthStart + (id * 7919) % monthMs;
                values += (r == 0 ? u"("_s : u",("_s) + QString::number(company) + u","_s + QString::number(company)
                    + (appointment ? u",'appointment',NULL,"_s : u",'call',"_s) + QString::number(id + 1)
                    + (appointment ? u","_s : u",NULL,"_s) + (appointment ? u"200,"_s : u"50,"_s) + QString::number(at) + u")"_s;
            }
            auto inserted = db.exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, appointment_id, unit_price_cents, "
                                    "occurred_at) VALUES "_s
                                    + values);
            if (!inserted) {
                out() << "FAILED insert: " << inserted.error().describe() << Qt::endl;
                return false;
            }
        }
        if (!check(tx.commit(), "commit"))
            return false;
    }
    return check(db.control(sqlite ? u"PRAGMA foreign_keys = ON"_s : u"SET session_replication_role = DEFAULT"_s), "enable fk");
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
    auto report = InvoiceGenerator(*db).generateMonth(month, QDateTime(QDate(2026, 6, 1), QTime(6, 0), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch());
    const qint64 generateMs = timer.elapsed();
    if (!report) {
        out() << "FAILED generate: " << report.error().describe() << Qt::endl;
        return;
    }
    auto linked = db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE invoice_id IS NOT NULL"_s);
    out() << engine << ": generated " << report->created << " invoices (" << (linked ? linked->toLongLong() : -1)
          << " usage rows linked) in " << generateMs << " ms (target <= 10000)" << Qt::endl;
    timer.restart();
    auto again = InvoiceGenerator(*db).generateMonth(month);
    out() << engine << ": rerun of the month: " << (again ? again->created : -1) << " new, " << timer.elapsed() << " ms" << Qt::endl;

    const QDate from = month.addMonths(-11);
    const QDate to = QDate(2026, 5, 31);
    for (qint64 company : {qint64(1), qint64(0)}) {
        qint64 best = std::numeric_limits<qint64>::max();
        for (int i = 0; i < 3; ++i) {
            timer.restart();
            auto days = BillingQuery::dailyUsage(*db, from, to, company);
            auto revenue = BillingQuery::monthlyRevenue(*db, from, to, company);
            best = qMin(best, timer.elapsed());
            if (!days || !revenue)
                out() << "FAILED chart query" << Qt::endl;
        }
        out() << engine << ": one-year daily chart data (" << (company ? "one company" : "all companies, 5 M rows") << "): " << best
              << " ms (target <= 100)" << Qt::endl;
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    run(u"sqlite"_s);
    if (!qEnvironmentVariableIsEmpty("ASKPRO_TEST_PG_URL"))
        run(u"postgresql"_s);
    return 0;
}
