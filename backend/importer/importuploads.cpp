// Uploads for the customer import: chunks in import_chunks keyed by their offset, so a chunk sent twice is
// refused rather than stored twice, and the company scope is part of every statement.
#include "importer/importuploads.h"

#include "core/clock.h"
#include "db/database.h"
#include "importer/csvreader.h"
#include "jobs/jobqueue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

#include <cstring>

using namespace Qt::StringLiterals;

namespace askpro {

ImportUploads::ImportUploads(Database &db)
    : m_db(db)
{
}

namespace {

// Importing customers needs both: setting up a business and changing its customers.
Status mayImport(const Actor &actor)
{
    if (auto allowed = actor.require(Permission::RunSetup); !allowed)
        return allowed;
    return actor.require(Permission::EditCustomers);
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// Refusals that a different mapping can cure: the columns to choose from go with them.
bool isMappingError(const QString &code)
{
    return code.startsWith(u"import.mapping"_s) || code == u"import.no_phone"_s;
}

} // namespace

Result<qint64> ImportUploads::create(const Actor &actor, qint64 companyId, const QString &fileName, const QJsonObject &mapping)
{
    if (auto allowed = mayImport(actor); !allowed)
        return allowed.error();
    if (actor.isScoped() && actor.companyId != companyId)
        return makeError(ErrorKind::NotFound, u"company.missing"_s, tr("There is no company %1.").arg(companyId));
    auto exists = m_db.scalar(u"SELECT COUNT(*) FROM companies WHERE id = ?"_s, {companyId});
    if (!exists)
        return exists.error();
    if (exists->toLongLong() == 0)
        return makeError(ErrorKind::NotFound, u"company.missing"_s, tr("There is no company %1.").arg(companyId));
    const qint64 now = nowMs();
    return m_db.insert(u"INSERT INTO import_uploads (company_id, file_name, mapping_json, created_by, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                       {companyId, fileName.left(255), QString::fromUtf8(QJsonDocument(mapping).toJson(QJsonDocument::Compact)),
                        actor.userIdValue(), now, now});
}

Result<QString> ImportUploads::setMapping(const Actor &actor, qint64 uploadId, const QJsonObject &mapping)
{
    auto upload = find(actor, uploadId);
    if (!upload)
        return upload.error();
    if (upload->state != u"open"_s && upload->state != u"checking"_s)
        return makeError(ErrorKind::Conflict, u"import.closed"_s, tr("Import %1 is being or has been applied; start a new one.").arg(uploadId));
    // A check under way read the old mapping: its report is not stored (it needs the upload still checking).
    auto changed = m_db.exec(u"UPDATE import_uploads SET mapping_json = ?, report_json = '', state = 'open', updated_at = ? "
                             "WHERE id = ? AND company_id = ? AND state IN ('open', 'checking')"_s,
                             {compact(mapping), nowMs(), uploadId, upload->companyId});
    if (!changed)
        return changed.error();
    if (changed->numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict, u"import.closed"_s, tr("Import %1 is being or has been applied; start a new one.").arg(uploadId));
    return u"open"_s;
}

QStringList ImportUploads::checkColumns(const ImportUpload &upload)
{
    QStringList columns;
    for (const QJsonValue &column : upload.report.value(u"check_error"_s).toObject().value(u"columns"_s).toArray())
        columns.append(column.toString());
    return columns;
}

Result<ImportUpload> ImportUploads::find(const Actor &actor, qint64 uploadId)
{
    if (auto allowed = mayImport(actor); !allowed)
        return allowed.error();
    const qint64 scope = actor.isScoped() ? actor.companyId : 0;
    auto q = m_db.exec(u"SELECT id, company_id, file_name, mapping_json, bytes, state, run_id, report_json, rows_done, bytes_done, error, "
                       "COALESCE(job_id, 0), cancel_requested_by FROM import_uploads WHERE id = ? AND (? = 0 OR company_id = ?)"_s,
                       {uploadId, scope, scope});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"import.missing"_s, tr("There is no import %1.").arg(uploadId));
    return ImportUpload{q->value(0).toLongLong(),
                        q->value(1).toLongLong(),
                        q->value(2).toString(),
                        QJsonDocument::fromJson(q->value(3).toString().toUtf8()).object(),
                        q->value(4).toLongLong(),
                        q->value(5).toString(),
                        q->value(6).toLongLong(),
                        QJsonDocument::fromJson(q->value(7).toString().toUtf8()).object(),
                        q->value(8).toLongLong(),
                        q->value(9).toLongLong(),
                        q->value(10).toString(),
                        q->value(11).toLongLong(),
                        q->value(12).toString()};
}

