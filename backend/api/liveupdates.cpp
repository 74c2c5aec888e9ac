// The sockets stay in the server's event loop; each look costs two index lookups per list and company scope,
// shared by all clients of that scope, whatever the number of clients.
#include "api/liveupdates.h"

#include "api/routefamilies.h"
#include "core/logging.h"
#include "core/clock.h"
#include "db/database.h"
#include "security/sessionstore.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTimer>
#include <QWebSocket>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr int maxClients = 1000;
constexpr qint64 sessionCheckEveryMs = 30 * 1000;
constexpr auto notifyChannel = "askpro_changes";

QString bearerOf(const QWebSocket &socket)
{
    const QByteArray value = socket.request().rawHeader("Authorization");
    if (value.size() > 7 && value.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return QString::fromLatin1(value.mid(7).trimmed());
    return {};
}

void sendJson(QWebSocket &socket, const nlohmann::json &message)
{
    socket.sendTextMessage(QString::fromStdString(message.dump()));
}

// Closes with a code the client can read, then lets the socket go once the peer has answered the close (or
// after a few seconds), so that the close frame is not lost with a socket deleted too early.
void closeAndRelease(std::unique_ptr<QWebSocket> socket, int code, const QString &reason)
{
    QWebSocket *raw = socket.release();
    if (raw->state() == QAbstractSocket::UnconnectedState) {
        raw->deleteLater();
        return;
    }
    QObject::connect(raw, &QWebSocket::disconnected, raw, &QObject::deleteLater);
    QTimer::singleShot(5000, raw, &QObject::deleteLater);
    QTimer::singleShot(0, raw, [raw, code, reason] { raw->close(QWebSocketProtocol::CloseCode(code), reason); });
}

} // namespace

struct LiveUpdates::Client
{
    std::unique_ptr<QWebSocket> socket;
    QString token; // kept to ask again whether the session is still open
    Actor actor;
    QHash<QString, ChangeStamp> told; // what the client was last told of each list (its baseline at first)
};

LiveUpdates::LiveUpdates(Database &db, SessionStore &sessions, int intervalMs, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_sessions(sessions)
    , m_timer(new QTimer(this))
    , m_soon(new QTimer(this))
{
    m_timer->setInterval(std::max(intervalMs, 50));
    connect(m_timer, &QTimer::timeout, this, &LiveUpdates::look);
    m_soon->setSingleShot(true);
    m_soon->setInterval(50);
    connect(m_soon, &QTimer::timeout, this, &LiveUpdates::look);
}

LiveUpdates::~LiveUpdates()
{
    for (const auto &client : m_clients)
        client->socket->disconnect(this);
    if (m_listener) {
        const QString name = m_listener->connectionName();
        m_listener->close();
        m_listener.reset();
        QSqlDatabase::removeDatabase(name);
    }
}

void LiveUpdates::install(QHttpServer &server)
{
    // Qt 6.4 upgrades a WebSocket request only when a route took it and wrote nothing: this route, ahead of the
    // API's catch-all, answers only requests that are not upgrades.
    server.route(QString::fromLatin1(path), [](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        if (request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0)
            return;
        responder.write(QJsonDocument(QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, u"live.upgrade"_s},
                                                                            {u"message"_s, u"Open this address as a WebSocket."_s}}}}),
                        QHttpServerResponder::StatusCode(426));
    });
    connect(&server, &QAbstractHttpServer::newWebSocketConnection, this, [this, &server] {
        while (server.hasPendingWebSocketConnections())
            accept(server.nextPendingWebSocketConnection());
    });
    listenForNotifications();
}

void LiveUpdates::listenForNotifications()
{
    if (m_db.engine() != Engine::Postgres)
        return; // one embedded server: its own timer sees every change
    // A connection of its own that does nothing but wait: on the thread's shared connection, busy with
    // requests, notifications were only seen with its next query.
    auto listener = m_db.openDedicated(u"live-%1"_s.arg(reinterpret_cast<quintptr>(this), 0, 16));
    if (!listener || !listener->driver()->subscribeToNotification(QString::fromLatin1(notifyChannel))) {
        qCWarning(lcHttp) << "live updates: no NOTIFY subscription; changes are seen every" << m_timer->interval() << "ms";
        if (listener) {
            const QString name = listener->connectionName();
            listener->close();
            *listener = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
        }
        return;
    }
    m_listener = std::make_unique<QSqlDatabase>(*listener);
    connect(m_listener->driver(), &QSqlDriver::notification, this, &LiveUpdates::lookSoon);
    // Woken by every server's writes: the timer is only the fallback for a lost connection.
    m_timer->setInterval(m_timer->interval() * 10);
}

