// The directory's companies and the audit log: lists filtered in SQL within the
// caller's company scope, and single records that answer 404 outside it.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "queries/auditquery.h"
#include "queries/directoryquery.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

Result<ApiReply> page(Result<QSqlQuery> query, int limit)
{
    if (!query)
        return query.error();
    bool more = false;
    Json items = jsonRows(*query, limit, more);
    return ApiReply::json(Json{{"items", items}, {"truncated", more}});
}

} // namespace

QList<ApiRoute> recordRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/companies"_s, A::Permission, Permission::ViewDirectory, IdScope::None, false,
                   u"Every company by name"_s, [&db](const ApiRequest &) -> Result<ApiReply> {
                       auto companies = DirectoryQuery::companies(db);
                       if (!companies)
                           return companies.error();
                       Json items = Json::array();
                       for (const NamedItem &company : *companies)
                           items.push_back(Json{{"id", company.id}, {"name", company.name.toStdString()}, {"active", company.active}});
                       return ApiReply::json(Json{{"items", items}});
                   }});
    routes.append({"GET", u"/api/v1/audit"_s, A::Permission, Permission::ViewAudit, IdScope::None, false,
                   u"The audit log, newest first, by actor, action group and text"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       AuditFilter filter;
                       filter.actor = r.text(u"actor"_s);
                       filter.actionGroup = r.text(u"group"_s);
                       filter.text = r.text(u"q"_s);
                       auto limit = r.integer(u"limit"_s, 256, 1, 1000);
                       if (!limit)
                           return limit.error();
                       return page(AuditQuery::browse(db, r.actor, filter, u"UTC"_s), int(*limit));
                   }});
    return routes;
}

} // namespace askpro
