// A table over one admin API list whose columns are fields of its items, formatted for people (times in each
// row's zone, states as words and colours): the API twin of RecordsModel. Sorting a column asks the server
// for that order (the route's sort and order parameters), so paging stays keyed.
#pragma once

#include "apilistmodel.h"

#include <QList>

namespace askpro {

class ApiRecordsModel final : public ApiListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiRecordsModel)
public:
    enum class Format { Text, Number, DateTime, Duration, Outcome, AppointmentStatus, SyncState, InboxStatus, YesNo, MessageState, Channel,
                        MessageKind, MessageReason };
    enum Role { RawRole = Qt::UserRole + 200 }; // the item's field as the server sent it
    struct Column
    {
        Column(QString title, const char *field, Format format = Format::Text, QString sortName = {})
            : title(std::move(title)), field(field), format(format), sortName(std::move(sortName))
        {
        }
        QString title;
        const char *field;
        Format format;
        QString sortName; // the route's sort value for this column; empty: not sortable
    };

    // zoneField: the item field holding the row's IANA zone for DateTime cells (empty: UTC).
    ApiRecordsModel(client::ApiAccount &account, QString path, QList<Column> columns, const char *zoneField, QObject *parent = nullptr,
                    int pageSize = DefaultPageSize);

    // Filters as query parameters (without sort and order); loads the first page with the current sort.
    void setFilters(const QUrlQuery &filters);
    [[nodiscard]] int columnOfField(const char *field) const;

    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

protected:
    [[nodiscard]] QVariant cell(const client::Json &item, int column, int role) const override;

private:
    void load();

    QList<Column> m_columns;
    const char *m_zoneField;
    QUrlQuery m_filters;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    bool m_filtersSet = false; // nothing is asked for before the page said what it wants
};

} // namespace askpro
