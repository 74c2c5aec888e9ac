// Keyset pages of one admin API list, loaded asynchronously; the desktop never reads the database.
#include "apilistmodel.h"

#include "apiaccount.h"

#include <memory>

using namespace Qt::StringLiterals;

namespace askpro {

ApiListModel::ApiListModel(client::ApiAccount &account, QString path, QObject *parent, int pageSize)
    : QAbstractTableModel(parent)
    , m_account(account)
    , m_path(std::move(path))
    , m_pageSize(pageSize)
{
}

void ApiListModel::setQuery(const QUrlQuery &query)
{
    m_query = query;
    request(QString(), m_pageSize);
}

void ApiListModel::reload()
{
    request(QString(), int(qBound(qsizetype(m_pageSize), m_items.size(), qsizetype(1000))));
}

void ApiListModel::loadAll(int maxRows, std::function<void(bool complete)> done)
{
    auto step = std::make_shared<std::function<void()>>();
    auto connections = std::make_shared<QList<QMetaObject::Connection>>();
    const auto finish = [connections, done](bool complete) {
        for (const QMetaObject::Connection &c : std::as_const(*connections))
            QObject::disconnect(c);
        done(complete);
    };
    *step = [this, maxRows, finish] {
        if (m_next.isEmpty())
            return finish(true);
        if (m_items.size() >= maxRows)
            return finish(false);
        if (!m_appending)
            request(m_next, int(qMin<qsizetype>(1000, maxRows - m_items.size())));
    };
    connections->append(connect(this, &ApiListModel::loaded, this, [step] { (*step)(); }));
    connections->append(connect(this, &ApiListModel::failed, this, [finish] { finish(false); }));
    if (m_loading && !m_appending)
        return; // the first page is on its way; loaded() goes on from there
    (*step)();
}

void ApiListModel::request(const QString &after, int limit)
{
    const quint64 generation = after.isEmpty() ? ++m_generation : m_generation;
    if (m_path.isEmpty()) {
        m_appending = false;
        m_next.clear();
        m_truncated = false;
        m_lastError.clear();
        beginResetModel();
        m_items.clear();
        endResetModel();
        setLoading(false);
        Q_EMIT loaded();
        return;
    }
    m_appending = !after.isEmpty();
    QUrlQuery query = m_query;
    query.addQueryItem(u"limit"_s, QString::number(limit));
    if (!after.isEmpty())
        query.addQueryItem(u"after"_s, after);
    setLoading(true);
    client::ApiCall *call = m_account.get(m_path, query);
    connect(call, &client::ApiCall::finished, this, [this, generation, append = !after.isEmpty()](const client::ApiResult &result) {
        if (generation != m_generation)
            return; // the query changed meanwhile; a newer request is out
        m_appending = false;
        setLoading(false);
        if (!result.ok()) {
            m_lastError = result.errorMessage;
            Q_EMIT failed(result.errorMessage);
            return;
        }
        m_lastError.clear();
        QList<client::Json> items;
        for (const client::Json &item : result.body.value("items", client::Json::array()))
            items.append(item);
        const client::Json next = result.body.value("next", client::Json());
        m_next = next.is_string() ? QString::fromStdString(next.get<std::string>()) : QString();
        m_truncated = !m_next.isEmpty() || result.body.value("truncated", false);
        if (append) {
            if (!items.isEmpty()) {
                beginInsertRows(QModelIndex(), int(m_items.size()), int(m_items.size() + items.size() - 1));
                m_items.append(std::move(items));
                endInsertRows();
            }
        } else {
            beginResetModel();
            m_items = std::move(items);
            endResetModel();
        }
        Q_EMIT loaded();
    });
}

void ApiListModel::setLoading(bool loading)
{
    if (loading == m_loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged(loading);
}

qint64 ApiListModel::idAt(int row) const
{
    if (row < 0 || row >= m_items.size())
        return 0;
    return m_items.at(row).value("id", qint64(0));
}

int ApiListModel::rowOfId(qint64 id) const
{
    for (int row = 0; row < m_items.size(); ++row) {
        if (m_items.at(row).value("id", qint64(0)) == id)
            return row;
    }
    return -1;
}

int ApiListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

bool ApiListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_next.isEmpty() && !m_appending;
}

void ApiListModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        request(m_next, m_pageSize);
}

QVariant ApiListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_items.size() || index.column() >= columnCount())
        return {};
    const client::Json &item = m_items.at(index.row());
    if (role == ItemIdRole)
        return item.value("id", qint64(0));
    return cell(item, index.column(), role);
}

} // namespace askpro
