// Calls: the browser's pages (keyset paging, filters and sorts in SQL), one call with its timeline, and the
// support actions on it. A business account reads its own company's calls only; raw payloads need view_payloads.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "queries/calldetailquery.h"
#include "queries/callquery.h"
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

Json detailJson(const CallDetail &d, bool payloads)
{
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
              {"from_number", d.fromNumber.toStdString()},
              {"to_number", d.toNumber.toStdString()},
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
    if (payloads) {
        json["transcript_json"] = d.transcriptJson.toStdString();
        json["raw_payload"] = d.rawPayload.toStdString();
    }
    return json;
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
                       auto sort = r.oneOf(u"sort"_s, sortNames, u"started_at"_s);
                       auto order = r.oneOf(u"order"_s, {u"asc"_s, u"desc"_s}, u"desc"_s);
                       auto limit = r.integer(u"limit"_s, 256, 1, 1000);
                       for (const Status &check : {from ? Status() : from.error(), to ? Status() : to.error(), branch ? Status() : branch.error(),
                                                   outcome ? Status() : outcome.error(), sort ? Status() : sort.error(),
                                                   order ? Status() : order.error(), limit ? Status() : limit.error()}) {
                           if (!check)
                               return check.error();
                       }
                       auto after = decodeCursor(r.text(u"after"_s));
                       if (!after)
                           return after.error();
                       filter.fromMs = *from;
                       filter.toMs = *to;
                       filter.branchId = *branch;
                       filter.outcome = *outcome;
                       filter.text = r.text(u"q"_s).trimmed();
                       auto page = CallQuery::page(db, filter, int(sortNames.indexOf(*sort)),
                                                   *order == u"asc"_s ? Qt::AscendingOrder : Qt::DescendingOrder, *after, int(*limit));
                       if (!page)
                           return page.error();
                       Json items = Json::array();
                       for (const QVariantList &row : page->rows) {
                           Json item = Json::object();
                           for (int column = 0; column < CallQuery::ColumnCount; ++column)
                               item[fieldNames.at(size_t(column))] = jsonValue(row.value(column));
                           items.push_back(std::move(item));
                       }
                       return ApiReply::json(Json{{"items", items}, {"next", page->next ? Json(encodeCursor(*page->next).toStdString()) : Json(nullptr)}});
                   }});
    routes.append({"GET", u"/api/v1/calls/{callId}"_s, A::Permission, Permission::ViewCalls, IdScope::Company, false,
                   u"One call with its timeline (raw payloads with view_payloads)"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"callId"_s);
                       if (!id)
                           return id.error();
                       if (auto inScope = requireInScope(db, u"calls"_s, *id, r.actor.companyId); !inScope)
                           return inScope.error();
                       auto detail = CallDetailQuery::load(db, *id);
                       if (!detail)
                           return detail.error();
                       if (!*detail)
                           return makeError(ErrorKind::NotFound, u"calls.missing"_s, AdminApi::tr("No such record."));
                       return ApiReply::json(detailJson(**detail, r.actor.can(Permission::ViewPayloads)));
                   }});
    routes.append({"POST", u"/api/v1/calls/{callId}/retry"_s, A::Permission, Permission::ManageCalls, IdScope::Company, false,
                   u"Queues the booking of a call again (audited, on the call's timeline)"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"callId"_s);
                       if (!id)
                           return id.error();
                       if (auto inScope = requireInScope(db, u"calls"_s, *id, r.actor.companyId); !inScope)
                           return inScope.error();
                       auto queued = SupportService(db).retryBooking({*id}, r.actor);
                       if (!queued)
                           return queued.error();
                       return ApiReply::json(Json{{"queued", *queued}}, 202);
                   }});
    return routes;
}

} // namespace askpro
