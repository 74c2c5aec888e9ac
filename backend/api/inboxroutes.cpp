// The webhook inbox for support: every stored delivery (keyset pages, filters and sorts in SQL), one delivery
// with its body masked by the server, and the replay of a delivery. Deliveries belong to the platform's
// intake, so only holders of view_payloads read them; a replay changes calls and needs manage_calls.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "intake/refusedrequests.h"
#include "queries/inboxquery.h"
#include "support/payloadtext.h"
#include "support/supportservice.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The sort parameter's names, in InboxQuery::Column order ("": not sortable); the fields of a list item likewise.
const QStringList sortNames{u"id"_s,     u"received_at"_s, QString(),         u"provider"_s, u"event"_s,     u"signature"_s,
                            u"status"_s, u"error"_s,       u"deliveries"_s,   u"call"_s,     QString()};
const std::vector<const char *> fieldNames{"id",     "received_at", "time_zone",      "provider", "event_type",    "signature_ok",
                                           "status", "error",       "delivery_count", "call_id",  "retell_call_id"};
const QStringList statuses{u"pending"_s, u"processed"_s, u"failed"_s, u"ignored"_s, u"rejected"_s, u"not_ours"_s, u"stale"_s};

Result<qint64> existingDelivery(Database &db, const ApiRequest &r)
{
    auto id = r.id(u"deliveryId"_s);
    if (!id)
        return id.error();
    auto found = db.scalar(u"SELECT COUNT(*) FROM webhook_inbox WHERE id = ?"_s, {*id});
    if (!found)
        return found.error();
    if (found->toLongLong() == 0)
        return makeError(ErrorKind::NotFound, u"inbox.missing"_s, AdminApi::tr("No such record."));
    return *id;
}

} // namespace

QList<ApiRoute> inboxRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/inbox"_s, A::Permission, Permission::ViewPayloads, IdScope::None, false,
                   u"A page of stored webhook deliveries, filtered (provider, status, q) and sorted on the server; next is the cursor of the following page"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto provider = r.oneOf(u"provider"_s, {u"retell"_s, u"calcom"_s, u"stripe"_s});
                       auto status = r.oneOf(u"status"_s, statuses);
                       auto paging = pageRequest(r, sortNames, u"received_at"_s, Qt::DescendingOrder);
                       for (const Status &check : {provider ? Status() : provider.error(), status ? Status() : status.error(),
                                                   paging ? Status() : paging.error()}) {
                           if (!check)
                               return check.error();
                       }
                       InboxFilter filter;
                       filter.provider = *provider;
                       filter.status = *status;
                       filter.text = r.text(u"q"_s).trimmed();
                       auto page = InboxQuery::page(db, filter, paging->sortColumn, paging->order, paging->after, paging->limit);
                       if (!page)
                           return page.error();
                       return pageReply(*page, fieldNames);
                   }});
    // Before /inbox/{deliveryId}, which would otherwise take "refused" for an id.
    const RefusedRequests &refused = context.refused;
    routes.append({"GET", u"/api/v1/inbox/refused"_s, A::Permission, Permission::ViewPayloads, IdScope::None, false,
                   u"Requests this server refused for their signature or size (and failed sign-ins) since it started: counts by provider and reason, and the last bodies (at most 100, 4 KB each, masked), newest first"_s,
                   [&refused](const ApiRequest &) -> Result<ApiReply> {
                       auto counts = refused.counts();
                       QList<QPair<QString, QString>> keys = counts.keys();
                       std::sort(keys.begin(), keys.end());
                       Json countList = Json::array();
                       for (const auto &key : std::as_const(keys))
                           countList.push_back({{"provider", key.first.toStdString()}, {"reason", key.second.toStdString()}, {"count", counts.value(key)}});
                       Json sample = Json::array();
                       const QList<RefusedRequests::Sample> kept = refused.sample();
                       for (auto it = kept.crbegin(); it != kept.crend(); ++it)
                           sample.push_back({{"received_at", it->receivedAt},
                                             {"provider", it->provider.toStdString()},
                                             {"reason", it->reason.toStdString()},
                                             {"address", it->address.toStdString()},
                                             {"size", it->size},
                                             {"body", PayloadText::maskedPrettyJson(QString::fromUtf8(it->body)).toStdString()}});
                       return ApiReply::json(Json{{"since", refused.since()},
                                                  {"limit_per_minute", refused.perMinute()},
                                                  {"sample_limit", RefusedRequests::sampleLimit},
                                                  {"sample_bytes", RefusedRequests::sampleBytes},
                                                  {"counts", countList},
                                                  {"sample", sample}});
                   }});
    routes.append({"GET", u"/api/v1/inbox/{deliveryId}"_s, A::Permission, Permission::ViewPayloads, IdScope::None, false,
                   u"One stored delivery with its body, every value under a key naming a secret masked by the server"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = existingDelivery(db, r);
                       if (!id)
                           return id.error();
                       auto body = InboxQuery::body(db, *id);
                       if (!body)
                           return body.error();
                       return ApiReply::json(Json{{"id", *id}, {"body", PayloadText::maskedPrettyJson(*body).toStdString()}});
                   }});
    routes.append({"GET", u"/api/v1/inbox/{deliveryId}/replay-preview"_s, A::Permission, Permission::ViewPayloads, IdScope::None, false,
                   u"What replaying the delivery would change now (an older event changes nothing); changes nothing itself"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = existingDelivery(db, r);
                       if (!id)
                           return id.error();
                       auto preview = SupportService(db).previewReplay(*id, r.actor);
                       if (!preview)
                           return preview.error();
                       return ApiReply::json(Json{{"id", *id},
                                                  {"provider", preview->provider.toStdString()},
                                                  {"would_change", preview->wouldChange},
                                                  {"text", preview->text.toStdString()}});
                   }});
    routes.append({"POST", u"/api/v1/inbox/{deliveryId}/replay"_s, A::Permission, Permission::ManageCalls, IdScope::None, false,
                   u"Sets the delivery back to pending and queues its processing again (audited); answers the job"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = existingDelivery(db, r);
                       if (!id)
                           return id.error();
                       auto job = SupportService(db).replayWebhook(*id, r.actor);
                       if (!job)
                           return job.error();
                       return ApiReply::json(Json{{"id", *id}, {"job_id", *job}}, 202);
                   }});
    return routes;
}

} // namespace askpro