Result<qint64> ImportUploads::append(const Actor &actor, qint64 uploadId, qint64 offset, const QByteArray &data)
{
    auto upload = find(actor, uploadId);
    if (!upload)
        return upload.error();
    if (upload->state != u"open"_s && upload->state != u"checking"_s)
        return makeError(ErrorKind::Conflict, u"import.closed"_s, tr("Import %1 is being or has been applied; start a new one.").arg(uploadId));
    if (offset >= 0 && offset != upload->bytes)
        return makeError(ErrorKind::Conflict, u"import.offset"_s,
                         tr("The server holds %1 bytes of this file; send the chunk that starts there.").arg(upload->bytes));
    if (upload->bytes + data.size() > MaxBytes)
        return makeError(ErrorKind::Invalid, u"import.too_large"_s, tr("The file is larger than %1 MB.").arg(MaxBytes >> 20));
    if (data.isEmpty())
        return upload->bytes;
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    // The offset is the key: two requests with the same chunk cannot both land.
    auto stored = m_db.exec(u"INSERT INTO import_chunks (upload_id, start_offset, data) VALUES (?, ?, ?)"_s, {uploadId, upload->bytes, data});
    if (!stored)
        return makeError(ErrorKind::Conflict, u"import.offset"_s, tr("Another chunk was stored at the same place; ask for the import's size and go on from there."));
    // The stored report, or the check under way, was of the shorter file.
    auto grown = m_db.exec(u"UPDATE import_uploads SET bytes = bytes + ?, report_json = '', state = 'open', updated_at = ? "
                           "WHERE id = ? AND company_id = ? AND bytes = ? AND state IN ('open', 'checking')"_s,
                           {qint64(data.size()), nowMs(), uploadId, upload->companyId, upload->bytes});
    if (!grown)
        return grown.error();
    if (grown->numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict, u"import.offset"_s, tr("Another chunk was stored at the same place; ask for the import's size and go on from there."));
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return upload->bytes + data.size();
}

