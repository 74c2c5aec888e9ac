// The week calendar per branch and staff member over the admin API (GET /calendar): previous/next week, a
// date picker, and the week painted in the branch's time zone.
#pragma once

#include <QDate>
#include <QWidget>

class QComboBox;
class QDateEdit;
class QLabel;

namespace askpro {

class WeekCalendar;
namespace client {
class ApiAccount;
}

class CalendarPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CalendarPage)
public:
    // account must outlive the page.
    explicit CalendarPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~CalendarPage() override;

    [[nodiscard]] WeekCalendar *calendar() const { return m_calendar; }
    // Shows the week (Monday to Sunday) containing date.
    void showWeekOf(const QDate &date);
    void nextWeek();
    void previousWeek();
    // False while the branch is not (yet) among those the server listed.
    bool setBranch(qint64 branchId);
    // Applied as soon as the branch's staff list has come (0: all staff).
    void setStaff(qint64 staffId);
    // Asks the server for the week again.
    void reload();

Q_SIGNALS:
    void appointmentActivated(qint64 appointmentId);
    void branchesLoaded();
    // The server's answer for the week shown is painted.
    void weekShown();
    void statusMessage(const QString &text);

private:
    void reloadBranches();
    void reloadStaff();

    client::ApiAccount &m_account;
    QComboBox *m_branch = nullptr;
    QComboBox *m_staff = nullptr;
    QDateEdit *m_date = nullptr;
    QLabel *m_title = nullptr;
    WeekCalendar *m_calendar = nullptr;
    QDate m_monday;
    qint64 m_staffBranch = 0;  // the branch whose staff the staff picker lists (0: its list is on its way)
    qint64 m_wantedStaff = -1; // setStaff()'s choice until the staff list has it; -1: none pending
    quint64 m_asked = 0;       // answers for an earlier week, branch or staff member are dropped
};

} // namespace askpro
