// A lazily fetching table over any backend query: the backend builds and runs the SQL (filters and
// the whitelisted ORDER BY), this model only formats cells (times in each row's zone, money, states).
#pragma once

#include "core/result.h"

#include <QSqlQuery>
#include <QSqlQueryModel>

#include <functional>

namespace askpro {

class RecordsModel final : public QSqlQueryModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordsModel)
public:
    enum class Format { Text, Number, DateTime, Duration, Money, Active, YesNo, Outcome, AppointmentStatus, SyncState, InboxStatus, Phone };
    struct Column
    {
        QString title;
        Format format = Format::Text;
    };
    // Runs the query for a sort column (an index into the columns) and order.
    using Loader = std::function<Result<QSqlQuery>(int sortColumn, Qt::SortOrder order)>;
    enum Role { IdRole = Qt::UserRole + 1, RawRole };

    // zoneColumn: the column holding each row's IANA time zone for DateTime cells (-1: UTC).
    RecordsModel(QList<Column> columns, int zoneColumn, QObject *parent = nullptr);

    void setLoader(Loader loader, int sortColumn, Qt::SortOrder order);
    // Re-runs the query with the current sort; returns false (and emits queryFailed) on error.
    bool refresh();
    [[nodiscard]] QString lastError() const { return m_lastError; }
    [[nodiscard]] int sortColumn() const { return m_sortColumn; }
    [[nodiscard]] Qt::SortOrder sortOrder() const { return m_sortOrder; }
    // The id (first column) of a row; 0 for an invalid row.
    [[nodiscard]] qint64 idAt(int row) const;
    // Loads every remaining row (for exports).
    void fetchAll();

    void sort(int column, Qt::SortOrder order) override;
    // Always the declared columns, also before the first query ran, so views can size and hide them.
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void queryFailed(const QString &message);

private:
    QList<Column> m_columns;
    int m_zoneColumn;
    Loader m_loader;
    int m_sortColumn = 0;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    QString m_lastError;
};

} // namespace askpro
