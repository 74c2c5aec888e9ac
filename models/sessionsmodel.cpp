// Sessions come from the server's admin API; the desktop never reads the sessions table.
#include "sessionsmodel.h"

#include "apiaccount.h"

#include <QDateTime>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace askpro {

SessionsModel::SessionsModel(client::ApiAccount &account, QObject *parent)
    : QAbstractTableModel(parent)
    , m_account(account)
{
}

void SessionsModel::setUser(qint64 userId)
{
    const quint64 generation = ++m_generation;
    if (userId != m_userId) {
        beginResetModel();
        m_userId = userId;
        m_sessions.clear();
        endResetModel();
    }
    if (userId <= 0)
        return;
    client::ApiCall *call = m_account.get(u"/users/%1/sessions"_s.arg(userId));
    connect(call, &client::ApiCall::finished, this, [this, generation](const client::ApiResult &result) {
        if (generation != m_generation)
            return; // another user was chosen meanwhile
        if (!result.ok()) {
            Q_EMIT failed(result.errorMessage);
            return;
        }
        QList<Session> sessions;
        for (const client::Json &item : result.body.value("items", client::Json::array())) {
            sessions.append({item.value("id", qint64(0)), QString::fromStdString(item.value("client", std::string())),
                             QString::fromStdString(item.value("address", std::string())), item.value("created_at", qint64(0)),
                             item.value("last_used_at", qint64(0)), item.value("expires_at", qint64(0)), item.value("current", false)});
        }
        beginResetModel();
        m_sessions = std::move(sessions);
        endResetModel();
        Q_EMIT loaded();
    });
}

void SessionsModel::revoke(int row)
{
    if (row < 0 || row >= m_sessions.size())
        return;
    const Session session = m_sessions.at(row);
    client::ApiCall *call = m_account.remove(u"/sessions/%1"_s.arg(session.id));
    connect(call, &client::ApiCall::finished, this, [this, session](const client::ApiResult &result) {
        if (!result.ok()) {
            Q_EMIT failed(result.errorMessage);
            return;
        }
        Q_EMIT revoked(session.device);
        setUser(m_userId);
    });
}

int SessionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_sessions.size());
}

int SessionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_sessions.size())
        return {};
    const Session &session = m_sessions.at(index.row());
    if (role == SessionIdRole)
        return session.id;
    if (role == CurrentRole)
        return session.current;
    if (role != Qt::DisplayRole)
        return {};
    // Local time of this desktop: a session is a person's device, not a branch's appointment.
    const auto when = [](qint64 ms) { return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(), QLocale::ShortFormat); };
    switch (index.column()) {
    case Device:
        return session.current ? tr("%1 (this window)").arg(session.device) : session.device;
    case Address:
        return session.address;
    case SignedIn:
        return when(session.createdAtMs);
    case LastUsed:
        return when(session.lastUsedAtMs);
    case Expires:
        return when(session.expiresAtMs);
    }
    return {};
}

QVariant SessionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Device:
        return tr("Device");
    case Address:
        return tr("Address");
    case SignedIn:
        return tr("Signed in");
    case LastUsed:
        return tr("Last used");
    case Expires:
        return tr("Expires at the latest");
    }
    return {};
}

} // namespace askpro
