// The server's health as the admin app can see it from the database: live workers (recent
// heartbeats) and the job backlog.
#pragma once

#include "core/result.h"

namespace askpro {

class Database;

struct ServerHealth
{
    int liveWorkers = 0;     // heartbeat within the staleness window
    qint64 queuedJobs = 0;   // ready or scheduled, not yet claimed
    qint64 runningJobs = 0;
    qint64 failedJobs = 0;
    [[nodiscard]] bool running() const { return liveWorkers > 0; }
};

class HealthQuery final
{
public:
    // Workers beat every 5 s; a worker silent for staleAfterMs counts as gone.
    [[nodiscard]] static Result<ServerHealth> server(Database &db, qint64 staleAfterMs = 20000);
};

} // namespace askpro
