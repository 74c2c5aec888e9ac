// Inbox SQL; the insert and its job commit together, so an acknowledged event always has work queued.
#include "intake/webhookinbox.h"

#include "core/clock.h"
#include "db/database.h"
#include "jobs/jobqueue.h"

#include <QUuid>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The three signer columns of a delivery: signed_scope, signed_by, signed_companies.
QVariantList signerColumns(const std::optional<Signer> &signer)
{
    if (!signer)
        return {QString(u""_s), Database::null(), QString(u""_s)};
    QStringList companies;
    for (qint64 id : signer->companies)
        companies << QString::number(id);
    const QVariant single = !signer->platform && signer->companies.size() == 1 ? QVariant(signer->companies.first()) : Database::null();
    return {signer->platform ? u"platform"_s : u"company"_s, single, companies.join(u',')};
}

} // namespace

SignerScope SignerScope::of(const std::optional<Signer> &signer, const QString &provider, const QString &companyColumn)
{
    if (!signer || (!signer->platform && signer->companies.isEmpty()))
        return {u"(1 = 0)"_s, {}};
    QStringList terms;
    QVariantList params;
    if (signer->platform) {
        terms << companyColumn + u" NOT IN (SELECT company_id FROM api_credentials WHERE provider = ? AND company_id IS NOT NULL)"_s;
        params << provider;
    }
    if (!signer->companies.isEmpty()) {
        QStringList marks;
        for (qint64 id : signer->companies) {
            marks << u"?"_s;
            params << id;
        }
        terms << companyColumn + u" IN ("_s + marks.join(u", "_s) + u")"_s;
    }
    return {u"("_s + terms.join(u" OR "_s) + u")"_s, params};
}

WebhookInbox::WebhookInbox(Database &db) : m_db(db) {}

Result<Accepted> WebhookInbox::accept(const Delivery &d)
{
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto accepted = store(d);
    if (!accepted)
        return accepted;
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    return accepted;
}

QList<Result<Accepted>> WebhookInbox::acceptAll(const QList<Delivery> &deliveries)
{
    QList<Result<Accepted>> results;
    results.reserve(deliveries.size());
    if (deliveries.size() > 1) {
        Transaction tx(m_db); // Durability::Full: every one of them is acknowledged after this commit
        if (tx.started().ok()) {
            auto stored = storeAll(deliveries);
            if (stored && tx.commit().ok()) {
                for (const Accepted &a : std::as_const(*stored))
                    results.append(a);
                return results;
            }
            tx.rollback();
        }
    }
    for (const Delivery &d : deliveries)
        results.append(accept(d));
    return results;
}

Result<QList<Accepted>> WebhookInbox::storeAll(const QList<Delivery> &deliveries)
{
    const qint64 now = nowMs();
    QList<Accepted> accepted(deliveries.size());
    QList<bool> isNew(deliveries.size(), false);
    const auto keyOf = [](const Delivery &d) -> QString { return d.provider + u'\n' + d.dedupeKey; };
    // Rows per statement in powers of two: few statement texts, so each stays prepared on its connection.
    for (qsizetype from = 0; from < deliveries.size();) {
        qsizetype rows = 1;
        while (rows * 2 <= deliveries.size() - from && rows < 32)
            rows *= 2;
        QString sql = u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status, "
                      "signed_scope, signed_by, signed_companies) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)"_s;
        for (qsizetype i = 1; i < rows; ++i)
            sql += u", (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)"_s;
        sql += u" ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id, provider, dedupe_key"_s;
        QVariantList params;
        params.reserve(rows * 9);
        QHash<QString, qsizetype> firstOf; // a key twice in one batch: the first is new, the second a duplicate
        for (qsizetype i = from; i < from + rows; ++i) {
            const Delivery &d = deliveries.at(i);
            params << d.provider << d.eventType << d.dedupeKey << now << d.body << (d.jobKind.isEmpty() ? u"ignored"_s : u"pending"_s)
                   << signerColumns(d.signer);
            if (!firstOf.contains(keyOf(d)))
                firstOf.insert(keyOf(d), i);
        }
        auto q = m_db.exec(sql, params);
        if (!q)
            return q.error();
        while (q->next()) {
            const qsizetype i = firstOf.value(q->value(1).toString() + u'\n' + q->value(2).toString(), -1);
            if (i >= 0) {
                accepted[i].inboxId = q->value(0).toLongLong();
                isNew[i] = true;
            }
        }
        q->finish(); // SQLite cannot commit past an open RETURNING statement
        from += rows;
    }
    QList<JobQueue::NewJob> jobs;
    for (qsizetype i = 0; i < deliveries.size(); ++i) {
        if (isNew.at(i) && !deliveries.at(i).jobKind.isEmpty())
            jobs.append({deliveries.at(i).jobKind, "{\"inbox_id\":" + QByteArray::number(accepted.at(i).inboxId) + '}',
                         u"inbox:"_s + QString::number(accepted.at(i).inboxId)});
    }
    auto jobIds = JobQueue(m_db).enqueueAll(jobs);
    if (!jobIds)
        return jobIds.error();
    for (qsizetype i = 0; i < deliveries.size(); ++i) {
        if (isNew.at(i)) {
            accepted[i].jobId = jobIds->value(u"inbox:"_s + QString::number(accepted.at(i).inboxId));
            continue;
        }
        auto duplicate = store(deliveries.at(i)); // counts the delivery, finds its job
        if (!duplicate)
            return duplicate.error();
        accepted[i] = *duplicate;
    }
    return accepted;
}

