// The desktop's side of the admin API: requests, their timeouts and the one error shape.
#include "apiaccount.h"

#include "livechannel.h"

#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSslError>

using namespace Qt::StringLiterals;

namespace askpro::client {

namespace {

bool isLoopback(const QUrl &url)
{
    const QString host = url.host();
    if (host == u"localhost"_s)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

ApiAccount::ApiAccount(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
}

ApiAccount::~ApiAccount() = default;

QString ApiAccount::setServer(const QUrl &server)
{
    if (!server.isValid() || server.host().isEmpty() || (server.scheme() != u"https"_s && server.scheme() != u"http"_s))
        return tr("%1 is not a server address (https://host[:port]).").arg(server.toDisplayString());
    if (server.scheme() == u"http"_s && !isLoopback(server))
        return tr("%1 is not encrypted: use https:// (plain http only reaches this computer's own server).").arg(server.toDisplayString());
    m_server = server.adjusted(QUrl::StripTrailingSlash | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
    return {};
}

void ApiAccount::addCaCertificates(const QList<QSslCertificate> &certificates)
{
    m_extraCa.append(certificates);
}

bool ApiAccount::can(const QString &permission) const
{
    if (!m_user.is_object() || !m_user.contains("permissions"))
        return false;
    for (const Json &granted : m_user["permissions"]) {
        if (granted.is_string() && QString::fromStdString(granted.get<std::string>()) == permission)
            return true;
    }
    return false;
}

ApiCall *ApiAccount::signIn(const QString &user, const QString &password, const QString &clientName)
{
    m_token.clear();
    const Json body{{"user", user.toStdString()}, {"password", password.toStdString()}, {"client", clientName.toStdString()}};
    return keepSession(post(u"/sessions"_s, body));
}

ApiCall *ApiAccount::createFirstAdmin(const QString &user, const QString &displayName, const QString &password, const QString &clientName)
{
    m_token.clear();
    const Json body{{"user", user.toStdString()},
                    {"display_name", displayName.toStdString()},
                    {"password", password.toStdString()},
                    {"client", clientName.toStdString()}};
    return keepSession(post(u"/first-admin"_s, body));
}

ApiCall *ApiAccount::keepSession(ApiCall *call)
{
    // Connected before the caller's own slot, so the token is in place when the caller hears of it.
    connect(call, &ApiCall::finished, this, [this](const ApiResult &result) {
        if (!result.ok())
            return;
        m_token = QString::fromStdString(result.body.value("token", std::string()));
        m_user = result.body.value("user", Json::object());
        Q_EMIT signedIn();
    });
    return call;
}

ApiCall *ApiAccount::resume(const QString &token)
{
    m_token = token;
    m_user = Json();
    ApiCall *call = get(u"/me"_s);
    connect(call, &ApiCall::finished, this, [this](const ApiResult &result) {
        if (!result.ok()) {
            m_token.clear();
            return;
        }
        m_user = result.body;
        Q_EMIT signedIn();
    });
    return call;
}

ApiCall *ApiAccount::signOut()
{
    ApiCall *call = remove(u"/sessions/current"_s);
    m_token.clear();
    m_user = Json();
    return call;
}

LiveChannel *ApiAccount::live()
{
    if (!m_live) {
        m_live = new LiveChannel(*this, this);
        m_live->start();
    }
    return m_live;
}

void ApiAccount::setToken(const QString &token)
{
    m_token = token;
}

ApiCall *ApiAccount::get(const QString &path, const QUrlQuery &query)
{
    return send("GET", path, query, {});
}

ApiCall *ApiAccount::post(const QString &path, const Json &body)
{
    return send("POST", path, {}, QByteArray::fromStdString(body.dump()));
}

ApiCall *ApiAccount::patch(const QString &path, const Json &body)
{
    return send("PATCH", path, {}, QByteArray::fromStdString(body.dump()));
}

ApiCall *ApiAccount::put(const QString &path, const Json &body)
{
    return send("PUT", path, {}, QByteArray::fromStdString(body.dump()));
}

ApiCall *ApiAccount::remove(const QString &path, const QUrlQuery &query)
{
    return send("DELETE", path, query, {});
}

ApiCall *ApiAccount::send(const QByteArray &method, const QString &path, const QUrlQuery &query, const QByteArray &body)
{
    QUrl url = m_server;
    url.setPath(u"/api/v1"_s + path);
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setTransferTimeout(defaultTimeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
    if (!m_extraCa.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(m_extraCa);
        request.setSslConfiguration(tls);
    }
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, body);
    return new ApiCall(this, reply);
}

void ApiAccount::answered(const ApiResult &result)
{
    const bool reachable = !result.unreachable();
    if (reachable != m_reachable) {
        m_reachable = reachable;
        Q_EMIT reachableChanged(reachable);
    }
    if (result.status == 401 && !m_token.isEmpty() && result.errorCode == u"unauthorized"_s) {
        m_token.clear();
        Q_EMIT sessionEnded(result.errorMessage);
    }
}

ApiCall::ApiCall(ApiAccount *account, QNetworkReply *reply)
    : QObject(account)
    , m_account(account)
    , m_reply(reply)
{
    reply->setParent(this);
    connect(reply, &QNetworkReply::finished, this, &ApiCall::done);
}

ApiCall::~ApiCall() = default;

void ApiCall::abandon()
{
    disconnect(m_reply, nullptr, this, nullptr);
    m_reply->abort();
    deleteLater();
}

void ApiCall::done()
{
    ApiResult result;
    result.status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray data = m_reply->readAll();
    result.contentType = m_reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    // A document (GET /invoices/{id}/pdf …) is kept as it came; only JSON answers are parsed.
    if (!data.isEmpty() && result.ok() && !result.contentType.isEmpty() && !result.contentType.startsWith("application/json"))
        result.raw = data;
    else if (!data.isEmpty())
        result.body = Json::parse(data.constBegin(), data.constEnd(), nullptr, false);
    if (result.body.is_discarded())
        result.body = Json();
    if (result.status == 0) {
        const auto error = m_reply->error();
        result.errorCode = error == QNetworkReply::OperationCanceledError || error == QNetworkReply::TimeoutError ? u"timeout"_s
                         : error == QNetworkReply::SslHandshakeFailedError                                        ? u"tls"_s
                                                                                                                  : u"network"_s;
        result.errorMessage = result.errorCode == u"timeout"_s ? ApiAccount::tr("The server did not answer in time.")
                            : result.errorCode == u"tls"_s
                                ? ApiAccount::tr("The server's certificate is not trusted: %1").arg(m_reply->errorString())
                                : ApiAccount::tr("The server cannot be reached: %1").arg(m_reply->errorString());
    } else if (!result.ok()) {
        const Json error = result.body.is_object() ? result.body.value("error", Json::object()) : Json::object();
        result.errorCode = QString::fromStdString(error.value("code", std::string("http")));
        result.errorMessage = QString::fromStdString(error.value("message", std::string()));
        if (result.errorMessage.isEmpty())
            result.errorMessage = ApiAccount::tr("The server answered %1.").arg(result.status);
    }
    if (m_account)
        m_account->answered(result);
    Q_EMIT finished(result);
    deleteLater();
}

} // namespace askpro::client
