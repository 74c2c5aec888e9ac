// Uploads for the customer import: chunks in import_chunks keyed by their offset, so a chunk sent twice is
// refused rather than stored twice, and the company scope is part of every statement.
#include "importer/importuploads.h"

#include "core/clock.h"
#include "db/database.h"

#include <QJsonDocument>

#include <cstring>

using namespace Qt::StringLiterals;

namespace askpro {

ImportUploads::ImportUploads(Database &db)
    : m_db(db)
{
}

Result<qint64> ImportUploads::create(const Actor &actor, qint64 companyId, const QString &fileName, const QJsonObject &mapping)
{
    if (auto allowed = actor.require(Permission::RunSetup); !allowed)
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

Result<ImportUpload> ImportUploads::find(const Actor &actor, qint64 uploadId)
{
    if (auto allowed = actor.require(Permission::RunSetup); !allowed)
        return allowed.error();
    const qint64 scope = actor.isScoped() ? actor.companyId : 0;
    auto q = m_db.exec(u"SELECT id, company_id, file_name, mapping_json, bytes, state, run_id FROM import_uploads "
                       "WHERE id = ? AND (? = 0 OR company_id = ?)"_s,
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
                        q->value(6).toLongLong()};
}

Result<qint64> ImportUploads::append(const Actor &actor, qint64 uploadId, qint64 offset, const QByteArray &data)
{
    auto upload = find(actor, uploadId);
    if (!upload)
        return upload.error();
    if (upload->state != u"open"_s)
        return makeError(ErrorKind::Conflict, u"import.closed"_s, tr("Import %1 has been applied; start a new one.").arg(uploadId));
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
    auto grown = m_db.exec(u"UPDATE import_uploads SET bytes = bytes + ?, updated_at = ? WHERE id = ? AND bytes = ?"_s,
                           {qint64(data.size()), nowMs(), uploadId, upload->bytes});
    if (!grown)
        return grown.error();
    if (grown->numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict, u"import.offset"_s, tr("Another chunk was stored at the same place; ask for the import's size and go on from there."));
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return upload->bytes + data.size();
}

Result<ImportReport> ImportUploads::dryRun(const Actor &actor, qint64 uploadId)
{
    auto upload = find(actor, uploadId);
    if (!upload)
        return upload.error();
    UploadDevice device(m_db, uploadId, upload->bytes);
    device.open(QIODevice::ReadOnly);
    ImportOptions options;
    options.companyId = upload->companyId;
    options.mappingOverrides = upload->mapping;
    options.sourceName = upload->fileName;
    return CustomerImport(m_db).run(device, options, actor);
}

Result<ImportReport> ImportUploads::apply(const Actor &actor, qint64 uploadId)
{
    auto upload = find(actor, uploadId);
    if (!upload)
        return upload.error();
    // One apply per upload: the state moves on in one statement, so a second request finds it taken.
    auto taken = m_db.exec(u"UPDATE import_uploads SET state = 'applying', updated_at = ? WHERE id = ? AND state = 'open'"_s, {nowMs(), uploadId});
    if (!taken)
        return taken.error();
    if (taken->numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict, u"import.closed"_s,
                         tr("Import %1 is being applied or has been applied already.").arg(uploadId));
    UploadDevice device(m_db, uploadId, upload->bytes);
    device.open(QIODevice::ReadOnly);
    ImportOptions options;
    options.companyId = upload->companyId;
    options.mappingOverrides = upload->mapping;
    options.sourceName = upload->fileName;
    options.apply = true;
    auto report = CustomerImport(m_db).run(device, options, actor);
    const bool applied = report.ok();
    auto closed = m_db.exec(u"UPDATE import_uploads SET state = ?, run_id = ?, updated_at = ? WHERE id = ?"_s,
                            {applied ? u"applied"_s : u"open"_s, applied ? QVariant(report->runId) : Database::null(), nowMs(), uploadId});
    if (!closed)
        return closed.error();
    return report;
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
