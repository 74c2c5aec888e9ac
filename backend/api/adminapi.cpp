// Dispatch of /api/v1: match the route table, authenticate, check the permission, parse, answer. Handlers
// apply the company scope themselves, in SQL; here only what every route shares.
#include "api/adminapi.h"

#include "setup/setuphost.h"

#include "api/liveupdates.h"
#include "api/routefamilies.h"
#include "core/clock.h"
#include "core/logging.h"
#include "integrations/jsonreply.h"
#include "intake/refusedrequests.h"
#include "security/sessionstore.h"
#include "setup/setuphost.h"

#include <QHttpServer>
#include <QHttpServerRequest>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr int signInAttemptsPerMinute = 10;

QHttpServerResponse jsonResponse(int status, const Json &body)
{
    return QHttpServerResponse(QByteArrayLiteral("application/json"), QByteArray::fromStdString(body.dump()),
                               QHttpServerResponder::StatusCode(status));
}

QHttpServerResponse errorResponse(int status, const QString &code, const QString &message)
{
    return jsonResponse(status, Json{{"error", {{"code", code.toStdString()}, {"message", message.toStdString()}}}});
}

// The status that tells a client what kind of refusal an error is. A permission refused by a service
// (Actor::require) is 403; every other Unauthorized is a sign-in problem, 401.
int statusFor(const Error &error)
{
    switch (error.kind) {
    case ErrorKind::Invalid:
        return 400;
    case ErrorKind::Unauthorized:
        return error.code == u"access.denied"_s ? 403 : 401;
    case ErrorKind::NotFound:
        return 404;
    case ErrorKind::Conflict:
    case ErrorKind::Configuration:
        return 409;
    case ErrorKind::Rejected:
        return 422;
    case ErrorKind::Transient:
        return 503;
    case ErrorKind::Internal:
        break;
    }
    return 500;
}

QHttpServerResponse errorResponse(const Error &error)
{
    const int status = statusFor(error);
    if (status == 500) {
        // The driver's words stay in the server's log: they can name tables, hosts and values.
        qCWarning(lcHttp) << "admin API:" << error.code << error.describe();
        return errorResponse(500, u"internal"_s, AdminApi::tr("The server could not answer; the reason is in its log."));
    }
    return errorResponse(status, error.code, error.message);
}

QByteArray methodName(QHttpServerRequest::Method method)
{
    using M = QHttpServerRequest::Method;
    switch (method) {
    case M::Get:
        return "GET";
    case M::Post:
        return "POST";
    case M::Put:
        return "PUT";
    case M::Delete:
        return "DELETE";
    case M::Patch:
        return "PATCH";
    default:
        return "OTHER";
    }
}

// Matches "/api/v1/calls/{callId}" against a request path; fills the {name} segments.
bool matches(const QString &pattern, const QStringList &segments, QHash<QString, QString> &captured)
{
    const QStringList parts = pattern.split(u'/');
    if (parts.size() != segments.size())
        return false;
    QHash<QString, QString> found;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString &part = parts.at(i);
        if (part.startsWith(u'{') && part.endsWith(u'}'))
            found.insert(part.mid(1, part.size() - 2), segments.at(i));
        else if (part != segments.at(i))
            return false;
    }
    captured = std::move(found);
    return true;
}

QString bearerToken(const QHttpServerRequest &request)
{
    for (const auto &[name, value] : request.headers()) {
        if (name.compare("authorization", Qt::CaseInsensitive) == 0 && value.size() > 7
            && value.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
            return QString::fromLatin1(value.mid(7).trimmed());
    }
    return {};
}

} // namespace

AdminApi::AdminApi(std::shared_ptr<Database> db, CredentialStore &credentials, WorkerPool *pool, RefusedRequests &refused, ServerConfig config,
                   QObject *parent)
    : QObject(parent)
    , m_sharedDb(std::move(db))
    , m_db(*m_sharedDb)
    , m_pool(pool)
    , m_refused(refused)
    , m_config(std::move(config))
    , m_sessions(std::make_unique<SessionStore>(m_db))
    , m_setup(std::make_unique<SetupHost>(m_db, credentials, m_config.endpoints, m_config.publicUrl))
    , m_live(new LiveUpdates(m_db, *m_sessions, m_config.liveIntervalMs, this))
{
    connect(m_setup.get(), &SetupHost::changed, m_live, &LiveUpdates::setupChanged);
    const ApiContext context{m_db, m_sharedDb, credentials, *m_sessions, m_pool, m_config, m_refused, *m_setup};
    m_routes << sessionRoutes(context) << callRoutes(context) << recordRoutes(context) << changeRoutes(context);
    m_routes << directoryRoutes(context) << secretRoutes(context) << appointmentRoutes(context) << customerRoutes(context);
    m_routes << savedViewRoutes(context) << inboxRoutes(context) << auditRoutes(context) << healthRoutes(context);
    m_routes << billingRoutes(context) << setupRoutes(context) << importRoutes(context);
    m_routes << messageRoutes(context) << templateRoutes(context);
}

AdminApi::~AdminApi() = default;

void AdminApi::setPublicUrl(const QString &publicUrl)
{
    m_setup->setPublicUrl(publicUrl);
}

