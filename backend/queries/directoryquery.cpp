// Directory reads. Table and field names come only from the fixed Entity switch, never from callers.
#include "queries/directoryquery.h"

#include "db/database.h"
#include "queries/callquery.h"
#include "queries/keysetquery.h"
#include "queries/modelquery.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

Result<QList<NamedItem>> readItems(Result<QSqlQuery> q)
{
    if (!q)
        return q.error();
    QList<NamedItem> items;
    while (q->next())
        items.append({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toInt() != 0,
                      q->value(4).toString()});
    return items;
}

} // namespace

Result<QList<NamedItem>> DirectoryQuery::companies(Database &db)
{
    return readItems(db.exec(u"SELECT id, name, 0, active, '' FROM companies ORDER BY name, id"_s));
}

Result<QList<NamedItem>> DirectoryQuery::branches(Database &db, qint64 companyId)
{
    return readItems(db.exec(u"SELECT id, name, company_id, active, time_zone FROM branches WHERE (? = 0 OR company_id = ?) "
                             "ORDER BY active DESC, name, id"_s,
                             {companyId, companyId}));
}

Result<QList<NamedItem>> DirectoryQuery::staff(Database &db, qint64 branchId, qint64 companyId)
{
    return readItems(db.exec(u"SELECT id, name, COALESCE(branch_id, 0), active, '' FROM staff WHERE (? = 0 OR branch_id = ?) "
                             "AND (? = 0 OR company_id = ?) ORDER BY active DESC, name, id"_s,
                             {branchId, branchId, companyId, companyId}));
}

Result<QList<NamedItem>> DirectoryQuery::services(Database &db, qint64 companyId)
{
    return readItems(db.exec(u"SELECT id, name, company_id, active, '' FROM services WHERE (? = 0 OR company_id = ?) "
                             "ORDER BY active DESC, name, id"_s,
                             {companyId, companyId}));
}

QString DirectoryQuery::tableName(Entity entity)
{
    switch (entity) {
    case Entity::Company: return u"companies"_s;
    case Entity::Branch: return u"branches"_s;
    case Entity::Staff: return u"staff"_s;
    case Entity::Service: return u"services"_s;
    }
    return {};
}

QStringList DirectoryQuery::editableFields(Entity entity)
{
    switch (entity) {
    case Entity::Company: return {u"name"_s, u"address"_s, u"billing_email"_s, u"vat_id"_s, u"active"_s};
    case Entity::Branch: return {u"name"_s, u"address"_s, u"phone_e164"_s, u"time_zone"_s, u"active"_s};
    case Entity::Staff: return {u"name"_s, u"email"_s, u"calcom_user_id"_s, u"active"_s};
    case Entity::Service: return {u"name"_s, u"duration_minutes"_s, u"price_cents"_s, u"active"_s};
    }
    return {};
}

QStringList DirectoryQuery::parentFields(Entity entity)
{
    switch (entity) {
    case Entity::Company: return {};
    case Entity::Branch: return {u"company_id"_s};
    case Entity::Staff: return {u"company_id"_s, u"branch_id"_s};
    case Entity::Service: return {u"company_id"_s};
    }
    return {};
}

