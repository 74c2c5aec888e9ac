// Users live in the users table; hashes never leave this file, and audit rows carry names and roles only.
#include "security/userstore.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "security/passwordhasher.h"
#include "security/sessionstore.h"
#include "support/auditlog.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString jsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject auditView(const UserRecord &user)
{
    return {{u"username"_s, user.username},
            {u"display_name"_s, user.displayName},
            {u"role"_s, AccessPolicy::roleCode(user.role)},
            {u"language"_s, user.language},
            {u"company_id"_s, user.companyId},
            {u"active"_s, user.active}};
}

UserRecord recordFrom(const QSqlQuery &q)
{
    UserRecord user;
    user.id = q.value(0).toLongLong();
    user.username = q.value(1).toString();
    user.displayName = q.value(2).toString();
    user.role = AccessPolicy::roleFromCode(q.value(3).toString()).value_or(Role::Support);
    user.language = q.value(4).toString();
    user.active = q.value(5).toInt() != 0;
    user.createdAtMs = q.value(6).toLongLong();
    if (!q.value(7).isNull())
        user.lastSignInAtMs = q.value(7).toLongLong();
    if (!q.value(8).isNull())
        user.lockedUntilMs = q.value(8).toLongLong();
    user.companyId = q.value(9).toLongLong();
    return user;
}

const QString selectUser =
    u"SELECT id, username, display_name, role, language, active, created_at, last_login_at, locked_until, COALESCE(company_id, 0) "
    "FROM users "_s;

// A hash to verify against when the name is unknown, so that an unknown name costs as long as a wrong password.
const QString &decoyHash()
{
    static const QString hash = PasswordHasher::hash(u"decoy password that matches nothing"_s).value();
    return hash;
}

Error rejectedSignIn()
{
    return makeError(ErrorKind::Unauthorized, u"signin.failed"_s, UserStore::tr("The user name or the password is wrong."));
}

} // namespace

UserStore::UserStore(Database &db) : m_db(db) {}

Result<bool> UserStore::hasUsers()
{
    auto count = m_db.scalar(u"SELECT COUNT(*) FROM users"_s);
    if (!count)
        return count.error();
    return count->toLongLong() > 0;
}

QString UserStore::usernameProblem(const QString &username) const
{
    static const QRegularExpression allowed(u"^[a-z0-9][a-z0-9._@-]{2,63}$"_s);
    if (!allowed.match(username).hasMatch())
        return tr("A user name has 3 to 64 characters: lower-case letters, digits and . _ @ -, starting with a letter or digit.");
    return {};
}

Status UserStore::companyProblem(Role role, qint64 companyId)
{
    if (!AccessPolicy::isBusinessRole(role)) {
        if (companyId > 0)
            return makeError(ErrorKind::Invalid, u"user.company"_s,
                             tr("%1 is a role of AskProAI's own staff and belongs to no company.").arg(AccessPolicy::roleTitle(role)));
        return {};
    }
    if (companyId <= 0)
        return makeError(ErrorKind::Invalid, u"user.company"_s, tr("%1 needs the company the account belongs to.").arg(AccessPolicy::roleTitle(role)));
    auto exists = m_db.scalar(u"SELECT COUNT(*) FROM companies WHERE id = ?"_s, {companyId});
    if (!exists)
        return exists.error();
    if (exists->toLongLong() == 0)
        return makeError(ErrorKind::Invalid, u"user.company"_s, tr("Company %1 does not exist.").arg(companyId));
    return {};
}

