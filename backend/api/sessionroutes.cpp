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

// A role named in a body field; Invalid naming the field for an unknown one.
Result<std::optional<Role>> roleField(const ApiRequest &r, const char *field)
{
    auto code = r.bodyText(field, false);
    if (!code)
        return code.error();
    if (code->isNull())
        return std::optional<Role>();
    auto role = AccessPolicy::roleFromCode(*code);
    if (!role)
        return makeError(ErrorKind::Invalid, u"parameter."_s + QString::fromLatin1(field),
                         AdminApi::tr("Parameter %1: one of admin, owner, support, onboarding, company_owner, company_staff is expected.")
                             .arg(QString::fromLatin1(field)));
    return role;
}

// company_id of a body: absent (nullopt), null (0: AskProAI's own staff) or a positive id.
Result<std::optional<qint64>> companyField(const ApiRequest &r)
{
    if (!r.body.is_object() || !r.body.contains("company_id"))
        return std::optional<qint64>();
    const Json &value = r.body.at("company_id");
    if (value.is_null())
        return std::optional<qint64>(0);
    if (!value.is_number_integer() || value.get<qint64>() < 0)
        return makeError(ErrorKind::Invalid, u"parameter.company_id"_s,
                         AdminApi::tr("Parameter %1: %2.").arg(u"company_id"_s, AdminApi::tr("a positive whole number is expected")));
    return std::optional<qint64>(value.get<qint64>());
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
    routes.append({"POST", u"/api/v1/users"_s, A::Permission, Permission::ManageUsers, IdScope::None, false,
                   u"Adds a user (a business role with its company); answers the new user"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto username = r.bodyText("username");
                       if (!username)
                           return username.error();
                       auto password = r.bodyText("password");
                       if (!password)
                           return password.error();
                       auto displayName = r.bodyText("display_name", false);
                       if (!displayName)
                           return displayName.error();
                       auto language = r.bodyText("language", false);
                       if (!language)
                           return language.error();
                       auto role = roleField(r, "role");
                       if (!role)
                           return role.error();
                       auto company = companyField(r);
                       if (!company)
                           return company.error();
                       UserStore store(db);
                       auto id = store.create(r.actor, {*username, *displayName, *password, role->value_or(Role::Support), *language,
                                                        company->value_or(0)});
                       if (!id)
                           return id.error();
                       auto user = store.find(*id);
                       if (!user)
                           return user.error();
                       return ApiReply::json(userJson(*user), 201);
                   },
                   QByteArray(R"({"username": "neu-{n}", "display_name": "Neu", "password": "ein langes passwort", "role": "support"})")});
    routes.append({"PATCH", u"/api/v1/users/{userId}"_s, A::Permission, Permission::ManageUsers, IdScope::User, false,
                   u"Changes a user's name, role, company, language or activation; a new role, company or deactivation ends their sessions"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"userId"_s);
                       if (!id)
                           return id.error();
                       UserChanges changes;
                       auto displayName = r.bodyText("display_name", false);
                       if (!displayName)
                           return displayName.error();
                       if (!displayName->isNull())
                           changes.displayName = *displayName;
                       auto language = r.bodyText("language", false);
                       if (!language)
                           return language.error();
                       if (!language->isNull())
                           changes.language = *language;
                       auto role = roleField(r, "role");
                       if (!role)
                           return role.error();
                       changes.role = *role;
                       auto company = companyField(r);
                       if (!company)
                           return company.error();
                       changes.companyId = *company;
                       if (r.body.is_object() && r.body.contains("active")) {
                           if (!r.body.at("active").is_boolean())
                               return makeError(ErrorKind::Invalid, u"parameter.active"_s,
                                                AdminApi::tr("Parameter %1: %2.").arg(u"active"_s, AdminApi::tr("true or false is expected")));
                           changes.active = r.body.at("active").get<bool>();
                       }
                       UserStore store(db);
                       if (auto found = store.find(*id); !found)
                           return found.error();
                       if (auto changed = store.update(r.actor, *id, changes); !changed)
                           return changed.error();
                       auto user = store.find(*id);
                       if (!user)
                           return user.error();
                       return ApiReply::json(userJson(*user));
                   },
                   QByteArray(R"({"display_name": "Umbenannt"})")});
    routes.append({"POST", u"/api/v1/users/{userId}/password"_s, A::Permission, Permission::ManageUsers, IdScope::User, false,
                   u"Sets a user's password (and unlocks the account); ends all their sessions"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"userId"_s);
                       if (!id)
                           return id.error();
                       auto password = r.bodyText("password");
                       if (!password)
                           return password.error();
                       if (auto changed = UserStore(db).setPassword(r.actor, *id, *password); !changed)
                           return changed.error();
                       return ApiReply::noContent();
                   },
                   QByteArray(R"({"password": "{password}"})")});
    routes.append({"POST", u"/api/v1/me/password"_s, A::SignedIn, {}, IdScope::None, false,
                   u"Changes the signed-in user's own password (the current one required); ends their other sessions"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto current = r.bodyText("current_password");
                       if (!current)
                           return current.error();
                       auto password = r.bodyText("password");
                       if (!password)
                           return password.error();
                       // The current password is checked for everyone, administrators included. A wrong one is a refusal
                       // (422), not a 401: this device's session stays valid.
                       if (current->isEmpty())
                           return makeError(ErrorKind::Rejected, u"user.current_password"_s, UserStore::tr("The current password is wrong."));
                       if (auto changed = UserStore(db).setPassword(r.actor, r.actor.userId, *password, *current, r.sessionId); !changed) {
                           if (changed.error().code == u"user.current_password"_s)
                               return makeError(ErrorKind::Rejected, changed.error().code, changed.error().message);
                           return changed.error();
                       }
                       return ApiReply::noContent();
                   },
                   QByteArray(R"({"current_password": "{password}", "password": "{password}"})")});
    return routes;
}

} // namespace askpro
