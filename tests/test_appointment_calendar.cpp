// The appointment calendar and browser: switching weeks, wall-clock times across both daylight-saving
// changes (2026-10-25 and 2027-03-28 in Europe/Berlin), the upcoming/past/cancelled tabs, no-show,
// a provider action without credentials, the CSV export of a table, and new bookings appearing in the
// list and the week by themselves.
#include "changewatcher.h"
#include "core/clock.h"
#include "csvexporter.h"
#include "pages/appointmentspage.h"
#include "pages/calendarpage.h"
#include "queries/appointmentquery.h"
#include "recordsmodel.h"
#include "support/appointmentservice.h"
#include "testdatabase.h"
#include "widgets/weekcalendar.h"

#include <QFile>
#include <QPushButton>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QTimeZone>

#include <optional>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

const QTimeZone berlin(QByteArrayLiteral("Europe/Berlin"));

qint64 local(int y, int m, int d, int h, int min)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), berlin).toMSecsSinceEpoch();
}

} // namespace

class TestAppointmentCalendar final : public QObject
{
    Q_OBJECT
private:
    std::shared_ptr<Database> m_db;
    qint64 m_branch = 0;
    qint64 m_staff = 0;
    qint64 m_past = 0;
    qint64 m_future = 0;

    qint64 add(qint64 startsAt, int minutes, const QString &status, qint64 staffId, const QString &uid = {})
    {
        auto id = m_db->insert(u"INSERT INTO appointments (company_id, branch_id, staff_id, starts_at, ends_at, status, sync_state, "
                               "calcom_booking_uid, created_at, updated_at) "
                               "VALUES ((SELECT company_id FROM branches WHERE id = ?), ?, ?, ?, ?, ?, 'synced', ?, 0, 0) RETURNING id"_s,
                               {m_branch, m_branch, staffId > 0 ? QVariant(staffId) : Database::null(), startsAt,
                                startsAt + minutes * 60000LL, status, uid.isEmpty() ? Database::null() : QVariant(uid)});
        if (!id)
            qFatal("%s", qPrintable(id.error().describe()));
        return *id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // remembered header states go to a test location
    }

    void init()
    {
        QSettings().clear();
        m_db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(m_db);
        qint64 company = 0;
        std::tie(company, m_branch) = test::plantCompanyAndBranch(*m_db, u"+4930123456"_s);
        m_staff = *m_db->insert(u"INSERT INTO staff (company_id, branch_id, name, email, created_at) VALUES (?, ?, 'Anna Weber', 'a@x.de', 0) RETURNING id"_s,
                                {company, m_branch});
        const qint64 other = *m_db->insert(u"INSERT INTO staff (company_id, branch_id, name, email, created_at) VALUES (?, ?, 'Ben Wolf', 'b@x.de', 0) RETURNING id"_s,
                                           {company, m_branch});
        add(local(2026, 10, 24, 10, 0), 60, u"booked"_s, m_staff);   // Saturday, summer time (UTC+2)
        add(local(2026, 10, 25, 10, 0), 30, u"booked"_s, m_staff);   // Sunday, winter time (UTC+1)
        add(local(2026, 10, 26, 10, 0), 30, u"booked"_s, other);     // Monday of the next week
        add(local(2027, 3, 28, 9, 30), 45, u"completed"_s, m_staff); // the spring change
        m_past = add(nowMs() - 3 * 24 * 3600000LL, 30, u"booked"_s, m_staff);
        m_future = add(nowMs() + 5 * 24 * 3600000LL, 30, u"booked"_s, m_staff, u"uid_future"_s);
        add(nowMs() + 6 * 24 * 3600000LL, 30, u"cancelled"_s, m_staff);
    }

    void dstWeekShowsWallClockTimes()
    {
        // Same wall-clock time on both sides of the change, although the day between has 25 hours.
        QCOMPARE(local(2026, 10, 25, 10, 0) - local(2026, 10, 24, 10, 0), 25LL * 3600 * 1000);
        CalendarPage page(m_db);
        QVERIFY(page.setBranch(m_branch));
        page.setStaff(0);
        page.showWeekOf(QDate(2026, 10, 21));
        const auto &placed = page.calendar()->placed();
        QCOMPARE(page.calendar()->monday(), QDate(2026, 10, 19));
        QCOMPARE(placed.size(), 2);
        QCOMPARE(placed.at(0).day, 5);
        QCOMPARE(placed.at(0).start, QTime(10, 0));
        QCOMPARE(placed.at(0).end, QTime(11, 0));
        QCOMPARE(placed.at(1).day, 6);
        QCOMPARE(placed.at(1).start, QTime(10, 0));
        QCOMPARE(placed.at(1).end, QTime(10, 30));

        page.showWeekOf(QDate(2027, 3, 28));
        QCOMPARE(page.calendar()->monday(), QDate(2027, 3, 22));
        QCOMPARE(page.calendar()->placed().size(), 1);
        QCOMPARE(page.calendar()->placed().first().day, 6);
        QCOMPARE(page.calendar()->placed().first().start, QTime(9, 30));
        QCOMPARE(page.calendar()->placed().first().end, QTime(10, 15));
    }

