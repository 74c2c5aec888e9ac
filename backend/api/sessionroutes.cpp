// Sign-in, sign-out, who am I, and the sessions of each user (each device's own revocable credential).
#include "api/routefamilies.h"

#include "api/adminapi.h"
#include "db/database.h"
#include "demo/demoseeder.h"
#include "security/sessionstore.h"
#include "security/userstore.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

Json sessionJson(const SessionInfo &session, qint64 currentId)
{
    return Json{{"id", session.id},
                {"user_id", session.userId},
                {"client", session.clientName.toStdString()},
                {"address", session.address.toStdString()},
                {"created_at", session.createdAtMs},
                {"last_used_at", session.lastUsedAtMs},
                {"idle_expires_at", session.idleExpiresAtMs},
                {"expires_at", session.expiresAtMs},
                {"current", session.id == currentId}};
}

Json userJson(const UserRecord &user)
{
    Json json{{"id", user.id},
              {"username", user.username.toStdString()},
              {"display_name", user.displayName.toStdString()},
              {"role", AccessPolicy::roleCode(user.role).toStdString()},
              {"company_id", user.companyId > 0 ? Json(user.companyId) : Json(nullptr)},
              {"language", user.language.toStdString()},
              {"active", user.active},
              {"created_at", user.createdAtMs},
              {"last_sign_in_at", user.lastSignInAtMs ? Json(*user.lastSignInAtMs) : Json(nullptr)},
              {"locked_until", user.lockedUntilMs ? Json(*user.lockedUntilMs) : Json(nullptr)}};
    return json;
}

Json permissionsJson(Role role)
{
    Json list = Json::array();
    for (Permission permission : AccessPolicy::permissions(role))
        list.push_back(AccessPolicy::permissionCode(permission).toStdString());
    return list;
}

Result<Json> meJson(Database &db, const Actor &actor)
{
    auto user = UserStore(db).find(actor.userId);
    if (!user)
        return user.error();
    Json json = userJson(*user);
    json["permissions"] = permissionsJson(user->role);
    return json;
}

// The answer to a successful sign-in (or first administrator): a new session for this device and the user.
Result<ApiReply> signedIn(Database &db, SessionStore &sessions, const Actor &actor, const QString &client, const QString &address)
{
    auto opened = sessions.open(actor, client, address);
    if (!opened)
        return opened.error();
    auto me = meJson(db, actor);
    if (!me)
        return me.error();
    return ApiReply::json(Json{{"token", opened->token.toStdString()}, {"session", sessionJson(opened->info, opened->info.id)}, {"user", *me}},
                          201);
}

} // namespace

