// Sessions live in the sessions table (migration 0008); tokens never do, only their SHA-256: a token has
// 256 random bits, so a fast hash is enough (nothing to guess), and a copy of the database signs nobody in.
#include "security/sessionstore.h"

#include "core/logging.h"
#include "db/database.h"
#include "support/auditlog.h"

#include <QCryptographicHash>
#include <QSqlQuery>

#include <nlohmann/json.hpp>
#include <sodium.h>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString jsonText(const nlohmann::json &object)
{
    return QString::fromStdString(object.dump());
}

Error invalidSession()
{
    return makeError(ErrorKind::Unauthorized, u"session.invalid"_s, SessionStore::tr("Signed out: please sign in again."));
}

const QString selectSession =
    u"SELECT id, user_id, client_name, address, created_at, last_used_at, idle_expires_at, expires_at FROM sessions "_s;

SessionInfo infoFrom(const QSqlQuery &q)
{
    return SessionInfo{q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toString(),
                       q.value(4).toLongLong(), q.value(5).toLongLong(), q.value(6).toLongLong(), q.value(7).toLongLong()};
}

} // namespace

SessionStore::SessionStore(Database &db, Clock clock)
    : m_db(db)
    , m_clock(std::move(clock))
{
}

QString SessionStore::tokenHash(const QString &token)
{
    return QString::fromLatin1(QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex());
}

Result<OpenedSession> SessionStore::open(const Actor &actor, const QString &clientName, const QString &address)
{
    if (actor.userId <= 0)
        return makeError(ErrorKind::Invalid, u"session.user"_s, tr("Only a user can sign in."));
    if (sodium_init() < 0)
        return makeError(ErrorKind::Internal, u"session.random"_s, tr("No source of random numbers."));
    QByteArray random(32, Qt::Uninitialized);
    randombytes_buf(random.data(), size_t(random.size()));
    OpenedSession opened;
    opened.token = QString::fromLatin1(random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    sodium_memzero(random.data(), size_t(random.size()));
    const qint64 now = m_clock();
    opened.info = SessionInfo{0, actor.userId, clientName.left(200), address.left(100), now, now, now + idleMs, now + absoluteMs};
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto id = m_db.insert(u"INSERT INTO sessions (token_hash, user_id, client_name, address, created_at, last_used_at, idle_expires_at, "
                          "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                          {tokenHash(opened.token), actor.userId, opened.info.clientName, opened.info.address, now, now,
                           opened.info.idleExpiresAtMs, opened.info.expiresAtMs});
    if (!id)
        return id.error();
    opened.info.id = *id;
    if (auto logged = AuditLog(m_db).write(actor, u"session.open"_s, u"session"_s, *id, QString(),
                                           jsonText({{"client", opened.info.clientName.toStdString()},
                                                     {"address", opened.info.address.toStdString()}}));
        !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return opened;
}

Result<AuthenticatedSession> SessionStore::authenticate(const QString &token)
{
    if (token.isEmpty() || token.size() > 200)
        return invalidSession();
    auto q = m_db.exec(u"SELECT s.id, s.last_used_at, s.idle_expires_at, s.expires_at, u.id, u.username, u.role, COALESCE(u.company_id, 0), "
                       "u.active FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.ended_at IS NULL"_s,
                       {tokenHash(token)});
    if (!q)
        return q.error();
    if (!q->next())
        return invalidSession();
    const qint64 id = q->value(0).toLongLong();
    const qint64 lastUsed = q->value(1).toLongLong();
    const qint64 idleExpires = q->value(2).toLongLong();
    const qint64 expires = q->value(3).toLongLong();
    const auto role = AccessPolicy::roleFromCode(q->value(6).toString());
    const Actor actor = Actor::user(q->value(4).toLongLong(), q->value(5).toString(), role.value_or(Role::CompanyStaff), q->value(7).toLongLong());
    const bool active = q->value(8).toInt() != 0;
    q->finish();
    const qint64 now = m_clock();
    if (!active || !role || now >= idleExpires || now >= expires) {
        const QString reason = !active ? u"deactivated"_s : now >= expires ? u"expired"_s : u"idle"_s;
        auto ended = m_db.exec(u"UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL"_s, {now, reason, id});
        if (!ended)
            return ended.error();
        qCInfo(lcSecurity) << "session" << id << "ended:" << reason;
        return invalidSession();
    }
    if (now - lastUsed >= touchEveryMs) {
        auto touched = m_db.exec(u"UPDATE sessions SET last_used_at = ?, idle_expires_at = ? WHERE id = ? AND ended_at IS NULL"_s,
                                 {now, now + idleMs, id});
        if (!touched)
            return touched.error();
    }
    return AuthenticatedSession{actor, id};
}

Status SessionStore::end(const Actor &by, qint64 sessionId, const QString &reason)
{
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto owner = m_db.scalar(u"SELECT user_id FROM sessions WHERE id = ? AND ended_at IS NULL"_s, {sessionId});
    if (!owner)
        return owner.error();
    // Someone else's session is "not found" unless `by` manages users, so ids do not reveal sessions.
    if (owner->isNull() || (owner->toLongLong() != by.userId && !by.can(Permission::ManageUsers)))
        return makeError(ErrorKind::NotFound, u"session.missing"_s, tr("Session %1 does not exist or has ended.").arg(sessionId));
    auto ended = m_db.exec(u"UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?"_s, {m_clock(), reason, sessionId});
    if (!ended)
        return ended.error();
    if (auto logged = AuditLog(m_db).write(by, u"session.end"_s, u"session"_s, sessionId, QString(),
                                           jsonText({{"user_id", owner->toLongLong()}, {"reason", reason.toStdString()}}));
        !logged)
        return logged.error();
    return tx.commit();
}

Result<QList<SessionInfo>> SessionStore::list(const Actor &by, qint64 userId)
{
    if (by.userId != userId) {
        if (auto allowed = by.require(Permission::ManageUsers); !allowed)
            return allowed.error();
    }
    auto q = m_db.exec(selectSession + u"WHERE user_id = ? AND ended_at IS NULL AND idle_expires_at > ? AND expires_at > ? "
                                       "ORDER BY last_used_at DESC, id DESC"_s,
                       {userId, m_clock(), m_clock()});
    if (!q)
        return q.error();
    QList<SessionInfo> sessions;
    while (q->next())
        sessions.append(infoFrom(*q));
    return sessions;
}

Status SessionStore::endAllOf(Database &db, qint64 userId, const QString &reason, qint64 exceptSessionId)
{
    auto q = db.exec(u"UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL AND id <> ?"_s,
                     {nowMs(), reason, userId, exceptSessionId});
    if (!q)
        return q.error();
    return {};
}

} // namespace askpro