Result<QSqlQuery> DirectoryQuery::table(Database &db, Entity entity)
{
    // Named columns: the admin API sends each row as an object keyed by them, with every editable field, so
    // that an edit form needs no second read.
    switch (entity) {
    case Entity::Company:
        return runModelQuery(db, u"SELECT co.id AS id, co.name AS name, co.address AS address, co.billing_email AS billing_email, "
                       "co.vat_id AS vat_id, (SELECT COUNT(*) FROM branches b WHERE b.company_id = co.id) AS branches, co.active AS active "
                       "FROM companies co ORDER BY co.active DESC, co.name, co.id"_s, {}, u"The directory cannot be read"_s);
    case Entity::Branch:
        return runModelQuery(db, u"SELECT b.id AS id, b.company_id AS company_id, co.name AS company, b.name AS name, b.address AS address, "
                       "b.phone_e164 AS phone_e164, b.time_zone AS time_zone, b.active AS active "
                       "FROM branches b JOIN companies co ON co.id = b.company_id ORDER BY co.name, b.active DESC, b.name, b.id"_s, {},
                       u"The directory cannot be read"_s);
    case Entity::Staff:
        return runModelQuery(db, u"SELECT s.id AS id, s.company_id AS company_id, co.name AS company, s.branch_id AS branch_id, "
                       "COALESCE(b.name, '') AS branch, s.name AS name, s.email AS email, s.calcom_user_id AS calcom_user_id, s.active AS active "
                       "FROM staff s JOIN companies co ON co.id = s.company_id LEFT JOIN branches b ON b.id = s.branch_id "
                       "ORDER BY co.name, s.active DESC, s.name, s.id"_s, {}, u"The directory cannot be read"_s);
    case Entity::Service:
        return runModelQuery(db, u"SELECT sv.id AS id, sv.company_id AS company_id, co.name AS company, sv.name AS name, "
                       "sv.duration_minutes AS duration_minutes, sv.price_cents AS price_cents, "
                       "(SELECT COUNT(*) FROM event_type_mappings m WHERE m.service_id = sv.id) AS mappings, sv.active AS active "
                       "FROM services sv JOIN companies co ON co.id = sv.company_id ORDER BY co.name, sv.active DESC, sv.name, sv.id"_s, {},
                       u"The directory cannot be read"_s);
    }
    return makeError(ErrorKind::Invalid, u"directory.entity"_s, u"Unknown directory entity"_s);
}

Result<QVariantMap> DirectoryQuery::record(Database &db, Entity entity, qint64 id)
{
    const QStringList fields = editableFields(entity);
    auto q = db.exec(u"SELECT "_s + fields.join(u", "_s) + u" FROM "_s + tableName(entity) + u" WHERE id = ?"_s, {id});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"directory.not_found"_s, u"The record is gone"_s);
    QVariantMap map;
    for (int i = 0; i < fields.size(); ++i)
        map.insert(fields.at(i), q->value(i));
    return map;
}

namespace {

QString customerOrder(int column)
{
    switch (column) {
    case CustomerQuery::Id: return u"cu.id"_s;
    case CustomerQuery::Phone: return u"cu.phone_e164"_s;
    case CustomerQuery::Email: return u"cu.email"_s;
    case CustomerQuery::Company: return u"co.name"_s;
    case CustomerQuery::Calls: return u"call_count"_s;
    case CustomerQuery::Appointments: return u"appointment_count"_s;
    case CustomerQuery::LastCallAt: return u"last_call"_s;
    default: return u"lower(cu.name)"_s;
    }
}

} // namespace

Result<QSqlQuery> CustomerQuery::browse(Database &db, const QString &text, int sortColumn, Qt::SortOrder order)
{
    QString sql = u"SELECT cu.id, cu.name, cu.phone_e164, cu.email, co.name, "
                  "(SELECT COUNT(*) FROM calls c WHERE c.customer_id = cu.id) AS call_count, "
                  "(SELECT COUNT(*) FROM appointments a WHERE a.customer_id = cu.id) AS appointment_count, "
                  "(SELECT MAX(c.started_at) FROM calls c WHERE c.customer_id = cu.id) AS last_call "
                  "FROM customers cu JOIN companies co ON co.id = cu.company_id WHERE 1 = 1"_s;
    QVariantList params;
    if (!text.trimmed().isEmpty()) {
        const QString pattern = Database::containsPattern(text);
        sql += u" AND (lower(cu.name) LIKE ? ESCAPE '\\' OR cu.phone_e164 LIKE ? ESCAPE '\\' OR lower(cu.email) LIKE ? ESCAPE '\\')"_s;
        params << pattern << pattern << pattern;
    }
    const QString direction = order == Qt::AscendingOrder ? u" ASC"_s : u" DESC"_s;
    sql += u" ORDER BY "_s + customerOrder(sortColumn) + direction + u", cu.id"_s + direction;
    return runModelQuery(db, sql, params, u"The customers cannot be read"_s);
}

