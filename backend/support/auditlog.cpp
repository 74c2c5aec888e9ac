// Audit rows are plain inserts; the database refuses updates and deletes (migration 0003).
#include "support/auditlog.h"

#include "core/clock.h"
#include "db/database.h"

using namespace Qt::StringLiterals;

namespace askpro {

AuditLog::AuditLog(Database &db)
    : m_db(db)
{
}

Status AuditLog::write(const Actor &actor, const QString &action, const QString &entity, qint64 entityId, const QString &beforeJson,
                       const QString &afterJson)
{
    auto q = m_db.exec(u"INSERT INTO audit_log (at, user_id, company_id, actor, action, entity, entity_id, before_json, after_json) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                       {nowMs(), actor.userIdValue(), actor.companyIdValue(), actor.username.isEmpty() ? u"unknown"_s : actor.username,
                        action, entity, entityId > 0 ? QVariant(entityId) : Database::null(), beforeJson, afterJson});
    if (!q)
        return q.error();
    return {};
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
