// Appointment reads; every filter value is bound, ORDER BY comes from a fixed list.
#include "queries/appointmentquery.h"

#include "core/clock.h"
#include "db/database.h"
#include "queries/keysetquery.h"
#include "queries/modelquery.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString orderExpression(int column)
{
    switch (column) {
    case AppointmentQuery::Id: return u"a.id"_s;
    case AppointmentQuery::Branch: return u"b.name"_s;
    case AppointmentQuery::Staff: return u"COALESCE(s.name, '')"_s;
    case AppointmentQuery::Service: return u"COALESCE(sv.name, '')"_s;
    case AppointmentQuery::Customer: return u"COALESCE(cu.name, '')"_s;
    case AppointmentQuery::Status: return u"a.status"_s;
    case AppointmentQuery::SyncState: return u"a.sync_state"_s;
    case AppointmentQuery::CallId: return u"COALESCE(a.call_id, 0)"_s;
    default: return u"a.starts_at"_s;
    }
}

} // namespace

QString AppointmentQuery::select(const AppointmentFilter &filter, const QString &extraColumns, QVariantList &params)
{
    QString sql = u"SELECT a.id AS id, a.starts_at AS starts_at, b.time_zone AS time_zone, b.name AS branch, COALESCE(s.name, '') AS staff, "
                  "COALESCE(sv.name, '') AS service, COALESCE(cu.name, '') AS customer, a.status AS status, a.sync_state AS sync_state, "
                  "a.call_id AS call_id"_s
        + extraColumns
        + u" FROM appointments a JOIN branches b ON b.id = a.branch_id LEFT JOIN staff s ON s.id = a.staff_id "
          "LEFT JOIN services sv ON sv.id = a.service_id LEFT JOIN customers cu ON cu.id = a.customer_id WHERE 1 = 1"_s;
    const qint64 now = filter.nowMs > 0 ? filter.nowMs : nowMs();
    switch (filter.tab) {
    case AppointmentFilter::Tab::Upcoming:
        sql += u" AND a.starts_at >= ? AND a.status NOT IN ('cancelled', 'rescheduled')"_s;
        params << now;
        break;
    case AppointmentFilter::Tab::Past:
        sql += u" AND a.starts_at < ? AND a.status NOT IN ('cancelled', 'rescheduled')"_s;
        params << now;
        break;
    case AppointmentFilter::Tab::Cancelled:
        sql += u" AND a.status IN ('cancelled', 'rescheduled')"_s;
        break;
    case AppointmentFilter::Tab::All:
        break;
    }
    if (filter.companyId > 0) {
        sql += u" AND a.company_id = ?"_s;
        params << filter.companyId;
    }
    if (filter.branchId > 0) {
        sql += u" AND a.branch_id = ?"_s;
        params << filter.branchId;
    }
    if (filter.staffId > 0) {
        sql += u" AND a.staff_id = ?"_s;
        params << filter.staffId;
    }
    if (filter.serviceId > 0) {
        sql += u" AND a.service_id = ?"_s;
        params << filter.serviceId;
    }
    if (!filter.status.isEmpty()) {
        sql += u" AND a.status = ?"_s;
        params << filter.status;
    }
    if (filter.fromMs > 0) {
        sql += u" AND a.starts_at >= ?"_s;
        params << filter.fromMs;
    }
    if (filter.toMs > 0) {
        sql += u" AND a.starts_at < ?"_s;
        params << filter.toMs;
    }
    if (!filter.text.trimmed().isEmpty()) {
        const QString pattern = Database::containsPattern(filter.text);
        sql += u" AND (lower(COALESCE(cu.name, '')) LIKE ? ESCAPE '\\' OR COALESCE(cu.phone_e164, '') LIKE ? ESCAPE '\\')"_s;
        params << pattern << pattern;
    }
    return sql;
}

Result<QSqlQuery> AppointmentQuery::browse(Database &db, const AppointmentFilter &filter, int sortColumn, Qt::SortOrder order)
{
    QVariantList params;
    QString sql = select(filter, QString(), params);
    const QString direction = order == Qt::AscendingOrder ? u" ASC"_s : u" DESC"_s;
    sql += u" ORDER BY "_s + orderExpression(sortColumn) + direction + u", a.id"_s + direction;
    return runModelQuery(db, sql, params, u"The appointments cannot be read"_s);
}

