// The appointment browser: upcoming / past / cancelled tabs over a lazily filled, SQL-filtered table
// (branch, staff, service, status, date range, text), the selected appointment with its call and
// customer, and the actions cancel / reschedule (through Cal.com) and mark no-show.
#pragma once

#include "security/accesspolicy.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabBar;
class QTableView;

namespace askpro {

class AppointmentService;
class Database;
class RecordsModel;

class AppointmentsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppointmentsPage)
public:
    // service may be null (no provider actions then); it must outlive the page.
    AppointmentsPage(std::shared_ptr<Database> db, AppointmentService *service, Actor actor, QWidget *parent = nullptr);
    ~AppointmentsPage() override;

    [[nodiscard]] RecordsModel *model() const { return m_model; }
    void reload();
    bool selectAppointment(qint64 appointmentId);

Q_SIGNALS:
    void statusMessage(const QString &text);
    void openCall(qint64 callId);

private:
    void reloadStaff();
    void reloadServices();
    void showSelected();
    [[nodiscard]] qint64 selectedId() const;
    void cancelSelected();
    void rescheduleSelected();
    void noShowSelected();

    std::shared_ptr<Database> m_db;
    AppointmentService *m_service;
    Actor m_actor;
    RecordsModel *m_model = nullptr;
    QTabBar *m_tabs = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_branch = nullptr;
    QComboBox *m_staff = nullptr;
    QComboBox *m_serviceFilter = nullptr;
    QComboBox *m_status = nullptr;
    QCheckBox *m_useRange = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_detail = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_reschedule = nullptr;
    QPushButton *m_noShow = nullptr;
    QPushButton *m_openCall = nullptr;
    qint64 m_detailCallId = 0;
};

} // namespace askpro
