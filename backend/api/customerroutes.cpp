// Customers: the list (keyset paging, search and sorts in SQL) within the caller's company, and one customer's
// calls and appointments, which answer 404 for another company's customer.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "domain/phonenumbers.h"
#include "queries/directoryquery.h"

#include <QCoreApplication>

#include <limits>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The sort parameter's names, in CustomerQuery::Column order; the fields of a list item likewise.
const QStringList sortNames{u"id"_s, u"name"_s, u"phone"_s, u"email"_s, u"company"_s, u"calls"_s, u"appointments"_s, u"last_call_at"_s};
const std::vector<const char *> fieldNames{"id", "name", "phone", "email", "company", "calls", "appointments", "last_call_at"};

// Every row of a customer's query as objects with these field names, in column order. A customer's history is
// short (one person's calls), so it comes in one answer.
Result<ApiReply> rowsReply(Result<QSqlQuery> query, const std::vector<const char *> &fields)
{
    if (!query)
        return query.error();
    Json items = Json::array();
    while (query->next()) {
        Json item = Json::object();
        for (size_t column = 0; column < fields.size(); ++column)
            item[fields.at(column)] = jsonValue(query->value(int(column)));
        items.push_back(std::move(item));
    }
    return ApiReply::json(Json{{"items", items}});
}

} // namespace

QList<ApiRoute> customerRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/customers"_s, A::Permission, Permission::ViewCustomers, IdScope::None, false,
                   u"A page of customers with their call and appointment counts, searched and sorted on the server; next is the cursor of the following page"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       auto paging = pageRequest(r, sortNames, u"name"_s, Qt::AscendingOrder);
                       if (!paging)
                           return paging.error();
                       auto page = CustomerQuery::page(db, r.text(u"q"_s).trimmed(), *company, paging->sortColumn, paging->order, paging->after,
                                                       paging->limit);
                       if (!page)
                           return page.error();
                       ApiReply reply = pageReply(*page, fieldNames);
                       // Shown as the numbering plan writes it; clients have no phone number library.
                       for (Json &item : reply.body["items"]) {
                           const std::string phone = item.value("phone", std::string());
                           item["phone_display"] = phone.empty() ? std::string() : PhoneNumbers::display(QString::fromStdString(phone)).toStdString();
                       }
                       return reply;
                   }});
    routes.append({"GET", u"/api/v1/customers/{customerId}/calls"_s, A::Permission, Permission::ViewCustomers, IdScope::Company, false,
                   u"A customer's calls, newest first"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"customers"_s, u"customerId"_s);
                       if (!id)
                           return id.error();
                       return rowsReply(CustomerQuery::calls(db, *id), {"id", "started_at", "time_zone", "branch", "outcome", "duration_ms"});
                   }});
    routes.append({"GET", u"/api/v1/customers/{customerId}/appointments"_s, A::Permission, Permission::ViewCustomers, IdScope::Company, false,
                   u"A customer's appointments, newest first"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"customers"_s, u"customerId"_s);
                       if (!id)
                           return id.error();
                       return rowsReply(CustomerQuery::appointments(db, *id),
                                        {"id", "starts_at", "time_zone", "branch", "service", "staff", "status"});
                   }});
    return routes;
}

} // namespace askpro
