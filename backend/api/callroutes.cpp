// Calls: the browser's pages (keyset paging, filters and sorts in SQL), one call with its timeline, and the
// support actions on it. A business account reads its own company's calls only; raw payloads need view_payloads.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "domain/phonenumbers.h"
#include "queries/calldetailquery.h"
#include "queries/callquery.h"
#include "queries/triagequery.h"
#include "support/payloadtext.h"
#include "support/supportservice.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The sort parameter's names, in CallQuery::Column order.
const QStringList sortNames{u"id"_s,       u"started_at"_s, u"time_zone"_s, u"company"_s, u"branch"_s,          u"caller"_s,
                            u"customer"_s, u"duration"_s,   u"outcome"_s,   u"failure"_s, u"appointment_start"_s};
const std::array<const char *, CallQuery::ColumnCount> fieldNames{
    "id", "started_at", "time_zone", "company", "branch", "caller", "customer", "duration_ms", "outcome", "failure_reason", "appointment_start"};

Json eventJson(const CallEvent &event)
{
    // A client words the code in its own language (its arguments: flow/timeline.h); message is the English
    // fallback, and all there is for entries written before codes (code "", args {}).
    Json args = event.args.isEmpty() ? Json::object() : Json::parse(event.args.toStdString(), nullptr, false);
    if (!args.is_object())
        args = Json::object();
    return Json{{"at", event.at},
                {"step", event.step.toStdString()},
                {"status", event.status.toStdString()},
                {"code", event.code.toStdString()},
                {"args", std::move(args)},
                {"message", event.message.toStdString()},
                {"detail", event.detail.toStdString()}};
}

Json detailJson(const CallDetail &d, bool payloads, bool seesCustomers)
{
    // The other party's number as the delivery log shows a recipient to readers without customer access; our
    // own number stays readable.
    const auto number = [seesCustomers](const QString &e164, bool otherParty) {
        return (seesCustomers || !otherParty ? e164 : PhoneNumbers::maskedRecipient(e164)).toStdString();
    };
    Json events = Json::array();
    for (const CallEvent &event : d.events)
        events.push_back(eventJson(event));
    const auto id = [](qint64 value) { return value > 0 ? Json(value) : Json(nullptr); };
    Json json{{"id", d.id},
              {"retell_call_id", d.retellCallId.toStdString()},
              {"company_id", id(d.companyId)},
              {"company", d.companyName.toStdString()},
              {"branch_id", id(d.branchId)},
              {"branch", d.branchName.toStdString()},
              {"time_zone", d.timeZone.toStdString()},
              {"customer_id", id(d.customerId)},
              {"customer", d.customerName.toStdString()},
              {"from_number", number(d.fromNumber, !d.outbound)},
              {"to_number", number(d.toNumber, d.outbound)},
              {"started_at", d.startedAt},
              {"ended_at", d.endedAt},
              {"duration_ms", d.durationMs},
              {"outcome", d.outcome.toStdString()},
              {"failure_kind", d.failureKind.toStdString()},
              {"failure_reason", d.failureReason.toStdString()},
              {"disconnection_reason", d.disconnectionReason.toStdString()},
              {"transcript", d.transcript.toStdString()},
              {"summary", d.summary.toStdString()},
              {"sentiment", d.sentiment.toStdString()},
              {"recording_url", d.recordingUrl.toStdString()},
              {"appointment_requested", d.appointmentRequested},
              {"request", d.requestJson.toStdString()},
              {"alternatives", d.alternativesJson.toStdString()},
              {"resolved_at", d.resolvedAt > 0 ? Json(d.resolvedAt) : Json(nullptr)},
              {"resolution_comment", d.resolutionComment.toStdString()},
              {"appointment_id", id(d.appointmentId)},
              {"appointment_start", d.appointmentStart > 0 ? Json(d.appointmentStart) : Json(nullptr)},
              {"appointment_status", d.appointmentStatus.toStdString()},
              {"events", events}};
    // The transcript as turns, parsed here once for every client; the webhook payload with its secrets
    // masked, so a desktop never receives a provider's token.
    Json turns = Json::array();
    for (const TranscriptTurn &turn : PayloadText::transcriptTurns(d.transcriptJson, d.transcript)) {
        const char *speaker = turn.speaker == TranscriptTurn::Speaker::Agent ? "agent" : turn.speaker == TranscriptTurn::Speaker::User ? "user" : "other";
        turns.push_back(Json{{"speaker", speaker}, {"label", turn.label.toStdString()}, {"text", turn.text.toStdString()}});
    }
    json["turns"] = std::move(turns);
    if (payloads)
        json["payload"] = PayloadText::maskedPrettyJson(d.rawPayload).toStdString();
    return json;
}

