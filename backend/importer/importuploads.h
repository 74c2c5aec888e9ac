// Files for the customer import sent through the admin API in chunks: stored in the database (any server of a
// PostgreSQL deployment can read them), dry-run once per file (the report is kept with the upload) and applied
// once by a job of the server's queue, never on the thread that answers requests and stores webhooks.
#pragma once

#include "core/result.h"
#include "importer/customerimport.h"
#include "jobs/joboutcome.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QIODevice>
#include <QJsonObject>

#include <functional>

namespace askpro {

class Database;

struct ImportUpload
{
    qint64 id = 0;
    qint64 companyId = 0;
    QString fileName;
    QJsonObject mapping;
    qint64 bytes = 0;
    QString state; // open | checking | queued | applying | applied | failed
    qint64 runId = 0;
    QJsonObject report;  // the stored dry-run report, or the applied run's; empty until computed
    qint64 rowsDone = 0; // the apply's progress
    qint64 bytesDone = 0;
    QString error;       // why the last apply failed (and what its undo kept)
    qint64 jobId = 0;    // the job that checks or applies it
    QString cancelRequestedBy; // who asked to stop its apply; empty: nobody
};

class ImportUploads final
{
    Q_DECLARE_TR_FUNCTIONS(ImportUploads)
public:
    static constexpr qint64 MaxBytes = qint64(256) << 20;

    explicit ImportUploads(Database &db);

    // A new, empty upload for the company. Needs RunSetup; a company-bound actor only for its own company.
    [[nodiscard]] Result<qint64> create(const Actor &actor, qint64 companyId, const QString &fileName, const QJsonObject &mapping);
    // Appends data at offset (-1: at the end); an offset other than the bytes stored so far is a Conflict that
    // names them, so a client resumes where the server stands. Returns the bytes stored.
    [[nodiscard]] Result<qint64> append(const Actor &actor, qint64 uploadId, qint64 offset, const QByteArray &data);
    // Replaces the mapping of an upload not yet applied (an open one, or one being checked): its report is
    // dropped and the next look checks the file again with the new mapping. Returns the upload's state.
    [[nodiscard]] Result<QString> setMapping(const Actor &actor, qint64 uploadId, const QJsonObject &mapping);
    // The file's header when its check failed for the mapping (a named column missing, no phone column), so
    // a client can offer the columns to choose from; empty otherwise.
    [[nodiscard]] static QStringList checkColumns(const ImportUpload &upload);
    // The upload, within the actor's company scope (another company's: NotFound).
    [[nodiscard]] Result<ImportUpload> find(const Actor &actor, qint64 uploadId);
    // The upload's report: the stored one (redacted by ImportReport::redacted for an actor who may not view
    // customers), or empty while a job computes the dry run over the stored file: the first look queues it and
    // puts the upload in "checking". The dry run's own error (not a CSV file, a mapping that names a missing
    // column) is the answer once checked. Kept until another chunk comes.
    [[nodiscard]] Result<QJsonObject> report(const Actor &actor, qint64 uploadId);
    static constexpr auto CheckJobKind = "import.check";
    // The job that computes a checking upload's dry run and stores it; beat after every batch.
    [[nodiscard]] JobOutcome runCheckJob(qint64 jobId, const QByteArray &payload, const std::function<void()> &beat = {});
    // Queues the apply as a job (once; after a failure again); returns the job's id. A second request while
    // it is queued, runs or after it was applied is a Conflict. Needs RunSetup and EditCustomers.
    [[nodiscard]] Result<qint64> requestApply(const Actor &actor, qint64 uploadId);

    // Stops the apply: a queued one ends failed at once; a running one stops after its batch, its run is undone
    // and it ends failed with who stopped it. An upload that is not being applied (open, failed) is left as it
    // is; an applied one is a Conflict (its customers are in; the run's undo is another matter). Returns the
    // upload's state after the request. Needs RunSetup and EditCustomers.
    [[nodiscard]] Result<QString> requestCancel(const Actor &actor, qint64 uploadId);

    static constexpr auto ApplyJobKind = "import.apply";
    // An applying upload whose progress is older than this has lost its apply (its server stopped): another
    // attempt may take it over. Every batch renews it, so a running apply keeps it.
    static constexpr qint64 ApplyLeaseMs = 30 * 1000;
    // The job jobId: applies the upload named in its payload, if the upload names this job, for the user of
    // the payload as that user is now (still active, still allowed; else the upload fails with the reason).
    // The upload is claimed in one statement, so one attempt applies it at a time: another attempt that finds
    // it applying waits (JobOutcome::waitFor) until the apply ends or its lease lapses; a lapsed one was cut
    // off and is undone before the file is applied again. beat is called after every batch. Done when the
    // upload is applied or not this job's; failed (no retry) once the upload is marked failed with its reason;
    // retry only when the upload could not be brought to either.
    [[nodiscard]] JobOutcome runApplyJob(qint64 jobId, const QByteArray &payload, const std::function<void()> &beat = {});
    // Uploads left queued, or applying with a lapsed lease, whose job ended or vanished (it used up its
    // attempts, the jobs were cleared): their run is undone and they are marked failed with the reason.
    // Returns how many.
    [[nodiscard]] Result<int> failAbandoned();

private:
    // Marks a queued or applying upload failed, after undoing runId if it is still applying.
    [[nodiscard]] Status fail(qint64 uploadId, qint64 companyId, qint64 runId, const QString &reason,
                              const std::function<void()> &progress = {});
private:
    Database &m_db;
};

// The stored chunks of an upload as one read-only device, one chunk in memory at a time.
class UploadDevice final : public QIODevice
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadDevice)
public:
    UploadDevice(Database &db, qint64 uploadId, qint64 size);
    // Sequential: QIODevice buffers ahead, and only readData() knows where the stored file is read.
    [[nodiscard]] bool isSequential() const override { return true; }
    [[nodiscard]] qint64 bytesAvailable() const override { return m_size - m_read + QIODevice::bytesAvailable(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    Database &m_db;
    qint64 m_upload;
    qint64 m_size;
    qint64 m_read = 0;
    qint64 m_chunkStart = -1;
    QByteArray m_chunk;
};

} // namespace askpro
