// The people who sign in to AskPro Admin: creation (the first administrator on the first start), sign-in
// with lockout after repeated failures, roles, passwords and deactivation. Every change is audited;
// managing users needs Permission::ManageUsers, and the last active administrator cannot be removed.
#pragma once

#include "core/result.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

namespace askpro {

class Database;

struct UserRecord
{
    qint64 id = 0;
    QString username;
    QString displayName;
    Role role = Role::Support;
    qint64 companyId = 0; // business roles only
    QString language; // "de", "en" or empty for the system's
    bool active = true;
    qint64 createdAtMs = 0;
    std::optional<qint64> lastSignInAtMs;
    std::optional<qint64> lockedUntilMs;
};

struct NewUser
{
    QString username;
    QString displayName;
    QString password;
    Role role = Role::Support;
    QString language;
    qint64 companyId = 0; // required for a business role, refused for a platform role
};

struct UserChanges
{
    std::optional<QString> displayName;
    std::optional<Role> role;
    std::optional<QString> language;
    std::optional<bool> active;
    std::optional<qint64> companyId; // with a change between platform and business roles
};

class UserStore final
{
    Q_DECLARE_TR_FUNCTIONS(UserStore)
public:
    explicit UserStore(Database &db);

    [[nodiscard]] Result<bool> hasUsers();
    // Creates the first user as administrator; Conflict once any user exists (two first starts at once
    // cannot both win: the check and the insert share one transaction).
    [[nodiscard]] Result<Actor> createFirstAdmin(const NewUser &user);
    // The signed-in actor, or Unauthorized with a message that does not tell which part was wrong.
    // Five failures in a row lock the account for lockMinutes; a successful sign-in clears the count.
    // The actor carries the user's company (business roles).
    [[nodiscard]] Result<Actor> signIn(const QString &username, const QString &password);

    [[nodiscard]] Result<qint64> create(const Actor &by, const NewUser &user);
    [[nodiscard]] Result<QList<UserRecord>> list(const Actor &by);
    // A change of role, company or activation ends the user's sessions in the same transaction.
    [[nodiscard]] Status update(const Actor &by, qint64 userId, const UserChanges &changes);
    // A new password ends the user's sessions but keepSessionId (the device that changed its own password). An
    // administrator sets anyone's password (and so unlocks the account); everyone else only their own, with their
    // current password (checked for anyone who gives it).
    [[nodiscard]] Status setPassword(const Actor &by, qint64 userId, const QString &newPassword, const QString &currentPassword = {},
                                     qint64 keepSessionId = 0);
    // The actor's own record (the name and language shown after sign-in).
    [[nodiscard]] Result<UserRecord> find(qint64 userId);

    static constexpr int maxFailedSignIns = 5;
    static constexpr int lockMinutes = 15;

private:
    [[nodiscard]] QString usernameProblem(const QString &username) const;
    // Invalid when a business role comes without a company (or one that does not exist) or a platform role
    // with one.
    [[nodiscard]] Status companyProblem(Role role, qint64 companyId);
    [[nodiscard]] Result<qint64> insert(const NewUser &user, const Actor &auditAs, bool firstAdmin);
    [[nodiscard]] Result<int> activeAdmins(qint64 exceptUserId);
    Database &m_db;
};

} // namespace askpro
