// The import's jobs (the dry run of a new file, the apply) as job kinds of the server's pool: registered by the
// server's wiring, so the pool (backend/jobs) never includes the importer.
#pragma once

#include "jobs/jobhandler.h"

namespace askpro {

class ImportApplyJob final : public JobHandler
{
public:
    [[nodiscard]] QString kind() const override;
    // ImportUploads::runApplyJob: minutes for a large file, in short batches, beating the worker's heartbeat
    // after each; this worker's other jobs wait, the request thread does not.
    void run(Database &db, const JobRun &run, const JobDone &done) const override;
    // ImportUploads::failAbandoned.
    void sweep(Database &db) const override;
};

class ImportCheckJob final : public JobHandler
{
public:
    [[nodiscard]] QString kind() const override;
    // ImportUploads::runCheckJob.
    void run(Database &db, const JobRun &run, const JobDone &done) const override;
};

} // namespace askpro