Result<qint64> UserStore::insert(const NewUser &user, const Actor &auditAs, bool firstAdmin)
{
    const QString username = user.username.trimmed().toLower();
    if (const QString problem = usernameProblem(username); !problem.isEmpty())
        return makeError(ErrorKind::Invalid, u"user.name"_s, problem);
    if (const QString problem = PasswordHasher::weakness(user.password); !problem.isEmpty())
        return makeError(ErrorKind::Invalid, u"user.password"_s, problem);
    if (!user.language.isEmpty() && user.language != u"de"_s && user.language != u"en"_s)
        return makeError(ErrorKind::Invalid, u"user.language"_s, tr("The language must be de, en or empty."));
    if (auto company = companyProblem(user.role, user.companyId); !company)
        return company.error();
    auto hash = PasswordHasher::hash(user.password);
    if (!hash)
        return hash.error();

    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    if (firstAdmin) {
        auto existing = hasUsers();
        if (!existing)
            return existing.error();
        if (*existing)
            return makeError(ErrorKind::Conflict, u"user.first_exists"_s, tr("The first administrator has already been created."));
    }
    auto taken = m_db.scalar(u"SELECT COUNT(*) FROM users WHERE username = ?"_s, {username});
    if (!taken)
        return taken.error();
    if (taken->toLongLong() > 0)
        return makeError(ErrorKind::Conflict, u"user.exists"_s, tr("The user name %1 is taken.").arg(username));
    const qint64 now = nowMs();
    auto q = m_db.exec(u"INSERT INTO users (username, display_name, password_hash, role, company_id, language, active, created_at, "
                       "password_changed_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id"_s,
                       {username, user.displayName.trimmed(), *hash, AccessPolicy::roleCode(user.role),
                        user.companyId > 0 ? QVariant(user.companyId) : Database::null(), user.language, now, now});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::Internal, u"user.insert"_s, tr("The user could not be stored."));
    const qint64 id = q->value(0).toLongLong();
    q->finish();
    UserRecord record{id, username, user.displayName.trimmed(), user.role, user.companyId, user.language, true, now, {}, {}};
    const Actor auditor = firstAdmin ? Actor::user(id, username, Role::Admin) : auditAs;
    if (auto logged = AuditLog(m_db).write(auditor, u"user.create"_s, u"user"_s, id, QString(), jsonText(auditView(record))); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return id;
}

Result<Actor> UserStore::createFirstAdmin(const NewUser &user)
{
    NewUser admin = user;
    admin.role = Role::Admin;
    auto id = insert(admin, Actor{}, true);
    if (!id)
        return id.error();
    return Actor::user(*id, admin.username.trimmed().toLower(), Role::Admin);
}

Result<qint64> UserStore::create(const Actor &by, const NewUser &user)
{
    if (auto allowed = by.require(Permission::ManageUsers); !allowed)
        return allowed.error();
    return insert(user, by, false);
}