const char *actionName(RetryPreview::Action action)
{
    switch (action) {
    case RetryPreview::Action::Create: return "create";
    case RetryPreview::Action::Reuse: return "reuse";
    case RetryPreview::Action::Skip: return "skip";
    case RetryPreview::Action::Missing: return "missing";
    }
    return "missing";
}

Json previewJson(const RetryPreview &preview)
{
    Json items = Json::array();
    for (const RetryPreview::Item &item : preview.items)
        items.push_back(Json{{"subject", item.subject.toStdString()}, {"action", actionName(item.action)}, {"text", item.text.toStdString()}});
    Json problems = Json::array();
    for (const QString &problem : preview.problems)
        problems.push_back(problem.toStdString());
    return Json{{"call_id", preview.callId},
                {"request", preview.request ? preview.request->toJson() : Json(nullptr)},
                {"items", std::move(items)},
                {"problems", std::move(problems)},
                {"would_book", preview.wouldBook()}};
}

Json triageJson(const TriageItem &t, bool seesCustomers)
{
    return Json{{"id", t.callId},
                {"started_at", t.startedAt},
                {"time_zone", t.timeZone.toStdString()},
                {"company", t.companyName.toStdString()},
                {"branch", t.branchName.toStdString()},
                {"caller", (seesCustomers ? t.caller : PhoneNumbers::maskedRecipient(t.caller)).toStdString()},
                {"customer", t.customerName.toStdString()},
                {"outcome", t.outcome.toStdString()},
                {"category", t.category.toStdString()},
                {"reason", t.reason.toStdString()}};
}

} // namespace