    void newBookingsAppearByThemselves()
    {
        AppointmentsPage page(m_db, nullptr, Actor::system(u"tester"_s));
        auto *table = page.findChild<QTableView *>(u"appointmentsTable"_s);
        QVERIFY(page.selectAppointment(m_future));
        const int before = page.model()->rowCount();
        const qint64 sooner = add(nowMs() + 2 * 24 * 3600000LL, 30, u"booked"_s, m_staff);
        auto *watcher = page.findChild<ChangeWatcher *>();
        QVERIFY(watcher->checkNow());
        QCOMPARE(page.model()->rowCount(), before + 1);
        QCOMPARE(page.model()->idAt(0), sooner); // soonest first
        QCOMPARE(page.model()->idAt(table->currentIndex().row()), m_future); // the selection stayed on its appointment
        // A change of state (Cal.com sync, a cancellation) is a change too.
        QVERIFY(m_db->exec(u"UPDATE appointments SET sync_state = 'failed', updated_at = ? WHERE id = ?"_s, {nowMs(), m_future}).ok());
        QVERIFY(watcher->checkNow());
        QCOMPARE(page.model()->index(table->currentIndex().row(), AppointmentQuery::SyncState).data(RecordsModel::RawRole).toString(),
                 u"failed"_s);

        CalendarPage calendar(m_db);
        QVERIFY(calendar.setBranch(m_branch));
        calendar.setStaff(0);
        calendar.showWeekOf(QDate(2026, 10, 21));
        QCOMPARE(calendar.calendar()->placed().size(), 2);
        add(local(2026, 10, 22, 15, 0), 30, u"booked"_s, m_staff);
        QVERIFY(calendar.findChild<ChangeWatcher *>()->checkNow());
        QCOMPARE(calendar.calendar()->monday(), QDate(2026, 10, 19)); // the same week, now with the new booking
        QCOMPARE(calendar.calendar()->placed().size(), 3);
    }

    void switchesWeeksAndStaff()
    {
        CalendarPage page(m_db);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.setBranch(m_branch));
        page.setStaff(0);
        page.showWeekOf(QDate(2026, 10, 21));
        QCOMPARE(page.calendar()->placed().size(), 2);
        QTest::mouseClick(page.findChild<QPushButton *>(u"nextWeek"_s), Qt::LeftButton);
        QCOMPARE(page.calendar()->monday(), QDate(2026, 10, 26));
        QCOMPARE(page.calendar()->placed().size(), 1);
        QCOMPARE(page.calendar()->placed().first().day, 0);
        QCOMPARE(page.calendar()->placed().first().start, QTime(10, 0));
        page.setStaff(m_staff); // the Monday appointment belongs to someone else
        QCOMPARE(page.calendar()->placed().size(), 0);
        page.setStaff(0);
        QTest::mouseClick(page.findChild<QPushButton *>(u"previousWeek"_s), Qt::LeftButton);
        QTest::mouseClick(page.findChild<QPushButton *>(u"previousWeek"_s), Qt::LeftButton);
        QCOMPARE(page.calendar()->monday(), QDate(2026, 10, 12));
        QCOMPARE(page.calendar()->placed().size(), 0);
        QVERIFY(!page.calendar()->grab().isNull());
    }

    void tabsNoShowAndProviderErrors()
    {
        AppointmentService service(m_db, nullptr, ProviderEndpoints());
        AppointmentsPage page(m_db, &service, Actor::system(u"tester"_s));
        auto *tabs = page.findChild<QTabBar *>(u"appointmentTabs"_s);
        const int springFuture = local(2027, 3, 28, 9, 30) > nowMs() ? 1 : 0;
        QCOMPARE(page.model()->rowCount(), 1 + springFuture); // upcoming
        tabs->setCurrentIndex(1);
        QCOMPARE(page.model()->rowCount(), 5 - springFuture); // past
        tabs->setCurrentIndex(2);
        QCOMPARE(page.model()->rowCount(), 1); // cancelled
        QCOMPARE(page.model()->index(0, AppointmentQuery::Status).data(RecordsModel::RawRole).toString(), u"cancelled"_s);

        // No-show: only for appointments that have started; audited.
        QVERIFY(service.markNoShow(m_past, Actor::system(u"tester"_s)).ok());
        QCOMPARE(m_db->scalar(u"SELECT status FROM appointments WHERE id = ?"_s, {m_past})->toString(), u"no_show"_s);
        QCOMPARE(m_db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.no_show' AND entity_id = ?"_s, {m_past})->toInt(), 1);
        auto refused = service.markNoShow(m_future, Actor::system(u"tester"_s));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Invalid);

        // Cancel without a credentials key: an error arrives through the reply, nothing changes.
        JsonReply *reply = service.cancel(m_future, u"Krank"_s, Actor::system(u"tester"_s));
        std::optional<Error> error;
        bool done = false;
        connect(reply, &JsonReply::finished, this, [&](const JsonResult &r) {
            done = true;
            if (!r.ok())
                error = r.error();
        });
        QTRY_VERIFY(done);
        QVERIFY(error.has_value());
        QCOMPARE(error->kind, ErrorKind::Configuration);
        QCOMPARE(m_db->scalar(u"SELECT status FROM appointments WHERE id = ?"_s, {m_future})->toString(), u"booked"_s);

        // CSV export of what the table shows.
        tabs->setCurrentIndex(1);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"past.csv"_s);
        auto *table = page.findChild<QTableView *>(u"appointmentsTable"_s);
        QVERIFY(CsvExporter::write(table, path).ok());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), page.model()->rowCount() + 1);
        QVERIFY(lines.first().startsWith("Starts,Branch,Staff"));
        QVERIFY(lines.join('\n').contains("No-show"));
        QCOMPARE(CsvExporter::quoted(u"a,\"b\""_s), u"\"a,\"\"b\"\"\""_s);
    }
};

QTEST_MAIN(TestAppointmentCalendar)
#include "test_appointment_calendar.moc"