void AdminApi::install(QHttpServer &server)
{
    m_live->install(server); // its route goes before the catch-all
    // One catch-all rule (Qt's QUrl converter takes the rest of the path, slashes included), so that the
    // route table alone decides what exists, and unknown paths and methods answer in the API's own shape.
    server.route(u"/api/v1/<arg>"_s, QHttpServerRequest::Method::AnyKnown,
                 [this](const QUrl &, const QHttpServerRequest &request) { return dispatch(request); });
}

QString AdminApi::clientAddress(const QHttpServerRequest &request) const
{
    return RefusedRequests::clientAddress(request, m_config.trustedProxies);
}

bool AdminApi::signInLimited(const QString &address)
{
    const qint64 now = nowMs();
    if (m_signInAttempts.size() > 10000) // forget old windows rather than grow without bound
        m_signInAttempts.removeIf([now](const auto &entry) { return now - entry.value().windowStart >= 60'000; });
    Attempts &attempts = m_signInAttempts[address];
    if (now - attempts.windowStart >= 60'000)
        attempts = Attempts{now, 0};
    return ++attempts.count > signInAttemptsPerMinute;
}

QHttpServerResponse AdminApi::dispatch(const QHttpServerRequest &request)
{
    const QString path = request.url().path(QUrl::FullyEncoded);
    if (request.body().size() > maxBodyBytes)
        return errorResponse(413, u"body.too_large"_s, tr("The request body is larger than %1 bytes.").arg(maxBodyBytes));
    QStringList segments = path.split(u'/');
    for (QString &segment : segments)
        segment = QUrl::fromPercentEncoding(segment.toUtf8());
    const QByteArray method = methodName(request.method());
    const ApiRoute *route = nullptr;
    QHash<QString, QString> captured;
    bool pathKnown = false;
    for (const ApiRoute &candidate : m_routes) {
        QHash<QString, QString> found;
        if (!matches(candidate.path, segments, found))
            continue;
        pathKnown = true;
        if (candidate.method == method) {
            route = &candidate;
            captured = std::move(found);
            break;
        }
    }
    if (!route)
        return pathKnown ? errorResponse(405, u"method.not_allowed"_s, tr("This path does not take %1.").arg(QString::fromLatin1(method)))
                         : errorResponse(404, u"route.unknown"_s, tr("No such API route."));

    ApiRequest api{request, {}, 0, clientAddress(request), std::move(captured), QUrlQuery(request.url()), nullptr};
    if (route->access == ApiRoute::Access::Public) {
        if (route->limitAttempts && signInLimited(api.clientAddress)) {
            qCInfo(lcSecurity) << "sign-in attempts over the limit from" << api.clientAddress;
            QHttpServerResponse limited = errorResponse(429, u"signin.rate_limited"_s, tr("Too many sign-in attempts; wait a minute."));
            limited.addHeader("Retry-After", "60");
            return limited;
        }
        // Failed sign-ins share the bucket of refused webhooks: an address that keeps being refused is turned
        // away before its password is even checked.
        if (route->limitAttempts && m_refused.limited(api.clientAddress)) {
            m_refused.recordLimited(u"admin"_s);
            QHttpServerResponse limited = errorResponse(429, u"refused.rate_limited"_s, tr("Too many refused requests from this address; try again later."));
            limited.addHeader("Retry-After", QByteArray::number(m_refused.retryAfterSeconds()));
            return limited;
        }
    } else {
        auto session = m_sessions->authenticate(bearerToken(request));
        if (!session) {
            if (session.error().kind != ErrorKind::Unauthorized)
                return errorResponse(session.error());
            return errorResponse(401, u"unauthorized"_s, tr("Sign in first."));
        }
        api.actor = session->actor;
        api.sessionId = session->sessionId;
        if (route->access == ApiRoute::Access::Permission && !api.actor.can(route->permission))
            return errorResponse(403, u"access.denied"_s,
                                 tr("Your role may not %1.").arg(AccessPolicy::permissionTitle(route->permission)));
    }
    if (!request.body().isEmpty()) {
        if (!jsonDepthWithin(request.body()))
            return errorResponse(400, u"body.too_deep"_s, tr("The request body nests deeper than %1 levels.").arg(maxJsonDepth));
        api.body = Json::parse(request.body().constBegin(), request.body().constEnd(), nullptr, false);
        if (api.body.is_discarded() || !api.body.is_object())
            return errorResponse(400, u"body.invalid"_s, tr("The request body must be a JSON object."));
    }
    auto reply = route->handler(api);
    if (!reply) {
        // A failed sign-in: counted, never sampled (its body holds a password).
        if (route->limitAttempts && statusFor(reply.error()) == 401)
            m_refused.record(u"admin"_s, u"sign_in"_s, api.clientAddress, {});
        return errorResponse(reply.error());
    }
    // Sign-out, revocation and user changes (role, password, deactivation) may end sessions that hold a live
    // socket: those are looked at now rather than at the next periodic check.
    if (method != "GET" && (route->path.startsWith(u"/api/v1/sessions"_s) || route->path.startsWith(u"/api/v1/users"_s)))
        m_live->recheckSessionsSoon();
    if (!reply->raw.isNull())
        return QHttpServerResponse(reply->contentType, reply->raw, QHttpServerResponder::StatusCode(reply->status));
    if (reply->status == 204)
        return QHttpServerResponse(QHttpServerResponder::StatusCode::NoContent);
    return jsonResponse(reply->status, reply->body);
}

} // namespace askpro
