// The invoice list: a lazily fetching model over BillingQuery::browse (filtered and sorted in SQL)
// that formats the service month, money and the effective status (overdue, failed in colour).
#pragma once

#include "billing/billingquery.h"

#include <QSqlQueryModel>

namespace askpro {

class Database;

class InvoicesModel final : public QSqlQueryModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InvoicesModel)
public:
    enum Role { IdRole = Qt::UserRole + 1, StatusRole };

    InvoicesModel(Database &db, Actor reader, QObject *parent = nullptr);

    void setFilter(const InvoiceFilter &filter);
    // Re-runs the query; false (and queryFailed) on error.
    bool refresh();
    [[nodiscard]] qint64 idAt(int row) const;
    [[nodiscard]] static QString statusLabel(const QString &status);

    void sort(int column, Qt::SortOrder order) override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void queryFailed(const QString &message);

private:
    Database &m_db;
    Actor m_reader;
    InvoiceFilter m_filter;
    int m_sortColumn = BillingQuery::Number;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
};

// One row per day: x (ms since epoch, local midnight), calls, appointments, conversion in percent.
// Charts map it with QVXYModelMapper; the CSV export writes it as it is.
class DailyUsageModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DailyUsageModel)
public:
    enum Column { Day, Calls, Appointments, Conversion, ColumnCount };
    explicit DailyUsageModel(QObject *parent = nullptr);

    void setRows(QList<DailyUsage> rows);
    [[nodiscard]] const QList<DailyUsage> &rows() const { return m_rows; }
    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<DailyUsage> m_rows;
};

// One row per month: base fee and usage revenue in euros (for QVBarModelMapper).
class MonthlyRevenueModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonthlyRevenueModel)
public:
    enum Column { Month, Base, Usage, ColumnCount };
    explicit MonthlyRevenueModel(QObject *parent = nullptr);

    void setRows(QList<MonthlyRevenue> rows);
    [[nodiscard]] const QList<MonthlyRevenue> &rows() const { return m_rows; }
    [[nodiscard]] QStringList monthLabels() const;
    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<MonthlyRevenue> m_rows;
};

} // namespace askpro
