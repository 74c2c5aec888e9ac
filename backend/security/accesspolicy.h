// Who may do what: the roles, the permissions the backend checks, and the actor every service call carries,
// so that a service's permission check, its company scope and its audit row name the same person.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QVariant>

#include <optional>

namespace askpro {

// Platform roles (AskProAI's own staff, every company) and business roles (one company's people, the
// customer portal): a business role always comes with a company, a platform role never.
enum class Role { Admin, Owner, Support, Onboarding, CompanyOwner, CompanyStaff };

enum class Permission {
    ViewCalls,          // calls, failed calls
    ViewPayloads,       // the webhook inbox and raw provider payloads
    ManageCalls,        // retry, correct, resolve, replay
    ViewAppointments,
    ManageAppointments, // cancel, reschedule, no-show
    ViewCustomers,
    EditCustomers,      // change customers' data, import customer lists
    ViewDirectory,      // companies, branches, staff, services
    EditDirectory,
    RunSetup,           // the new-business wizard
    ViewBilling,        // invoices, usage, reconciliation
    ManageBilling,      // mark paid, credit notes, resend
    ViewHealth,
    ViewAudit,
    ManageUsers,
    ManageSecrets,      // provider credentials and their rotation
    EditTemplates,      // the texts of the messages to callers (a business account: its own company's)
};

class AccessPolicy final
{
    Q_DECLARE_TR_FUNCTIONS(AccessPolicy)
public:
    [[nodiscard]] static bool allows(Role role, Permission permission);
    [[nodiscard]] static QList<Permission> permissions(Role role);
    [[nodiscard]] static QList<Role> roles();
    [[nodiscard]] static bool isBusinessRole(Role role);
    // The stable name stored in users.role: "admin", "owner", "support", "onboarding", "company_owner",
    // "company_staff".
    [[nodiscard]] static QString roleCode(Role role);
    [[nodiscard]] static std::optional<Role> roleFromCode(const QString &code);
    // The stable name of a permission in the admin API and its OpenAPI file: "view_calls", "manage_users" …
    [[nodiscard]] static QString permissionCode(Permission permission);
    // Translated, for screens.
    [[nodiscard]] static QString roleTitle(Role role);
    [[nodiscard]] static QString permissionTitle(Permission permission);
};

struct Actor
{
    qint64 userId = 0; // 0: the server itself, or a command run by the machine's administrator
    QString username;
    Role role = Role::Admin;
    qint64 companyId = 0; // the one company a business account acts for; 0: platform staff, every company

    // The server's own work and the server's commands: whoever can run them already holds the database
    // and the key file, so they act with every permission; their audit rows carry this name.
    [[nodiscard]] static Actor system(const QString &name);
    [[nodiscard]] static Actor user(qint64 userId, const QString &username, Role role, qint64 companyId = 0);

    [[nodiscard]] bool can(Permission permission) const { return AccessPolicy::allows(role, permission); }
    // Unauthorized, naming the missing permission, when this actor may not.
    [[nodiscard]] Status require(Permission permission) const;
    // users.id for audit rows: NULL for the system.
    [[nodiscard]] QVariant userIdValue() const;
    // Whether this actor is bound to one company; queries then bind companyId as their scope.
    [[nodiscard]] bool isScoped() const { return companyId > 0; }
    // companies.id for audit rows: NULL for platform staff.
    [[nodiscard]] QVariant companyIdValue() const;
};

} // namespace askpro
