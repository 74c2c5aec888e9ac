// The call browser's model: pages of GET /api/v1/calls, filtered and sorted on the server (keyset paging).
// A text search reads on by itself: the server examines a window of calls per request, and while fewer
// matches than a page have come and calls are left, the next request follows at once.
#pragma once

#include "apilistmodel.h"

#include <QHash>
#include <QTimeZone>

namespace askpro {

class CallsModel final : public ApiListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallsModel)
public:
    // The columns, in the order of the server's sort names.
    enum Column { Id, StartedAt, TimeZone, Company, Branch, Caller, Customer, DurationMs, Outcome, FailureReason, AppointmentStart, ColumnCount };
    enum Role { CallIdRole = Qt::UserRole + 1, OutcomeRole };
    static constexpr int PageSize = DefaultPageSize;

    struct Filter
    {
        qint64 fromMs = 0; // 0: open
        qint64 toMs = 0;   // exclusive; 0: open
        qint64 companyId = 0;
        qint64 branchId = 0;
        QString outcome; // empty: every outcome
        QString text;    // caller, customer or transcript
    };

    explicit CallsModel(client::ApiAccount &account, QObject *parent = nullptr);

    // Reads again from the first call with a new filter; views then fetch further pages as they scroll.
    void setFilter(const Filter &filter);
    [[nodiscard]] const Filter &filter() const { return m_filter; }
    void sort(int column, Qt::SortOrder order) override;
    // Whether the server sorts by this column for the signed-in role.
    [[nodiscard]] bool isSortable(int column) const;

    [[nodiscard]] int sortColumn() const { return m_sortColumn; }
    [[nodiscard]] Qt::SortOrder sortOrder() const { return m_sortOrder; }
    // True while a text search still reads calls; its matches are appended as they come.
    [[nodiscard]] bool isSearching() const { return m_searching; }
    // The calls a text search examines per request (the server's scan parameter), for tests; 0: the server's.
    void setSearchScan(int calls) { m_scan = calls; }

    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // A sort the model did not take: the view puts its indicator back on the sort in force.
    void sortRefused(int column, Qt::SortOrder order);
    void searchingChanged(bool searching);

protected:
    [[nodiscard]] QVariant cell(const client::Json &item, int column, int role) const override;

private:
    void load();
    void readOn();
    void setSearching(bool searching);
    [[nodiscard]] QTimeZone zone(const QString &id) const;

    Filter m_filter;
    int m_sortColumn = StartedAt;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    int m_scan = 0;
    bool m_searching = false;
    mutable QHash<QString, QTimeZone> m_zones;
};

} // namespace askpro
