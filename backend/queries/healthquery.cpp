// Two aggregates, cheap enough for a status bar refreshed every few seconds.
#include "queries/healthquery.h"

#include "core/clock.h"
#include "db/database.h"

using namespace Qt::StringLiterals;

namespace askpro {

Result<ServerHealth> HealthQuery::server(Database &db, qint64 staleAfterMs)
{
    ServerHealth h;
    auto workers = db.scalar(u"SELECT COUNT(*) FROM workers WHERE heartbeat_at >= ?"_s, {nowMs() - staleAfterMs});
    if (!workers)
        return workers.error();
    h.liveWorkers = workers->toInt();
    auto jobs = db.exec(u"SELECT status, COUNT(*) FROM jobs WHERE status IN ('queued', 'running', 'failed') GROUP BY status"_s);
    if (!jobs)
        return jobs.error();
    while (jobs->next()) {
        const QString status = jobs->value(0).toString();
        const qint64 n = jobs->value(1).toLongLong();
        if (status == u"queued"_s)
            h.queuedJobs = n;
        else if (status == u"running"_s)
            h.runningJobs = n;
        else
            h.failedJobs = n;
    }
    return h;
}

} // namespace askpro
