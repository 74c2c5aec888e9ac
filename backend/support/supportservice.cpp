// Support actions: each one transaction with its audit row; previews reuse the call flow's own lookups.
#include "support/supportservice.h"

#include "db/callparties.h"
#include "core/clock.h"
#include "db/database.h"
#include "flow/calcomeventprocessor.h"
#include "flow/callstore.h"
#include "jobs/jobqueue.h"
#include "support/auditlog.h"

#include <QLocale>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString jsonObjectText(const Json &j)
{
    return QString::fromStdString(j.dump());
}

Status addTimelineEntry(Database &db, qint64 callId, const TimelineEntry &entry)
{
    return CallStore(db).addEvent(callId, entry);
}

} // namespace

SupportService::SupportService(Database &db)
    : m_db(db)
{
}

Result<int> SupportService::retryBooking(const QList<qint64> &callIds, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ManageCalls); !allowed)
        return allowed.error();
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    JobQueue jobs(m_db);
    AuditLog audit(m_db);
    int queued = 0;
    const qint64 now = nowMs();
    for (const qint64 callId : callIds) {
        auto q = m_db.exec(u"SELECT outcome, failure_kind, failure_reason FROM calls WHERE id = ?"_s, {callId});
        if (!q)
            return q.error();
        if (!q->next())
            return makeError(ErrorKind::NotFound, u"support.call_not_found"_s, tr("Call %1 does not exist").arg(callId));
        const Json before{{"outcome", q->value(0).toString().toStdString()},
                          {"failure_kind", q->value(1).toString().toStdString()},
                          {"failure_reason", q->value(2).toString().toStdString()}};
        const QString key = u"support-retry:%1:%2"_s.arg(callId).arg(now);
        auto job = jobs.enqueue(u"call.retry"_s, QByteArray("{\"call_id\":") + QByteArray::number(callId) + '}', key);
        if (!job)
            return job.error();
        if (!*job)
            continue; // the same retry was queued within this millisecond already
        const Json after{{"job_id", **job}, {"dedupe_key", key.toStdString()}};
        if (auto logged = audit.write(actor, u"call.retry"_s, u"call"_s, callId, jsonObjectText(before), jsonObjectText(after)); !logged)
            return logged.error();
        if (auto entry = addTimelineEntry(m_db, callId, timeline::supportRetry(actor.username)); !entry)
            return entry.error();
        ++queued;
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return queued;
}

Result<RetryPreview> SupportService::previewRetry(qint64 callId, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ViewCalls); !allowed)
        return allowed.error();
    RetryPreview preview;
    preview.callId = callId;
    auto q = m_db.exec(u"SELECT c.company_id, c.branch_id, b.active, b.name, "_s + CallParties::ourNumberSql(u"c"_s)
                           + u", "_s + CallParties::otherNumberSql(u"c"_s) + u", COALESCE(cu.id, 0), "
                       "COALESCE(cu.name, '') FROM calls c LEFT JOIN branches b ON b.id = c.branch_id "
                       "LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?"_s,
                       {callId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"support.call_not_found"_s, tr("Call %1 does not exist").arg(callId));
    const qint64 companyId = q->value(0).toLongLong();
    const bool hasBranch = !q->value(1).isNull();
    const qint64 branchId = q->value(1).toLongLong();
    const bool branchActive = q->value(2).toInt() != 0;
    const QString branchName = q->value(3).toString();
    const QString toNumber = q->value(4).toString();
    const QString fromNumber = q->value(5).toString();
    const qint64 customerId = q->value(6).toLongLong();
    const QString customerName = q->value(7).toString();

    using Action = RetryPreview::Action;
    if (!hasBranch) {
        preview.items.append({u"branch"_s, Action::Missing, tr("No branch has the called number %1").arg(toNumber)});
        preview.problems.append(tr("The called number %1 belongs to no branch: add the number to a branch first.").arg(toNumber));
    } else if (!branchActive) {
        preview.items.append({u"branch"_s, Action::Missing, tr("Branch %1 is inactive").arg(branchName)});
        preview.problems.append(tr("Branch %1 is inactive: activate it or move the number to an active branch.").arg(branchName));
    } else {
        preview.items.append({u"branch"_s, Action::Reuse, tr("Branch %1").arg(branchName)});
    }

    if (customerId > 0)
        preview.items.append({u"customer"_s, Action::Reuse, tr("Existing customer %1").arg(customerName.isEmpty() ? fromNumber : customerName)});
    else
        preview.items.append({u"customer"_s, Action::Create, tr("New customer for %1").arg(fromNumber)});

    CallStore store(m_db);
    auto request = store.storedRequest(callId);
    if (!request)
        return request.error();
    preview.request = *request;
    auto existing = store.appointmentForCall(callId);
    if (!existing)
        return existing.error();
    if (*existing && (*existing)->status != u"pending"_s) {
        preview.items.append({u"appointment"_s, Action::Skip, tr("Already booked; the retry adds nothing")});
    } else if (!preview.request) {
        preview.items.append({u"appointment"_s, Action::Missing, tr("The call holds no appointment request")});
        preview.problems.append(tr("The call holds no appointment request: edit the data first."));
    } else {
        const AppointmentRequest &r = *preview.request;
        preview.items.append({u"appointment"_s, Action::Create,
                              tr("Appointment \"%1\" on %2 at %3")
                                  .arg(r.service, r.date.isValid() ? QLocale().toString(r.date, QLocale::ShortFormat) : tr("(no date)"),
                                       r.time.isValid() ? QLocale().toString(r.time, QLocale::ShortFormat) : tr("(no time)"))});
        if (!r.hasSlot())
            preview.problems.append(tr("The request has no complete date and time: edit the data first."));
    }

    if (preview.request && companyId > 0) {
        auto service = store.findService(companyId, preview.request->service);
        if (!service)
            return service.error();
        if (!*service) {
            preview.items.append({u"service"_s, Action::Missing, tr("No service matches \"%1\"").arg(preview.request->service)});
            preview.problems.append(tr("No active service of this company matches \"%1\": correct the service or add it.")
                                        .arg(preview.request->service));
        } else {
            preview.items.append({u"service"_s, Action::Reuse, tr("Service %1 (%n min)", nullptr, (*service)->durationMinutes).arg((*service)->name)});
            if (hasBranch) {
                auto eventType = store.eventTypeFor(branchId, (*service)->id);
                if (!eventType)
                    return eventType.error();
                if (*eventType) {
                    preview.items.append({u"event_type"_s, Action::Reuse, tr("Cal.com event type %1").arg(**eventType)});
                } else {
                    preview.items.append({u"event_type"_s, Action::Missing, tr("No Cal.com event type mapped")});
                    preview.problems.append(tr("Service %1 has no Cal.com event type at branch %2: map one in the setup.")
                                                .arg((*service)->name, branchName));
                }
            }
        }
    }

    auto credentials = m_db.scalar(u"SELECT COUNT(*) FROM api_credentials WHERE provider = 'calcom' AND (company_id = ? OR company_id IS NULL)"_s,
                                   {companyId});
    if (!credentials)
        return credentials.error();
    if (credentials->toLongLong() > 0) {
        preview.items.append({u"credentials"_s, Action::Reuse, tr("Cal.com credentials stored")});
    } else {
        preview.items.append({u"credentials"_s, Action::Missing, tr("No Cal.com credentials")});
        preview.problems.append(tr("No Cal.com API key is stored for this company: add one with 'askpro-server credentials'."));
    }
    return preview;
}

