// The queue is small by nature (calls someone must look at), so it is read whole and grouped by the page.
#include "queries/triagequery.h"

#include "db/callparties.h"
#include "db/database.h"
#include "queries/callquery.h"

using namespace Qt::StringLiterals;

namespace askpro {

Result<QList<TriageItem>> TriageQuery::unresolved(Database &db, qint64 companyId, int limit)
{
    auto q = db.exec(u"SELECT c.id, COALESCE(c.started_at, c.created_at), "_s + callTimeZoneSql() + u", COALESCE(co.name, ''), "
                     "COALESCE(b.name, ''), "_s + CallParties::otherNumberSql(u"c"_s) + u", COALESCE(cu.name, ''), c.outcome, c.failure_kind, c.failure_reason "
                     "FROM calls c LEFT JOIN branches b ON b.id = c.branch_id LEFT JOIN companies co ON co.id = c.company_id "
                     "LEFT JOIN customers cu ON cu.id = c.customer_id LEFT JOIN appointments a ON a.call_id = c.id "
                     "WHERE (? = 0 OR c.company_id = ?) AND c.resolved_at IS NULL AND (c.outcome IN ('failed', 'needs_callback') OR "
                     "(c.appointment_requested = 1 AND c.outcome <> 'booked' AND (a.id IS NULL OR a.status = 'pending'))) "
                     "ORDER BY COALESCE(c.started_at, c.created_at) DESC, c.id DESC LIMIT ?"_s,
                     {companyId, companyId, limit});
    if (!q)
        return q.error();
    QList<TriageItem> items;
    while (q->next()) {
        TriageItem t;
        t.callId = q->value(0).toLongLong();
        t.startedAt = q->value(1).toLongLong();
        t.timeZone = q->value(2).toString();
        t.companyName = q->value(3).toString();
        t.branchName = q->value(4).toString();
        t.caller = q->value(5).toString();
        t.customerName = q->value(6).toString();
        t.outcome = q->value(7).toString();
        const QString kind = q->value(8).toString();
        t.reason = q->value(9).toString();
        if (t.outcome == u"failed"_s)
            t.category = kind == u"configuration"_s || kind == u"transient"_s || kind == u"rejected"_s ? kind : u"failed"_s;
        else if (t.outcome == u"needs_callback"_s)
            t.category = u"needs_callback"_s;
        else
            t.category = u"requested_unbooked"_s;
        items.append(std::move(t));
    }
    return items;
}

} // namespace askpro