Result<QJsonObject> ImportUploads::report(const Actor &actor, qint64 uploadId)
{
    auto upload = find(actor, uploadId);
    if (!upload)
        return upload.error();
    // Which numbers and addresses AskPro already holds is customer data: decided here, for every reader.
    const auto forReader = [&actor](const QJsonObject &json) {
        return actor.can(Permission::ViewCustomers) || json.isEmpty() ? json : ImportReport::redacted(json);
    };
    const QJsonObject failed = upload->report.value(u"check_error"_s).toObject();
    if (!failed.isEmpty() && failed.value(u"kind"_s).toInt() != int(ErrorKind::Transient))
        return makeError(ErrorKind(failed.value(u"kind"_s).toInt()), failed.value(u"code"_s).toString(), failed.value(u"message"_s).toString());
    if ((!upload->report.isEmpty() && failed.isEmpty()) || (upload->state != u"open"_s && upload->state != u"checking"_s))
        return forReader(upload->report);
    // Reading the whole file would hold the request thread (which also stores webhooks) for as long: a job
    // of the queue checks it, once per file, and the upload says "checking" meanwhile.
    if (upload->state == u"checking"_s) {
        auto alive = m_db.scalar(u"SELECT COUNT(*) FROM jobs WHERE id = ? AND status IN ('queued', 'running')"_s, {upload->jobId});
        if (!alive)
            return alive.error();
        if (alive->toLongLong() > 0)
            return QJsonObject();
    }
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto marked = m_db.exec(u"UPDATE import_uploads SET state = 'checking', report_json = '', updated_at = ? "
                            "WHERE id = ? AND company_id = ? AND bytes = ? AND state = ?"_s,
                            {nowMs(), uploadId, upload->companyId, upload->bytes, upload->state});
    if (!marked)
        return marked.error();
    if (marked->numRowsAffected() != 1)
        return QJsonObject(); // another request started it, or a chunk came: the next look tells
    const QJsonObject payload{{u"upload_id"_s, uploadId}, {u"bytes"_s, upload->bytes}};
    // Every check is its own job: a key of the clock would join two looks within one millisecond.
    auto job = JobQueue(m_db).enqueue(QString::fromLatin1(CheckJobKind), compact(payload).toUtf8(),
                                      u"import-check:%1:%2"_s.arg(uploadId).arg(QUuid::createUuid().toString(QUuid::WithoutBraces)), 0, 3);
    if (!job)
        return job.error();
    if (job->has_value()) {
        auto linked = m_db.exec(u"UPDATE import_uploads SET job_id = ? WHERE id = ? AND company_id = ?"_s, {**job, uploadId, upload->companyId});
        if (!linked)
            return linked.error();
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return QJsonObject();
}

JobOutcome ImportUploads::runCheckJob(qint64 jobId, const QByteArray &payload, const std::function<void()> &beat)
{
    const qint64 uploadId = QJsonDocument::fromJson(payload).object().value(u"upload_id"_s).toInteger();
    auto q = m_db.exec(u"SELECT state, company_id, file_name, mapping_json, bytes, COALESCE(job_id, 0) FROM import_uploads WHERE id = ?"_s, {uploadId});
    if (!q)
        return q.error().isTransient() ? JobOutcome::retry(q.error()) : JobOutcome::failed(q.error());
    if (!q->next() || q->value(0).toString() != u"checking"_s || q->value(5).toLongLong() != jobId)
        return JobOutcome::done(); // gone, grown since, or being applied: this check has nothing to say
    ImportOptions options;
    options.companyId = q->value(1).toLongLong();
    options.sourceName = q->value(2).toString();
    options.mappingOverrides = QJsonDocument::fromJson(q->value(3).toString().toUtf8()).object();
    const qint64 bytes = q->value(4).toLongLong();
    q->finish();
    options.progress = [&beat](qint64, qint64) {
        if (beat)
            beat();
        return true;
    };
    UploadDevice device(m_db, uploadId, bytes);
    device.open(QIODevice::ReadOnly);
    // Only reads: who may see the report is decided when it is read (report()).
    auto report = CustomerImport(m_db).run(device, options, Actor::system(u"import"_s));
    // What the file is found to be wrong with is its answer, kept like a report; a transient one is checked
    // again on the next look.
    QJsonObject json;
    if (report) {
        json = report->toJson();
    } else {
        QJsonObject failed{{u"kind"_s, int(report.error().kind)}, {u"code"_s, report.error().code}, {u"message"_s, report.error().describe()}};
        if (isMappingError(report.error().code)) {
            UploadDevice again(m_db, uploadId, bytes);
            again.open(QIODevice::ReadOnly);
            CsvReader reader(again);
            if (reader.readHeader())
                failed.insert(u"columns"_s, QJsonArray::fromStringList(reader.header()));
        }
        json = QJsonObject{{u"check_error"_s, failed}};
    }
    // Kept only if no chunk and no apply came meanwhile (the bytes are those the report read).
    auto stored = m_db.exec(u"UPDATE import_uploads SET report_json = ?, state = 'open', updated_at = ? "
                            "WHERE id = ? AND company_id = ? AND job_id = ? AND bytes = ? AND state = 'checking'"_s,
                            {compact(json), nowMs(), uploadId, options.companyId, jobId, bytes});
    if (!stored)
        return stored.error().isTransient() ? JobOutcome::retry(stored.error()) : JobOutcome::failed(stored.error());
    return JobOutcome::done();
}

Result<qint64> ImportUploads::requestApply(const Actor &actor, qint64 uploadId)
{
    auto upload = find(actor, uploadId);
    if (!upload)
        return upload.error();
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    // One apply per upload: the state moves on in one statement, so a second request finds it taken. The
    // company is part of the statement as of every other.
    auto taken = m_db.exec(u"UPDATE import_uploads SET state = 'queued', error = '', rows_done = 0, bytes_done = 0, applied_by = ?, "
                           "cancel_requested_by = '', updated_at = ? "
                           "WHERE id = ? AND company_id = ? AND state IN ('open', 'checking', 'failed')"_s,
                           {actor.username, nowMs(), uploadId, upload->companyId});
    if (!taken)
        return taken.error();
    if (taken->numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict, u"import.closed"_s,
                         tr("Import %1 is being applied or has been applied already.").arg(uploadId));
    const QJsonObject payload{{u"upload_id"_s, uploadId},
                              {u"user_id"_s, actor.userId},
                              {u"username"_s, actor.username},
                              {u"role"_s, AccessPolicy::roleCode(actor.role)},
                              {u"company_id"_s, actor.companyId}};
    // A failed upload may be applied again: each request is its own job.
    auto job = JobQueue(m_db).enqueue(QString::fromLatin1(ApplyJobKind), compact(payload).toUtf8(),
                                      u"import:%1:%2"_s.arg(uploadId).arg(QUuid::createUuid().toString(QUuid::WithoutBraces)), 0, 3);
    if (!job)
        return job.error();
    if (!job->has_value())
        return makeError(ErrorKind::Conflict, u"import.closed"_s, tr("Import %1 is being applied or has been applied already.").arg(uploadId));
    auto linked = m_db.exec(u"UPDATE import_uploads SET job_id = ? WHERE id = ? AND company_id = ?"_s, {**job, uploadId, upload->companyId});
    if (!linked)
        return linked.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return **job;
}

Status ImportUploads::fail(qint64 uploadId, qint64 companyId, qint64 runId, const QString &reason, const std::function<void()> &progress)
{
    QString error = reason;
    auto runState = runId > 0 ? m_db.scalar(u"SELECT state FROM import_runs WHERE id = ? AND company_id = ?"_s, {runId, companyId})
                              : Result<QVariant>(QVariant());
    if (!runState)
        return runState.error();
    if (runState->toString() == u"applying"_s) {
        // The run's rows go (what calls or later edits hold on to stays, and the run's error says which).
        if (auto undone = CustomerImport(m_db).undo(runId, reason, progress); !undone)
            return undone;
        auto said = m_db.scalar(u"SELECT error FROM import_runs WHERE id = ? AND company_id = ?"_s, {runId, companyId});
        if (said)
            error = said->toString();
    }
    auto q = m_db.exec(u"UPDATE import_uploads SET state = 'failed', error = ?, run_id = NULL, updated_at = ? "
                       "WHERE id = ? AND company_id = ? AND state IN ('queued', 'applying')"_s,
                       {error.left(4000), nowMs(), uploadId, companyId});
    return q ? Status() : Status(q.error());
}

namespace {

// A database error may pass (a lost connection, a lock); anything else would only fail again.
JobOutcome retryIfTransient(const Error &error)
{
    return error.isTransient() ? JobOutcome::retry(error) : JobOutcome::failed(error);
}

} // namespace

JobOutcome ImportUploads::runApplyJob(qint64 jobId, const QByteArray &payload, const std::function<void()> &beat)
{
    const QJsonObject p = QJsonDocument::fromJson(payload).object();
    const qint64 uploadId = p.value(u"upload_id"_s).toInteger();
    auto q = m_db.exec(u"SELECT state, COALESCE(run_id, 0), company_id, file_name, mapping_json, bytes, COALESCE(job_id, 0), updated_at "
                       "FROM import_uploads WHERE id = ?"_s,
                       {uploadId});
    if (!q)
        return retryIfTransient(q.error());
    if (!q->next())
        return JobOutcome::done(); // the upload is gone: nothing to do
    const QString state = q->value(0).toString();
    const qint64 cutOffRun = q->value(1).toLongLong();
    const qint64 companyId = q->value(2).toLongLong();
    ImportOptions options;
    options.companyId = companyId;
    options.sourceName = q->value(3).toString();
    options.mappingOverrides = QJsonDocument::fromJson(q->value(4).toString().toUtf8()).object();
    const qint64 bytes = q->value(5).toLongLong();
    const qint64 uploadJob = q->value(6).toLongLong();
    const qint64 lastProgress = q->value(7).toLongLong();
    q->finish();
    // Only the job the upload names applies it: an older request's job, run again, leaves it alone.
    if (uploadJob != jobId || (state != u"queued"_s && state != u"applying"_s))
        return JobOutcome::done();
    const qint64 now = nowMs();
    const Error busy = makeError(ErrorKind::Conflict, u"import.busy"_s, tr("Import %1 is being applied by another attempt.").arg(uploadId));
    if (state == u"applying"_s && lastProgress >= now - ApplyLeaseMs)
        return JobOutcome::waitFor(busy, lastProgress + ApplyLeaseMs - now + 1000);
    // The claim: queued, or applying with a lapsed lease (cut off), and still the run read above. A second
    // attempt finds nothing to take.
    auto claimed = m_db.exec(u"UPDATE import_uploads SET state = 'applying', rows_done = 0, bytes_done = 0, error = '', updated_at = ? "
                             "WHERE id = ? AND company_id = ? AND job_id = ? AND COALESCE(run_id, 0) = ? "
                             "AND (state = 'queued' OR (state = 'applying' AND updated_at < ?))"_s,
                             {now, uploadId, companyId, jobId, cutOffRun, now - ApplyLeaseMs});
    if (!claimed)
        return retryIfTransient(claimed.error());
    if (claimed->numRowsAffected() != 1)
        return JobOutcome::waitFor(busy, ApplyLeaseMs);
    // The lease: renewed with every step; false once another attempt has taken the upload over.
    const auto keep = [this, uploadId, companyId, jobId, &beat](const QString &set, const QVariantList &values) {
        if (beat)
            beat();
        const QString sql = u"UPDATE import_uploads SET "_s + set + u"updated_at = ? WHERE id = ? AND company_id = ? AND job_id = ? AND state = 'applying'"_s;
        auto renewed = m_db.exec(sql, values + QVariantList{nowMs(), uploadId, companyId, jobId});
        // A failed statement is no takeover: the apply's own writes meet the same database and say so.
        return !renewed || renewed->numRowsAffected() == 1;
    };
    const auto failed = [&](const QString &reason, qint64 runId) {
        const Error error = makeError(ErrorKind::Unauthorized, u"import.refused"_s, reason);
        if (auto marked = fail(uploadId, companyId, runId, reason, [&] { (void)keep(QString(), {}); }); !marked)
            return retryIfTransient(marked.error());
        return JobOutcome::failed(error);
    };

    // The payload's user is who asked; whether they may still is decided now, on the account as it is.
    const qint64 userId = p.value(u"user_id"_s).toInteger();
    Actor actor;
    if (userId > 0) {
        auto user = m_db.exec(u"SELECT username, role, COALESCE(company_id, 0), active FROM users WHERE id = ?"_s, {userId});
        if (!user)
            return retryIfTransient(user.error());
        if (!user->next())
            return failed(tr("The account that asked for the apply no longer exists."), cutOffRun);
        const auto role = AccessPolicy::roleFromCode(user->value(1).toString());
        actor = Actor::user(userId, user->value(0).toString(), role.value_or(Role::CompanyStaff), user->value(2).toLongLong());
        const bool active = user->value(3).toInt() != 0;
        user->finish();
        if (!active)
            return failed(tr("The account %1 that asked for the apply has been deactivated since.").arg(actor.username), cutOffRun);
        if (!role || !actor.can(Permission::RunSetup) || !actor.can(Permission::EditCustomers))
            return failed(tr("The account %1 that asked for the apply may no longer import customers.").arg(actor.username), cutOffRun);
        if (actor.isScoped() && actor.companyId != companyId)
            return failed(tr("The account %1 that asked for the apply no longer belongs to this company.").arg(actor.username), cutOffRun);
    } else {
        // No account: the server's own command line, run by whoever holds the machine; as the payload says.
        const auto role = AccessPolicy::roleFromCode(p.value(u"role"_s).toString());
        if (!role)
            return failed(tr("The apply was asked for by an account with an unknown role."), cutOffRun);
        actor = Actor::user(0, p.value(u"username"_s).toString(), *role, p.value(u"company_id"_s).toInteger());
    }

    if (cutOffRun > 0) {
        // Cut off (the server stopped mid-run): nothing half-applied stays, then the file goes in again.
        auto run = m_db.scalar(u"SELECT state FROM import_runs WHERE id = ? AND company_id = ?"_s, {cutOffRun, companyId});
        if (!run)
            return retryIfTransient(run.error());
        if (run->toString() == u"applying"_s)
            if (auto undone = CustomerImport(m_db).undo(cutOffRun, tr("The server stopped during the apply; undone and applied again."),
                                                        [&] { (void)keep(QString(), {}); });
                !undone)
                return retryIfTransient(undone.error());
        if (!keep(u"run_id = NULL, "_s, {}))
            return JobOutcome::done(); // another attempt holds it now
    }
    options.apply = true;
    options.runStarted = [&](qint64 id) { (void)keep(u"run_id = ?, "_s, {id}); };
    // Who asked to stop it, read after every batch; the apply then stops and its run is undone.
    QString cancelledBy;
    const auto cancelRequested = [&] {
        auto who = m_db.scalar(u"SELECT cancel_requested_by FROM import_uploads WHERE id = ? AND company_id = ?"_s, {uploadId, companyId});
        if (who && !who->toString().isEmpty())
            cancelledBy = who->toString();
        return !cancelledBy.isEmpty();
    };
    options.progress = [&](qint64 rows, qint64 read) {
        return keep(u"rows_done = ?, bytes_done = ?, "_s, {rows, read}) && !cancelRequested();
    };
    UploadDevice device(m_db, uploadId, bytes);
    device.open(QIODevice::ReadOnly);
    auto report = CustomerImport(m_db).run(device, options, actor);
    if (!report) {
        if (report.error().code == u"import.stopped"_s && cancelledBy.isEmpty())
            return JobOutcome::done(); // taken over by another attempt, which finishes it
        const QString reason = cancelledBy.isEmpty() ? report.error().describe()
                                                     : tr("Cancelled by %1 during the apply; what it had written is undone.").arg(cancelledBy);
        // run() undid its own run already; the reason stays on the upload for support, and the job ends:
        // the same file would fail the same way, and a new request applies it again.
        auto closed = m_db.exec(u"UPDATE import_uploads SET state = 'failed', error = ?, run_id = NULL, updated_at = ? "
                                "WHERE id = ? AND company_id = ? AND job_id = ? AND state = 'applying'"_s,
                                {reason.left(4000), nowMs(), uploadId, companyId, jobId});
        if (!closed)
            return JobOutcome::retry(closed.error());
        if (!cancelledBy.isEmpty())
            return JobOutcome::done(); // stopped as asked: nothing to retry
        return JobOutcome::failed(report.error());
    }
    auto closed = m_db.exec(u"UPDATE import_uploads SET state = 'applied', run_id = ?, report_json = ?, error = '', updated_at = ? "
                            "WHERE id = ? AND company_id = ? AND job_id = ? AND state = 'applying'"_s,
                            {report->runId, compact(report->toJson()), nowMs(), uploadId, companyId, jobId});
    if (!closed)
        return retryIfTransient(closed.error());
    return JobOutcome::done();
}

Result<QString> ImportUploads::requestCancel(const Actor &actor, qint64 uploadId)
{
    auto upload = find(actor, uploadId);
    if (!upload)
        return upload.error();
    const QString who = actor.username.isEmpty() ? tr("the server") : actor.username;
    if (upload->state == u"applied"_s)
        return makeError(ErrorKind::Conflict, u"import.applied"_s, tr("Import %1 has been applied; its customers are in.").arg(uploadId));
    if (upload->state == u"queued"_s) {
        // Not started: nothing was written. A job that starts meanwhile finds the upload failed and leaves it.
        auto stopped = m_db.exec(u"UPDATE import_uploads SET state = 'failed', error = ?, cancel_requested_by = ?, updated_at = ? "
                                 "WHERE id = ? AND company_id = ? AND state = 'queued'"_s,
                                 {tr("Cancelled by %1 before it started; nothing was written.").arg(who), who, nowMs(), uploadId, upload->companyId});
        if (!stopped)
            return stopped.error();
        if (stopped->numRowsAffected() == 1)
            return u"failed"_s;
        return requestCancel(actor, uploadId); // it started meanwhile: stop it as a running one
    }
    if (upload->state == u"applying"_s) {
        auto asked = m_db.exec(u"UPDATE import_uploads SET cancel_requested_by = ? WHERE id = ? AND company_id = ? AND state = 'applying'"_s,
                               {who, uploadId, upload->companyId});
        if (!asked)
            return asked.error();
        if (asked->numRowsAffected() == 1)
            return u"applying"_s;
        return requestCancel(actor, uploadId); // it ended meanwhile: say how
    }
    return upload->state; // open, checking or failed: no apply to stop
}

Result<int> ImportUploads::failAbandoned()
{
    // An applying upload within its lease still has an apply at work, whatever its job row says.
    auto q = m_db.exec(u"SELECT u.id, u.company_id, COALESCE(u.run_id, 0) FROM import_uploads u LEFT JOIN jobs j ON j.id = u.job_id "
                       "WHERE (u.state = 'queued' OR (u.state = 'applying' AND u.updated_at < ?)) "
                       "AND (j.id IS NULL OR j.status NOT IN ('queued', 'running'))"_s,
                       {nowMs() - ApplyLeaseMs});
    if (!q)
        return q.error();
    struct Abandoned
    {
        qint64 upload, company, run;
    };
    QList<Abandoned> abandoned;
    while (q->next())
        abandoned.append({q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toLongLong()});
    q->finish();
    for (const Abandoned &a : abandoned)
        if (auto failed = fail(a.upload, a.company, a.run, tr("The apply stopped before it finished (its job ended without it); "
                                                              "nothing of it is left. Apply it again.")); !failed)
            return failed.error();
    return int(abandoned.size());
}

UploadDevice::UploadDevice(Database &db, qint64 uploadId, qint64 size)
    : m_db(db)
    , m_upload(uploadId)
    , m_size(size)
{
}

qint64 UploadDevice::readData(char *data, qint64 maxSize)
{
    const qint64 at = m_read;
    if (at >= m_size)
        return 0;
    if (m_chunkStart < 0 || at < m_chunkStart || at >= m_chunkStart + m_chunk.size()) {
        auto q = m_db.exec(u"SELECT start_offset, data FROM import_chunks WHERE upload_id = ? AND start_offset <= ? "
                           "ORDER BY start_offset DESC LIMIT 1"_s,
                           {m_upload, at});
        if (!q || !q->next()) {
            setErrorString(q ? u"chunk missing"_s : q.error().describe());
            return -1;
        }
        m_chunkStart = q->value(0).toLongLong();
        m_chunk = q->value(1).toByteArray();
        q->finish();
        if (at >= m_chunkStart + m_chunk.size()) {
            setErrorString(u"chunk missing"_s);
            return -1;
        }
    }
    const qint64 inChunk = at - m_chunkStart;
    const qint64 n = std::min(maxSize, qint64(m_chunk.size()) - inChunk);
    std::memcpy(data, m_chunk.constData() + inChunk, size_t(n));
    m_read += n;
    return n;
}

} // namespace askpro
