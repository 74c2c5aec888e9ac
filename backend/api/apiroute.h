// One route of the admin API (/api/v1): method, path pattern, who may call it and its handler. The route table
// (AdminApi::routes) is the single source for dispatch, the OpenAPI check and the role × company matrix test.
#pragma once

#include "core/result.h"
#include "security/accesspolicy.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QString>
#include <QUrlQuery>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

class QHttpServerRequest;

namespace askpro {

using Json = nlohmann::json;

struct ApiRequest
{
    const QHttpServerRequest &http;
    Actor actor;           // the signed-in user (empty for public routes)
    qint64 sessionId = 0;  // the session the token belongs to
    QString clientAddress; // the peer, or X-Forwarded-For's last hop when the peer is a trusted proxy
    QHash<QString, QString> path; // {name} segments of the pattern
    QUrlQuery query;
    Json body; // the parsed JSON body (null without one)

    // A path id: a positive integer, else Invalid naming the parameter.
    [[nodiscard]] Result<qint64> id(const QString &name) const;
    // An integer query parameter within [min, max]; fallback when absent; Invalid naming it otherwise.
    [[nodiscard]] Result<qint64> integer(const QString &name, qint64 fallback, qint64 min, qint64 max) const;
    // A query parameter from a fixed list of values; fallback when absent.
    [[nodiscard]] Result<QString> oneOf(const QString &name, const QStringList &allowed, const QString &fallback = {}) const;
    [[nodiscard]] QString text(const QString &name) const;
    // The company to read: a scoped actor's own (another company asked for: NotFound); platform staff's
    // company_id parameter or 0 for every company.
    [[nodiscard]] Result<qint64> companyScope() const;
    // A string field of the JSON body; Invalid naming it when missing (required) or not a string.
    [[nodiscard]] Result<QString> bodyText(const char *field, bool required = true) const;
};

struct ApiReply
{
    int status = 200;
    Json body;              // sent as JSON unless raw is set
    QByteArray raw;         // a document (PDF, XML, CSV) sent as it is
    QByteArray contentType; // for raw
    [[nodiscard]] static ApiReply json(Json body, int status = 200) { return ApiReply{status, std::move(body), {}, {}}; }
    [[nodiscard]] static ApiReply noContent() { return ApiReply{204, nullptr, {}, {}}; }
};

using ApiHandler = std::function<Result<ApiReply>(const ApiRequest &)>;

// How a route's path ids relate to the caller, for the matrix test and the OpenAPI description: the
// handler itself applies the scope in SQL.
enum class IdScope {
    None,    // no id in the path
    Company, // the id names a row of one company: another company's id answers 404 to a business account
    User,    // the id names a user or a user's session: one's own, or anyone's with ManageUsers
    Own,     // the id names a row of the caller's own (a saved view): another user's answers 404 to everyone
};

struct ApiRoute
{
    QByteArray method; // GET, POST, PATCH, DELETE
    QString path;      // "/api/v1/calls/{callId}"
    // Who may call it: public (no session), any signed-in user, or the holders of one permission.
    enum class Access { Public, SignedIn, Permission } access = Access::Permission;
    Permission permission = Permission::ViewCalls; // with Access::Permission
    IdScope idScope = IdScope::None;
    bool limitAttempts = false; // attempts per address and minute are limited (sign-in)
    QString summary; // one line, also in docs/api/openapi.json
    ApiHandler handler;
    // A valid JSON body for routes that need one: the route-matrix test sends it, so an allowed caller's
    // request is expected to succeed rather than to fail on its input. The matrix fills {companyId} (the
    // caller's company or the first one), {n} (a running number, for fields that must be unique) and
    // {password} (the test users' password).
    QByteArray sampleBody = {};
    // A valid query for routes that need one ("number=030%201234"), sent by the matrix test the same way.
    QByteArray sampleQuery = {};
};

} // namespace askpro
