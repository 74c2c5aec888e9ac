// Customers: a searchable, SQL-sorted list, and for the selected customer their calls and appointments.
#pragma once

#include <QWidget>

#include <memory>

class QLineEdit;
class QLabel;
class QTableView;

namespace askpro {

class Database;
class RecordsModel;

class CustomersPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CustomersPage)
public:
    explicit CustomersPage(std::shared_ptr<Database> db, QWidget *parent = nullptr);
    ~CustomersPage() override;

    [[nodiscard]] RecordsModel *model() const { return m_customers; }
    void reload();

Q_SIGNALS:
    void openCall(qint64 callId);
    void openAppointment(qint64 appointmentId);

private:
    void showSelected();

    std::shared_ptr<Database> m_db;
    QLineEdit *m_search = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_title = nullptr;
    RecordsModel *m_customers = nullptr;
    RecordsModel *m_calls = nullptr;
    RecordsModel *m_appointments = nullptr;
};

} // namespace askpro