void LiveUpdates::accept(std::unique_ptr<QWebSocket> socket)
{
    // Qt 6.4 upgrades any request that asks, even after another route has answered it: such a socket is
    // closed at once.
    if (socket->requestUrl().path() != QLatin1StringView(path)) {
        closeAndRelease(std::move(socket), closeUnsupported, u"No such socket."_s);
        return;
    }
    // Qt has upgraded the connection before any handler could look at it: the token is checked now.
    const QString token = bearerOf(*socket);
    auto session = m_sessions.authenticate(token);
    if (!session) {
        qCInfo(lcSecurity) << "live socket refused:" << session.error().code << "from" << socket->peerAddress().toString();
        closeAndRelease(std::move(socket), closePolicy, u"Sign in first."_s);
        return;
    }
    if (m_clients.size() >= maxClients) {
        closeAndRelease(std::move(socket), 1013, u"Too many live clients; pages poll instead."_s);
        return;
    }
    auto client = std::make_unique<Client>();
    client->socket = std::move(socket);
    client->token = token;
    client->actor = session->actor;
    QWebSocket *raw = client->socket.get();
    connect(raw, &QWebSocket::disconnected, this, [this, raw] { drop(raw, 1000, {}); });
    // Clients only listen; whatever they send is ignored.
    m_clients.push_back(std::move(client));
    if (!m_timer->isActive())
        m_timer->start();
    look(); // the new client's baseline, told to nobody
    nlohmann::json lists = nlohmann::json::array();
    for (const WatchedList &list : watchedLists())
        if (session->actor.can(list.permission))
            lists.push_back(list.name.toStdString());
    if (session->actor.can(Permission::RunSetup))
        lists.push_back("setup");
    sendJson(*raw, {{"type", "welcome"}, {"lists", lists}});
}

void LiveUpdates::drop(QWebSocket *socket, int code, const QString &reason)
{
    const auto it = std::find_if(m_clients.begin(), m_clients.end(), [socket](const auto &c) { return c->socket.get() == socket; });
    if (it == m_clients.end())
        return;
    (*it)->socket->disconnect(this);
    closeAndRelease(std::move((*it)->socket), code, reason); // never deleted inside its own signal
    m_clients.erase(it);
    if (m_clients.empty())
        m_timer->stop();
}

void LiveUpdates::setupChanged()
{
    if (m_clients.empty())
        return;
    m_setupMoved = true;
    lookSoon();
}

void LiveUpdates::recheckSessionsSoon()
{
    if (m_clients.empty())
        return;
    m_lastSessionCheck = 0;
    lookSoon();
}

void LiveUpdates::lookSoon()
{
    // Not restarted by each further event: under a steady stream of writes the look must still come.
    if (!m_soon->isActive())
        m_soon->start();
}

void LiveUpdates::look()
{
    if (m_clients.empty())
        return;
    recheckSessions();
    QHash<QPair<int, qint64>, std::optional<ChangeStamp>> stamps; // (list, company scope) → stamp
    const bool setupMoved = std::exchange(m_setupMoved, false);
    for (const auto &client : m_clients) {
        nlohmann::json moved = nlohmann::json::array();
        for (const WatchedList &list : watchedLists()) {
            if (!client->actor.can(list.permission))
                continue;
            const auto key = qMakePair(int(list.table), client->actor.companyId);
            if (!stamps.contains(key)) {
                auto stamp = ChangeQuery::stamp(m_db, list.table, client->actor.companyId);
                if (!stamp)
                    qCWarning(lcHttp) << "live updates: cannot read" << list.name << stamp.error().code;
                stamps.insert(key, stamp ? std::optional<ChangeStamp>(*stamp) : std::nullopt);
            }
            const std::optional<ChangeStamp> &now = stamps.value(key);
            if (!now)
                continue;
            const auto told = client->told.constFind(list.name);
            if (told != client->told.constEnd() && *told != *now)
                moved.push_back(list.name.toStdString());
            client->told.insert(list.name, *now);
        }
        if (setupMoved && client->actor.can(Permission::RunSetup))
            moved.push_back("setup");
        if (!moved.empty())
            sendJson(*client->socket, {{"type", "changed"}, {"lists", moved}});
    }
}

void LiveUpdates::recheckSessions()
{
    const qint64 now = nowMs();
    if (now - m_lastSessionCheck < sessionCheckEveryMs)
        return;
    m_lastSessionCheck = now;
    std::vector<QWebSocket *> ended;
    for (const auto &client : m_clients) {
        auto session = m_sessions.authenticate(client->token);
        if (session) {
            client->actor = session->actor; // a changed role applies to what the client is told from now on
            client->socket->ping(); // keeps an idle socket open through a proxy's read timeout
        } else if (session.error().kind == ErrorKind::Unauthorized) {
            ended.push_back(client->socket.get());
        }
    }
    for (QWebSocket *socket : ended)
        drop(socket, closePolicy, u"The session has ended; sign in again."_s);
}

} // namespace askpro
