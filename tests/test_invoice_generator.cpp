// Invoice generation on both engines: amounts and rounding (data-driven), proration, price changes,
// gapless numbering across a year boundary, idempotent reruns, dry-run previews, credit notes, the
// month-wide run over many companies, billing periods (linked when usage is recorded, closed by the run,
// late usage left open and reported, rows on no period linked by the run, a recorder racing the run on
// PostgreSQL) and the command line's list of failures.
#include "billing/billingquery.h"
#include "billing/invoicegenerator.h"
#include "billing/usagerollup.h"
#include "core/clock.h"
#include "db/database.h"
#include "db/migrator.h"
#include "testdatabase.h"

#include <QMap>
#include <QProcess>
#include <QScopeGuard>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

qint64 berlin(int y, int m, int d, int h = 12)
{
    return QDateTime(QDate(y, m, d), QTime(h, 0), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch();
}

// A company with a branch; usage recorded as the call flow does (UsageRollup, priced from the plan at
// that moment), or with legacy = true inserted directly on no billing period (rows written around
// UsageRollup, or before migration 0006 could place them), which the invoice run links itself.
struct Plant
{
    Database &db;
    qint64 company = 0;
    qint64 branch = 0;
    int serial = 0;
    bool legacy = false;

    Plant(Database &d, qint64 fee, int vatBp, qint64 liveSince, const QString &language = u"de"_s) : db(d)
    {
        const qint64 now = nowMs();
        company = *db.insert(u"INSERT INTO companies (name, address, vat_id, billing_email, default_language, vat_rate_bp, base_fee_cents, "
                             "live_since, created_at, updated_at) VALUES ('Praxis Sonnenschein', 'Hauptstr. 5\n80331 München', "
                             "'DE811111111', 'buchhaltung@sonnenschein.de', ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                             {language, vatBp, fee, liveSince, liveSince, now});
        branch = *db.insert(u"INSERT INTO branches (company_id, name, phone_e164, created_at, updated_at) VALUES (?, 'Mitte', ?, ?, ?) "
                            "RETURNING id"_s,
                            {company, u"+49891000%1"_s.arg(company), now, now});
    }
    void call(qint64 at, qint64 price)
    {
        const qint64 id = *db.insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, started_at, created_at, updated_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                     {u"c%1_%2"_s.arg(company).arg(++serial), company, branch, at, at, at});
        usage(true, id, at, price);
    }
    void appointment(qint64 at, qint64 price)
    {
        const qint64 id = *db.insert(u"INSERT INTO appointments (company_id, branch_id, starts_at, ends_at, created_at, updated_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                     {company, branch, at + 86400000, at + 88200000, at, at});
        usage(false, id, at, price);
    }
    void usage(bool call, qint64 refId, qint64 at, qint64 price)
    {
        if (legacy) {
            QVERIFY(db.exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, %1, unit_price_cents, occurred_at) VALUES (?, ?, ?, ?, ?, ?)"_s
                                .arg(call ? u"call_id"_s : u"appointment_id"_s),
                            {company, branch, call ? u"call"_s : u"appointment"_s, refId, price, at}));
            return;
        }
        QVERIFY(db.exec(u"UPDATE companies SET %1 = ? WHERE id = ?"_s.arg(call ? u"call_price_cents"_s : u"appointment_price_cents"_s),
                        {price, company}));
        UsageRollup rollup(db);
        QVERIFY(call ? rollup.recordCall(refId, company, branch, at) : rollup.recordAppointment(refId, company, branch, at));
    }
};

// Usage rows on the invoice (through its closed billing period).
qint64 onInvoice(Database &db, qint64 invoiceId)
{
    return db.scalar(u"SELECT COUNT(*) FROM usage_logs u JOIN billing_periods p ON p.id = u.period_id WHERE p.invoice_id = ?"_s, {invoiceId})
        ->toLongLong();
}

// Usage rows of the company in [from, to) on no invoice (no period, or an open one); companyId 0: all.
qint64 notInvoiced(Database &db, qint64 companyId, qint64 from = 0, qint64 to = std::numeric_limits<qint64>::max())
{
    return db.scalar(u"SELECT COUNT(*) FROM usage_logs u LEFT JOIN billing_periods p ON p.id = u.period_id WHERE p.invoice_id IS NULL "
                     "AND (? = 0 OR u.company_id = ?) AND u.occurred_at >= ? AND u.occurred_at < ?"_s,
                     {companyId, companyId, from, to})
        ->toLongLong();
}

} // namespace

