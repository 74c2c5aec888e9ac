// The call browser's model: pages of calls read on demand (keyset paging in CallQuery), filtered and
// sorted in SQL; a text search keeps reading in short slices on the event loop while its matches arrive.
#pragma once

#include "queries/callquery.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QTimeZone>

#include <memory>
#include <optional>

namespace askpro {

class Database;

class CallsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallsModel)
public:
    enum Role { CallIdRole = Qt::UserRole + 1, OutcomeRole };
    // Rows per page a view asks for; calls a text search examines in its first query (later ones adapt to
    // about 30 ms each); the longest a search reads before it lets the event loop run.
    static constexpr int PageSize = 256;
    static constexpr int DefaultSearchWindow = 10000;
    static constexpr int DefaultSliceMs = 40;

    explicit CallsModel(std::shared_ptr<Database> db, QObject *parent = nullptr);

    // Reads again from the first call with a new filter; views then fetch further pages as they scroll.
    void setFilter(const CallFilter &filter);
    // Reads again from the first call, as many rows as were loaded (up to 5,000), so a view keeps its place.
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
    // True while a text search still reads calls in the background; its matches are appended as found.
    [[nodiscard]] bool isSearching() const { return m_searching; }
    // Fixes the calls examined per text-search query and the slice (0: one query per slice), for tests.
    void setSearchPace(int windowCalls, int sliceMs)
    {
        m_searchWindow = qMax(1, windowCalls);
        m_sliceMs = qMax(0, sliceMs);
        m_adaptiveWindow = false;
    }

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent = QModelIndex()) const override;
    void fetchMore(const QModelIndex &parent = QModelIndex()) override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    [[nodiscard]] static QString outcomeLabel(const QString &outcome);

Q_SIGNALS:
    void queryFailed(const QString &message);
    void searchingChanged(bool searching);

private:
    struct Batch
    {
        QList<QVariantList> rows;
        std::optional<CallCursor> next;
        bool atEnd = false;
    };
    // Appends pages after batch.next until have + its rows reach wanted, the calls end, or another page would
    // overrun budgetMs (-1: no budget; 0: one page).
    void read(Batch &batch, qsizetype have, qsizetype wanted, int budgetMs);
    void reload(qsizetype wanted);
    void load(int budgetMs);
    void updateSearching();
    [[nodiscard]] QTimeZone zone(const QString &id) const;

    std::shared_ptr<Database> m_db;
    CallFilter m_filter;
    QString m_lastError;
    int m_sortColumn = CallQuery::StartedAt;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    QList<QVariantList> m_rows;
    std::optional<CallCursor> m_next;
    bool m_atEnd = true;
    qsizetype m_wanted = 0;
    quint64 m_generation = 0; // a reload makes pending background reads stale
    bool m_continuationQueued = false;
    bool m_searching = false;
    int m_searchWindow = DefaultSearchWindow;
    int m_sliceMs = DefaultSliceMs;
    bool m_adaptiveWindow = true;
    mutable QHash<QString, QTimeZone> m_zones;
};

} // namespace askpro
