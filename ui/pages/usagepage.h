// Usage and revenue charts (QtCharts) per company or overall over a chosen range: calls and booked
// appointments per day, call-to-appointment conversion, revenue per month split into base fee and
// usage. The charts read item models through model mappers; export as PNG and CSV.
#pragma once

#include "security/accesspolicy.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QDateEdit;
class QLabel;

namespace askpro {

class Database;
class DailyUsageModel;
class MonthlyRevenueModel;

class UsagePage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsagePage)
public:
    UsagePage(std::shared_ptr<Database> db, Actor reader, QWidget *parent = nullptr);
    ~UsagePage() override;

    void reload();
    void setRange(QDate from, QDate to, qint64 companyId = 0);
    [[nodiscard]] DailyUsageModel *dailyModel() const { return m_daily; }
    [[nodiscard]] MonthlyRevenueModel *revenueModel() const { return m_revenue; }
    [[nodiscard]] QWidget *chartsWidget() const { return m_charts; }

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    void exportPng();
    void exportCsv();

    std::shared_ptr<Database> m_db;
    Actor m_reader;
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