Result<CallPage> CustomerQuery::page(Database &db, const QString &text, qint64 companyId, int sortColumn, Qt::SortOrder order,
                                     const std::optional<CallCursor> &after, int limit)
{
    // The counts are correlated subqueries; keysetPage wraps this SELECT, so they can be sorted on like columns.
    QString sql = u"SELECT cu.id AS id, cu.name AS name, cu.phone_e164 AS phone, cu.email AS email, co.name AS company, "
                  "(SELECT COUNT(*) FROM calls c WHERE c.customer_id = cu.id) AS calls, "
                  "(SELECT COUNT(*) FROM appointments a WHERE a.customer_id = cu.id) AS appointments, "
                  "(SELECT MAX(c.started_at) FROM calls c WHERE c.customer_id = cu.id) AS last_call_at, "_s;
    // Keys are never NULL (a NULL never compares after a cursor).
    switch (sortColumn) {
    case Id: sql += u"cu.id"_s; break;
    case Phone: sql += u"COALESCE(cu.phone_e164, '')"_s; break;
    case Email: sql += u"COALESCE(cu.email, '')"_s; break;
    case Company: sql += u"co.name"_s; break;
    case Calls: sql += u"(SELECT COUNT(*) FROM calls c WHERE c.customer_id = cu.id)"_s; break;
    case Appointments: sql += u"(SELECT COUNT(*) FROM appointments a WHERE a.customer_id = cu.id)"_s; break;
    case LastCallAt: sql += u"COALESCE((SELECT MAX(c.started_at) FROM calls c WHERE c.customer_id = cu.id), 0)"_s; break;
    default: sql += u"lower(COALESCE(cu.name, ''))"_s; break;
    }
    sql += u" AS sort_key FROM customers cu JOIN companies co ON co.id = cu.company_id WHERE (? = 0 OR cu.company_id = ?)"_s;
    QVariantList params{companyId, companyId};
    if (!text.trimmed().isEmpty()) {
        const QString pattern = Database::containsPattern(text);
        sql += u" AND (lower(cu.name) LIKE ? ESCAPE '\\' OR cu.phone_e164 LIKE ? ESCAPE '\\' OR lower(cu.email) LIKE ? ESCAPE '\\')"_s;
        params << pattern << pattern << pattern;
    }
    return keysetPage(db, sql, params, ColumnCount, order == Qt::DescendingOrder, after, limit);
}

Result<QSqlQuery> CustomerQuery::calls(Database &db, qint64 customerId)
{
    return runModelQuery(db, u"SELECT c.id, COALESCE(c.started_at, c.created_at), "_s + callTimeZoneSql() + u", COALESCE(b.name, ''), c.outcome, "
                   "c.duration_ms FROM calls c LEFT JOIN branches b ON b.id = c.branch_id WHERE c.customer_id = ? "
                   "ORDER BY c.started_at DESC, c.id DESC"_s,
                   {customerId}, u"The customer cannot be read"_s);
}

Result<QSqlQuery> CustomerQuery::appointments(Database &db, qint64 customerId)
{
    return runModelQuery(db, u"SELECT a.id, a.starts_at, b.time_zone, b.name, COALESCE(sv.name, ''), COALESCE(s.name, ''), a.status "
                   "FROM appointments a JOIN branches b ON b.id = a.branch_id LEFT JOIN services sv ON sv.id = a.service_id "
                   "LEFT JOIN staff s ON s.id = a.staff_id WHERE a.customer_id = ? ORDER BY a.starts_at DESC, a.id DESC"_s,
                   {customerId}, u"The customer cannot be read"_s);
}

} // namespace askpro
