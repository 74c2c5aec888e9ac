// A table over one list route of the admin API ({"items": [...], "next": cursor|null} or {"items", "truncated"}):
// the first page on setQuery() or reload(), the following pages from fetchMore() through the route's `after`
// cursor. Requests are asynchronous; an answer to an earlier query is dropped, and a failed request keeps the
// rows already shown (the server may only be unreachable for a moment) and says why through failed().
#pragma once

#include "apiresult.h"

#include <QAbstractTableModel>
#include <QList>
#include <QUrlQuery>

#include <functional>

namespace askpro {

namespace client {
class ApiAccount;
}

class ApiListModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiListModel)
public:
    static constexpr int DefaultPageSize = 256;
    enum Role { ItemIdRole = Qt::UserRole + 100 };

    // path: the list route under /api/v1 ("/calls"); the route answers pages of pageSize items.
    ApiListModel(client::ApiAccount &account, QString path, QObject *parent = nullptr, int pageSize = DefaultPageSize);

    // Filters, sort and search as the route's query parameters; loads the first page again.
    void setQuery(const QUrlQuery &query);
    [[nodiscard]] QUrlQuery query() const { return m_query; }
    // Another route with the same items (one customer's calls, then another's); used from the next setQuery().
    // An empty path lists nothing and asks the server nothing.
    void setPath(const QString &path) { m_path = path; }
    // Asks for the first page again with the same query (after an action or a live update): the rows stay
    // until the answer replaces them, and at least as many rows as shown now are asked for (up to 1000).
    void reload();

    // Asks for the remaining pages one after another, up to maxRows in all, then calls done with whether
    // every row is loaded (false: the limit was reached or a request failed). For exports of a whole list.
    void loadAll(int maxRows, std::function<void(bool complete)> done);

    [[nodiscard]] const client::Json &item(int row) const { return m_items.at(row); }
    [[nodiscard]] qint64 idAt(int row) const;
    // The row of this id among those loaded, or -1.
    [[nodiscard]] int rowOfId(qint64 id) const;
    [[nodiscard]] bool isLoading() const { return m_loading; }
    // The server has more rows than loaded (a cursor list not at its end, or a list it cut short).
    [[nodiscard]] bool isTruncated() const { return m_truncated; }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // A page arrived (the first page: the rows were replaced).
    void loaded();
    void failed(const QString &message);
    void loadingChanged(bool loading);

protected:
    // One cell of one item; ItemIdRole is answered by the base from the item's "id".
    [[nodiscard]] virtual QVariant cell(const client::Json &item, int column, int role) const = 0;
    [[nodiscard]] client::ApiAccount &account() const { return m_account; }

private:
    void request(const QString &after, int limit);
    void setLoading(bool loading);

    client::ApiAccount &m_account;
    QString m_path;
    int m_pageSize;
    QUrlQuery m_query;
    QList<client::Json> m_items;
    QString m_next; // cursor of the following page; empty at the end
    bool m_truncated = false;
    bool m_loading = false;
    bool m_appending = false; // a fetchMore() request is out
    quint64 m_generation = 0;
    QString m_lastError;
};

} // namespace askpro
