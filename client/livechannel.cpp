// Messages are JSON: {"type": "welcome", "lists": [...]} once, then {"type": "changed", "lists": [...]}.
#include "livechannel.h"

#include "apiaccount.h"

#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>
#include <QWebSocket>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;

namespace askpro::client {

namespace {

constexpr int firstRetryMs = 1000;
constexpr int lastRetryMs = 30 * 1000;

} // namespace

LiveChannel::LiveChannel(ApiAccount &account, QObject *parent)
    : QObject(parent)
    , m_account(account)
    , m_socket(new QWebSocket(u"askpro-admin"_s, QWebSocketProtocol::VersionLatest, this))
    , m_retry(new QTimer(this))
{
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, &LiveChannel::open);
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_failures = 0;
        setConnected(true);
    });
    connect(m_socket, &QWebSocket::disconnected, this, &LiveChannel::closed);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &LiveChannel::received);
    connect(&m_account, &ApiAccount::signedIn, this, [this] {
        if (m_started) {
            m_failures = 0;
            open();
        }
    });
    connect(&m_account, &ApiAccount::sessionEnded, this, [this] {
        m_retry->stop();
        m_socket->abort();
    });
}

LiveChannel::~LiveChannel()
{
    m_socket->disconnect(this);
    m_socket->abort();
}

void LiveChannel::start()
{
    if (m_started)
        return;
    m_started = true;
    open();
}

void LiveChannel::open()
{
    if (!m_account.isSignedIn() || m_account.server().isEmpty())
        return; // signedIn() opens it
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
    QUrl url = m_account.server();
    url.setScheme(url.scheme() == u"https"_s ? u"wss"_s : u"ws"_s);
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + u"/api/v1/live"_s);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_account.token().toLatin1());
    if (const QList<QSslCertificate> extra = m_account.caCertificates(); !extra.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(extra);
        m_socket->setSslConfiguration(tls);
    }
    m_socket->open(request);
}

void LiveChannel::received(const QString &message)
{
    const auto json = nlohmann::json::parse(message.toStdString(), nullptr, false);
    if (!json.is_object())
        return;
    QStringList lists;
    if (const auto it = json.find("lists"); it != json.end() && it->is_array()) {
        for (const auto &name : *it)
            if (name.is_string())
                lists.append(QString::fromStdString(name.get<std::string>()));
    }
    const std::string type = json.value("type", std::string());
    if (type == "welcome")
        m_lists = lists;
    else if (type == "changed" && !lists.isEmpty())
        Q_EMIT changed(lists);
}

void LiveChannel::closed()
{
    m_lastCloseReason = m_socket->closeReason();
    setConnected(false);
    if (!m_started || !m_account.isSignedIn())
        return;
    // 1008: the token was refused; the next request of a page meets the same and asks to sign in again.
    const int delay = std::min(lastRetryMs, firstRetryMs << std::min(m_failures, 5));
    ++m_failures;
    m_retry->start(delay);
}

void LiveChannel::setConnected(bool connected)
{
    if (connected == m_connected)
        return;
    m_connected = connected;
    Q_EMIT connectedChanged(connected);
}

} // namespace askpro::client