QList<ApiRoute> callRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/calls"_s, A::Permission, Permission::ViewCalls, IdScope::None, false,
                   u"A page of calls, filtered and sorted on the server; next is the cursor of the following page"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       CallFilter filter;
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       filter.companyId = *company;
                       auto from = r.integer(u"from"_s, 0, 0, std::numeric_limits<qint64>::max());
                       auto to = r.integer(u"to"_s, 0, 0, std::numeric_limits<qint64>::max());
                       auto branch = r.integer(u"branch_id"_s, 0, 0, std::numeric_limits<qint64>::max());
                       auto outcome = r.oneOf(u"outcome"_s, {u"booked"_s, u"no_request"_s, u"needs_callback"_s, u"failed"_s, u"requested_unbooked"_s});
                       auto paging = pageRequest(r, sortNames, u"started_at"_s, Qt::DescendingOrder);
                       // A text search examines at most this many calls per request and says where to go on.
                       auto scan = r.integer(u"scan"_s, 20000, 100, 20000);
                       for (const Status &check : {from ? Status() : from.error(), to ? Status() : to.error(), branch ? Status() : branch.error(),
                                                   scan ? Status() : scan.error(),
                                                   outcome ? Status() : outcome.error(), paging ? Status() : paging.error()}) {
                           if (!check)
                               return check.error();
                       }
                       filter.fromMs = *from;
                       filter.toMs = *to;
                       filter.branchId = *branch;
                       filter.outcome = *outcome;
                       filter.text = r.text(u"q"_s).trimmed();
                       const bool seesCustomers = r.actor.can(Permission::ViewCustomers);
                       filter.searchNumbers = seesCustomers;
                       // The next page's cursor carries the last row's sort key: sorted by caller, the full number.
                       if (!seesCustomers && paging->sortColumn == CallQuery::Caller)
                           return makeError(ErrorKind::Invalid, u"parameter.sort"_s,
                                            AdminApi::tr("Parameter sort: callers are shown masked to this role and cannot be sorted."));
                       auto page = CallQuery::page(db, filter, paging->sortColumn, paging->order, paging->after, paging->limit, int(*scan));
                       if (!page)
                           return page.error();
                       Json items = Json::array();
                       for (qsizetype i = 0; i < page->rows.size(); ++i) {
                           const QVariantList &row = page->rows.at(i);
                           Json item = Json::object();
                           for (int column = 0; column < CallQuery::ColumnCount; ++column)
                               item[fieldNames.at(size_t(column))] = jsonValue(row.value(column));
                           if (!seesCustomers)
                               item["caller"] = PhoneNumbers::maskedRecipient(row.value(CallQuery::Caller).toString()).toStdString();
                           item["test_call"] = page->testCalls.value(i);
                           items.push_back(std::move(item));
                       }
                       return ApiReply::json(Json{{"items", items}, {"next", page->next ? Json(encodeCursor(*page->next).toStdString()) : Json(nullptr)}});
                   }});
    routes.append({"GET", u"/api/v1/calls/{callId}"_s, A::Permission, Permission::ViewCalls, IdScope::Company, false,
                   u"One call with its timeline (raw payloads with view_payloads)"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"calls"_s, u"callId"_s);
                       if (!id)
                           return id.error();
                       auto detail = CallDetailQuery::load(db, *id);
                       if (!detail)
                           return detail.error();
                       if (!*detail)
                           return makeError(ErrorKind::NotFound, u"calls.missing"_s, AdminApi::tr("No such record."));
                       return ApiReply::json(detailJson(**detail, r.actor.can(Permission::ViewPayloads), r.actor.can(Permission::ViewCustomers)));
                   }});
    routes.append({"POST", u"/api/v1/calls/{callId}/retry"_s, A::Permission, Permission::ManageCalls, IdScope::Company, false,
                   u"Queues the booking of a call again (audited, on the call's timeline)"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"calls"_s, u"callId"_s);
                       if (!id)
                           return id.error();
                       auto queued = SupportService(db).retryBooking({*id}, r.actor);
                       if (!queued)
                           return queued.error();
                       return ApiReply::json(Json{{"queued", *queued}}, 202);
                   }});
    routes.append({"GET", u"/api/v1/calls/{callId}/retry-preview"_s, A::Permission, Permission::ViewCalls, IdScope::Company, false,
                   u"What a retry of the call would create, reuse or skip, and what stands in its way; changes nothing"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"calls"_s, u"callId"_s);
                       if (!id)
                           return id.error();
                       auto preview = SupportService(db).previewRetry(*id, r.actor);
                       if (!preview)
                           return preview.error();
                       return ApiReply::json(previewJson(*preview));
                   }});
    routes.append({"PUT", u"/api/v1/calls/{callId}/request"_s, A::Permission, Permission::ManageCalls, IdScope::Company, false,
                   u"Replaces the appointment request extracted from the call (audited with before and after)"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"calls"_s, u"callId"_s);
                       if (!id)
                           return id.error();
                       if (!r.body.is_object())
                           return makeError(ErrorKind::Invalid, u"body.missing"_s, AdminApi::tr("A JSON object is expected."));
                       const auto request = AppointmentRequest::fromFields(r.body);
                       if (!request)
                           return makeError(ErrorKind::Invalid, u"request.empty"_s, AdminApi::tr("The request names neither a service nor a date."));
                       if (auto corrected = SupportService(db).correctRequest(*id, *request, r.actor); !corrected)
                           return corrected.error();
                       return ApiReply::json(Json{{"request", request->toJson()}});
                   },
                   R"({"service":"Beratung","date":"2030-01-07","time":"10:00","customer_name":"Test Kunde"})"});
    routes.append({"POST", u"/api/v1/calls/{callId}/resolve"_s, A::Permission, Permission::ManageCalls, IdScope::Company, false,
                   u"Marks the call resolved with a comment; it leaves the triage queue (audited)"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"calls"_s, u"callId"_s);
                       if (!id)
                           return id.error();
                       auto comment = r.bodyText("comment", false);
                       if (!comment)
                           return comment.error();
                       auto resolved = SupportService(db).markResolved({*id}, comment->trimmed(), r.actor);
                       if (!resolved)
                           return resolved.error();
                       return ApiReply::json(Json{{"resolved", *resolved}});
                   },
                   R"({"comment":"called back"})"});
    routes.append({"GET", u"/api/v1/triage"_s, A::Permission, Permission::ViewCalls, IdScope::None, false,
                   u"The unresolved calls that need support (failed, callback wanted, requested but not booked), newest first"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       auto limit = r.integer(u"limit"_s, 5000, 1, 5000);
                       if (!limit)
                           return limit.error();
                       auto items = TriageQuery::unresolved(db, *company, int(*limit) + 1);
                       if (!items)
                           return items.error();
                       Json list = Json::array();
                       for (const TriageItem &item : items->mid(0, *limit))
                           list.push_back(triageJson(item, r.actor.can(Permission::ViewCustomers)));
                       return ApiReply::json(Json{{"items", std::move(list)}, {"truncated", items->size() > *limit}});
                   }});
    return routes;
}

} // namespace askpro
