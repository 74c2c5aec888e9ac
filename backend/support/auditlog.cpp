// Audit rows are plain inserts; user_id stays NULL until sign-in supplies a real user.
#include "support/auditlog.h"

#include "core/clock.h"
#include "db/database.h"

using namespace Qt::StringLiterals;

namespace askpro {

AuditLog::AuditLog(Database &db)
    : m_db(db)
{
}

Status AuditLog::write(const QString &actor, const QString &action, const QString &entity, qint64 entityId,
                       const QString &beforeJson, const QString &afterJson)
{
    auto q = m_db.exec(u"INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                       {nowMs(), actor.isEmpty() ? u"unknown"_s : actor, action, entity,
                        entityId > 0 ? QVariant(entityId) : Database::null(), beforeJson, afterJson});
    if (!q)
        return q.error();
    return {};
}

} // namespace askpro