Status SupportService::correctRequest(qint64 callId, const AppointmentRequest &request, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ManageCalls); !allowed)
        return allowed.error();
    if (request.service.trimmed().isEmpty() && !request.date.isValid())
        return makeError(ErrorKind::Invalid, u"support.empty_request"_s, tr("Enter at least a service or a date."));
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto before = m_db.exec(u"SELECT request_json, appointment_requested FROM calls WHERE id = ?"_s, {callId});
    if (!before)
        return before.error();
    if (!before->next())
        return makeError(ErrorKind::NotFound, u"support.call_not_found"_s, tr("Call %1 does not exist").arg(callId));
    const QString beforeJson = before->value(0).toString();
    const QString afterJson = QString::fromStdString(request.toJson().dump());
    auto updated = m_db.exec(u"UPDATE calls SET request_json = ?, appointment_requested = 1, updated_at = ? WHERE id = ?"_s,
                             {afterJson, nowMs(), callId});
    if (!updated)
        return updated.error();
    if (auto logged = AuditLog(m_db).write(actor, u"call.correct_request"_s, u"call"_s, callId, beforeJson, afterJson); !logged)
        return logged;
    if (auto entry = addTimelineEntry(m_db, callId, timeline::supportCorrected(actor.username)); !entry)
        return entry;
    return tx.commit();
}

Result<int> SupportService::markResolved(const QList<qint64> &callIds, const QString &comment, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ManageCalls); !allowed)
        return allowed.error();
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    int changed = 0;
    const qint64 now = nowMs();
    for (const qint64 callId : callIds) {
        auto q = m_db.exec(u"UPDATE calls SET resolved_at = ?, resolved_by = NULL, resolution_comment = ?, updated_at = ? "
                           "WHERE id = ? AND resolved_at IS NULL"_s,
                           {now, comment, now, callId});
        if (!q)
            return q.error();
        if (q->numRowsAffected() <= 0)
            continue;
        const Json after{{"resolved_at", now}, {"resolution_comment", comment.toStdString()}};
        if (auto logged = AuditLog(m_db).write(actor, u"call.resolve"_s, u"call"_s, callId, u"{\"resolved_at\":null}"_s, jsonObjectText(after));
            !logged)
            return logged.error();
        if (auto entry = addTimelineEntry(m_db, callId, timeline::supportResolved(actor.username, comment));
            !entry)
            return entry.error();
        ++changed;
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return changed;
}

