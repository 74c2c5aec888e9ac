// Invoices and the directory's companies: lists filtered in SQL within the caller's company scope.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "billing/billingquery.h"
#include "db/database.h"
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

    routes.append({"GET", u"/api/v1/invoices"_s, A::Permission, Permission::ViewBilling, IdScope::None, false,
                   u"Invoices and credit notes by status, period and text"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       InvoiceFilter filter;
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       filter.companyId = *company;
                       auto status = r.oneOf(u"status"_s, {u"draft"_s, u"open"_s, u"paid"_s, u"overdue"_s, u"failed"_s, u"credit_note"_s});
                       auto limit = r.integer(u"limit"_s, 256, 1, 1000);
                       if (!status)
                           return status.error();
                       if (!limit)
                           return limit.error();
                       filter.status = *status;
                       filter.text = r.text(u"q"_s).trimmed();
                       return page(BillingQuery::browse(db, r.actor, filter, BillingQuery::Number, Qt::DescendingOrder), int(*limit));
                   }});
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