class TestInvoiceGenerator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rounding_data()
    {
        QTest::addColumn<qint64>("value");
        QTest::addColumn<qint64>("divisor");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("exact") << qint64(300) << qint64(3) << qint64(100);
        QTest::newRow("below half") << qint64(149) << qint64(100) << qint64(1);
        QTest::newRow("half up") << qint64(150) << qint64(100) << qint64(2);
        QTest::newRow("half negative away") << qint64(-150) << qint64(100) << qint64(-2);
        QTest::newRow("below half negative") << qint64(-149) << qint64(100) << qint64(-1);
        QTest::newRow("vat 19% of 1050") << qint64(1050 * 1900) << qint64(10000) << qint64(200); // 199.5
    }
    void rounding()
    {
        QFETCH(qint64, value);
        QFETCH(qint64, divisor);
        QFETCH(qint64, expected);
        QCOMPARE(money::divRound(value, divisor), expected);
    }

    void amounts_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<qint64>("fee");
        QTest::addColumn<int>("vatBp");
        QTest::addColumn<int>("liveDay");       // 0: live before the month
        QTest::addColumn<QList<int>>("calls");  // unit prices, one per call
        QTest::addColumn<QList<int>>("appointments");
        QTest::addColumn<int>("lines");
        QTest::addColumn<qint64>("net");
        QTest::addColumn<qint64>("vat");
        for (const QString &engine : {u"sqlite"_s, u"postgresql"_s}) {
            const auto row = [&engine](const char *name) { return &QTest::newRow(qPrintable(engine + u": "_s + QLatin1String(name))); };
            *row("zero usage") << engine << qint64(9900) << 1900 << 0 << QList<int>{} << QList<int>{} << 1 << qint64(9900) << qint64(1881);
            *row("calls and appointments") << engine << qint64(9900) << 1900 << 0 << QList<int>{50, 50, 50} << QList<int>{200, 200} << 3
                                           << qint64(10450) << qint64(1986); // 1985.5 -> 1986
            *row("proration 15 of 31 days") << engine << qint64(9900) << 1900 << 17 << QList<int>{} << QList<int>{} << 1 << qint64(4790)
                                            << qint64(910); // 4790.32 -> 4790; 910.1 -> 910
            *row("last day of the month") << engine << qint64(9900) << 1900 << 31 << QList<int>{} << QList<int>{} << 1 << qint64(319)
                                          << qint64(61); // 319.35 -> 319; 60.61 -> 61
            *row("vat at half a cent") << engine << qint64(9900) << 1900 << 0 << QList<int>{50} << QList<int>{} << 2 << qint64(9950)
                                       << qint64(1891); // 1890.5 -> 1891
            *row("reduced rate 7 %") << engine << qint64(10000) << 700 << 0 << QList<int>{} << QList<int>{} << 1 << qint64(10000)
                                     << qint64(700);
            *row("no vat") << engine << qint64(9900) << 0 << 0 << QList<int>{} << QList<int>{} << 1 << qint64(9900) << qint64(0);
            *row("price change mid-month") << engine << qint64(9900) << 1900 << 0 << QList<int>{50, 50, 60, 60, 60} << QList<int>{200}
                                           << 4 << qint64(10380) << qint64(1972); // 1972.2
        }
    }
    void amounts()
    {
        QFETCH(QString, engine);
        QFETCH(qint64, fee);
        QFETCH(int, vatBp);
        QFETCH(int, liveDay);
        QFETCH(QList<int>, calls);
        QFETCH(QList<int>, appointments);
        QFETCH(int, lines);
        QFETCH(qint64, net);
        QFETCH(qint64, vat);
        ASKPRO_FRESH_DB(db, engine);
        Plant p(*db, fee, vatBp, liveDay > 0 ? berlin(2026, 5, liveDay, 9) : berlin(2026, 1, 1));
        int day = liveDay > 0 ? liveDay : 1;
        for (int price : std::as_const(calls))
            p.call(berlin(2026, 5, day++ % 28 + 1), price);
        for (int price : std::as_const(appointments))
            p.appointment(berlin(2026, 5, 20), price);
        p.call(berlin(2026, 4, 30, 21), 50); // April, Berlin time: not in May
        p.call(berlin(2026, 6, 1, 1), 50);   // June 1st 01:00 Berlin (still May in UTC): not in May

        InvoiceGenerator generator(*db);
        auto preview = generator.preview(p.company, QDate(2026, 5, 1));
        QVERIFY2(preview, qPrintable(preview ? QString() : preview.error().describe()));
        QVERIFY(preview->has_value());
        QCOMPARE((*preview)->netCents, net);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM invoices"_s)->toInt(), 0); // a preview writes nothing

        auto report = generator.generateMonth(QDate(2026, 5, 1), berlin(2026, 6, 1, 6));
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->created, 1);
        auto doc = InvoiceDocument::load(*db, report->invoiceIds.first());
        QVERIFY(doc);
        QCOMPARE(doc->lines.size(), lines);
        QCOMPARE(doc->netCents, net);
        QCOMPARE(doc->vatCents, vat);
        QCOMPARE(doc->grossCents, net + vat);
        QCOMPARE(doc->vatRateBp, vatBp);
        qint64 sum = 0;
        for (const InvoiceLine &line : std::as_const(doc->lines)) {
            QCOMPARE(line.quantity * line.unitPriceCents, line.amountCents);
            sum += line.amountCents;
        }
        QCOMPARE(sum, net);
        QCOMPARE(doc->number, u"AP-2026-000001"_s);
        QCOMPARE(doc->issueDate(), QDate(2026, 6, 1));
        QCOMPARE(doc->dueDate(), QDate(2026, 6, 15));
        QCOMPARE(doc->periodFirstDay(), QDate(2026, 5, 1));
        QCOMPARE(doc->periodLastDay(), QDate(2026, 5, 31));
        QCOMPARE(doc->buyer.name, u"Praxis Sonnenschein"_s);
        QCOMPARE(doc->buyer.postcode(), u"80331"_s);
        // Exactly the month's usage is on the invoice; the rows outside stay open.
        QCOMPARE(onInvoice(*db, doc->id), qint64(calls.size() + appointments.size()));
        QCOMPARE(notInvoiced(*db, 0), qint64(2));
    }

    void prorationRule_data()
    {
        QTest::addColumn<qint64>("fee");
        QTest::addColumn<QDate>("live");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("before the month") << qint64(9900) << QDate(2026, 4, 3) << qint64(9900);
        QTest::newRow("first day") << qint64(9900) << QDate(2026, 6, 1) << qint64(9900);
        QTest::newRow("half of June") << qint64(9900) << QDate(2026, 6, 16) << qint64(4950);
        QTest::newRow("last day") << qint64(3000) << QDate(2026, 6, 30) << qint64(100);
        QTest::newRow("half a cent rounds up") << qint64(3) << QDate(2026, 6, 26) << qint64(1); // 3 * 5 / 30 = 0.5
        QTest::newRow("after the month") << qint64(9900) << QDate(2026, 7, 1) << qint64(0);
        QTest::newRow("February leap year") << qint64(2900) << QDate(2028, 2, 15) << qint64(1500);
    }
    void prorationRule()
    {
        QFETCH(qint64, fee);
        QFETCH(QDate, live);
        QFETCH(qint64, expected);
        const QDate month = live.month() == 7 ? QDate(2026, 6, 1) : live.month() == 4 ? QDate(2026, 6, 1) : QDate(live.year(), live.month(), 1);
        QCOMPARE(InvoiceGenerator::proratedFee(fee, month, live), expected);
    }

    void numberingAcrossYears_data() { test::addEngineRows(); }
    void numberingAcrossYears()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        Plant a(*db, 9900, 1900, berlin(2026, 1, 1));
        Plant b(*db, 9900, 1900, berlin(2026, 1, 1));
        InvoiceGenerator generator(*db);
        auto nov = generator.generateMonth(QDate(2026, 11, 1), berlin(2026, 12, 1, 8));
        QVERIFY(nov);
        QCOMPARE(nov->numbers, (QStringList{u"AP-2026-000001"_s, u"AP-2026-000002"_s}));
        // December's run is issued on January 1st: the numbering starts again for 2027.
        auto dec = generator.generateMonth(QDate(2026, 12, 1), berlin(2027, 1, 1, 0));
        QVERIFY(dec);
        QCOMPARE(dec->numbers, (QStringList{u"AP-2027-000001"_s, u"AP-2027-000002"_s}));
        // A credit note late in 2026 continues 2026's sequence without a gap.
        auto credit = generator.createCreditNote(nov->invoiceIds.first(), u"Doppelt berechnet"_s, Actor::system(u"test"_s), berlin(2026, 12, 31, 22));
        QVERIFY2(credit, qPrintable(credit ? QString() : credit.error().describe()));
        QCOMPARE(db->scalar(u"SELECT number FROM invoices WHERE id = ?"_s, {*credit})->toString(), u"AP-2026-000003"_s);
        auto gaps = db->scalar(u"SELECT COUNT(*) FROM invoices WHERE year = 2027 AND sequence > (SELECT COUNT(*) FROM invoices WHERE year = 2027)"_s);
        QCOMPARE(gaps->toInt(), 0);
    }

    void rerunCreatesNothing_data() { test::addEngineRows(); }
    void rerunCreatesNothing()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        Plant p(*db, 9900, 1900, berlin(2026, 1, 1));
        p.call(berlin(2026, 3, 10), 50);
        Plant later(*db, 9900, 1900, berlin(2026, 4, 2)); // live in April: nothing to bill for March
        InvoiceGenerator generator(*db);
        auto first = generator.generateMonth(QDate(2026, 3, 1), berlin(2026, 4, 1, 6));
        QVERIFY(first);
        QCOMPARE(first->created, 1);
        QCOMPARE(first->nothingToBill, 1);
        p.call(berlin(2026, 3, 11), 50); // arrives late: stays unbilled, the invoice is final
        auto second = generator.generateMonth(QDate(2026, 3, 1), berlin(2026, 4, 2, 6));
        QVERIFY(second);
        QCOMPARE(second->created, 0);
        QCOMPARE(second->alreadyInvoiced, 1);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM invoices"_s)->toInt(), 1);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM invoice_lines"_s)->toInt(), 2);
        QCOMPARE(db->scalar(u"SELECT MAX(sequence) FROM invoices"_s)->toInt(), 1);
        QCOMPARE(db->scalar(u"SELECT net_cents FROM invoices"_s)->toLongLong(), qint64(9950));
    }

    // More companies than the per-period path takes: the month-wide run (periods locked, rows on no period
    // linked, sums per period) gives what each company's preview said. With gaps, every other company's
    // usage was written without a period (legacy rows), which the run links itself.
    void manyCompaniesInOneRun_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<bool>("gaps"); // a company not live yet before each one: no runs of consecutive ids
        for (const QString &engine : {u"sqlite"_s, u"postgresql"_s}) {
            QTest::newRow(qPrintable(engine + u": consecutive"_s)) << engine << false;
            QTest::newRow(qPrintable(engine + u": gaps"_s)) << engine << true;
        }
    }
    void manyCompaniesInOneRun()
    {
        QFETCH(QString, engine);
        QFETCH(bool, gaps);
        ASKPRO_FRESH_DB(db, engine);
        const QDate may(2026, 5, 1);
        std::vector<std::unique_ptr<Plant>> plants;
        std::vector<std::unique_ptr<Plant>> notLive;
        for (int i = 0; i < 12; ++i) {
            if (gaps)
                notLive.push_back(std::make_unique<Plant>(*db, 9900, 1900, berlin(2026, 7, 1)));
            const qint64 fee = i == 5 || i == 10 ? 0 : 9900 + i;
            const qint64 live = i == 11 ? berlin(2026, 6, 2) : i == 7 ? berlin(2026, 5, 10, 9) : berlin(2026, 1, 1);
            plants.push_back(std::make_unique<Plant>(*db, fee, i == 6 ? 700 : 1900, live, i % 2 ? u"en"_s : u"de"_s));
            Plant &p = *plants.back();
            p.legacy = gaps && i % 2 == 1;
            if (i >= 10)
                continue; // 10: no fee, no usage; 11: not live in May
            for (int n = 0; n <= i; ++n) {
                p.call(berlin(2026, 5, 1 + n % 28, 8 + n % 10), i == 3 && n % 2 ? 60 : 50);
                if (n % 3 == 0)
                    p.appointment(berlin(2026, 5, 2 + n % 27, 15), 200);
            }
            p.call(berlin(2026, 4, 30, 21), 50); // April and June in Berlin time: not May's
            p.call(berlin(2026, 6, 1, 1), 50);
        }
        for (int n = 0; n < 150; ++n) // most rows outside May
            plants.front()->call(berlin(2026, 3, 1 + n % 28, 9), 50);
        InvoiceGenerator generator(*db);
        // Company 4 was invoiced on its own first; usage that arrives afterwards stays open.
        auto first = generator.generateMonth(may, berlin(2026, 6, 1, 5), plants.at(4)->company);
        QVERIFY2(first, qPrintable(first ? QString() : first.error().describe()));
        QCOMPARE(first->numbers, QStringList{u"AP-2026-000001"_s});
        plants.at(4)->legacy = false; // recorded as the call flow does: the period is closed, the row stays on none
        plants.at(4)->call(berlin(2026, 5, 30), 50);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE company_id = ? AND period_id IS NULL"_s, {plants.at(4)->company})->toInt(), 1);

        QMap<qint64, InvoicePlan> expected;
        for (const auto &p : plants) {
            auto plan = generator.preview(p->company, may);
            QVERIFY(plan);
            if (*plan)
                expected.insert(p->company, **plan);
        }
        QCOMPARE(expected.size(), 10); // all but 10 and 11
        auto previews = generator.previewMonth(may);
        QVERIFY2(previews, qPrintable(previews ? QString() : previews.error().describe()));
        QCOMPARE(previews->size(), expected.size());
        for (const InvoicePlan &p : std::as_const(*previews)) {
            QCOMPARE(p.netCents, expected.value(p.companyId).netCents);
            QCOMPARE(p.lines.size(), expected.value(p.companyId).lines.size());
        }

        auto report = generator.generateMonth(may, berlin(2026, 6, 1, 6));
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->companies, gaps ? 24 : 12);
        QCOMPARE(report->created, 9);
        QCOMPARE(report->alreadyInvoiced, 1);
        QCOMPARE(report->nothingToBill, gaps ? 14 : 2);
        QVERIFY(report->failures.isEmpty());
        QStringList numbers;
        for (int n = 2; n <= 10; ++n)
            numbers << InvoiceGenerator::numberFor(2026, n);
        QCOMPARE(report->numbers, numbers); // gapless, in company order
        for (qint64 id : std::as_const(report->invoiceIds)) {
            auto doc = InvoiceDocument::load(*db, id);
            QVERIFY(doc);
            const InvoicePlan plan = expected.value(doc->companyId);
            QCOMPARE(doc->netCents, plan.netCents);
            QCOMPARE(doc->vatCents, plan.vatCents);
            QCOMPARE(doc->grossCents, plan.grossCents);
            QCOMPARE(doc->lines.size(), plan.lines.size());
            for (int l = 0; l < doc->lines.size(); ++l) {
                QCOMPARE(doc->lines.at(l).position, plan.lines.at(l).position);
                QCOMPARE(doc->lines.at(l).kind, plan.lines.at(l).kind);
                QCOMPARE(doc->lines.at(l).description, plan.lines.at(l).description);
                QCOMPARE(doc->lines.at(l).quantity, plan.lines.at(l).quantity);
                QCOMPARE(doc->lines.at(l).unitPriceCents, plan.lines.at(l).unitPriceCents);
            }
            QCOMPARE(onInvoice(*db, id), plan.usageRows);
            QCOMPARE(notInvoiced(*db, doc->companyId, doc->periodStart, doc->periodEnd), qint64(0));
        }
        const qint64 late = plants.at(4)->company;
        QCOMPARE(notInvoiced(*db, late, expected.value(late).periodStart, expected.value(late).periodEnd), qint64(1));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM usage_logs u JOIN billing_periods p ON p.id = u.period_id WHERE p.invoice_id IS NOT NULL "
                            "AND (u.occurred_at < ? OR u.occurred_at >= ?)"_s,
                            {expected.first().periodStart, expected.first().periodEnd})
                     ->toInt(),
                 0);
        // The legacy rows outside May stay on no period: the run links only the month it invoices.
        if (gaps)
            QVERIFY(db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE period_id IS NULL AND occurred_at >= ?"_s,
                               {expected.first().periodEnd})
                        ->toInt()
                    > 0);

        auto again = generator.generateMonth(may, berlin(2026, 6, 2, 6));
        QVERIFY(again);
        QCOMPARE(again->created, 0);
        QCOMPARE(again->alreadyInvoiced, 10);
        QCOMPARE(again->nothingToBill, gaps ? 14 : 2);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM invoices"_s)->toInt(), 10);
        QCOMPARE(db->scalar(u"SELECT MAX(sequence) FROM invoices WHERE year = 2026"_s)->toInt(), 10);
    }

    // A company whose invoice cannot be written (here a trigger refuses it) fails the month's transaction;
    // the run then goes company by company: the others are invoiced without a gap in the numbers.
    void failingCompanyDoesNotHoldUpOthers_data() { test::addEngineRows(); }
    void failingCompanyDoesNotHoldUpOthers()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        Plant a(*db, 9900, 1900, berlin(2026, 1, 1));
        Plant b(*db, 9900, 1900, berlin(2026, 1, 1));
        Plant c(*db, 9900, 1900, berlin(2026, 1, 1));
        for (Plant *p : {&a, &b, &c})
            p->call(berlin(2026, 5, 4), 50);
        const QStringList refuse = engine == u"sqlite"_s
            ? QStringList{u"CREATE TRIGGER refuse_invoice BEFORE INSERT ON invoices WHEN NEW.company_id = %1 "
                          "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"_s.arg(b.company)}
            : QStringList{u"CREATE FUNCTION refuse_invoice() RETURNS trigger AS $$ BEGIN IF NEW.company_id = %1 THEN "
                          "RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"_s.arg(b.company),
                          u"CREATE TRIGGER refuse_invoice BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION refuse_invoice()"_s};
        for (const QString &statement : refuse)
            QVERIFY2(db->control(statement), qPrintable(statement));
        InvoiceGenerator generator(*db);
        auto report = generator.generateMonth(QDate(2026, 5, 1), berlin(2026, 6, 1, 6));
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->created, 2);
        QCOMPARE(report->numbers, (QStringList{u"AP-2026-000001"_s, u"AP-2026-000002"_s}));
        QCOMPARE(report->failures.size(), 1);
        QVERIFY2(report->failures.first().contains(u"(%1)"_s.arg(b.company)), qPrintable(report->failures.first()));
        QCOMPARE(notInvoiced(*db, b.company), qint64(1));

        QVERIFY(db->control(u"DROP TRIGGER refuse_invoice"_s + (engine == u"sqlite"_s ? QString() : u" ON invoices"_s)));
        auto again = generator.generateMonth(QDate(2026, 5, 1), berlin(2026, 6, 1, 7));
        QVERIFY(again);
        QCOMPARE(again->numbers, QStringList{u"AP-2026-000003"_s});
        QCOMPARE(again->alreadyInvoiced, 2);
        QVERIFY(again->failures.isEmpty());
    }

    // Usage recorded through UsageRollup joins its company's open period of its Berlin month; the run sums
    // the periods into lines, closes the month's period and writes no usage row; usage recorded after that
    // stays on no period, the run leaves it there and reconciliation reports it.
    void periodsFromRecordingToInvoice_data() { test::addEngineRows(); }
    void periodsFromRecordingToInvoice()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        Plant p(*db, 9900, 1900, berlin(2026, 1, 1));
        Plant other(*db, 4900, 1900, berlin(2026, 1, 1));
        p.call(berlin(2026, 4, 30, 23), 50); // 21:00 UTC: April in Berlin
        p.call(berlin(2026, 5, 1, 0), 50);   // 22:00 UTC on 30 April: May in Berlin
        p.call(berlin(2026, 5, 14), 50);
        p.call(berlin(2026, 5, 31, 23), 60); // a price change at the end of the month
        p.appointment(berlin(2026, 5, 20), 200);
        p.call(berlin(2026, 6, 1, 0), 60);
        other.call(berlin(2026, 5, 3), 50);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE period_id IS NULL"_s)->toInt(), 0);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM billing_periods WHERE invoice_id IS NULL"_s)->toInt(), 4);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM billing_periods"_s)->toInt(), 4);
        auto rows = db->exec(u"SELECT u.occurred_at, u.company_id, p.company_id, p.period_start FROM usage_logs u "
                             "JOIN billing_periods p ON p.id = u.period_id"_s);
        QVERIFY(rows);
        int checked = 0;
        while (rows->next()) {
            const QDate local = money::localDate(rows->value(0).toLongLong());
            QCOMPARE(rows->value(2).toLongLong(), rows->value(1).toLongLong());
            QCOMPARE(rows->value(3).toLongLong(), money::monthRange(local.year(), local.month()).first);
            ++checked;
        }
        QCOMPARE(checked, 7);
        rows->finish();

        const QDate may(2026, 5, 1);
        const auto [start, end] = money::monthRange(2026, 5);
        const auto usageRows = [&db] {
            QList<std::pair<qint64, qint64>> rows;
            auto q = db->exec(u"SELECT id, period_id FROM usage_logs ORDER BY id"_s);
            while (q && q->next())
                rows.append({q->value(0).toLongLong(), q->value(1).toLongLong()});
            return rows;
        };
        const QList<std::pair<qint64, qint64>> before = usageRows();
        InvoiceGenerator generator(*db);
        auto report = generator.generateMonth(may, berlin(2026, 6, 1, 6), p.company);
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->created, 1);
        auto doc = InvoiceDocument::load(*db, report->invoiceIds.first());
        QVERIFY(doc);
        // The lines are the recorded usage of May, per kind and unit price.
        QMap<std::pair<QString, qint64>, qint64> recorded;
        auto sums = db->exec(u"SELECT kind, unit_price_cents, COUNT(*) FROM usage_logs WHERE company_id = ? AND occurred_at >= ? AND occurred_at < ? "
                             "GROUP BY kind, unit_price_cents"_s,
                             {p.company, start, end});
        QVERIFY(sums);
        while (sums->next())
            recorded.insert({sums->value(0).toString(), sums->value(1).toLongLong()}, sums->value(2).toLongLong());
        QMap<std::pair<QString, qint64>, qint64> billed;
        for (const InvoiceLine &line : std::as_const(doc->lines))
            if (line.kind != u"base"_s)
                billed.insert({line.kind, line.unitPriceCents}, line.quantity);
        QCOMPARE(billed, recorded);
        QCOMPARE(recorded.value({u"call"_s, 50}), qint64(2));
        QCOMPARE(onInvoice(*db, doc->id), qint64(4));
        // May's period of this company is closed by the invoice; April, June and the other company's stay open.
        QCOMPARE(db->scalar(u"SELECT invoice_id FROM billing_periods WHERE company_id = ? AND period_start = ?"_s, {p.company, start})
                     ->toLongLong(),
                 doc->id);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM billing_periods WHERE invoice_id IS NULL"_s)->toInt(), 3);
        // No usage row was written by the run.
        QCOMPARE(usageRows(), before);

        // Late usage: recorded after the month was invoiced, it joins no period and opens none.
        p.call(berlin(2026, 5, 29), 60);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE period_id IS NULL"_s)->toInt(), 1);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM billing_periods"_s)->toInt(), 4);
        auto issues = BillingQuery::reconcile(*db, Actor::system(u"test"_s), start, end);
        QVERIFY2(issues, qPrintable(issues ? QString() : issues.error().describe()));
        QList<ReconciliationIssue> notInvoicedIssues;
        for (const ReconciliationIssue &issue : std::as_const(*issues)) {
            QVERIFY2(issue.check != u"line_mismatch"_s, qPrintable(issue.invoiceNumber));
            if (issue.check == u"usage_not_invoiced"_s)
                notInvoicedIssues.append(issue);
        }
        // The late row of p, and the other company's month, whose period is still open.
        QCOMPARE(notInvoicedIssues.size(), 2);
        for (const ReconciliationIssue &issue : std::as_const(notInvoicedIssues))
            QCOMPARE(issue.expected, qint64(1));

        // The month's run for everyone: p stays as it was (its late row too), the other company is invoiced.
        auto all = generator.generateMonth(may, berlin(2026, 6, 2, 6));
        QVERIFY2(all, qPrintable(all ? QString() : all.error().describe()));
        QCOMPARE(all->created, 1);
        QCOMPARE(all->alreadyInvoiced, 1);
        QCOMPARE(onInvoice(*db, doc->id), qint64(4));
        QCOMPARE(notInvoiced(*db, p.company, start, end), qint64(1));
        QCOMPARE(notInvoiced(*db, other.company, start, end), qint64(0));
        issues = BillingQuery::reconcile(*db, Actor::system(u"test"_s), start, end);
        QVERIFY(issues);
        int flagged = 0;
        for (const ReconciliationIssue &issue : std::as_const(*issues))
            if (issue.check == u"usage_not_invoiced"_s) {
                QCOMPARE(issue.companyId, p.company);
                ++flagged;
            }
        QCOMPARE(flagged, 1);
    }

    // Rows written without a period (around UsageRollup, or before migration 0006 could place them) are
    // previewed and invoiced like recorded ones: the run links them to the company's period first.
    void rowsOnNoPeriodAreLinkedByTheRun_data() { test::addEngineRows(); }
    void rowsOnNoPeriodAreLinkedByTheRun()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        Plant p(*db, 9900, 1900, berlin(2026, 1, 1));
        p.call(berlin(2026, 5, 2), 50); // recorded: the period exists
        p.legacy = true;
        p.call(berlin(2026, 5, 3), 50);
        p.appointment(berlin(2026, 5, 4), 200);
        p.call(berlin(2026, 6, 3), 50); // June: not this run's
        Plant fresh(*db, 9900, 1900, berlin(2026, 1, 1)); // only rows on no period, so no period yet
        fresh.legacy = true;
        fresh.call(berlin(2026, 5, 9), 50);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE period_id IS NULL"_s)->toInt(), 4);

        InvoiceGenerator generator(*db);
        auto preview = generator.preview(p.company, QDate(2026, 5, 1));
        QVERIFY(preview && preview->has_value());
        QCOMPARE((*preview)->usageRows, qint64(3));
        QCOMPARE((*preview)->netCents, qint64(9900 + 100 + 200));
        auto report = generator.generateMonth(QDate(2026, 5, 1), berlin(2026, 6, 1, 6));
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->created, 2);
        auto doc = InvoiceDocument::load(*db, report->invoiceIds.first());
        QVERIFY(doc);
        QCOMPARE(doc->netCents, (*preview)->netCents);
        QCOMPARE(onInvoice(*db, report->invoiceIds.first()), qint64(3));
        QCOMPARE(onInvoice(*db, report->invoiceIds.last()), qint64(1));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE period_id IS NULL"_s)->toInt(), 1); // June's
    }

    // PostgreSQL, read committed: usage recorded in transactions still open when the run starts. The run
    // waits for them (its FOR UPDATE on the periods against recording's FOR KEY SHARE), then bills exactly
    // the rows that were committed; a row recorded once the run holds the periods stays on none.
    void recordingRacesTheRun()
    {
        ASKPRO_REQUIRE_ENGINE(u"postgresql"_s);
        const QString url = test::freshDatabaseUrl(u"postgresql"_s);
        auto opened = Database::open(url);
        QVERIFY(opened);
        std::shared_ptr<Database> db = *opened;
        QVERIFY(Migrator(*db).migrate());
        auto committing = Database::open(url);
        auto rollingBack = Database::open(url);
        QVERIFY(committing && rollingBack);
        Plant p(*db, 9900, 1900, berlin(2026, 1, 1));
        p.call(berlin(2026, 5, 2), 50); // committed before: the period exists
        const auto newCall = [&](qint64 at) {
            return *db->insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, started_at, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                               {u"race_%1"_s.arg(at), p.company, p.branch, at, at, at});
        };
        const qint64 first = newCall(berlin(2026, 5, 10));
        const qint64 second = newCall(berlin(2026, 5, 11));
        const qint64 late = newCall(berlin(2026, 5, 12));

        Transaction kept(**committing);
        Transaction dropped(**rollingBack);
        QVERIFY(kept.started().ok() && dropped.started().ok());
        QVERIFY(UsageRollup(**committing).recordCall(first, p.company, p.branch, berlin(2026, 5, 10)));
        QVERIFY(UsageRollup(**rollingBack).recordCall(second, p.company, p.branch, berlin(2026, 5, 11)));

        Result<GenerationReport> report = makeError(ErrorKind::Internal, u"test.not_run"_s, u"not run"_s);
        std::unique_ptr<QThread> run(
            QThread::create([&] { report = InvoiceGenerator(*db).generateMonth(QDate(2026, 5, 1), berlin(2026, 6, 1, 6)); }));
        run->start();
        const auto release = qScopeGuard([&] { // also when a check below fails: let the run finish first
            kept.rollback();
            dropped.rollback();
            run->wait();
        });
        // The run waits on a row lock held by the recorders (asked outside a transaction: inside one,
        // pg_stat_activity stays as it was at the transaction's first look).
        QTRY_VERIFY_WITH_TIMEOUT(db->scalar(u"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND wait_event_type = 'Lock'"_s)
                                         ->toInt()
                                     == 1,
                                 10000);
        QVERIFY(!run->isFinished());
        QVERIFY(kept.commit());
        QTest::qWait(200);
        QVERIFY(!run->isFinished()); // still waiting for the other recorder
        dropped.rollback();
        QVERIFY(run->wait(30000));
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->created, 1);
        auto doc = InvoiceDocument::load(*db, report->invoiceIds.first());
        QVERIFY(doc);
        QCOMPARE(doc->lines.size(), 2);
        QCOMPARE(doc->lines.at(1).quantity, qint64(2)); // the row committed before and the one committed while the run waited
        QCOMPARE(onInvoice(*db, doc->id), qint64(2));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM usage_logs WHERE call_id = ?"_s, {second})->toInt(), 0);

        // Recorded after the run closed the period: on no period, flagged, the invoice unchanged.
        QVERIFY(UsageRollup(**committing).recordCall(late, p.company, p.branch, berlin(2026, 5, 12)));
        QVERIFY(db->scalar(u"SELECT period_id FROM usage_logs WHERE call_id = ?"_s, {late})->isNull());
        QCOMPARE(onInvoice(*db, doc->id), qint64(2));
    }

    // askpro-server invoices generate lists the companies that could not be invoiced and exits non-zero.
    void commandLineListsFailures()
    {
        const QString server = qEnvironmentVariable("ASKPRO_SERVER");
        ASKPRO_REQUIRE(!server.isEmpty(), "askpro-server (ASKPRO_SERVER, which CTest sets)");
        const QString url = test::freshDatabaseUrl(u"sqlite"_s);
        auto opened = Database::open(url);
        QVERIFY(opened);
        std::shared_ptr<Database> db = *opened;
        QVERIFY(Migrator(*db).migrate());
        Plant a(*db, 9900, 1900, berlin(2026, 1, 1));
        Plant b(*db, 9900, 1900, berlin(2026, 1, 1));
        QVERIFY(db->control(u"CREATE TRIGGER refuse_invoice BEFORE INSERT ON invoices WHEN NEW.company_id = %1 "
                            "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"_s.arg(b.company)));
        QProcess process;
        process.start(server, {u"invoices"_s, u"generate"_s, u"--month"_s, u"2026-05"_s, u"--no-follow-up"_s, u"--db"_s, url});
        QVERIFY(process.waitForFinished(120000));
        const QString errors = QString::fromUtf8(process.readAllStandardError());
        QCOMPARE(process.exitCode(), 1);
        QVERIFY2(errors.contains(u"(%1)"_s.arg(b.company)) && errors.contains(u"refused by test"_s), qPrintable(errors));
        QVERIFY2(!errors.contains(u"(%1)"_s.arg(a.company)), qPrintable(errors));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM invoices"_s)->toInt(), 1);
    }

    void creditNote_data() { test::addEngineRows(); }
    void creditNote()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        Plant p(*db, 9900, 1900, berlin(2026, 1, 1), u"en"_s);
        p.call(berlin(2026, 2, 3), 50);
        p.appointment(berlin(2026, 2, 3), 200);
        InvoiceGenerator generator(*db);
        auto report = generator.generateMonth(QDate(2026, 2, 1), berlin(2026, 3, 1, 6));
        QVERIFY(report);
        const qint64 invoiceId = report->invoiceIds.first();
        QVERIFY(!generator.createCreditNote(invoiceId, u" "_s, Actor::system(u"test"_s))); // a reason is required
        auto credit = generator.createCreditNote(invoiceId, u"Wrong plan"_s, Actor::system(u"test"_s), berlin(2026, 3, 5));
        QVERIFY(credit);
        auto original = InvoiceDocument::load(*db, invoiceId);
        auto note = InvoiceDocument::load(*db, *credit);
        QVERIFY(original && note);
        QVERIFY(note->isCreditNote());
        QCOMPARE(note->correctsNumber, original->number);
        QCOMPARE(note->netCents, -original->netCents);
        QCOMPARE(note->vatCents, -original->vatCents);
        QCOMPARE(note->grossCents, -original->grossCents);
        QCOMPARE(note->lines.size(), original->lines.size());
        QCOMPARE(note->lines.first().amountCents, -original->lines.first().amountCents);
        QCOMPARE(note->note, u"Wrong plan"_s);
        QCOMPARE(note->language, u"en"_s);
        // The original is untouched, a second credit note is refused, and the audit log has it.
        QCOMPARE(original->grossCents, qint64(12079)); // 10150 + 1928.5 -> 1929
        auto again = generator.createCreditNote(invoiceId, u"again"_s, Actor::system(u"test"_s));
        QVERIFY(!again);
        QCOMPARE(again.error().kind, ErrorKind::Conflict);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.credit_note' AND entity_id = ?"_s, {invoiceId})->toInt(), 1);
        QCOMPARE(db->scalar(u"SELECT MAX(sequence) FROM invoices WHERE year = 2026"_s)->toInt(), 2);
    }

    void monthlyJobQueuedOnce_data() { test::addEngineRows(); }
    void monthlyJobQueuedOnce()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        QVERIFY(InvoiceGenerator::enqueueMonthlyRun(*db, berlin(2026, 7, 1, 0)));
        QVERIFY(InvoiceGenerator::enqueueMonthlyRun(*db, berlin(2026, 7, 1, 5)));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'invoices.generate'"_s)->toInt(), 1);
        QCOMPARE(db->scalar(u"SELECT dedupe_key FROM jobs"_s)->toString(), u"invoices:2026-06"_s);
        QCOMPARE(InvoiceGenerator::parseMonth(u"2026-06"_s), QDate(2026, 6, 1));
        QVERIFY(!InvoiceGenerator::parseMonth(u"2026-13"_s).isValid());
    }
};

QTEST_GUILESS_MAIN(TestInvoiceGenerator)
#include "test_invoice_generator.moc"
