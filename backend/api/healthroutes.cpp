// The health dashboard's data: the latest result of every check with the plan's success metrics, the latency
// history, and "check now" as a job for the server's workers (the checks use the provider keys, which never
// leave the server). The success metrics span every company: a business account gets the checks only.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "core/clock.h"
#include "db/database.h"
#include "health/healthhistory.h"
#include "queries/healthquery.h"
#include "jobs/jobqueue.h"
#include "jobs/workerpool.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

const char *metricName(SuccessMetric::Key key)
{
    switch (key) {
    case SuccessMetric::Key::BookingSuccess: return "booking_success";
    case SuccessMetric::Key::ErrorRate: return "error_rate";
    case SuccessMetric::Key::BookingP95: return "booking_p95";
    case SuccessMetric::Key::Uptime: return "uptime";
    case SuccessMetric::Key::CallsPerDay: return "calls_per_day";
    }
    return "unknown";
}

Json checkJson(const CheckRow &row)
{
    return Json{{"name", row.name.toStdString()},
                {"state", row.state.toStdString()},
                {"latency_ms", row.latencyMs},
                {"message", row.message.toStdString()},
                {"checked_at", row.checkedAt}};
}

// Runs requested from the dashboard share one job per this many milliseconds.
constexpr qint64 checkNowSpacingMs = 10000;

} // namespace

QList<ApiRoute> healthRoutes(const ApiContext &context)
{
    Database &db = context.db;
    WorkerPool *pool = context.pool;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/health/checks"_s, A::Permission, Permission::ViewHealth, IdScope::None, false,
                   u"The latest result of every check and, for platform staff, the success metrics with their targets"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto latest = HealthHistory::latest(db);
                       if (!latest)
                           return latest.error();
                       Json checks = Json::array();
                       for (const CheckRow &row : *latest)
                           checks.push_back(checkJson(row));
                       Json answer{{"checks", std::move(checks)}};
                       if (!r.actor.isScoped()) {
                           auto metrics = HealthHistory::successMetrics(db, nowMs());
                           if (!metrics)
                               return metrics.error();
                           Json list = Json::array();
                           for (const SuccessMetric &m : *metrics)
                               list.push_back(Json{{"key", metricName(m.key)},
                                                   {"value", m.value},
                                                   {"target", m.target},
                                                   {"higher_is_better", m.higherIsBetter},
                                                   {"has_data", m.hasData},
                                                   {"met", m.met()}});
                           answer["metrics"] = std::move(list);
                       }
                       return ApiReply::json(answer);
                   }});
    routes.append({"GET", u"/api/v1/health/server"_s, A::SignedIn, Permission::ViewHealth, IdScope::None, false,
                   u"Whether the server's workers run (a heartbeat within 30 s) and the jobs waiting, running and failed"_s,
                   [&db](const ApiRequest &) -> Result<ApiReply> {
                       auto health = HealthQuery::server(db);
                       if (!health)
                           return health.error();
                       return ApiReply::json(Json{{"running", health->running()},
                                                  {"live_workers", health->liveWorkers},
                                                  {"queued_jobs", health->queuedJobs},
                                                  {"running_jobs", health->runningJobs},
                                                  {"failed_jobs", health->failedJobs}});
                   }});
    routes.append({"GET", u"/api/v1/health/history"_s, A::Permission, Permission::ViewHealth, IdScope::None, false,
                   u"Every stored check result of the last hours (1 to 720, default 24), oldest first"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto hours = r.integer(u"hours"_s, 24, 1, 720);
                       if (!hours)
                           return hours.error();
                       auto rows = HealthHistory::since(db, nowMs() - *hours * 3600 * 1000);
                       if (!rows)
                           return rows.error();
                       Json items = Json::array();
                       for (const CheckRow &row : *rows)
                           items.push_back(checkJson(row));
                       return ApiReply::json(Json{{"items", std::move(items)}});
                   }});
    routes.append({"POST", u"/api/v1/health/checks/run"_s, A::Permission, Permission::ViewHealth, IdScope::None, false,
                   u"Runs every check now on the server (one run per 10 s however often asked); the results follow in /health/checks"_s,
                   [&db, pool](const ApiRequest &) -> Result<ApiReply> {
                       const qint64 slot = nowMs() / checkNowSpacingMs;
                       auto job = JobQueue(db).enqueue(u"health.run"_s, "{}", u"health:now:%1"_s.arg(slot));
                       if (!job)
                           return job.error();
                       if (*job && pool)
                           pool->wakeOne();
                       return ApiReply::json(Json{{"queued", job->has_value()}}, 202);
                   }});
    return routes;
}

} // namespace askpro
