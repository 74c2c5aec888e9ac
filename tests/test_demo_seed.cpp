// The demo seeder: realistic volumes, every outcome and failure kind, consistent usage rows (on their
// billing periods) and timelines, and a second run that adds nothing.
#include "core/clock.h"
#include "demo/demoseeder.h"
#include "queries/calldetailquery.h"
#include "queries/triagequery.h"
#include "testdatabase.h"

#include <QElapsedTimer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestDemoSeed final : public QObject
{
    Q_OBJECT
private:
    static qint64 count(Database &db, const QString &sql)
    {
        auto v = db.scalar(sql);
        if (!v)
            qFatal("%s", qPrintable(v.error().describe()));
        return v->toLongLong();
    }

private Q_SLOTS:
    void seedsEverythingOnce_data() { test::addEngineRows(); }

    void seedsEverythingOnce()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        QElapsedTimer timer;
        timer.start();
        const qint64 now = QDateTime(QDate(2026, 11, 24), QTime(17, 0), QTimeZone(QByteArrayLiteral("Europe/Berlin"))).toMSecsSinceEpoch();
        auto seeded = DemoSeeder(*db).seed(30, now);
        QVERIFY2(seeded.ok(), seeded.ok() ? "" : qPrintable(seeded.error().describe()));
        qInfo("seeded 30 days on %s in %lld ms: %d calls, %d appointments", qPrintable(engine), timer.elapsed(), seeded->calls,
              seeded->appointments);
        QVERIFY(!seeded->skipped);
        QCOMPARE(seeded->companies, 3);
        QCOMPARE(seeded->branches, 6);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM companies"_s), 3);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM branches"_s), 6);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM branches WHERE active = 0"_s), 1);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM branches WHERE phone_e164 NOT LIKE '+49%'"_s), 0);
        // Opening hours are stored with every branch (Monday to Friday, Saturday where the company opens then),
        // with the Christmas closure, and every company has its fallback announcement.
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM branches b WHERE NOT EXISTS (SELECT 1 FROM branch_opening_hours h WHERE h.branch_id = b.id "
                            "AND h.weekday = 1 AND h.opens_minute = 480 AND h.closes_minute = 1080)"_s),
                 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM branch_opening_hours WHERE weekday = 7"_s), 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM branch_closures WHERE reason = 'Weihnachten'"_s), 6);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM companies WHERE fallback_announcement = ''"_s), 0);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM staff"_s) >= 12);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM services WHERE name IN ('30 Min Beratung', '60 Min Termin')"_s), 6);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM event_type_mappings"_s) >= 20);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM calls"_s), qint64(seeded->calls));
        // 30 days x 5 active branches x 5-13 calls per staff member and weekday.
        QVERIFY2(seeded->calls > 1500 && seeded->calls < 6000, qPrintable(QString::number(seeded->calls)));

        // Every outcome and failure kind.
        for (const QString &outcome : {u"booked"_s, u"no_request"_s, u"needs_callback"_s, u"failed"_s, u"pending"_s})
            QVERIFY2(count(*db, u"SELECT COUNT(*) FROM calls WHERE outcome = '%1'"_s.arg(outcome)) > 0, qPrintable(outcome));
        for (const QString &kind : {u"configuration"_s, u"transient"_s, u"rejected"_s})
            QVERIFY2(count(*db, u"SELECT COUNT(*) FROM calls WHERE failure_kind = '%1'"_s.arg(kind)) > 0, qPrintable(kind));
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM calls WHERE failure_reason LIKE 'No service of this company matches%'"_s) > 0);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM calls WHERE failure_reason LIKE '%has no Cal.com event type%'"_s) > 0);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM calls WHERE failure_reason LIKE 'No active branch answers%' AND branch_id IS NULL"_s) > 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM calls WHERE outcome = 'needs_callback' AND alternatives_json = ''"_s), 0);
        const qint64 active = count(*db, u"SELECT COUNT(*) FROM calls WHERE branch_id IS NOT NULL"_s);
        const qint64 booked = count(*db, u"SELECT COUNT(*) FROM calls WHERE outcome = 'booked'"_s);
        QVERIFY2(booked * 100 / active >= 62 && booked * 100 / active <= 78, qPrintable(QString::number(booked * 100 / active)));

        // German transcripts as dialogues, timelines, payloads.
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM calls WHERE transcript_json NOT LIKE '%\"role\":\"agent\"%' "
                                 "OR transcript_json NOT LIKE '%\"role\":\"user\"%'"_s),
                 0);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM calls WHERE transcript LIKE '%Guten Tag%'"_s) == seeded->calls);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM calls c WHERE NOT EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id)"_s), 0);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM call_events WHERE status = 'retry'"_s) > 0);

        // Appointments: one per booked call, past and upcoming, some cancelled and no-shows; usage for each.
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM appointments"_s), booked);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM appointments WHERE starts_at > %1"_s.arg(now)) > 0);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM appointments WHERE starts_at < %1"_s.arg(now)) > 0);
        for (const QString &status : {u"booked"_s, u"completed"_s, u"cancelled"_s, u"no_show"_s})
            QVERIFY2(count(*db, u"SELECT COUNT(*) FROM appointments WHERE status = '%1'"_s.arg(status)) > 0, qPrintable(status));
        // No staff member has two appointments at once, and every appointment has one, within opening hours.
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM appointments a JOIN appointments b ON b.staff_id = a.staff_id AND b.id > a.id "
                                 "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
                                 "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"_s),
                 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM appointments WHERE staff_id IS NULL"_s), 0);
        {
            const QTimeZone berlin(QByteArrayLiteral("Europe/Berlin"));
            auto q = db->exec(u"SELECT a.starts_at, a.ends_at FROM appointments a"_s);
            QVERIFY(q.ok());
            int outside = 0;
            while (q->next()) {
                const QDateTime starts = QDateTime::fromMSecsSinceEpoch(q->value(0).toLongLong(), berlin);
                const QDateTime ends = QDateTime::fromMSecsSinceEpoch(q->value(1).toLongLong(), berlin);
                const auto hours = DemoSeeder::openingHours(starts.date(), true);
                if (!hours || starts.time() < hours->first || ends.time() > hours->second || ends.date() != starts.date())
                    ++outside;
            }
            QCOMPARE(outside, 0);
        }
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM usage_logs WHERE kind = 'call'"_s), active);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM usage_logs WHERE kind = 'appointment'"_s), booked);
        // Every usage row is on its company's billing period of its month (at most 31 days and an hour
        // long), as recording places it; the months that ended are invoiced and their periods closed.
        const qint64 november = QDateTime(QDate(2026, 11, 1), QTime(0, 0), QTimeZone(QByteArrayLiteral("Europe/Berlin"))).toMSecsSinceEpoch();
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM billing_periods WHERE invoice_id IS NULL AND period_start < %1"_s.arg(november)), 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM billing_periods WHERE invoice_id IS NOT NULL AND period_start >= %1"_s.arg(november)), 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM usage_logs u LEFT JOIN billing_periods p ON p.id = u.period_id "
                                 "WHERE p.id IS NULL OR p.company_id <> u.company_id "
                                 "OR u.occurred_at < p.period_start OR u.occurred_at >= p.period_start + 2682000000"_s),
                 0);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM billing_periods"_s) >= 3);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM calls k WHERE k.customer_id = c.id)"_s), 0);
        QVERIFY(count(*db, u"SELECT COUNT(*) FROM webhook_inbox"_s) > 0);

        // Three days of health checks; the booking time after the webhook is measured, not zero.
        QCOMPARE(seeded->healthChecks, int(count(*db, u"SELECT COUNT(*) FROM health_checks"_s)));
        QVERIFY(seeded->healthChecks >= 3 * 96 * 8);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM health_checks WHERE checked_at > %1"_s.arg(now)), 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM appointments a JOIN webhook_inbox i ON i.call_id = a.call_id "
                                 "WHERE a.updated_at <= i.received_at"_s),
                 0);

        // A call that reached no branch shows its time in its company's first branch's zone, else the app's.
        {
            const qint64 orphan = count(*db, u"SELECT MIN(id) FROM calls WHERE branch_id IS NULL AND company_id IS NULL AND resolved_at IS NULL"_s);
            auto detail = CallDetailQuery::load(*db, orphan);
            QVERIFY(detail.ok() && detail->has_value());
            QCOMPARE((*detail)->timeZone, u"Europe/Berlin"_s);
            const qint64 company = count(*db, u"SELECT MIN(id) FROM companies"_s);
            QVERIFY(db->exec(u"UPDATE branches SET time_zone = 'Europe/Vienna' WHERE id = (SELECT MIN(id) FROM branches WHERE company_id = ?)"_s,
                             {company})
                        .ok());
            QVERIFY(db->exec(u"UPDATE calls SET company_id = ? WHERE id = ?"_s, {company, orphan}).ok());
            detail = CallDetailQuery::load(*db, orphan);
            QVERIFY(detail.ok() && detail->has_value());
            QCOMPARE((*detail)->timeZone, u"Europe/Vienna"_s);
            auto triage = TriageQuery::unresolved(*db, company, 100000);
            QVERIFY(triage.ok());
            bool listed = false;
            for (const TriageItem &t : *triage) {
                if (t.callId == orphan) {
                    listed = true;
                    QCOMPARE(t.timeZone, u"Europe/Vienna"_s);
                }
            }
            QVERIFY(listed);
        }

        // A second run does nothing.
        auto again = DemoSeeder(*db).seed(30, now);
        QVERIFY(again.ok());
        QVERIFY(again->skipped);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM companies"_s), 3);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM calls"_s), qint64(seeded->calls));
    }

    // Two months that ended are invoiced by the invoice run: some paid, one overdue, one credit note; the
    // revenue and the invoices an owner sees come from them.
    void invoicesThePastMonths_data() { test::addEngineRows(); }

    void invoicesThePastMonths()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const qint64 now = QDateTime(QDate(2026, 11, 24), QTime(17, 0), QTimeZone(QByteArrayLiteral("Europe/Berlin"))).toMSecsSinceEpoch();
        auto seeded = DemoSeeder(*db).seed(62, now);
        QVERIFY2(seeded.ok(), seeded.ok() ? "" : qPrintable(seeded.error().describe()));
        // September and October for three companies, and the credit note.
        QCOMPARE(seeded->invoices, 7);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM invoices WHERE kind = 'invoice' AND number IS NOT NULL"_s), 6);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM invoices WHERE kind = 'credit_note'"_s), 1);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM invoices WHERE kind = 'invoice' AND status = 'paid'"_s), 5);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM invoices WHERE kind = 'invoice' AND status = 'open' AND due_at < %1"_s.arg(now)), 1);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM payments WHERE kind = 'paid'"_s), 5);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.kind = 'invoice'"_s) >= 18,
                 true);
        QVERIFY(count(*db, u"SELECT MIN(gross_cents) FROM invoices WHERE kind = 'invoice'"_s) > 0);
        // The months invoiced are closed; November's usage stays open for the next run.
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM billing_periods WHERE invoice_id IS NOT NULL"_s), 6);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM billing_periods WHERE invoice_id IS NULL"_s), 3);
        // Quiet: nothing queued to mail or push what went out back then.
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM jobs WHERE kind IN ('invoice.push', 'invoice.mail')"_s), 0);
    }
};

QTEST_GUILESS_MAIN(TestDemoSeed)
#include "test_demo_seed.moc"
