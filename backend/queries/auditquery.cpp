// Plain SELECTs over audit_log joined with users for the role at the time of reading.
#include "queries/auditquery.h"

#include "db/database.h"
#include "queries/keysetquery.h"
#include "queries/modelquery.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString orderExpression(int column)
{
    switch (column) {
    case AuditQuery::Id: return u"a.id"_s;
    case AuditQuery::Actor: return u"a.actor"_s;
    case AuditQuery::Role: return u"COALESCE(u.role, '')"_s;
    case AuditQuery::Action: return u"a.action"_s;
    case AuditQuery::Entity: return u"a.entity"_s;
    case AuditQuery::EntityId: return u"COALESCE(a.entity_id, 0)"_s;
    default: return u"a.at"_s;
    }
}

QString select(const AuditFilter &filter, const QString &zone, const QString &sortKey, QVariantList &params)
{
    QString sql = u"SELECT a.id, a.at, CAST(? AS TEXT), a.actor, COALESCE(u.role, ''), a.action, a.entity, a.entity_id"_s + sortKey
        + u" FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE 1 = 1"_s;
    params << zone;
    if (!filter.actor.isEmpty()) {
        sql += u" AND a.actor = ?"_s;
        params << filter.actor;
    }
    if (!filter.actionGroup.isEmpty()) {
        sql += u" AND a.action LIKE ? ESCAPE '\\'"_s;
        const QString escaped = Database::containsPattern(filter.actionGroup); // "%group%", escaped
        params << QString(escaped.mid(1, escaped.size() - 2) + u".%"_s);
    }
    if (!filter.entity.isEmpty()) {
        sql += u" AND a.entity = ?"_s;
        params << filter.entity;
    }
    if (filter.entityId > 0) {
        sql += u" AND a.entity_id = ?"_s;
        params << filter.entityId;
    }
    if (!filter.text.trimmed().isEmpty()) {
        const QString pattern = Database::containsPattern(filter.text);
        sql += u" AND (lower(a.before_json) LIKE ? ESCAPE '\\' OR lower(a.after_json) LIKE ? ESCAPE '\\' OR lower(a.actor) LIKE ? ESCAPE '\\')"_s;
        params << pattern << pattern << pattern;
    }
    if (filter.from.isValid()) {
        sql += u" AND a.at >= ?"_s;
        params << filter.from.toMSecsSinceEpoch();
    }
    if (filter.to.isValid()) {
        sql += u" AND a.at < ?"_s;
        params << filter.to.toMSecsSinceEpoch();
    }
    return sql;
}

} // namespace

Result<QSqlQuery> AuditQuery::browse(Database &db, const askpro::Actor &reader, const AuditFilter &filter, const QString &zone,
                                     int sortColumn, Qt::SortOrder order)
{
    if (auto allowed = reader.require(Permission::ViewAudit); !allowed)
        return allowed.error();
    QVariantList params;
    QString sql = select(filter, zone, QString(), params);
    const QString direction = order == Qt::AscendingOrder ? u" ASC"_s : u" DESC"_s;
    sql += u" ORDER BY "_s + orderExpression(sortColumn) + direction + u", a.id"_s + direction;
    return runModelQuery(db, sql, params, u"The audit log cannot be read"_s);
}

Result<CallPage> AuditQuery::page(Database &db, const askpro::Actor &reader, const AuditFilter &filter, const QString &zone, int sortColumn,
                                  Qt::SortOrder order, const std::optional<CallCursor> &after, int limit)
{
    if (auto allowed = reader.require(Permission::ViewAudit); !allowed)
        return allowed.error();
    QVariantList params;
    const QString sql = select(filter, zone, u", "_s + orderExpression(sortColumn) + u" AS sort_key"_s, params);
    return keysetPage(db, sql, params, ColumnCount, order == Qt::DescendingOrder, after, limit);
}

Result<AuditEntry> AuditQuery::entry(Database &db, const askpro::Actor &reader, qint64 id)
{
    if (auto allowed = reader.require(Permission::ViewAudit); !allowed)
        return allowed.error();
    auto q = db.exec(u"SELECT id, at, actor, action, entity, COALESCE(entity_id, 0), before_json, after_json FROM audit_log WHERE id = ?"_s, {id});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"audit.missing"_s, u"No audit entry %1"_s.arg(id));
    return AuditEntry{q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toString(), q->value(3).toString(),
                      q->value(4).toString(), q->value(5).toLongLong(), q->value(6).toString(), q->value(7).toString()};
}

Result<QStringList> AuditQuery::actors(Database &db, const askpro::Actor &reader)
{
    if (auto allowed = reader.require(Permission::ViewAudit); !allowed)
        return allowed.error();
    auto q = db.exec(u"SELECT DISTINCT actor FROM audit_log ORDER BY actor"_s);
    if (!q)
        return q.error();
    QStringList result;
    while (q->next())
        result << q->value(0).toString();
    return result;
}

Result<QStringList> AuditQuery::actionGroups(Database &db, const askpro::Actor &reader)
{
    if (auto allowed = reader.require(Permission::ViewAudit); !allowed)
        return allowed.error();
    auto q = db.exec(u"SELECT DISTINCT action FROM audit_log"_s);
    if (!q)
        return q.error();
    QStringList result;
    while (q->next()) {
        const QString group = q->value(0).toString().section(u'.', 0, 0);
        if (!result.contains(group))
            result << group;
    }
    result.sort();
    return result;
}

} // namespace askpro
