// The call browser's model: a lazily fetching QSqlQueryModel whose query the backend builds.
#pragma once

#include "queries/callquery.h"

#include <QSqlQueryModel>

#include <memory>

namespace askpro {

class Database;

class CallsModel final : public QSqlQueryModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallsModel)
public:
    enum Role { CallIdRole = Qt::UserRole + 1, OutcomeRole };

    explicit CallsModel(std::shared_ptr<Database> db, QObject *parent = nullptr);

    // Re-runs the query with a new filter; the view keeps fetching lazily from the first rows.
    void setFilter(const CallFilter &filter);
    void refresh();
    // Sorting runs in SQL through CallQuery's whitelisted ORDER BY.
    void sort(int column, Qt::SortOrder order) override;
    [[nodiscard]] int sortColumn() const { return m_sortColumn; }
    [[nodiscard]] Qt::SortOrder sortOrder() const { return m_sortOrder; }
    // The row showing this call, fetching further rows up to maxRows; -1 when not found.
    [[nodiscard]] int rowOfCall(qint64 callId, int maxRows = 5000);
    // Loads every remaining row (for exports).
    void fetchAll();
    [[nodiscard]] const CallFilter &filter() const { return m_filter; }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    [[nodiscard]] static QString outcomeLabel(const QString &outcome);

Q_SIGNALS:
    void queryFailed(const QString &message);

private:
    std::shared_ptr<Database> m_db;
    CallFilter m_filter;
    QString m_lastError;
    int m_sortColumn = CallQuery::StartedAt;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
};

} // namespace askpro