QList<ApiRoute> sessionRoutes(const ApiContext &context)
{
    Database &db = context.db;
    SessionStore &sessions = context.sessions;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"POST", u"/api/v1/sessions"_s, A::Public, {}, IdScope::None, true,
                   u"Sign in with user and password; answers a bearer token for this device"_s, [&db, &sessions](const ApiRequest &r) -> Result<ApiReply> {
                       auto user = r.bodyText("user");
                       if (!user)
                           return user.error();
                       auto password = r.bodyText("password");
                       if (!password)
                           return password.error();
                       auto client = r.bodyText("client", false);
                       if (!client)
                           return client.error();
                       auto actor = UserStore(db).signIn(*user, *password);
                       if (!actor)
                           return actor.error();
                       return signedIn(db, sessions, *actor, *client, r.clientAddress);
                   }});
    routes.append({"GET", u"/api/v1/status"_s, A::Public, {}, IdScope::None, false,
                   u"Whether the server still needs its first administrator, and a demo's sign-in accounts"_s,
                   [&db](const ApiRequest &) -> Result<ApiReply> {
                       auto hasUsers = UserStore(db).hasUsers();
                       if (!hasUsers)
                           return hasUsers.error();
                       Json status{{"needs_first_admin", !*hasUsers}, {"api_version", 1}};
                       // A demo's accounts share a published password; a real database answers none.
                       if (DemoSeeder::isDemoDatabase(db)) {
                           Json accounts = Json::array();
                           for (const QString &name : DemoSeeder::demoUsernames())
                               accounts.push_back(name.toStdString());
                           status["demo_accounts"] = accounts;
                           status["demo_password"] = DemoSeeder::demoPassword;
                       }
                       return ApiReply::json(status);
                   }});
    routes.append({"POST", u"/api/v1/first-admin"_s, A::Public, {}, IdScope::None, true,
                   u"Creates the first administrator of a server without users, from the server's own machine only; signs in"_s,
                   [&db, &sessions](const ApiRequest &r) -> Result<ApiReply> {
                       // Whoever reaches a fresh server first would own it: only its own machine may claim it (or
                       // the operator runs askpro-server users add there).
                       if (!QHostAddress(r.clientAddress).isLoopback())
                           return makeError(ErrorKind::Unauthorized, u"access.denied"_s,
                                            AdminApi::tr("The first administrator is created on the server's own machine."));
                       auto user = r.bodyText("user");
                       if (!user)
                           return user.error();
                       auto password = r.bodyText("password");
                       if (!password)
                           return password.error();
                       auto displayName = r.bodyText("display_name", false);
                       if (!displayName)
                           return displayName.error();
                       auto client = r.bodyText("client", false);
                       if (!client)
                           return client.error();
                       auto actor = UserStore(db).createFirstAdmin({*user, *displayName, *password, Role::Admin, {}, 0});
                       if (!actor)
                           return actor.error();
                       return signedIn(db, sessions, *actor, *client, r.clientAddress);
                   }});
    routes.append({"DELETE", u"/api/v1/sessions/current"_s, A::SignedIn, {}, IdScope::None, false,
                   u"Sign out: ends the session of this token"_s, [&sessions](const ApiRequest &r) -> Result<ApiReply> {
                       if (auto ended = sessions.end(r.actor, r.sessionId, u"signed out"_s); !ended)
                           return ended.error();
                       return ApiReply::noContent();
                   }});
    routes.append({"GET", u"/api/v1/me"_s, A::SignedIn, {}, IdScope::None, false,
                   u"The signed-in user with role, company and permissions"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto me = meJson(db, r.actor);
                       if (!me)
                           return me.error();
                       return ApiReply::json(*me);
                   }});
    routes.append({"GET", u"/api/v1/sessions"_s, A::SignedIn, {}, IdScope::None, false,
                   u"The signed-in user's own open sessions"_s, [&sessions](const ApiRequest &r) -> Result<ApiReply> {
                       auto list = sessions.list(r.actor, r.actor.userId);
                       if (!list)
                           return list.error();
                       Json items = Json::array();
                       for (const SessionInfo &session : *list)
                           items.push_back(sessionJson(session, r.sessionId));
                       return ApiReply::json(Json{{"items", items}});
                   }});
    routes.append({"DELETE", u"/api/v1/sessions/{sessionId}"_s, A::SignedIn, {}, IdScope::User, false,
                   u"Revokes a session: one's own, or anyone's with manage_users"_s, [&sessions](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"sessionId"_s);
                       if (!id)
                           return id.error();
                       if (auto ended = sessions.end(r.actor, *id, r.sessionId == *id ? u"signed out"_s : u"revoked"_s); !ended)
                           return ended.error();
                       return ApiReply::noContent();
                   }});
    routes.append({"GET", u"/api/v1/users"_s, A::Permission, Permission::ManageUsers, IdScope::None, false,
                   u"Every user, active first"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto users = UserStore(db).list(r.actor);
                       if (!users)
                           return users.error();
                       Json items = Json::array();
                       for (const UserRecord &user : *users)
                           items.push_back(userJson(user));
                       return ApiReply::json(Json{{"items", items}});
                   }});
    routes.append({"GET", u"/api/v1/users/{userId}/sessions"_s, A::Permission, Permission::ManageUsers, IdScope::User, false,
                   u"A user's open sessions: device, address, last use"_s, [&db, &sessions](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"userId"_s);
                       if (!id)
                           return id.error();
                       if (auto user = UserStore(db).find(*id); !user)
                           return user.error();
                       auto list = sessions.list(r.actor, *id);
                       if (!list)
                           return list.error();
                       Json items = Json::array();
                       for (const SessionInfo &session : *list)
                           items.push_back(sessionJson(session, r.sessionId));
                       return ApiReply::json(Json{{"items", items}});
                   }});
    return routes;
}

} // namespace askpro
