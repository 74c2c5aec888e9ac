// Builds the call browser's SQL from fixed fragments; every value is a bound parameter.
#include "queries/callquery.h"

#include "db/database.h"
#include "queries/modelquery.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// Whitelisted ORDER BY expressions, indexed by CallQuery::Column; nothing from the caller reaches the SQL.
QString orderExpression(int column)
{
    switch (column) {
    case CallQuery::Id: return u"c.id"_s;
    case CallQuery::Company: return u"COALESCE(co.name, '')"_s;
    case CallQuery::Branch: return u"COALESCE(b.name, '')"_s;
    case CallQuery::Caller: return u"c.from_number"_s;
    case CallQuery::Customer: return u"COALESCE(cu.name, '')"_s;
    case CallQuery::DurationMs: return u"c.duration_ms"_s;
    case CallQuery::Outcome: return u"c.outcome"_s;
    case CallQuery::FailureReason: return u"c.failure_reason"_s;
    case CallQuery::AppointmentStart: return u"COALESCE(a.starts_at, 0)"_s;
    default: return u"COALESCE(c.started_at, c.created_at)"_s;
    }
}

} // namespace

Result<CallsStamp> CallQuery::stamp(Database &db)
{
    auto q = db.exec(u"SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM calls"_s);
    if (!q)
        return q.error();
    CallsStamp s;
    if (q->next()) {
        s.count = q->value(0).toLongLong();
        s.maxUpdatedAt = q->value(1).toLongLong();
    }
    return s;
}

Result<QSqlQuery> CallQuery::browse(Database &db, const CallFilter &filter, int sortColumn, Qt::SortOrder order)
{
    QString sql = u"SELECT c.id, COALESCE(c.started_at, c.created_at), COALESCE(b.time_zone, 'UTC'), COALESCE(co.name, ''), "
                  "COALESCE(b.name, ''), c.from_number, "
                  "COALESCE(cu.name, ''), c.duration_ms, c.outcome, c.failure_reason, a.starts_at "
                  "FROM calls c LEFT JOIN branches b ON b.id = c.branch_id "
                  "LEFT JOIN companies co ON co.id = c.company_id "
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
        sql += u" AND c.appointment_requested = 1 AND c.outcome <> 'booked' AND (a.id IS NULL OR a.status = 'pending')"_s;
    } else if (!filter.outcome.isEmpty()) {
        sql += u" AND c.outcome = ?"_s;
        params << filter.outcome;
    }
    if (!filter.text.trimmed().isEmpty()) {
        const QString pattern = Database::containsPattern(filter.text);
        sql += u" AND (c.from_number LIKE ? ESCAPE '\\' OR lower(cu.name) LIKE ? ESCAPE '\\' OR lower(c.transcript) LIKE ? ESCAPE '\\')"_s;
        params << pattern << pattern << pattern;
    }
    const QString direction = order == Qt::AscendingOrder ? u" ASC"_s : u" DESC"_s;
    sql += u" ORDER BY "_s + orderExpression(sortColumn) + direction + u", c.id"_s + direction;

    return runModelQuery(db, sql, params, u"The call browser query failed"_s);
}

} // namespace askpro
