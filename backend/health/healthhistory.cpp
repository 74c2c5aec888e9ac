// Health dashboard queries.
#include "health/healthhistory.h"

#include "db/database.h"
#include "health/metrics.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
Result<QList<CheckRow>> rows(Result<QSqlQuery> q)
{
    if (!q)
        return q.error();
    QList<CheckRow> result;
    while (q->next())
        result.append({q->value(0).toString(), q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toString(),
                       q->value(4).toLongLong()});
    return result;
}
} // namespace

Result<QList<CheckRow>> HealthHistory::latest(Database &db)
{
    return rows(db.exec(u"SELECT h.check_name, h.state, h.latency_ms, h.message, h.checked_at FROM health_checks h "
                        "WHERE h.id = (SELECT MAX(l.id) FROM health_checks l WHERE l.check_name = h.check_name) ORDER BY h.check_name"_s));
}

Result<QList<CheckRow>> HealthHistory::since(Database &db, qint64 sinceMs)
{
    return rows(db.exec(u"SELECT check_name, state, latency_ms, message, checked_at FROM health_checks WHERE checked_at >= ? "
                        "ORDER BY checked_at, id"_s,
                        {sinceMs}));
}

Result<QList<SuccessMetric>> HealthHistory::successMetrics(Database &db, qint64 nowMs)
{
    constexpr qint64 day = 24 * 60 * 60 * 1000;
    QList<SuccessMetric> metrics;
    auto calls = db.exec(u"SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'failed' THEN 1 ELSE 0 END), 0), "
                         "COALESCE(SUM(appointment_requested), 0), "
                         "COALESCE(SUM(CASE WHEN appointment_requested = 1 AND outcome = 'booked' THEN 1 ELSE 0 END), 0) "
                         "FROM calls WHERE created_at >= ?"_s,
                         {nowMs - 7 * day});
    if (!calls)
        return calls.error();
    qint64 total = 0, failed = 0, requested = 0, booked = 0;
    if (calls->next()) {
        total = calls->value(0).toLongLong();
        failed = calls->value(1).toLongLong();
        requested = calls->value(2).toLongLong();
        booked = calls->value(3).toLongLong();
    }
    metrics.append({SuccessMetric::Key::BookingSuccess, requested ? 100.0 * double(booked) / double(requested) : 0, 90, true, requested > 0});
    metrics.append({SuccessMetric::Key::ErrorRate, total ? 100.0 * double(failed) / double(total) : 0, 5, false, total > 0});

    const QList<double> latencies = Metrics::bookingLatencySeconds(db, day);
    const double p95 = latencies.isEmpty() ? 0 : latencies.at(qMin(latencies.size() - 1, qsizetype(0.95 * double(latencies.size()))));
    metrics.append({SuccessMetric::Key::BookingP95, p95, 2, false, !latencies.isEmpty()});

    auto runs = db.exec(u"SELECT COUNT(DISTINCT checked_at), COUNT(DISTINCT CASE WHEN state = 'down' THEN checked_at END) "
                        "FROM health_checks WHERE checked_at >= ?"_s,
                        {nowMs - 30 * day});
    if (!runs)
        return runs.error();
    qint64 allRuns = 0, downRuns = 0;
    if (runs->next()) {
        allRuns = runs->value(0).toLongLong();
        downRuns = runs->value(1).toLongLong();
    }
    metrics.append({SuccessMetric::Key::Uptime, allRuns ? 100.0 * double(allRuns - downRuns) / double(allRuns) : 0, 99.9, true, allRuns > 0});
    metrics.append({SuccessMetric::Key::CallsPerDay, double(total) / 7.0, 0, true, true});
    return metrics;
}

} // namespace askpro
