// Recovery: transient failures and stuck calls are retried through the same pipeline; calls only Retell
// knows about are stored as if their webhook had arrived, under the same dedupe key.
#include "flow/recoverysweep.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "flow/callstore.h"
#include "intake/webhookinbox.h"
#include "integrations/retellclient.h"
#include "jobs/jobqueue.h"
#include "security/credentialstore.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

RecoverySweep::RecoverySweep(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints,
                             QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_network(network)
    , m_endpoints(std::move(endpoints))
{
}

Result<int> RecoverySweep::queueRetries(qint64 windowMs)
{
    const qint64 now = nowMs();
    const qint64 since = now - windowMs;
    // Calls stuck mid-way (a pending reservation, or pending long after the call) and transient failures.
    auto q = m_db.exec(u"SELECT c.id FROM calls c LEFT JOIN appointments a ON a.call_id = c.id AND a.status = 'booked' "
                       "WHERE c.appointment_requested = 1 AND a.id IS NULL AND c.resolved_at IS NULL AND c.created_at >= ? "
                       "AND ((c.outcome = 'failed' AND c.failure_kind = 'transient') OR (c.outcome = 'pending' AND c.updated_at < ?)) "
                       "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'call.retry' AND j.status IN ('queued', 'running') "
                       "AND j.payload = '{\"call_id\":' || CAST(c.id AS TEXT) || '}') ORDER BY c.id"_s,
                       {since, now - 10 * 60 * 1000});
    if (!q)
        return q.error();
    QList<qint64> ids;
    while (q->next())
        ids.append(q->value(0).toLongLong());
    q->finish();
    JobQueue queue(m_db);
    int queued = 0;
    for (qint64 id : ids) {
        auto job = queue.enqueue(u"call.retry"_s, "{\"call_id\":" + QByteArray::number(id) + '}',
                                 u"recover:%1:%2"_s.arg(id).arg(now / (15 * 60 * 1000)));
        if (!job)
            return job.error();
        if (job->has_value()) {
            ++queued;
            TimelineEntry queuedEntry = timeline::recoveryQueued();
            queuedEntry.atMs = now;
            auto logged = CallStore(m_db).addEvent(id, queuedEntry);
            Q_UNUSED(logged);
        }
    }
    // Requested calls older than the window that never got booked: visible, with the reason, for support.
    auto stale = m_db.exec(u"UPDATE calls SET outcome = 'failed', failure_kind = CASE WHEN failure_kind = '' THEN 'transient' ELSE failure_kind END, "
                           "failure_reason = ?, updated_at = ? WHERE appointment_requested = 1 AND outcome = 'pending' AND created_at < ? "
                           "AND resolved_at IS NULL AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.call_id = calls.id AND a.status = 'booked') "
                           "RETURNING id"_s,
                           {tr("Not booked within 24 hours; recovery gave up"), now, since});
    if (!stale)
        return stale.error();
    while (stale->next())
        ++m_report.markedUnrecoverable;
    m_report.retriesQueued = queued;
    return queued;
}

void RecoverySweep::run(qint64 windowMs, JobDone done)
{
    m_done = std::move(done);
    m_report = {};
    auto retries = queueRetries(windowMs);
    if (!retries) {
        finish(JobOutcome::retry(retries.error()));
        return;
    }
    // Each company's agents live in the Retell account whose key that company uses: its own, or the
    // platform's. Listing them with any other key would miss them (or read another tenant's account).
    auto agents = m_db.exec(u"SELECT company_id, retell_agent_id FROM branches WHERE retell_agent_id IS NOT NULL AND retell_agent_id <> '' "
                            "ORDER BY company_id, retell_agent_id"_s);
    if (!agents) {
        finish(JobOutcome::retry(agents.error()));
        return;
    }
    QList<std::pair<qint64, QString>> branchAgents;
    while (agents->next())
        branchAgents.append({agents->value(0).toLongLong(), agents->value(1).toString()});
    agents->finish();
    m_accounts.clear();
    m_firstFailure.reset();
    for (const auto &[company, agentId] : std::as_const(branchAgents)) {
        auto credential = m_credentials.get(company, u"retell"_s);
        if (!credential) {
            // No Retell account for this company (nothing to reconcile against) or one that cannot be used.
            if (credential.error().code != u"credentials.missing"_s) {
                qCWarning(lcRetell) << "reconciliation skips company" << company << credential.error().describe();
                if (!m_firstFailure)
                    m_firstFailure = JobOutcome::failed(credential.error());
            }
            continue;
        }
        auto account = std::find_if(m_accounts.begin(), m_accounts.end(), [&](const RetellAccount &a) { return a.company == credential->companyId; });
        if (account == m_accounts.end())
            account = m_accounts.insert(m_accounts.end(), RetellAccount{credential->companyId, credential->secret,
                                                                          credential->baseUrl.isEmpty() ? m_endpoints.retell : QUrl(credential->baseUrl), {}});
        if (!account->agentIds.contains(agentId))
            account->agentIds << agentId;
    }
    m_reconcileFrom = nowMs() - windowMs;
    nextAccount();
}

void RecoverySweep::nextAccount()
{
    if (m_accounts.isEmpty()) {
        finish(m_firstFailure.value_or(JobOutcome::done()));
        return;
    }
    m_account = m_accounts.takeFirst();
    reconcilePage(m_account.agentIds, m_reconcileFrom, nowMs(), {}, 20);
}

void RecoverySweep::reconcilePage(const QStringList &agentIds, qint64 fromMs, qint64 toMs, const QString &paginationKey, int pagesLeft)
{
    RetellClient retell(m_network, m_account.base, m_account.key, m_endpoints.timeoutMs);
    JsonReply *reply = retell.listCalls(agentIds, fromMs, toMs, 200, paginationKey);
    connect(reply, &JsonReply::finished, this, [this, agentIds, fromMs, toMs, pagesLeft](const JsonResult &result) {
        if (!result) {
            qCWarning(lcRetell) << "reconciliation could not list calls:" << result.error().describe();
            accountFailed(result.error());
            return;
        }
        const Json calls = result->is_array() ? *result : result->value("items", result->value("calls", Json::array()));
        QStringList missing;
        for (const Json &call : calls) {
            ++m_report.callsListed;
            const QString callId = jsonString(call, "call_id");
            const QString status = jsonString(call, "call_status");
            if (callId.isEmpty() || (status != u"ended"_s && status != u"error"_s && status != u"not_connected"_s))
                continue;
            // Known when either end-of-call webhook (or an earlier reconciliation) is in the inbox.
            auto known = m_db.scalar(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'retell' AND dedupe_key IN (?, ?)"_s,
                                     {QString(callId + u":call_ended"_s), QString(callId + u":call_analyzed"_s)});
            if (!known) {
                accountFailed(known.error());
                return;
            }
            if (known->toInt() == 0)
                missing << callId;
        }
        QString next;
        if (result->is_object() && jsonBool(*result, "has_more"))
            next = jsonString(*result, "pagination_key");
        auto continueWith = [this, agentIds, fromMs, toMs, pagesLeft, next] {
            if (!next.isEmpty() && pagesLeft > 1)
                reconcilePage(agentIds, fromMs, toMs, next, pagesLeft - 1);
            else
                nextAccount();
        };
        fetchMissing(missing, continueWith);
    });
}

void RecoverySweep::fetchMissing(QStringList callIds, std::function<void()> then)
{
    if (callIds.isEmpty()) {
        then();
        return;
    }
    // The call list leaves out transcripts and recordings: fetch each lost call whole.
    const QString callId = callIds.takeFirst();
    RetellClient retell(m_network, m_account.base, m_account.key, m_endpoints.timeoutMs);
    JsonReply *reply = retell.call(callId);
    connect(reply, &JsonReply::finished, this, [this, callIds, then, callId](const JsonResult &result) {
        if (!result) {
            accountFailed(result.error());
            return;
        }
        // The same dedupe key as the webhook: if the webhook arrives after all, it is a duplicate.
        const QString event = result->contains("call_analysis") ? u"call_analyzed"_s : u"call_ended"_s;
        const Json body = {{"event", event.toStdString()}, {"call", *result}, {"source", "reconciliation"}};
        // Read from Retell with the account's key: it speaks for what that key serves, as its webhook would.
        const Signer signer = m_account.company ? Signer{false, {*m_account.company}} : Signer{true, {}};
        auto accepted = WebhookInbox(m_db).accept({u"retell"_s, event, callId + u":"_s + event, jsonText(body), u"retell.event"_s, signer});
        if (!accepted) {
            accountFailed(accepted.error());
            return;
        }
        if (!accepted->duplicate) {
            ++m_report.lostCallsRecovered;
            qCInfo(lcRetell) << "reconciliation found call" << callId << "whose webhooks never arrived";
        }
        fetchMissing(callIds, then);
    });
}

void RecoverySweep::accountFailed(const Error &error)
{
    // Remembered for the job's outcome; the other accounts are reconciled all the same.
    if (!m_firstFailure)
        m_firstFailure = error.isTransient() ? JobOutcome::retry(error) : JobOutcome::failed(error);
    nextAccount();
}

void RecoverySweep::finish(const JobOutcome &outcome)
{
    qCInfo(lcFlow) << "recovery sweep: retries queued" << m_report.retriesQueued << "unrecoverable" << m_report.markedUnrecoverable
                   << "listed" << m_report.callsListed << "recovered lost calls" << m_report.lostCallsRecovered;
    if (m_done) {
        auto done = std::move(m_done);
        m_done = nullptr;
        done(outcome);
    }
}

} // namespace askpro