Result<Actor> UserStore::signIn(const QString &username, const QString &password)
{
    const QString name = username.trimmed().toLower();
    auto q = m_db.exec(u"SELECT id, password_hash, role, active, failed_sign_ins, locked_until, COALESCE(company_id, 0) FROM users "
                       "WHERE username = ?"_s,
                       {name});
    if (!q)
        return q.error();
    if (!q->next()) {
        (void)PasswordHasher::verify(decoyHash(), password);
        qCInfo(lcSecurity) << "sign-in refused: unknown user name";
        return rejectedSignIn();
    }
    const qint64 id = q->value(0).toLongLong();
    const QString hash = q->value(1).toString();
    const auto role = AccessPolicy::roleFromCode(q->value(2).toString());
    const bool active = q->value(3).toInt() != 0;
    const int failures = q->value(4).toInt();
    const qint64 lockedUntil = q->value(5).isNull() ? 0 : q->value(5).toLongLong();
    const qint64 companyId = q->value(6).toLongLong();
    q->finish();
    const qint64 now = nowMs();
    if (lockedUntil > now) {
        qCInfo(lcSecurity) << "sign-in refused: account" << id << "is locked";
        return makeError(ErrorKind::Unauthorized, u"signin.locked"_s,
                         tr("This account is locked for %n more minute(s) after too many failed sign-ins.", nullptr,
                            int((lockedUntil - now + 59'999) / 60'000)));
    }
    const bool matches = PasswordHasher::verify(hash, password);
    const Actor actor = Actor::user(id, name, role.value_or(Role::Support), companyId);

    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    if (!matches || !active || !role) {
        // Counted in the statement itself: parallel attempts each add one, none is lost to a count read earlier.
        const int step = matches ? 0 : 1;
        auto updated = m_db.exec(u"UPDATE users SET failed_sign_ins = CASE WHEN failed_sign_ins + ? >= ? THEN 0 ELSE failed_sign_ins + ? END, "
                                 "locked_until = CASE WHEN failed_sign_ins + ? >= ? THEN CAST(? AS BIGINT) ELSE NULL END "
                                 "WHERE id = ? RETURNING failed_sign_ins, locked_until"_s,
                                 {step, maxFailedSignIns, step, step, maxFailedSignIns, now + qint64(lockMinutes) * 60'000, id});
        if (!updated)
            return updated.error();
        int count = failures + step;
        bool lock = count >= maxFailedSignIns;
        if (updated->next()) {
            lock = !updated->value(1).isNull();
            count = lock ? maxFailedSignIns : updated->value(0).toInt();
        }
        updated->finish();
        const QString reason = !matches ? u"wrong password"_s : u"inactive"_s;
        if (auto logged = AuditLog(m_db).write(actor, lock ? u"user.locked"_s : u"user.sign_in_failed"_s, u"user"_s, id, QString(),
                                               jsonText({{u"reason"_s, reason}, {u"failures"_s, count}}));
            !logged)
            return logged.error();
        if (auto committed = tx.commit(); !committed)
            return committed.error();
        qCInfo(lcSecurity) << "sign-in refused for account" << id << ":" << reason;
        if (matches && !active)
            return makeError(ErrorKind::Unauthorized, u"signin.inactive"_s, tr("This account has been deactivated."));
        return rejectedSignIn();
    }
    QVariantList params{now};
    QString sql = u"UPDATE users SET last_login_at = ?, failed_sign_ins = 0, locked_until = NULL"_s;
    if (PasswordHasher::needsRehash(hash)) {
        auto rehashed = PasswordHasher::hash(password);
        if (rehashed) {
            sql += u", password_hash = ?"_s;
            params.append(*rehashed);
        }
    }
    params.append(id);
    auto updated = m_db.exec(sql + u" WHERE id = ?"_s, params);
    if (!updated)
        return updated.error();
    if (auto logged = AuditLog(m_db).write(actor, u"user.sign_in"_s, u"user"_s, id, QString(), QString()); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return actor;
}

Result<QList<UserRecord>> UserStore::list(const Actor &by)
{
    if (auto allowed = by.require(Permission::ManageUsers); !allowed)
        return allowed.error();
    auto q = m_db.exec(selectUser + u"ORDER BY active DESC, username"_s);
    if (!q)
        return q.error();
    QList<UserRecord> users;
    while (q->next())
        users.append(recordFrom(*q));
    return users;
}

Result<UserRecord> UserStore::find(qint64 userId)
{
    auto q = m_db.exec(selectUser + u"WHERE id = ?"_s, {userId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"user.missing"_s, tr("User %1 does not exist.").arg(userId));
    return recordFrom(*q);
}

Result<int> UserStore::activeAdmins(qint64 exceptUserId)
{
    auto count = m_db.scalar(u"SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?"_s, {exceptUserId});
    if (!count)
        return count.error();
    return count->toInt();
}

Status UserStore::update(const Actor &by, qint64 userId, const UserChanges &changes)
{
    if (auto allowed = by.require(Permission::ManageUsers); !allowed)
        return allowed.error();
    if (changes.language && !changes.language->isEmpty() && *changes.language != u"de"_s && *changes.language != u"en"_s)
        return makeError(ErrorKind::Invalid, u"user.language"_s, tr("The language must be de, en or empty."));
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto before = find(userId);
    if (!before)
        return before.error();
    UserRecord after = *before;
    if (changes.displayName)
        after.displayName = changes.displayName->trimmed();
    if (changes.role)
        after.role = *changes.role;
    if (changes.language)
        after.language = *changes.language;
    if (changes.active)
        after.active = *changes.active;
    if (changes.companyId)
        after.companyId = *changes.companyId;
    else if (!AccessPolicy::isBusinessRole(after.role))
        after.companyId = 0;
    if (auto company = companyProblem(after.role, after.companyId); !company)
        return company.error();
    const bool losesAdmin = before->role == Role::Admin && before->active && (after.role != Role::Admin || !after.active);
    if (losesAdmin) {
        auto others = activeAdmins(userId);
        if (!others)
            return others.error();
        if (*others == 0)
            return makeError(ErrorKind::Conflict, u"user.last_admin"_s,
                             tr("%1 is the last active administrator; make someone else administrator first.").arg(before->username));
    }
    auto q = m_db.exec(u"UPDATE users SET display_name = ?, role = ?, company_id = ?, language = ?, active = ?, "
                       "failed_sign_ins = CASE WHEN ? = 1 THEN 0 ELSE failed_sign_ins END, "
                       "locked_until = CASE WHEN ? = 1 THEN NULL ELSE locked_until END WHERE id = ?"_s,
                       {after.displayName, AccessPolicy::roleCode(after.role), after.companyId > 0 ? QVariant(after.companyId) : Database::null(),
                        after.language, after.active ? 1 : 0, after.active && !before->active ? 1 : 0,
                        after.active && !before->active ? 1 : 0, userId});
    if (!q)
        return q.error();
    // What a session may do was decided at sign-in: a new role, company or deactivation needs a new one.
    if (after.role != before->role || after.companyId != before->companyId || (before->active && !after.active)) {
        const QString reason = !after.active ? u"deactivated"_s : u"role changed"_s;
        if (auto ended = SessionStore::endAllOf(m_db, userId, reason); !ended)
            return ended.error();
    }
    if (auto logged = AuditLog(m_db).write(by, u"user.update"_s, u"user"_s, userId, jsonText(auditView(*before)), jsonText(auditView(after)));
        !logged)
        return logged.error();
    return tx.commit();
}

Status UserStore::setPassword(const Actor &by, qint64 userId, const QString &newPassword, const QString &currentPassword, qint64 keepSessionId)
{
    const bool self = by.userId == userId && by.userId > 0;
    if (!self) {
        if (auto allowed = by.require(Permission::ManageUsers); !allowed)
            return allowed.error();
    }
    if (const QString problem = PasswordHasher::weakness(newPassword); !problem.isEmpty())
        return makeError(ErrorKind::Invalid, u"user.password"_s, problem);
    auto stored = m_db.scalar(u"SELECT password_hash FROM users WHERE id = ?"_s, {userId});
    if (!stored)
        return stored.error();
    if (stored->isNull())
        return makeError(ErrorKind::NotFound, u"user.missing"_s, tr("User %1 does not exist.").arg(userId));
    // A current password that is given is always checked, also an administrator's (changing their own).
    if (self && (!by.can(Permission::ManageUsers) || !currentPassword.isNull()) && !PasswordHasher::verify(stored->toString(), currentPassword))
        return makeError(ErrorKind::Unauthorized, u"user.current_password"_s, tr("The current password is wrong."));
    auto hash = PasswordHasher::hash(newPassword);
    if (!hash)
        return hash.error();
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto q = m_db.exec(u"UPDATE users SET password_hash = ?, password_changed_at = ?, failed_sign_ins = 0, locked_until = NULL WHERE id = ?"_s,
                       {*hash, nowMs(), userId});
    if (!q)
        return q.error();
    if (auto ended = SessionStore::endAllOf(m_db, userId, u"password changed"_s, keepSessionId); !ended)
        return ended.error();
    if (auto logged = AuditLog(m_db).write(by, u"user.password"_s, u"user"_s, userId, QString(), jsonText({{u"password_changed"_s, true}}));
        !logged)
        return logged.error();
    return tx.commit();
}

} // namespace askpro
