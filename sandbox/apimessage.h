// One HTTP exchange as the provider stand-ins see it: the request, the reply, JSON helpers and a
// small route table that matches "/v2/get-call/*"-style patterns.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <utility>

class QHttpServerRequest;
class QJsonDocument;

namespace askpro::sandbox {

using Json = nlohmann::ordered_json;

struct ApiRequest
{
    QByteArray method;       // "GET", "POST", ...
    QStringList segments;    // percent-decoded path segments after the provider prefix
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;

    [[nodiscard]] static ApiRequest from(const QHttpServerRequest &request);
    [[nodiscard]] QByteArray header(const QByteArray &lowerCaseName) const { return headers.value(lowerCaseName); }
    [[nodiscard]] QString path() const;
    // The bearer token of the Authorization header, or an empty string.
    [[nodiscard]] QString bearerToken() const;
};

struct ApiReply
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QList<std::pair<QByteArray, QByteArray>> headers;

    [[nodiscard]] static ApiReply json(int status, const Json &value);
    [[nodiscard]] static ApiReply noContent();
};

// Routes "METHOD /a/*/b" patterns to handlers; "*" captures one path segment.
class RouteTable final
{
public:
    using Handler = std::function<ApiReply(const ApiRequest &request, const QStringList &captures)>;

    void add(const QByteArray &method, const QString &pattern, Handler handler);
    // The reply of the first matching route, or nothing when no route matches.
    [[nodiscard]] std::optional<ApiReply> dispatch(const ApiRequest &request) const;
    // Method and pattern of every route, in the order added: what the conformance test holds against the spec.
    [[nodiscard]] QList<std::pair<QByteArray, QString>> patterns() const;

private:
    struct Route
    {
        QByteArray method;
        QString pattern;
        QStringList segments;
        Handler handler;
    };
    QList<Route> m_routes;
};

// Conversions between Qt strings and JSON values.
[[nodiscard]] inline std::string toStd(const QString &text) { return text.toStdString(); }
[[nodiscard]] QString jsonString(const Json &object, const char *key);
[[nodiscard]] std::optional<qint64> jsonInt(const Json &object, const char *key);
[[nodiscard]] std::optional<double> jsonNumber(const Json &object, const char *key);
[[nodiscard]] bool jsonBool(const Json &object, const char *key, bool fallback);
// The body as a JSON object: an empty body gives {}, anything but an object gives nothing.
[[nodiscard]] std::optional<Json> parseJsonObject(const QByteArray &body);
[[nodiscard]] QJsonDocument toQtJson(const Json &value);
[[nodiscard]] Json fromQtJson(const QJsonDocument &document);

// Random identifiers: lower-case hex or alphanumerics of the given length.
[[nodiscard]] QString randomHex(int length);
[[nodiscard]] QString randomAlnum(int length);

} // namespace askpro::sandbox
