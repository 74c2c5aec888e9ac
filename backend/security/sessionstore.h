// Signed-in sessions of the admin API: each device signs in once and then sends an opaque bearer token.
// Only the token's hash is stored; a session ends at sign-out, revocation, a password or role change,
// deactivation, after idleMs without use and absoluteMs after sign-in, whichever comes first.
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <functional>

namespace askpro {

class Database;

struct SessionInfo
{
    qint64 id = 0;
    qint64 userId = 0;
    QString clientName; // what the device called itself at sign-in, e.g. "askpro-admin on laptop-7"
    QString address;    // where it signed in from (the client's address, or X-Forwarded-For behind a trusted proxy)
    qint64 createdAtMs = 0;
    qint64 lastUsedAtMs = 0; // moved on at most once a minute
    qint64 idleExpiresAtMs = 0;
    qint64 expiresAtMs = 0;
};

struct OpenedSession
{
    QString token; // shown once, to the device that signed in; never stored
    SessionInfo info;
};

struct AuthenticatedSession
{
    Actor actor;
    qint64 sessionId = 0;
};

class SessionStore final
{
    Q_DECLARE_TR_FUNCTIONS(SessionStore)
public:
    using Clock = std::function<qint64()>;
    static constexpr qint64 idleMs = 12LL * 3600 * 1000;
    static constexpr qint64 absoluteMs = 30LL * 24 * 3600 * 1000;
    // last_used_at is written at most this often, so a polling client does not write on every request.
    static constexpr qint64 touchEveryMs = 60 * 1000;

    explicit SessionStore(Database &db, Clock clock = nowMs);

    // A new session for an actor that UserStore::signIn has just accepted. The token has 256 random bits.
    [[nodiscard]] Result<OpenedSession> open(const Actor &actor, const QString &clientName, const QString &address);
    // The actor behind a token, with the role and company the user has now. Unauthorized (code
    // "session.invalid", one message whatever the reason) for an unknown, ended or expired token or an
    // inactive user; an expired session is marked ended on the way.
    [[nodiscard]] Result<AuthenticatedSession> authenticate(const QString &token);
    // Ends one session (sign-out: the session itself; revocation: ManageUsers, or the user's own session).
    // NotFound for a session of another user that `by` may not see.
    [[nodiscard]] Status end(const Actor &by, qint64 sessionId, const QString &reason);
    // The user's open sessions, newest use first: the user's own, or anyone's with ManageUsers.
    [[nodiscard]] Result<QList<SessionInfo>> list(const Actor &by, qint64 userId);
    // Ends every open session of a user; joins the caller's transaction (UserStore calls it with a password,
    // role or activation change).
    // exceptSessionId: a session that stays open (the one that changed its own password).
    [[nodiscard]] static Status endAllOf(Database &db, qint64 userId, const QString &reason, qint64 exceptSessionId = 0);

    [[nodiscard]] static QString tokenHash(const QString &token);

private:
    Database &m_db;
    Clock m_clock;
};

} // namespace askpro
