// The week calendar per branch and staff member: previous/next week, a date picker, and the week
// painted in the branch's time zone.
#pragma once

#include <QDate>
#include <QWidget>

#include <memory>

class QComboBox;
class QDateEdit;
class QLabel;

namespace askpro {

class Database;
class WeekCalendar;

class CalendarPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CalendarPage)
public:
    explicit CalendarPage(std::shared_ptr<Database> db, QWidget *parent = nullptr);
    ~CalendarPage() override;

    [[nodiscard]] WeekCalendar *calendar() const { return m_calendar; }
    // Shows the week (Monday to Sunday) containing date.
    void showWeekOf(const QDate &date);
    void nextWeek();
    void previousWeek();
    bool setBranch(qint64 branchId);
    void setStaff(qint64 staffId);
    void reload();

Q_SIGNALS:
    void appointmentActivated(qint64 appointmentId);

private:
    void reloadBranches();
    void reloadStaff();

    std::shared_ptr<Database> m_db;
    QComboBox *m_branch = nullptr;
    QComboBox *m_staff = nullptr;
    QDateEdit *m_date = nullptr;
    QLabel *m_title = nullptr;
    WeekCalendar *m_calendar = nullptr;
    QDate m_monday;
};

} // namespace askpro
