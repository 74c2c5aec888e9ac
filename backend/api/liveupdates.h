// Live updates for signed-in desktops: one WebSocket per client at /api/v1/live says which lists changed, so
// pages re-read at once instead of at their next poll. A message names lists, never rows: the client re-reads
// through the routes, which check its permission and company as always. Every server watches the database
// itself, so a change written through any server reaches the clients of all; on PostgreSQL the servers are
// woken by NOTIFY (migration 0012) and only fall back to a slow timer.
#pragma once

#include "core/result.h"
#include "security/accesspolicy.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class QHttpServer;
class QSqlDatabase;
class QTimer;
class QWebSocket;

namespace askpro {

class Database;
class SessionStore;
struct ChangeStamp;

class LiveUpdates final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveUpdates)
public:
    static constexpr auto path = "/api/v1/live";
    // The socket's close codes (RFC 6455): 1008 for a missing or bad token, 1003 for a path that is not ours.
    static constexpr int closePolicy = 1008;
    static constexpr int closeUnsupported = 1003;

    // intervalMs: how often the database is looked at while clients are connected (on PostgreSQL NOTIFY wakes
    // the servers sooner, and the interval is only the fallback).
    LiveUpdates(Database &db, SessionStore &sessions, int intervalMs, QObject *parent = nullptr);
    ~LiveUpdates() override;

    // Registers the live route and takes the WebSockets the server upgrades on it.
    void install(QHttpServer &server);
    // The setup wizard's runs moved (progress, outcome, a test call's checks): told to clients that may run setups.
    void setupChanged();
    // Sessions may have ended (sign-out, revocation, a user changed): their sockets are closed at the next look.
    void recheckSessionsSoon();
    [[nodiscard]] int clientCount() const { return int(m_clients.size()); }

private:
    struct Client;
    void accept(std::unique_ptr<QWebSocket> socket);
    void drop(QWebSocket *socket, int code, const QString &reason);
    // Compares each list's stamp, per company scope, with what each client was last told; sends what moved.
    void look();
    // One look within 50 ms, however many notifications and progress lines arrive meanwhile.
    void lookSoon();
    // Closes the sockets of sessions that ended (sign-out, revocation, expiry) since they connected.
    void recheckSessions();
    void listenForNotifications();

    Database &m_db;
    SessionStore &m_sessions;
    QTimer *m_timer;
    QTimer *m_soon; // coalesces NOTIFYs and setup progress into one look
    qint64 m_lastSessionCheck = 0;
    bool m_setupMoved = false;
    std::unique_ptr<QSqlDatabase> m_listener; // PostgreSQL: the connection that LISTENs
    std::vector<std::unique_ptr<Client>> m_clients;
};

} // namespace askpro
