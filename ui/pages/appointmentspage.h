// The appointment browser over the admin API: upcoming / past / cancelled tabs over keyset pages filtered and
// sorted on the server (branch, staff, service, status, date range, text), the selected appointment with its
// call and customer, and the actions cancel / reschedule (done by the server through Cal.com) and mark no-show.
#pragma once

#include "apiresult.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabBar;
class QTableView;
class QTimer;

namespace askpro {

class ApiRecordsModel;
namespace client {
class ApiAccount;
}

class AppointmentsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppointmentsPage)
public:
    enum Column { Id, StartsAt, TimeZone, Branch, Staff, Service, Customer, Status, SyncState, CallId, ColumnCount };

    // account must outlive the page.
    explicit AppointmentsPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~AppointmentsPage() override;

    [[nodiscard]] ApiRecordsModel *model() const { return m_model; }
    // Asks for the first page again with the current tab and filters.
    void reload();
    // Shows this appointment: its details at once, and its row selected as soon as it is among the rows read
    // (more pages are read for it). Returns whether the row was already there.
    bool selectAppointment(qint64 appointmentId);
    // The appointment the side pane shows (0: none), as the server last described it.
    [[nodiscard]] qint64 shownAppointment() const { return m_shownId; }

Q_SIGNALS:
    void statusMessage(const QString &text);
    void openCall(qint64 callId);
    // The side pane shows an appointment as the server described it (after a selection, an action or a refresh).
    void detailShown(qint64 appointmentId);

private:
    void reloadPickers();
    void reloadBranchPickers();
    void rowsLoaded();
    void showSelected();
    void showDetail(qint64 id);
    void render(const client::Json &appointment);
    [[nodiscard]] qint64 selectedId() const;
    [[nodiscard]] bool refuseWhileUnreachable(const QString &title);
    void cancelSelected();
    void rescheduleSelected();
    void noShowSelected();
    // After cancel or reschedule: the server answered 202 with the appointment; follows it until Cal.com's
    // answer is written (sync_state no longer pending) and says how it went.
    void followOutcome(const client::ApiResult &result, qint64 id, const QString &title, const QString &doneText, const QString &failedText);
    void refreshAfterChange(qint64 id);

    client::ApiAccount &m_account;
    ApiRecordsModel *m_model = nullptr;
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
    client::Json m_shown;     // the appointment the side pane shows
    qint64 m_shownId = 0;
    qint64 m_detailCallId = 0;
    quint64 m_detailAsked = 0; // answers for an earlier selection are dropped
    qint64 m_wanted = 0;       // selectAppointment()'s id, until its row is found or the list ends
};

} // namespace askpro