Result<CallPage> AppointmentQuery::page(Database &db, const AppointmentFilter &filter, int sortColumn, Qt::SortOrder order,
                                        const std::optional<CallCursor> &after, int limit)
{
    QVariantList params;
    const QString sql = select(filter, u", "_s + orderExpression(sortColumn) + u" AS sort_key"_s, params);
    return keysetPage(db, sql, params, ColumnCount, order == Qt::DescendingOrder, after, limit);
}

Result<QList<CalendarEntry>> AppointmentQuery::range(Database &db, qint64 branchId, qint64 staffId, qint64 fromMs, qint64 toMs,
                                                     qint64 companyId)
{
    auto q = db.exec(u"SELECT a.id, a.starts_at, a.ends_at, a.status, a.sync_state, COALESCE(cu.name, ''), COALESCE(sv.name, ''), "
                     "COALESCE(s.name, '') FROM appointments a LEFT JOIN customers cu ON cu.id = a.customer_id "
                     "LEFT JOIN services sv ON sv.id = a.service_id LEFT JOIN staff s ON s.id = a.staff_id "
                     "WHERE (? = 0 OR a.branch_id = ?) AND (? = 0 OR a.company_id = ?) AND (? = 0 OR a.staff_id = ?) "
                     "AND a.starts_at < ? AND a.ends_at > ? ORDER BY a.starts_at, a.id"_s,
                     {branchId, branchId, companyId, companyId, staffId, staffId, toMs, fromMs});
    if (!q)
        return q.error();
    QList<CalendarEntry> entries;
    while (q->next())
        entries.append({q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toLongLong(), q->value(3).toString(),
                        q->value(4).toString(), q->value(5).toString(), q->value(6).toString(), q->value(7).toString()});
    return entries;
}

Result<std::optional<AppointmentDetail>> AppointmentQuery::detail(Database &db, qint64 appointmentId)
{
    auto q = db.exec(u"SELECT a.id, a.company_id, b.name, b.time_zone, a.starts_at, a.ends_at, a.status, a.sync_state, a.sync_error, "
                     "COALESCE(a.calcom_booking_uid, ''), COALESCE(sv.name, ''), COALESCE(s.name, ''), COALESCE(a.customer_id, 0), "
                     "COALESCE(cu.name, ''), COALESCE(cu.phone_e164, ''), COALESCE(cu.email, ''), COALESCE(a.call_id, 0), "
                     "COALESCE(c.started_at, 0), COALESCE(c.outcome, ''), a.notes, a.cancellation_reason "
                     "FROM appointments a JOIN branches b ON b.id = a.branch_id LEFT JOIN services sv ON sv.id = a.service_id "
                     "LEFT JOIN staff s ON s.id = a.staff_id LEFT JOIN customers cu ON cu.id = a.customer_id "
                     "LEFT JOIN calls c ON c.id = a.call_id WHERE a.id = ?"_s,
                     {appointmentId});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<AppointmentDetail>();
    AppointmentDetail d;
    int i = 0;
    const auto next = [&q, &i] { return q->value(i++); };
    d.id = next().toLongLong();
    d.companyId = next().toLongLong();
    d.branchName = next().toString();
    d.timeZone = next().toString();
    d.startsAt = next().toLongLong();
    d.endsAt = next().toLongLong();
    d.status = next().toString();
    d.syncState = next().toString();
    d.syncError = next().toString();
    d.bookingUid = next().toString();
    d.serviceName = next().toString();
    d.staffName = next().toString();
    d.customerId = next().toLongLong();
    d.customerName = next().toString();
    d.customerPhone = next().toString();
    d.customerEmail = next().toString();
    d.callId = next().toLongLong();
    d.callStartedAt = next().toLongLong();
    d.callOutcome = next().toString();
    d.notes = next().toString();
    d.cancellationReason = next().toString();
    return std::optional<AppointmentDetail>(std::move(d));
}

} // namespace askpro
