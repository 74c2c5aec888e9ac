// Job kinds that live outside backend/jobs (the import's apply) register with the pool through this interface,
// so the pool runs them without including their headers: the dependency goes one way, into jobs.
#pragma once

#include "jobs/jobqueue.h"
#include "jobs/joboutcome.h"

#include <QString>

#include <functional>

namespace askpro {

class Database;

struct JobRun
{
    Job job;
    bool lastAttempt = false;
    // Keeps the worker's heartbeat fresh. Work that holds the worker's thread for long calls it as it goes
    // (cheap to call often): without it the orphan sweep takes the job, and the worker's other jobs, back
    // after 20 s and another worker runs them beside this one.
    std::function<void()> beat;
};

class JobHandler
{
public:
    virtual ~JobHandler() = default;

    [[nodiscard]] virtual QString kind() const = 0;
    // On a worker's thread with that thread's database; calls done exactly once. One handler serves every
    // worker at once, so it keeps no state of its own.
    virtual void run(Database &db, const JobRun &run, const JobDone &done) const = 0;
    // On the pool's thread at start and after every orphan sweep: repairs what jobs of this kind left
    // behind when they ended without finishing.
    virtual void sweep(Database &db) const { Q_UNUSED(db); }
};

} // namespace askpro
