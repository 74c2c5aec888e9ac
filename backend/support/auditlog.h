// The append-only audit trail: who changed what, when, with the state before and after.
// Written by the support, appointment and directory services inside their own transactions.
#pragma once

#include "core/result.h"
#include "security/accesspolicy.h"

#include <QString>

namespace askpro {

class Database;

class AuditLog final
{
public:
    explicit AuditLog(Database &db);

    // Appends one row; joins the caller's open transaction. before/after are JSON texts (may be empty)
    // and never hold a secret or a password hash.
    [[nodiscard]] Status write(const Actor &actor, const QString &action, const QString &entity, qint64 entityId,
                               const QString &beforeJson, const QString &afterJson);
    // For work no signed-in person started (the server's commands name the machine's user).
    [[nodiscard]] Status write(const QString &actor, const QString &action, const QString &entity, qint64 entityId,
                               const QString &beforeJson, const QString &afterJson);

private:
    Database &m_db;
};

} // namespace askpro
