// Customers over the admin API: a searchable list sorted and paged on the server, and for the selected
// customer their calls and appointments.
#pragma once

#include "jsonfields.h"

#include <QPointer>
#include <QWidget>

class QLineEdit;
class QLabel;
class QPushButton;
class QTableView;

namespace askpro {

class ApiRecordsModel;
namespace client {
class ApiAccount;
class ApiCall;
}

class CustomersPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CustomersPage)
public:
    enum Column { Id, Name, Phone, Email, Company, Calls, Appointments, LastCallAt, ColumnCount };

    // account must outlive the page.
    explicit CustomersPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~CustomersPage() override;

    [[nodiscard]] ApiRecordsModel *model() const { return m_customers; }
    [[nodiscard]] ApiRecordsModel *callsModel() const { return m_calls; }
    [[nodiscard]] ApiRecordsModel *appointmentsModel() const { return m_appointments; }
    void reload();
    // The selected customer's message choices as last read ("" before they came).
    [[nodiscard]] QString choicesText() const;
    // Opens the edit dialog for the selected customer (with edit_customers).
    void editSelected();

Q_SIGNALS:
    void openCall(qint64 callId);
    void openAppointment(qint64 appointmentId);
    void statusMessage(const QString &text);
    // The selected customer's profile (GET /customers/{id}) is on screen.
    void profileShown(qint64 customerId);

private:
    void showSelected();
    void readProfile(qint64 id);

    client::ApiAccount &m_account;
    QLineEdit *m_search = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_choices = nullptr;
    QPushButton *m_edit = nullptr;
    QPointer<client::ApiCall> m_profileCall;
    client::Json m_profile;
    ApiRecordsModel *m_customers = nullptr;
    ApiRecordsModel *m_calls = nullptr;
    ApiRecordsModel *m_appointments = nullptr;
    qint64 m_shownCustomer = -1; // whose calls and appointments the small tables show
};

} // namespace askpro
