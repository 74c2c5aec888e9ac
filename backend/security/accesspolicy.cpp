// The role table lives here and nowhere else: pages, menus and services all ask AccessPolicy.
#include "security/accesspolicy.h"


using namespace Qt::StringLiterals;

namespace askpro {

QList<Permission> AccessPolicy::permissions(Role role)
{
    using P = Permission;
    switch (role) {
    case Role::Admin:
        return {P::ViewCalls,     P::ViewPayloads,  P::ManageCalls, P::ViewAppointments, P::ManageAppointments,
                P::ViewCustomers, P::EditCustomers, P::ViewDirectory, P::EditDirectory, P::RunSetup, P::ViewBilling,
                P::ManageBilling, P::ViewHealth,    P::ViewAudit,   P::ManageUsers,      P::ManageSecrets, P::EditTemplates};
    case Role::Owner: // invoices and usage, and everything else to read
        return {P::ViewCalls,     P::ViewPayloads, P::ViewAppointments, P::ViewCustomers, P::ViewDirectory,
                P::ViewBilling,   P::ManageBilling, P::ViewHealth,      P::ViewAudit};
    case Role::Support:
        return {P::ViewCalls,          P::ViewPayloads,  P::ManageCalls,   P::ViewAppointments,
                P::ManageAppointments, P::ViewCustomers, P::EditCustomers, P::ViewHealth};
    case Role::Onboarding:
        // A new business's customer list comes in with its setup (the customer import).
        return {P::RunSetup, P::EditCustomers, P::ViewDirectory, P::EditDirectory, P::ViewHealth, P::EditTemplates};
    // The customer portal: a business's own calls and appointments; never the inbox, raw payloads, provider
    // keys, the audit log, users or another company (the company scope is applied in SQL by every route).
    case Role::CompanyOwner:
        return {P::ViewCalls,     P::ViewAppointments, P::ManageAppointments, P::ViewCustomers,
                P::EditCustomers, P::ViewBilling,      P::ViewHealth,         P::EditTemplates};
    case Role::CompanyStaff:
        return {P::ViewCalls, P::ViewAppointments, P::ManageAppointments};
    }
    return {};
}

bool AccessPolicy::allows(Role role, Permission permission)
{
    return permissions(role).contains(permission);
}

QList<Role> AccessPolicy::roles()
{
    return {Role::Admin, Role::Owner, Role::Support, Role::Onboarding, Role::CompanyOwner, Role::CompanyStaff};
}

bool AccessPolicy::isBusinessRole(Role role)
{
    return role == Role::CompanyOwner || role == Role::CompanyStaff;
}

QString AccessPolicy::roleCode(Role role)
{
    switch (role) {
    case Role::Admin:
        return u"admin"_s;
    case Role::Owner:
        return u"owner"_s;
    case Role::Support:
        return u"support"_s;
    case Role::Onboarding:
        return u"onboarding"_s;
    case Role::CompanyOwner:
        return u"company_owner"_s;
    case Role::CompanyStaff:
        return u"company_staff"_s;
    }
    return {};
}

std::optional<Role> AccessPolicy::roleFromCode(const QString &code)
{
    for (Role role : roles()) {
        if (roleCode(role) == code)
            return role;
    }
    return std::nullopt;
}

QString AccessPolicy::permissionCode(Permission permission)
{
    switch (permission) {
    case Permission::ViewCalls:
        return u"view_calls"_s;
    case Permission::ViewPayloads:
        return u"view_payloads"_s;
    case Permission::ManageCalls:
        return u"manage_calls"_s;
    case Permission::ViewAppointments:
        return u"view_appointments"_s;
    case Permission::ManageAppointments:
        return u"manage_appointments"_s;
    case Permission::ViewCustomers:
        return u"view_customers"_s;
    case Permission::EditCustomers:
        return u"edit_customers"_s;
    case Permission::ViewDirectory:
        return u"view_directory"_s;
    case Permission::EditDirectory:
        return u"edit_directory"_s;
    case Permission::RunSetup:
        return u"run_setup"_s;
    case Permission::ViewBilling:
        return u"view_billing"_s;
    case Permission::ManageBilling:
        return u"manage_billing"_s;
    case Permission::ViewHealth:
        return u"view_health"_s;
    case Permission::ViewAudit:
        return u"view_audit"_s;
    case Permission::ManageUsers:
        return u"manage_users"_s;
    case Permission::ManageSecrets:
        return u"manage_secrets"_s;
    case Permission::EditTemplates:
        return u"edit_templates"_s;
    }
    return {};
}

QString AccessPolicy::roleTitle(Role role)
{
    switch (role) {
    case Role::Admin:
        return tr("Administrator");
    case Role::Owner:
        return tr("Owner");
    case Role::Support:
        return tr("Support");
    case Role::Onboarding:
        return tr("Onboarding");
    case Role::CompanyOwner:
        return tr("Business owner");
    case Role::CompanyStaff:
        return tr("Business staff");
    }
    return {};
}

QString AccessPolicy::permissionTitle(Permission permission)
{
    switch (permission) {
    case Permission::ViewCalls:
        return tr("view calls");
    case Permission::ViewPayloads:
        return tr("view the webhook inbox and raw payloads");
    case Permission::ManageCalls:
        return tr("retry and resolve calls");
    case Permission::ViewAppointments:
        return tr("view appointments");
    case Permission::ManageAppointments:
        return tr("change appointments");
    case Permission::ViewCustomers:
        return tr("view customers");
    case Permission::EditCustomers:
        return tr("change and import customers");
    case Permission::ViewDirectory:
        return tr("view companies");
    case Permission::EditDirectory:
        return tr("edit companies, branches, staff and services");
    case Permission::RunSetup:
        return tr("set up new businesses");
    case Permission::ViewBilling:
        return tr("view invoices and usage");
    case Permission::ManageBilling:
        return tr("change invoices");
    case Permission::ViewHealth:
        return tr("view system health");
    case Permission::ViewAudit:
        return tr("read the audit log");
    case Permission::ManageUsers:
        return tr("manage users");
    case Permission::ManageSecrets:
        return tr("manage provider credentials");
    case Permission::EditTemplates:
        return tr("edit message texts");
    }
    return {};
}

Actor Actor::system(const QString &name)
{
    return Actor{0, name.isEmpty() ? u"system"_s : name, Role::Admin};
}

Actor Actor::user(qint64 userId, const QString &username, Role role, qint64 companyId)
{
    return Actor{userId, username, role, companyId};
}

Status Actor::require(Permission permission) const
{
    if (can(permission))
        return {};
    return makeError(ErrorKind::Unauthorized, u"access.denied"_s,
                     AccessPolicy::tr("%1 (%2) may not %3.").arg(username, AccessPolicy::roleTitle(role), AccessPolicy::permissionTitle(permission)));
}

QVariant Actor::userIdValue() const
{
    return userId > 0 ? QVariant(userId) : QVariant();
}

QVariant Actor::companyIdValue() const
{
    return companyId > 0 ? QVariant(companyId) : QVariant();
}

} // namespace askpro
