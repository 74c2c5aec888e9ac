// Usage and revenue charts (QtCharts) per company or overall over a chosen range: calls and booked
// appointments per day, call-to-appointment conversion, revenue per month split into base fee and
// usage. The charts read item models through model mappers; export as PNG and CSV. Data from GET /api/v1/usage.
#pragma once

#include <QWidget>

#include <memory>

class QComboBox;
class QDateEdit;
class QLabel;

namespace askpro {

namespace client {
class ApiAccount;
}
class DailyUsageModel;
class MonthlyRevenueModel;

class UsagePage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsagePage)
public:
    explicit UsagePage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~UsagePage() override;

    void reload();
    void setRange(QDate from, QDate to, qint64 companyId = 0);
    [[nodiscard]] DailyUsageModel *dailyModel() const { return m_daily; }
    [[nodiscard]] MonthlyRevenueModel *revenueModel() const { return m_revenue; }
    [[nodiscard]] QWidget *chartsWidget() const { return m_charts; }

Q_SIGNALS:
    void statusMessage(const QString &text);
    // The charts show the answer to the latest request.
    void loaded();

private:
    void exportPng();
    void exportCsv();
    void loadCompanies();

    client::ApiAccount &m_account;
    quint64 m_generation = 0; // answers to an earlier request are dropped
    DailyUsageModel *m_daily = nullptr;
    MonthlyRevenueModel *m_revenue = nullptr;
    QComboBox *m_company = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QLabel *m_summary = nullptr;
    QWidget *m_charts = nullptr;
    struct Charts;
    std::unique_ptr<Charts> m_c;
};

} // namespace askpro
