// Builds the call browser's SQL from fixed fragments; every value is a bound parameter.
#include "queries/callquery.h"

#include "db/database.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace askpro {

Result<QSqlQuery> CallQuery::browse(Database &db, const CallFilter &filter)
{
    QString sql = u"SELECT c.id, c.started_at, COALESCE(b.time_zone, 'UTC'), COALESCE(b.name, ''), c.from_number, "
                  "COALESCE(cu.name, ''), c.duration_ms, c.outcome, c.failure_reason, a.starts_at "
                  "FROM calls c LEFT JOIN branches b ON b.id = c.branch_id "
                  "LEFT JOIN customers cu ON cu.id = c.customer_id "
                  "LEFT JOIN appointments a ON a.call_id = c.id WHERE 1 = 1"_s;
    QVariantList params;
    if (filter.fromMs > 0) {
        sql += u" AND c.started_at >= ?"_s;
        params << filter.fromMs;
    }
    if (filter.toMs > 0) {
        sql += u" AND c.started_at < ?"_s;
        params << filter.toMs;
    }
    if (filter.companyId > 0) {
        sql += u" AND c.company_id = ?"_s;
        params << filter.companyId;
    }
    if (filter.branchId > 0) {
        sql += u" AND c.branch_id = ?"_s;
        params << filter.branchId;
    }
    if (filter.outcome == u"requested_unbooked"_s) {
        sql += u" AND c.appointment_requested = 1 AND a.id IS NULL"_s;
    } else if (!filter.outcome.isEmpty()) {
        sql += u" AND c.outcome = ?"_s;
        params << filter.outcome;
    }
    if (!filter.text.trimmed().isEmpty()) {
        const QString pattern = Database::containsPattern(filter.text);
        sql += u" AND (c.from_number LIKE ? ESCAPE '\\' OR lower(cu.name) LIKE ? ESCAPE '\\' OR lower(c.transcript) LIKE ? ESCAPE '\\')"_s;
        params << pattern << pattern << pattern;
    }
    sql += u" ORDER BY c.started_at DESC, c.id DESC"_s;

    auto conn = db.connection();
    if (!conn)
        return conn.error();
    QSqlQuery q(*conn);
    if (!q.prepare(sql))
        return Database::errorFrom(q.lastError(), u"Cannot prepare the call browser query"_s);
    for (const QVariant &p : params)
        q.addBindValue(Database::bindable(p));
    if (!q.exec())
        return Database::errorFrom(q.lastError(), u"The call browser query failed"_s);
    return q;
}

} // namespace askpro
