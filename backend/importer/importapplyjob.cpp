// Glue between the job pool and ImportUploads; the rules are ImportUploads'.
#include "importer/importapplyjob.h"

#include "core/logging.h"
#include "importer/importuploads.h"

namespace askpro {

QString ImportApplyJob::kind() const
{
    return QString::fromLatin1(ImportUploads::ApplyJobKind);
}

void ImportApplyJob::run(Database &db, const JobRun &run, const JobDone &done) const
{
    done(ImportUploads(db).runApplyJob(run.job.id, run.job.payload, run.beat));
}

void ImportApplyJob::sweep(Database &db) const
{
    // An import whose apply job ended without finishing it never stays "applying".
    auto abandoned = ImportUploads(db).failAbandoned();
    if (!abandoned)
        qCWarning(lcJobs) << "looking for unfinished imports failed:" << abandoned.error().describe();
    else if (*abandoned > 0)
        qCWarning(lcJobs) << *abandoned << "imports were left unfinished by their job and are marked failed";
}

QString ImportCheckJob::kind() const
{
    return QString::fromLatin1(ImportUploads::CheckJobKind);
}

void ImportCheckJob::run(Database &db, const JobRun &run, const JobDone &done) const
{
    done(ImportUploads(db).runCheckJob(run.job.id, run.job.payload, run.beat));
}

} // namespace askpro
