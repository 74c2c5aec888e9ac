// The audit log: keyset pages filtered and sorted in SQL, one entry with its before and after, and the
// values the page's filters offer. Only platform staff with view_audit read it; it belongs to no company.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "queries/auditquery.h"

#include <QTimeZone>

#include <limits>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The sort parameter's names, in AuditQuery::Column order ("": not sortable); the fields of a list item likewise.
const QStringList sortNames{u"id"_s, u"at"_s, QString(), u"actor"_s, u"role"_s, u"action"_s, u"entity"_s, u"entity_id"_s};
const std::vector<const char *> fieldNames{"id", "at", "time_zone", "actor", "role", "action", "entity", "entity_id"};

Json texts(const QStringList &values)
{
    Json list = Json::array();
    for (const QString &value : values)
        list.push_back(value.toStdString());
    return list;
}

} // namespace

QList<ApiRoute> auditRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/audit"_s, A::Permission, Permission::ViewAudit, IdScope::None, false,
                   u"A page of the audit log by actor, action group, entity, period and text, sorted on the server; next is the cursor of the following page"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       constexpr qint64 any = std::numeric_limits<qint64>::max();
                       auto from = r.integer(u"from"_s, 0, 0, any);
                       auto to = r.integer(u"to"_s, 0, 0, any);
                       auto entityId = r.integer(u"entity_id"_s, 0, 0, any);
                       auto paging = pageRequest(r, sortNames, u"at"_s, Qt::DescendingOrder);
                       for (const Status &check : {from ? Status() : from.error(), to ? Status() : to.error(), entityId ? Status() : entityId.error(),
                                                   paging ? Status() : paging.error()}) {
                           if (!check)
                               return check.error();
                       }
                       // The zone the client shows times in, sent back with every row (times stay UTC ms).
                       const QString zone = r.text(u"zone"_s).isEmpty() ? u"UTC"_s : r.text(u"zone"_s);
                       if (!QTimeZone(zone.toUtf8()).isValid())
                           return makeError(ErrorKind::Invalid, u"parameter.zone"_s, AdminApi::tr("Parameter zone: an IANA time zone is expected."));
                       AuditFilter filter;
                       filter.actor = r.text(u"actor"_s);
                       filter.actionGroup = r.text(u"group"_s);
                       filter.entity = r.text(u"entity"_s);
                       filter.entityId = *entityId;
                       filter.text = r.text(u"q"_s);
                       if (*from > 0)
                           filter.from = QDateTime::fromMSecsSinceEpoch(*from, QTimeZone::utc());
                       if (*to > 0)
                           filter.to = QDateTime::fromMSecsSinceEpoch(*to, QTimeZone::utc());
                       auto page = AuditQuery::page(db, r.actor, filter, zone, paging->sortColumn, paging->order, paging->after, paging->limit);
                       if (!page)
                           return page.error();
                       return pageReply(*page, fieldNames);
                   }});
    routes.append({"GET", u"/api/v1/audit/filters"_s, A::Permission, Permission::ViewAudit, IdScope::None, false,
                   u"The actors and action groups found in the audit log, for filters"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto actors = AuditQuery::actors(db, r.actor);
                       if (!actors)
                           return actors.error();
                       auto groups = AuditQuery::actionGroups(db, r.actor);
                       if (!groups)
                           return groups.error();
                       return ApiReply::json(Json{{"actors", texts(*actors)}, {"groups", texts(*groups)}});
                   }});
    routes.append({"GET", u"/api/v1/audit/{entryId}"_s, A::Permission, Permission::ViewAudit, IdScope::None, false,
                   u"One audit entry with the record before and after the change"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"entryId"_s);
                       if (!id)
                           return id.error();
                       auto entry = AuditQuery::entry(db, r.actor, *id);
                       if (!entry)
                           return entry.error();
                       return ApiReply::json(Json{{"id", entry->id},
                                                  {"at", entry->atMs},
                                                  {"actor", entry->actor.toStdString()},
                                                  {"action", entry->action.toStdString()},
                                                  {"entity", entry->entity.toStdString()},
                                                  {"entity_id", entry->entityId},
                                                  {"before", entry->beforeJson.toStdString()},
                                                  {"after", entry->afterJson.toStdString()}});
                   }});
    return routes;
}

} // namespace askpro