Result<qint64> SupportService::replayWebhook(qint64 inboxId, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ManageCalls); !allowed)
        return allowed.error();
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto q = m_db.exec(u"SELECT provider, status, error, event_type FROM webhook_inbox WHERE id = ?"_s, {inboxId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"support.inbox_not_found"_s, tr("Delivery %1 does not exist").arg(inboxId));
    const QString provider = q->value(0).toString();
    const QString status = q->value(1).toString();
    const QString error = q->value(2).toString();
    // Answered while the phone rang (or kept because nobody could be answered): later it changes nothing.
    if (provider == u"retell"_s && q->value(3).toString() == u"call_inbound"_s)
        return makeError(ErrorKind::Invalid, u"support.not_replayable"_s,
                         tr("An inbound call webhook is answered while the phone rings; replaying it later changes nothing."));
    QString kind;
    if (provider == u"retell"_s)
        kind = u"retell.event"_s;
    else if (provider == u"calcom"_s)
        kind = u"calcom.event"_s;
    else if (provider == u"twilio"_s)
        kind = u"twilio.event"_s;
    else
        return makeError(ErrorKind::Invalid, u"support.not_replayable"_s, tr("Deliveries from %1 cannot be replayed").arg(provider));
    if (status == u"rejected"_s)
        return makeError(ErrorKind::Invalid, u"support.rejected_delivery"_s,
                         tr("This delivery was refused at intake (%1) and is not trusted; it cannot be replayed.").arg(error));
    auto preview = previewReplay(inboxId, actor);
    if (!preview)
        return preview.error();
    auto reset = m_db.exec(u"UPDATE webhook_inbox SET status = 'pending', error = '', processed_at = NULL WHERE id = ?"_s, {inboxId});
    if (!reset)
        return reset.error();
    const QString key = u"support-replay:%1:%2"_s.arg(inboxId).arg(nowMs());
    // A replayed Cal.com event is past the age window by support's decision (CalcomEventProcessor::process).
    const QByteArray replay = kind == u"calcom.event"_s ? ",\"replay\":true" : "";
    auto job = JobQueue(m_db).enqueue(kind, QByteArray("{\"inbox_id\":") + QByteArray::number(inboxId) + replay + '}', key);
    if (!job)
        return job.error();
    if (!*job)
        return makeError(ErrorKind::Conflict, u"support.replay_duplicate"_s, tr("This delivery was just replayed; try again in a moment."));
    const Json before{{"status", status.toStdString()}, {"error", error.toStdString()}};
    const Json after{{"status", "pending"}, {"job_id", **job}, {"job_kind", kind.toStdString()}, {"preview", preview->text.toStdString()}};
    if (auto logged = AuditLog(m_db).write(actor, u"webhook.replay"_s, u"webhook_inbox"_s, inboxId, jsonObjectText(before), jsonObjectText(after));
        !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return **job;
}

Result<ReplayPreview> SupportService::previewReplay(qint64 inboxId, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ViewCalls); !allowed)
        return allowed.error();
    auto provider = m_db.scalar(u"SELECT provider FROM webhook_inbox WHERE id = ?"_s, {inboxId});
    if (!provider)
        return provider.error();
    if (provider->isNull())
        return makeError(ErrorKind::NotFound, u"support.inbox_not_found"_s, tr("Delivery %1 does not exist").arg(inboxId));
    ReplayPreview preview;
    preview.inboxId = inboxId;
    preview.provider = provider->toString();
    if (preview.provider == u"twilio"_s) {
        // Status callbacks only move a message forward, and opt-outs are set, not toggled: a replay repeats nothing.
        preview.wouldChange = true;
        preview.text = tr("The Twilio delivery is applied again; a message status never moves backwards.");
        return preview;
    }
    if (preview.provider != u"calcom"_s) {
        // The call flow is idempotent per call: a replay fills in what is missing and books at most once.
        preview.wouldChange = true;
        preview.text = tr("The call flow runs again for this delivery; it books nothing twice.");
        return preview;
    }
    auto plan = CalcomEventProcessor(m_db).plan(inboxId, true);
    if (!plan && plan.error().kind != ErrorKind::Invalid)
        return plan.error();
    if (!plan) {
        preview.text = tr("Applying it changes nothing: %1").arg(plan.error().message);
        return preview;
    }
    const auto when = [](qint64 ms) { return QLocale().toString(fromMs(ms).toLocalTime(), QLocale::ShortFormat); };
    if (plan->verdict != CalcomEventPlan::Verdict::Apply) {
        preview.text = plan->reason.isEmpty() ? tr("Applying it changes nothing.") : tr("Applying it changes nothing: %1").arg(plan->reason);
        return preview;
    }
    preview.wouldChange = true;
    if (plan->appointmentId == 0)
        preview.text = tr("Creates a booked appointment at %1.").arg(when(plan->startsAfter));
    else if (plan->statusBefore == plan->statusAfter && plan->startsBefore == plan->startsAfter)
        preview.text = tr("Appointment %1 stays %2 at %3; only its sync state is set.").arg(plan->appointmentId).arg(plan->statusAfter, when(plan->startsAfter));
    else
        preview.text = tr("Appointment %1: %2 at %3 becomes %4 at %5.")
                           .arg(plan->appointmentId)
                           .arg(plan->statusBefore, when(plan->startsBefore), plan->statusAfter, when(plan->startsAfter));
    return preview;
}

} // namespace askpro