Result<Accepted> WebhookInbox::store(const Delivery &d)
{
    auto inserted = m_db.exec(u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status, "
                              "signed_scope, signed_by, signed_companies) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?) "
                              "ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id"_s,
                              QVariantList{d.provider, d.eventType, d.dedupeKey, nowMs(), d.body,
                                           d.jobKind.isEmpty() ? u"ignored"_s : u"pending"_s}
                                  + signerColumns(d.signer));
    if (!inserted)
        return inserted.error();
    Accepted accepted;
    // A RETURNING statement stays open until finished, and SQLite cannot commit past an open statement.
    const bool isNew = inserted->next();
    if (isNew)
        accepted.inboxId = inserted->value(0).toLongLong();
    inserted->finish();
    if (isNew) {
        if (!d.jobKind.isEmpty()) {
            const QByteArray payload = "{\"inbox_id\":" + QByteArray::number(accepted.inboxId) + '}';
            auto job = JobQueue(m_db).enqueue(d.jobKind, payload, u"inbox:"_s + QString::number(accepted.inboxId));
            if (!job)
                return job.error();
            accepted.jobId = job->value_or(0);
        }
    } else {
        accepted.duplicate = true;
        auto counted = m_db.exec(u"UPDATE webhook_inbox SET delivery_count = delivery_count + 1 "
                                 "WHERE provider = ? AND dedupe_key = ? RETURNING id"_s,
                                 {d.provider, d.dedupeKey});
        if (!counted)
            return counted.error();
        if (counted->next())
            accepted.inboxId = counted->value(0).toLongLong();
        counted->finish();
        auto job = m_db.scalar(u"SELECT id FROM jobs WHERE dedupe_key = ?"_s, {QString(u"inbox:"_s + QString::number(accepted.inboxId))});
        if (!job)
            return job.error();
        accepted.jobId = job->toLongLong();
    }
    return accepted;
}

Status WebhookInbox::recordRejected(const QString &provider, const QString &eventType, const QByteArray &body, bool signatureOk,
                                    const QString &reason)
{
    auto q = m_db.exec(u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status, error) "
                       "VALUES (?, ?, ?, ?, ?, ?, 'rejected', ?)"_s,
                       {provider, eventType, QString(u"rejected:"_s + QUuid::createUuid().toString(QUuid::WithoutBraces)), nowMs(),
                        signatureOk ? 1 : 0, body.left(64 * 1024), reason});
    if (!q)
        return q.error();
    return {};
}

Status WebhookInbox::recordIgnored(const Delivery &d, const QString &status, const QString &reason)
{
    const qint64 now = nowMs();
    auto q = m_db.exec(u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status, processed_at, "
                       "error, signed_scope, signed_by, signed_companies) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)"_s,
                       QVariantList{d.provider, d.eventType, QString(d.dedupeKey + u":"_s + QUuid::createUuid().toString(QUuid::WithoutBraces)),
                                    now, d.body.left(64 * 1024), status, now, reason}
                           + signerColumns(d.signer));
    if (!q)
        return q.error();
    return {};
}

Status WebhookInbox::markProcessed(qint64 inboxId, qint64 callId)
{
    auto q = m_db.exec(u"UPDATE webhook_inbox SET status = 'processed', processed_at = ?, error = '', call_id = COALESCE(?, call_id) "
                       "WHERE id = ?"_s,
                       {nowMs(), callId > 0 ? QVariant(callId) : Database::null(), inboxId});
    if (!q)
        return q.error();
    return {};
}

Status WebhookInbox::markFailed(qint64 inboxId, const QString &error, qint64 callId)
{
    auto q = m_db.exec(u"UPDATE webhook_inbox SET status = 'failed', processed_at = ?, error = ?, call_id = COALESCE(?, call_id) "
                       "WHERE id = ?"_s,
                       {nowMs(), error, callId > 0 ? QVariant(callId) : Database::null(), inboxId});
    if (!q)
        return q.error();
    return {};
}

Status WebhookInbox::markNotOurs(qint64 inboxId, const QString &reason, qint64 callId)
{
    auto q = m_db.exec(u"UPDATE webhook_inbox SET status = 'not_ours', processed_at = ?, error = ?, call_id = COALESCE(?, call_id) "
                       "WHERE id = ?"_s,
                       {nowMs(), reason, callId > 0 ? QVariant(callId) : Database::null(), inboxId});
    if (!q)
        return q.error();
    return {};
}

Status WebhookInbox::markStale(qint64 inboxId, const QString &reason)
{
    auto q = m_db.exec(u"UPDATE webhook_inbox SET status = 'stale', processed_at = ?, error = ? WHERE id = ?"_s, {nowMs(), reason, inboxId});
    if (!q)
        return q.error();
    return {};
}

Result<std::optional<Signer>> WebhookInbox::signer(qint64 inboxId)
{
    auto q = m_db.exec(u"SELECT signed_scope, signed_companies FROM webhook_inbox WHERE id = ?"_s, {inboxId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"inbox.missing"_s, u"Webhook %1 is not in the inbox"_s.arg(inboxId));
    const QString scope = q->value(0).toString();
    if (scope != u"platform"_s && scope != u"company"_s)
        return std::optional<Signer>();
    Signer signer;
    signer.platform = scope == u"platform"_s;
    for (const QString &id : q->value(1).toString().split(u',', Qt::SkipEmptyParts))
        signer.companies.append(id.toLongLong());
    return std::optional<Signer>(signer);
}

Result<QByteArray> WebhookInbox::body(qint64 inboxId)
{
    auto v = m_db.scalar(u"SELECT body FROM webhook_inbox WHERE id = ?"_s, {inboxId});
    if (!v)
        return v.error();
    if (v->isNull())
        return makeError(ErrorKind::NotFound, u"inbox.missing"_s, u"Webhook %1 is not in the inbox"_s.arg(inboxId));
    return v->toByteArray();
}

} // namespace askpro
