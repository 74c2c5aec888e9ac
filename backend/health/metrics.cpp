// Metrics are read from the database, so any server of several reports the whole system's state.
#include "health/metrics.h"

#include "core/clock.h"
#include "db/database.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

QList<double> Metrics::bookingLatencySeconds(Database &db, qint64 windowMs)
{
    auto q = db.exec(u"SELECT a.updated_at - MIN(i.received_at) FROM appointments a JOIN webhook_inbox i ON i.call_id = a.call_id "
                     "WHERE a.status = 'booked' AND a.updated_at > ? AND i.signature_ok = 1 GROUP BY a.id, a.updated_at LIMIT 50000"_s,
                     {nowMs() - windowMs});
    QList<double> seconds;
    while (q && q->next())
        seconds.append(qMax<qint64>(0, q->value(0).toLongLong()) / 1000.0);
    std::sort(seconds.begin(), seconds.end());
    return seconds;
}

QByteArray Metrics::render(Database &db, const RequestCounts &requests, const RefusedCounts &refused)
{
    QByteArray out;
    const auto help = [&out](const char *name, const char *type, const char *text) {
        out += QByteArray("# HELP ") + name + ' ' + text + "\n# TYPE " + name + ' ' + type + '\n';
    };
    // Label values per the text format: backslash, double quote and line feed escaped, so no value can end
    // its line and start a metric of its own.
    const auto escape = [](QString v) {
        return v.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s).replace(u"\n"_s, u"\\n"_s).toUtf8();
    };

    help("askpro_http_requests_total", "counter", "HTTP requests answered by this server, by route (other: paths it does not serve) and status.");
    for (auto it = requests.cbegin(); it != requests.cend(); ++it)
        out += "askpro_http_requests_total{path=\"" + escape(it.key().first) + "\",status=\"" + QByteArray::number(it.key().second)
            + "\"} " + QByteArray::number(it.value()) + '\n';

    help("askpro_refused_requests_total", "counter",
         "Requests refused by this server since it started, by provider (admin: sign-ins) and reason (rate_limited: answered 429).");
    QList<QPair<QString, QString>> refusedKeys = refused.keys();
    std::sort(refusedKeys.begin(), refusedKeys.end());
    for (const auto &key : std::as_const(refusedKeys))
        out += "askpro_refused_requests_total{provider=\"" + escape(key.first) + "\",reason=\"" + escape(key.second) + "\"} "
            + QByteArray::number(refused.value(key)) + '\n';

    const qint64 now = nowMs();
    help("askpro_jobs", "gauge", "Jobs in the durable queue, by status.");
    auto jobs = db.exec(u"SELECT status, COUNT(*) FROM jobs WHERE status IN ('queued', 'running', 'failed') GROUP BY status"_s);
    QHash<QString, qint64> byStatus{{u"queued"_s, 0}, {u"running"_s, 0}, {u"failed"_s, 0}};
    while (jobs && jobs->next())
        byStatus[jobs->value(0).toString()] = jobs->value(1).toLongLong();
    for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it)
        out += "askpro_jobs{status=\"" + it.key().toUtf8() + "\"} " + QByteArray::number(it.value()) + '\n';
    auto oldest = db.scalar(u"SELECT MIN(created_at) FROM jobs WHERE status = 'queued' AND run_after <= ?"_s, {now});
    help("askpro_job_oldest_queued_age_seconds", "gauge", "Age of the oldest job ready to run.");
    out += "askpro_job_oldest_queued_age_seconds "
        + QByteArray::number(oldest && !oldest->isNull() ? (now - oldest->toLongLong()) / 1000.0 : 0.0) + '\n';

    help("askpro_workers_alive", "gauge", "Workers with a heartbeat in the last 20 seconds, across all servers.");
    auto alive = db.scalar(u"SELECT COUNT(*) FROM workers WHERE heartbeat_at > ?"_s, {now - 20000});
    out += "askpro_workers_alive " + QByteArray::number(alive ? alive->toLongLong() : 0) + '\n';

    help("askpro_calls_last_24h", "gauge", "Calls of the last 24 hours by outcome.");
    auto outcomes = db.exec(u"SELECT outcome, COUNT(*) FROM calls WHERE created_at > ? GROUP BY outcome ORDER BY outcome"_s,
                            {now - 24 * 60 * 60 * 1000});
    while (outcomes && outcomes->next())
        out += "askpro_calls_last_24h{outcome=\"" + escape(outcomes->value(0).toString()) + "\"} "
            + QByteArray::number(outcomes->value(1).toLongLong()) + '\n';

    help("askpro_webhook_to_booking_seconds", "summary", "From the first webhook of a call to its booking, last hour.");
    const QList<double> latencies = bookingLatencySeconds(db, 60 * 60 * 1000);
    for (double q : {0.5, 0.95, 0.99}) {
        const double value = latencies.isEmpty() ? 0.0 : latencies.at(qMin(latencies.size() - 1, qsizetype(q * latencies.size())));
        out += "askpro_webhook_to_booking_seconds{quantile=\"" + QByteArray::number(q) + "\"} " + QByteArray::number(value, 'f', 3) + '\n';
    }
    double sum = 0;
    for (double v : latencies)
        sum += v;
    out += "askpro_webhook_to_booking_seconds_sum " + QByteArray::number(sum, 'f', 3) + '\n';
    out += "askpro_webhook_to_booking_seconds_count " + QByteArray::number(latencies.size()) + '\n';

    help("askpro_health_state", "gauge", "Last result of each health check: 0 ok, 1 degraded, 2 down.");
    auto checks = db.exec(u"SELECT h.check_name, h.state FROM health_checks h WHERE h.id = "
                          "(SELECT MAX(id) FROM health_checks l WHERE l.check_name = h.check_name) ORDER BY h.check_name"_s);
    while (checks && checks->next()) {
        const QString state = checks->value(1).toString();
        out += "askpro_health_state{check=\"" + escape(checks->value(0).toString()) + "\"} "
            + QByteArray(state == u"ok"_s ? "0" : state == u"degraded"_s ? "1" : "2") + '\n';
    }
    return out;
}

} // namespace askpro
