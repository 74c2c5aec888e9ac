// One user's signed-in devices, read from the admin API (GET /api/v1/users/{id}/sessions): device, address,
// sign-in, last use and expiry, with revoke. Loads asynchronously; an answer for an earlier user is dropped.
#pragma once

#include <QAbstractTableModel>
#include <QList>

namespace askpro {

namespace client {
class ApiAccount;
}

class SessionsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionsModel)
public:
    enum Column { Device, Address, SignedIn, LastUsed, Expires, ColumnCount };
    enum Role { SessionIdRole = Qt::UserRole + 1, CurrentRole };

    explicit SessionsModel(client::ApiAccount &account, QObject *parent = nullptr);

    // Shows this user's open sessions (0: none); reloads when called again for the same user.
    void setUser(qint64 userId);
    [[nodiscard]] qint64 user() const { return m_userId; }
    // Ends the session on the server, then reloads; failed() says why not.
    void revoke(int row);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void loaded();
    void revoked(const QString &device);
    void failed(const QString &message);

private:
    struct Session
    {
        qint64 id = 0;
        QString device;
        QString address;
        qint64 createdAtMs = 0;
        qint64 lastUsedAtMs = 0;
        qint64 expiresAtMs = 0;
        bool current = false;
    };
    client::ApiAccount &m_account;
    qint64 m_userId = 0;
    quint64 m_generation = 0; // answers of an earlier request are dropped
    QList<Session> m_sessions;
};

} // namespace askpro
