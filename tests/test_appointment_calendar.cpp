// The appointment calendar and browser through a real askpro-server on loopback, signed in as a business
// account: switching weeks, wall-clock times across both daylight-saving changes (2026-10-25 and 2027-03-28 in
// Europe/Berlin), the upcoming/past/cancelled tabs, no-show, cancel refused by the server (no Cal.com key), the
// CSV export of a table, new bookings appearing by themselves, another company's appointments never shown,
// and what is shown kept while the server cannot be reached.
#include "apiaccount.h"
#include "apirecordsmodel.h"
#include "apisession.h"
#include "changewatcher.h"
#include "core/clock.h"
#include "csvexporter.h"
#include "db/database.h"
#include "http/askproserver.h"
#include "pages/appointmentspage.h"
#include "pages/calendarpage.h"
#include "testdatabase.h"
#include "widgets/weekcalendar.h"

#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

const QTimeZone berlin(QByteArrayLiteral("Europe/Berlin"));

qint64 local(int y, int m, int d, int h, int min)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), berlin).toMSecsSinceEpoch();
}

// Accepts the next `count` modal dialogs (the reason asked for, the warning shown) as a person pressing OK would.
void acceptDialogs(int count)
{
    auto *timer = new QTimer(qApp);
    auto remaining = std::make_shared<int>(count);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, remaining] {
        if (auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget())) {
            dialog->accept();
            if (--*remaining == 0)
                timer->deleteLater();
        }
    });
    timer->start(20);
}

qint64 currentId(QTableView *table)
{
    const QModelIndex current = table->currentIndex();
    return current.isValid() ? current.data(ApiListModel::ItemIdRole).toLongLong() : 0;
}

} // namespace

class TestAppointmentCalendar final : public QObject
{
    Q_OBJECT
private:
    std::shared_ptr<Database> m_db;
    std::unique_ptr<test::ApiSession> m_session;
    qint64 m_company = 0;
    qint64 m_branch = 0;
    qint64 m_staff = 0;
    qint64 m_past = 0;
    qint64 m_future = 0;
    qint64 m_foreign = 0;

    qint64 add(qint64 startsAt, int minutes, const QString &status, qint64 staffId, const QString &uid = {}, qint64 branch = 0)
    {
        branch = branch > 0 ? branch : m_branch;
        auto id = m_db->insert(u"INSERT INTO appointments (company_id, branch_id, staff_id, starts_at, ends_at, status, sync_state, "
                               "calcom_booking_uid, created_at, updated_at) "
                               "VALUES ((SELECT company_id FROM branches WHERE id = ?), ?, ?, ?, ?, ?, 'synced', ?, 0, ?) RETURNING id"_s,
                               {branch, branch, staffId > 0 ? QVariant(staffId) : Database::null(), startsAt, startsAt + minutes * 60000LL, status,
                                uid.isEmpty() ? Database::null() : QVariant(uid), nowMs()});
        if (!id)
            qFatal("%s", qPrintable(id.error().describe()));
        return *id;
    }

