// One HTTP exchange as the provider stand-ins see it: request parsing, replies, JSON helpers, routing.
#include "apimessage.h"

#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get: return "GET"_ba;
    case QHttpServerRequest::Method::Put: return "PUT"_ba;
    case QHttpServerRequest::Method::Delete: return "DELETE"_ba;
    case QHttpServerRequest::Method::Post: return "POST"_ba;
    case QHttpServerRequest::Method::Head: return "HEAD"_ba;
    case QHttpServerRequest::Method::Options: return "OPTIONS"_ba;
    case QHttpServerRequest::Method::Patch: return "PATCH"_ba;
    default: return "UNKNOWN"_ba;
    }
}

} // namespace

ApiRequest ApiRequest::from(const QHttpServerRequest &request)
{
    ApiRequest result;
    result.method = methodName(request.method());
    const QByteArray encodedPath = request.url().path(QUrl::FullyEncoded).toLatin1();
    for (const QByteArray &segment : encodedPath.split('/')) {
        if (!segment.isEmpty())
            result.segments.append(QUrl::fromPercentEncoding(segment));
    }
    result.query = request.query();
    for (const auto &[name, value] : request.headers())
        result.headers.insert(name.toLower(), value);
    result.body = request.body();
    return result;
}

QString ApiRequest::path() const
{
    return QLatin1Char('/') + segments.join(QLatin1Char('/'));
}

QString ApiRequest::bearerToken() const
{
    const QByteArray authorization = header("authorization"_ba).trimmed();
    if (!authorization.startsWith("Bearer "_ba))
        return {};
    return QString::fromUtf8(authorization.mid(7).trimmed());
}

ApiReply ApiReply::json(int status, const Json &value)
{
    ApiReply reply;
    reply.status = status;
    reply.body = QByteArray::fromStdString(value.dump());
    return reply;
}

ApiReply ApiReply::noContent()
{
    ApiReply reply;
    reply.status = 204;
    reply.contentType.clear();
    return reply;
}

void RouteTable::add(const QByteArray &method, const QString &pattern, Handler handler)
{
    m_routes.append(Route{method, pattern, pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts), std::move(handler)});
}

QList<std::pair<QByteArray, QString>> RouteTable::patterns() const
{
    QList<std::pair<QByteArray, QString>> result;
    for (const Route &route : m_routes)
        result.append({route.method, route.pattern});
    return result;
}

std::optional<ApiReply> RouteTable::dispatch(const ApiRequest &request) const
{
    for (const Route &route : m_routes) {
        if (route.method != request.method || route.segments.size() != request.segments.size())
            continue;
        QStringList captures;
        bool matches = true;
        for (qsizetype i = 0; i < route.segments.size() && matches; ++i) {
            if (route.segments.at(i) == "*"_L1)
                captures.append(request.segments.at(i));
            else
                matches = route.segments.at(i) == request.segments.at(i);
        }
        if (matches)
            return route.handler(request, captures);
    }
    return std::nullopt;
}

QString jsonString(const Json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    if (it == object.end())
        return {};
    if (it->is_string())
        return QString::fromStdString(it->get<std::string>());
    if (it->is_number())
        return QString::fromStdString(it->dump());
    return {};
}

std::optional<qint64> jsonInt(const Json &object, const char *key)
{
    if (!object.is_object())
        return std::nullopt;
    const auto it = object.find(key);
    if (it == object.end())
        return std::nullopt;
    if (it->is_number_integer())
        return it->get<qint64>();
    if (it->is_number_float())
        return qint64(it->get<double>());
    if (it->is_string()) {
        bool ok = false;
        const qint64 value = QString::fromStdString(it->get<std::string>()).toLongLong(&ok);
        if (ok)
            return value;
    }
    return std::nullopt;
}

std::optional<double> jsonNumber(const Json &object, const char *key)
{
    if (!object.is_object())
        return std::nullopt;
    const auto it = object.find(key);
    if (it == object.end())
        return std::nullopt;
    if (it->is_number())
        return it->get<double>();
    if (it->is_string()) {
        bool ok = false;
        const double value = QString::fromStdString(it->get<std::string>()).toDouble(&ok);
        if (ok)
            return value;
    }
    return std::nullopt;
}

bool jsonBool(const Json &object, const char *key, bool fallback)
{
    if (!object.is_object())
        return fallback;
    const auto it = object.find(key);
    if (it == object.end())
        return fallback;
    if (it->is_boolean())
        return it->get<bool>();
    if (it->is_string())
        return it->get<std::string>() == "true";
    return fallback;
}

std::optional<Json> parseJsonObject(const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return Json::object();
    Json value = Json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
    if (value.is_discarded() || !value.is_object())
        return std::nullopt;
    return value;
}

QJsonDocument toQtJson(const Json &value)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(value.dump()));
}

Json fromQtJson(const QJsonDocument &document)
{
    const QByteArray text = document.toJson(QJsonDocument::Compact);
    Json value = Json::parse(text.constData(), text.constData() + text.size(), nullptr, false);
    return value.is_discarded() ? Json::object() : value;
}

QString randomHex(int length)
{
    static constexpr char digits[] = "0123456789abcdef";
    QString result(length, Qt::Uninitialized);
    for (int i = 0; i < length; ++i)
        result[i] = QLatin1Char(digits[QRandomGenerator::global()->bounded(16)]);
    return result;
}

QString randomAlnum(int length)
{
    static constexpr char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString result(length, Qt::Uninitialized);
    for (int i = 0; i < length; ++i)
        result[i] = QLatin1Char(chars[QRandomGenerator::global()->bounded(62)]);
    return result;
}

} // namespace askpro::sandbox
