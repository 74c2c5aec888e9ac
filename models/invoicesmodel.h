// The invoice list: pages of GET /api/v1/invoices (filtered and sorted on the server, keyset paging) with
// the service month, money and the effective status (overdue, failed in colour); and the usage page's series.
#pragma once

#include "apilistmodel.h"

#include <QDate>
#include <QPointF>

namespace askpro {

class InvoicesModel final : public ApiListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InvoicesModel)
public:
    // The columns, in the order of the server's sort names.
    enum Column { Id, Number, Company, PeriodStart, Total, Status, IssuedAt, DueAt, Kind, ColumnCount };
    enum Role { IdRole = Qt::UserRole + 1, StatusRole, KindRole };

    struct Filter
    {
        qint64 companyId = 0;
        QString status;    // draft | open | paid | overdue | failed | credit_note; empty: all
        qint64 fromMs = 0; // service period starting at or after; 0: open
        qint64 toMs = 0;   // starting before; 0: open
        QString text;      // number or company name
    };

    explicit InvoicesModel(client::ApiAccount &account, QObject *parent = nullptr);

    void setFilter(const Filter &filter);
    [[nodiscard]] const Filter &filter() const { return m_filter; }
    [[nodiscard]] static QString statusLabel(const QString &status);

    void sort(int column, Qt::SortOrder order) override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    [[nodiscard]] QVariant cell(const client::Json &item, int column, int role) const override;

private:
    void load();

    Filter m_filter;
    int m_sortColumn = Number;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
};

// One day of GET /api/v1/usage.
struct UsageDay
{
    QDate day;
    qint64 calls = 0;
    qint64 appointments = 0;
};

// One month of GET /api/v1/usage: invoiced net revenue in cents.
struct RevenueMonth
{
    QDate month;
    qint64 baseCents = 0;
    qint64 usageCents = 0;
};

// One row per day: x (ms since epoch, midnight in the billing zone), calls, appointments, conversion in percent.
// Charts map it with QVXYModelMapper; the CSV export writes it as it is.
class DailyUsageModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DailyUsageModel)
public:
    enum Column { Day, Calls, Appointments, Conversion, ColumnCount };
    explicit DailyUsageModel(QObject *parent = nullptr);

    void setRows(QList<UsageDay> rows);
    // The "days" of a usage answer.
    [[nodiscard]] static QList<UsageDay> fromJson(const client::Json &days);
    [[nodiscard]] const QList<UsageDay> &rows() const { return m_rows; }
    // The conversion as runs of consecutive days that had calls, (day start in ms, percent) each: a day
    // without calls has no ratio, so a chart leaves a gap there instead of dropping to 0 %.
    [[nodiscard]] QList<QList<QPointF>> conversionRuns() const;
    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<UsageDay> m_rows;
};

// One row per month: base fee and usage revenue in euros (for QVBarModelMapper).
class MonthlyRevenueModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonthlyRevenueModel)
public:
    enum Column { Month, Base, Usage, ColumnCount };
    explicit MonthlyRevenueModel(QObject *parent = nullptr);

    void setRows(QList<RevenueMonth> rows);
    // The "months" of a usage answer.
    [[nodiscard]] static QList<RevenueMonth> fromJson(const client::Json &months);
    [[nodiscard]] const QList<RevenueMonth> &rows() const { return m_rows; }
    [[nodiscard]] QStringList monthLabels() const;
    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<RevenueMonth> m_rows;
};

} // namespace askpro
