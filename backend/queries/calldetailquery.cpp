// Two reads: the call joined with its branch, company, customer and appointment; then its events.
#include "queries/calldetailquery.h"

#include "db/database.h"
#include "queries/callquery.h"

using namespace Qt::StringLiterals;

namespace askpro {

Result<std::optional<CallDetail>> CallDetailQuery::load(Database &db, qint64 callId)
{
    auto q = db.exec(u"SELECT c.id, c.retell_call_id, COALESCE(c.company_id, 0), COALESCE(co.name, ''), COALESCE(c.branch_id, 0), "
                     "COALESCE(b.name, ''), "_s + callTimeZoneSql() + u", COALESCE(c.customer_id, 0), COALESCE(cu.name, ''), "
                     "c.from_number, c.to_number, CASE WHEN c.direction = 'outbound' THEN 1 ELSE 0 END, COALESCE(c.started_at, c.created_at), COALESCE(c.ended_at, 0), c.duration_ms, "
                     "c.outcome, c.failure_kind, c.failure_reason, c.disconnection_reason, c.transcript, c.transcript_json, "
                     "c.recording_url, c.summary, c.sentiment, c.appointment_requested, c.request_json, c.alternatives_json, "
                     "c.raw_payload, COALESCE(c.resolved_at, 0), c.resolution_comment, COALESCE(a.id, 0), COALESCE(a.starts_at, 0), "
                     "COALESCE(a.status, '') "
                     "FROM calls c LEFT JOIN branches b ON b.id = c.branch_id LEFT JOIN companies co ON co.id = c.company_id "
                     "LEFT JOIN customers cu ON cu.id = c.customer_id LEFT JOIN appointments a ON a.call_id = c.id "
                     "WHERE c.id = ?"_s,
                     {callId});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<CallDetail>();
    CallDetail d;
    int i = 0;
    const auto next = [&q, &i] { return q->value(i++); };
    d.id = next().toLongLong();
    d.retellCallId = next().toString();
    d.companyId = next().toLongLong();
    d.companyName = next().toString();
    d.branchId = next().toLongLong();
    d.branchName = next().toString();
    d.timeZone = next().toString();
    d.customerId = next().toLongLong();
    d.customerName = next().toString();
    d.fromNumber = next().toString();
    d.toNumber = next().toString();
    d.outbound = next().toInt() != 0;
    d.startedAt = next().toLongLong();
    d.endedAt = next().toLongLong();
    d.durationMs = next().toLongLong();
    d.outcome = next().toString();
    d.failureKind = next().toString();
    d.failureReason = next().toString();
    d.disconnectionReason = next().toString();
    d.transcript = next().toString();
    d.transcriptJson = next().toString();
    d.recordingUrl = next().toString();
    d.summary = next().toString();
    d.sentiment = next().toString();
    d.appointmentRequested = next().toInt() != 0;
    d.requestJson = next().toString();
    d.alternativesJson = next().toString();
    d.rawPayload = next().toString();
    d.resolvedAt = next().toLongLong();
    d.resolutionComment = next().toString();
    d.appointmentId = next().toLongLong();
    d.appointmentStart = next().toLongLong();
    d.appointmentStatus = next().toString();

    auto events = db.exec(u"SELECT at, step, status, message, detail, code, args FROM call_events WHERE call_id = ? ORDER BY at, id"_s,
                          {callId});
    if (!events)
        return events.error();
    while (events->next())
        d.events.append({events->value(0).toLongLong(), events->value(1).toString(), events->value(2).toString(),
                         events->value(3).toString(), events->value(4).toString(), events->value(5).toString(),
                         events->value(6).toString()});
    return std::optional<CallDetail>(std::move(d));
}

} // namespace askpro
