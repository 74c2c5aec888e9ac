// Customers: the list (keyset paging, search and sorts in SQL) within the caller's company, and one customer's
// calls and appointments, which answer 404 for another company's customer.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "domain/phonenumbers.h"
#include "queries/directoryquery.h"
#include "support/customerservice.h"

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

Json profileJson(const CustomerProfile &p)
{
    return Json{{"id", p.id},
                {"company_id", p.companyId},
                {"name", p.name.toStdString()},
                {"phone", p.phoneE164.toStdString()},
                {"phone_display", PhoneNumbers::display(p.phoneE164).toStdString()},
                {"email", p.email.toStdString()},
                {"notes", p.notes.toStdString()},
                {"language", p.language.toStdString()},
                {"preferred_channel", p.preferredChannel.toStdString()},
                {"message_phone", p.messagePhoneE164.toStdString()},
                {"message_phone_display", p.messagePhoneE164.isEmpty() ? std::string() : PhoneNumbers::display(p.messagePhoneE164).toStdString()},
                {"message_phone_is_mobile", PhoneNumbers::canReceiveSms(p.messagePhoneE164.isEmpty() ? p.phoneE164 : p.messagePhoneE164)},
                {"sms_opt_out", p.smsOptOut},
                {"sms_opt_changed_at", p.smsOptChangedAtMs > 0 ? Json(p.smsOptChangedAtMs) : Json(nullptr)},
                {"updated_at", p.updatedAtMs}};
}

// The change a PATCH body names: each field optional, each of its own type; any other field is refused, so a
// misspelt one is not silently ignored.
Result<CustomerChanges> changesOf(const Json &body)
{
    if (!body.is_object())
        return makeError(ErrorKind::Invalid, u"body.object"_s, AdminApi::tr("The request body must be a JSON object."));
    CustomerChanges c;
    const std::pair<const char *, std::optional<QString> CustomerChanges::*> texts[] = {
        {"name", &CustomerChanges::name},         {"email", &CustomerChanges::email},
        {"notes", &CustomerChanges::notes},       {"language", &CustomerChanges::language},
        {"preferred_channel", &CustomerChanges::preferredChannel}, {"message_phone", &CustomerChanges::messagePhone}};
    for (const auto &[key, value] : body.items()) {
        bool known = false;
        for (const auto &[field, member] : texts) {
            if (key != field)
                continue;
            known = true;
            if (!value.is_string())
                return makeError(ErrorKind::Invalid, u"body.%1"_s.arg(QLatin1String(field)), AdminApi::tr("Field %1: a text is expected.").arg(QLatin1String(field)));
            c.*member = QString::fromStdString(value.get<std::string>());
        }
        if (key == "sms_opt_out") {
            known = true;
            if (!value.is_boolean())
                return makeError(ErrorKind::Invalid, u"body.sms_opt_out"_s, AdminApi::tr("Field %1: true or false is expected.").arg(u"sms_opt_out"_s));
            c.smsOptOut = value.get<bool>();
        }
        if (!known)
            return makeError(ErrorKind::Invalid, u"body.unknown"_s, AdminApi::tr("Field %1 cannot be changed here.").arg(QString::fromStdString(key)));
    }
    return c;
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
    routes.append({"GET", u"/api/v1/customers/{customerId}"_s, A::Permission, Permission::ViewCustomers, IdScope::Company, false,
                   u"One customer with their contact details and message choices (preferred channel, number for messages, language, SMS opt-out)"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"customerId"_s);
                       if (!id)
                           return id.error();
                       auto p = CustomerService(db).profile(*id, r.actor.isScoped() ? r.actor.companyId : 0);
                       if (!p)
                           return p.error();
                       return ApiReply::json(profileJson(*p));
                   }});
    routes.append({"PATCH", u"/api/v1/customers/{customerId}"_s, A::Permission, Permission::EditCustomers, IdScope::Company, false,
                   u"Changes a customer's name, e-mail, notes, language, preferred channel (auto, email, sms, none) or number for messages (a mobile "
                   "number), or records an SMS opt-out; audited; an opt-in is the customer's own START reply. Answers the customer"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"customerId"_s);
                       if (!id)
                           return id.error();
                       auto changes = changesOf(r.body);
                       if (!changes)
                           return changes.error();
                       auto p = CustomerService(db).update(r.actor, *id, r.actor.isScoped() ? r.actor.companyId : 0, *changes);
                       if (!p)
                           return p.error();
                       return ApiReply::json(profileJson(*p));
                   },
                   QByteArrayLiteral(R"({"preferred_channel":"sms"})")});
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
