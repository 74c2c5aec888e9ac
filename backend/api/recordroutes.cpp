// The directory's companies: every company by name, for pickers.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "queries/directoryquery.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace askpro {

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
    return routes;
}

} // namespace askpro