    client::ApiAccount &account() { return *m_session->account; }

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
        std::tie(m_company, m_branch) = test::plantCompanyAndBranch(*m_db, u"+4930123456"_s);
        m_staff = *m_db->insert(u"INSERT INTO staff (company_id, branch_id, name, email, created_at) VALUES (?, ?, 'Anna Weber', 'a@x.de', 0) RETURNING id"_s,
                                {m_company, m_branch});
        const qint64 other = *m_db->insert(u"INSERT INTO staff (company_id, branch_id, name, email, created_at) VALUES (?, ?, 'Ben Wolf', 'b@x.de', 0) RETURNING id"_s,
                                           {m_company, m_branch});
        add(local(2026, 10, 24, 10, 0), 60, u"booked"_s, m_staff);   // Saturday, summer time (UTC+2)
        add(local(2026, 10, 25, 10, 0), 30, u"booked"_s, m_staff);   // Sunday, winter time (UTC+1)
        add(local(2026, 10, 26, 10, 0), 30, u"booked"_s, other);     // Monday of the next week
        add(local(2027, 3, 28, 9, 30), 45, u"completed"_s, m_staff); // the spring change
        m_past = add(nowMs() - 3 * 24 * 3600000LL, 30, u"booked"_s, m_staff);
        m_future = add(nowMs() + 5 * 24 * 3600000LL, 30, u"booked"_s, m_staff, u"uid_future"_s);
        add(nowMs() + 6 * 24 * 3600000LL, 30, u"cancelled"_s, m_staff);
        // Another business: its appointment is upcoming too, but never reaches this company's staff.
        const qint64 foreignBranch = test::plantCompanyAndBranch(*m_db, u"+4940999999"_s).second;
        m_foreign = add(nowMs() + 4 * 24 * 3600000LL, 30, u"booked"_s, 0, {}, foreignBranch);
        m_session = test::startApiSession(m_db, Role::CompanyStaff, m_company);
    }

    void cleanup()
    {
        m_session.reset();
        m_db.reset();
    }

    void dstWeekShowsWallClockTimes()
    {
        // Same wall-clock time on both sides of the change, although the day between has 25 hours.
        QCOMPARE(local(2026, 10, 25, 10, 0) - local(2026, 10, 24, 10, 0), 25LL * 3600 * 1000);
        CalendarPage page(account());
        QTRY_VERIFY(page.setBranch(m_branch));
        page.setStaff(0);
        page.showWeekOf(QDate(2026, 10, 21));
        QTRY_COMPARE(page.calendar()->monday(), QDate(2026, 10, 19));
        QTRY_COMPARE(page.calendar()->placed().size(), 2);
        const auto &placed = page.calendar()->placed();
        QCOMPARE(placed.at(0).day, 5);
        QCOMPARE(placed.at(0).start, QTime(10, 0));
        QCOMPARE(placed.at(0).end, QTime(11, 0));
        QCOMPARE(placed.at(1).day, 6);
        QCOMPARE(placed.at(1).start, QTime(10, 0));
        QCOMPARE(placed.at(1).end, QTime(10, 30));

        page.showWeekOf(QDate(2027, 3, 28));
        QTRY_COMPARE(page.calendar()->monday(), QDate(2027, 3, 22));
        QTRY_COMPARE(page.calendar()->placed().size(), 1);
        QCOMPARE(page.calendar()->placed().first().day, 6);
        QCOMPARE(page.calendar()->placed().first().start, QTime(9, 30));
        QCOMPARE(page.calendar()->placed().first().end, QTime(10, 15));
    }

    void newBookingsAppearByThemselves()
    {
        AppointmentsPage page(account());
        auto *table = page.findChild<QTableView *>(u"appointmentsTable"_s);
        QTRY_VERIFY(page.model()->rowCount() > 0);
        QVERIFY(page.model()->rowOfId(m_foreign) < 0);
        page.selectAppointment(m_future);
        QTRY_COMPARE(currentId(table), m_future);
        QTRY_COMPARE(page.shownAppointment(), m_future);
        const int before = page.model()->rowCount();
        auto *watcher = page.findChild<ChangeWatcher *>();
        QTRY_VERIFY(watcher->hasBaseline());
        const qint64 sooner = add(nowMs() + 2 * 24 * 3600000LL, 30, u"booked"_s, m_staff);
        QTRY_VERIFY((watcher->checkNow(), page.model()->rowCount() == before + 1));
        QCOMPARE(page.model()->idAt(0), sooner); // soonest first
        QTRY_COMPARE(currentId(table), m_future); // the selection stayed on its appointment
        // A change of state (Cal.com sync, a cancellation) is a change too.
        QVERIFY(m_db->exec(u"UPDATE appointments SET sync_state = 'failed', updated_at = ? WHERE id = ?"_s, {nowMs(), m_future}).ok());
        const int syncColumn = page.model()->columnOfField("sync_state");
        QTRY_VERIFY((watcher->checkNow(),
                     page.model()->index(table->currentIndex().row(), syncColumn).data(ApiRecordsModel::RawRole).toString() == u"failed"_s));

        CalendarPage calendar(account());
        QTRY_VERIFY(calendar.setBranch(m_branch));
        calendar.setStaff(0);
        calendar.showWeekOf(QDate(2026, 10, 21));
        QTRY_COMPARE(calendar.calendar()->placed().size(), 2);
        auto *calendarWatcher = calendar.findChild<ChangeWatcher *>();
        QTRY_VERIFY(calendarWatcher->hasBaseline());
        add(local(2026, 10, 22, 15, 0), 30, u"booked"_s, m_staff);
        QTRY_VERIFY((calendarWatcher->checkNow(), calendar.calendar()->placed().size() == 3));
        QCOMPARE(calendar.calendar()->monday(), QDate(2026, 10, 19)); // the same week, now with the new booking
    }

    void switchesWeeksAndStaff()
    {
        CalendarPage page(account());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(page.setBranch(m_branch));
        page.setStaff(0);
        page.showWeekOf(QDate(2026, 10, 21));
        QTRY_COMPARE(page.calendar()->placed().size(), 2);
        QTest::mouseClick(page.findChild<QPushButton *>(u"nextWeek"_s), Qt::LeftButton);
        QTRY_COMPARE(page.calendar()->monday(), QDate(2026, 10, 26));
        QTRY_COMPARE(page.calendar()->placed().size(), 1);
        QCOMPARE(page.calendar()->placed().first().day, 0);
        QCOMPARE(page.calendar()->placed().first().start, QTime(10, 0));
        page.setStaff(m_staff); // the Monday appointment belongs to someone else
        QTRY_COMPARE(page.calendar()->placed().size(), 0);
        page.setStaff(0);
        QTRY_COMPARE(page.calendar()->placed().size(), 1);
        QTest::mouseClick(page.findChild<QPushButton *>(u"previousWeek"_s), Qt::LeftButton);
        QTest::mouseClick(page.findChild<QPushButton *>(u"previousWeek"_s), Qt::LeftButton);
        QTRY_COMPARE(page.calendar()->monday(), QDate(2026, 10, 12));
        QTRY_COMPARE(page.calendar()->placed().size(), 0);
        QVERIFY(!page.calendar()->grab().isNull());
        // The branch picker lists this company's branch only.
        QCOMPARE(page.findChild<QComboBox *>(u"calendarBranch"_s)->count(), 1);
    }

    void tabsNoShowAndProviderErrors()
    {
        AppointmentsPage page(account());
        QSignalSpy messages(&page, &AppointmentsPage::statusMessage);
        auto *tabs = page.findChild<QTabBar *>(u"appointmentTabs"_s);
        auto *table = page.findChild<QTableView *>(u"appointmentsTable"_s);
        const int springFuture = local(2027, 3, 28, 9, 30) > nowMs() ? 1 : 0;
        QTRY_COMPARE(page.model()->rowCount(), 1 + springFuture); // upcoming (the other company's is not there)
        tabs->setCurrentIndex(1);
        QTRY_COMPARE(page.model()->rowCount(), 5 - springFuture); // past
        tabs->setCurrentIndex(2);
        QTRY_COMPARE(page.model()->rowCount(), 1); // cancelled
        QCOMPARE(page.model()->index(0, page.model()->columnOfField("status")).data(ApiRecordsModel::RawRole).toString(), u"cancelled"_s);

        // No-show: only for appointments that have started; done by the server and audited with the company.
        tabs->setCurrentIndex(1);
        QTRY_VERIFY(page.model()->rowOfId(m_past) >= 0);
        QVERIFY(page.selectAppointment(m_past));
        auto *noShow = page.findChild<QPushButton *>(u"noShowAppointment"_s);
        QTRY_VERIFY(page.shownAppointment() == m_past && noShow->isEnabled());
        noShow->click();
        QTRY_COMPARE(m_db->scalar(u"SELECT status FROM appointments WHERE id = ?"_s, {m_past})->toString(), u"no_show"_s);
        QCOMPARE(m_db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.no_show' AND entity_id = ? AND company_id = ?"_s,
                              {m_past, m_company})
                     ->toInt(),
                 1);
        QTRY_VERIFY(messages.count() > 0 && messages.constLast().first().toString().contains(u"no-show"_s));
        QTRY_VERIFY(!noShow->isEnabled()); // the pane shows the new state

        // Cancel: the server has no Cal.com key for this company, refuses at once and keeps the reason on the
        // appointment; nothing else changes.
        tabs->setCurrentIndex(0);
        QTRY_VERIFY(page.model()->rowOfId(m_future) >= 0);
        QVERIFY(page.selectAppointment(m_future));
        auto *cancel = page.findChild<QPushButton *>(u"cancelAppointment"_s);
        QTRY_VERIFY(page.shownAppointment() == m_future && cancel->isEnabled());
        QVERIFY(!noShow->isEnabled()); // it has not started
        acceptDialogs(2); // the reason, then the warning
        cancel->click();
        QTRY_COMPARE(m_db->scalar(u"SELECT sync_state FROM appointments WHERE id = ?"_s, {m_future})->toString(), u"failed"_s);
        QCOMPARE(m_db->scalar(u"SELECT status FROM appointments WHERE id = ?"_s, {m_future})->toString(), u"booked"_s);
        QVERIFY(!m_db->scalar(u"SELECT sync_error FROM appointments WHERE id = ?"_s, {m_future})->toString().isEmpty());
        QTRY_VERIFY(messages.constLast().first().toString().contains(u"not done"_s));

        // CSV export of what the table shows.
        tabs->setCurrentIndex(1);
        QTRY_COMPARE(page.model()->rowCount(), 5 - springFuture);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"past.csv"_s);
        QVERIFY(CsvExporter::write(table, path).ok());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), page.model()->rowCount() + 1);
        QVERIFY(lines.first().startsWith("Starts,Branch,Staff"));
        QVERIFY(lines.join('\n').contains("No-show"));
        QCOMPARE(CsvExporter::quoted(u"a,\"b\""_s), u"\"a,\"\"b\"\"\""_s);
    }

    // The server goes away: the rows and the detail stay, and an action is refused with that reason, not queued.
    void keepsWhatIsShownWhileUnreachable()
    {
        AppointmentsPage page(account());
        auto *tabs = page.findChild<QTabBar *>(u"appointmentTabs"_s);
        tabs->setCurrentIndex(1);
        QTRY_VERIFY(page.model()->rowOfId(m_past) >= 0);
        QVERIFY(page.selectAppointment(m_past));
        QTRY_COMPARE(page.shownAppointment(), m_past);
        const int rows = page.model()->rowCount();
        m_session->server.reset();
        QSignalSpy failed(page.model(), &ApiListModel::failed);
        page.reload();
        QVERIFY(failed.wait());
        QVERIFY(!account().isReachable());
        QCOMPARE(page.model()->rowCount(), rows);
        QCOMPARE(page.shownAppointment(), m_past);
        acceptDialogs(1); // "the server cannot be reached"
        page.findChild<QPushButton *>(u"noShowAppointment"_s)->click();
        QCOMPARE(m_db->scalar(u"SELECT status FROM appointments WHERE id = ?"_s, {m_past})->toString(), u"booked"_s);
    }
};

QTEST_MAIN(TestAppointmentCalendar)
#include "test_appointment_calendar.moc"
