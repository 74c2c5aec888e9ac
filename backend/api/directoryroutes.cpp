// The directory's companies, branches, staff and services for the admin app: one table route per entity, and
// new rows and edits through DirectoryService (which validates, checks edit_directory and audits).
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "domain/phonenumbers.h"
#include "queries/directoryquery.h"
#include "support/directoryservice.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

using E = DirectoryQuery::Entity;

struct EntityRoutes
{
    E entity;
    QString path;     // under /api/v1/directory
    QString idName;   // the path parameter of one row
    QString noun;     // for the summaries
    QByteArray sampleNew;
};

// A JSON body's fields as DirectoryService takes them. Whole numbers stay integers (a price in cents must
// not reach the database as a float); null clears a field; anything else is refused naming the field.
Result<QVariantMap> fieldsOf(const Json &body)
{
    QVariantMap fields;
    if (!body.is_object())
        return makeError(ErrorKind::Invalid, u"body.invalid"_s, AdminApi::tr("The request body must be a JSON object."));
    for (auto it = body.begin(); it != body.end(); ++it) {
        const QString name = QString::fromStdString(it.key());
        const Json &value = it.value();
        if (value.is_string())
            fields.insert(name, QString::fromStdString(value.get<std::string>()));
        else if (value.is_boolean())
            fields.insert(name, value.get<bool>());
        else if (value.is_number_integer())
            fields.insert(name, value.get<qint64>());
        else if (value.is_null())
            fields.insert(name, QVariant());
        else
            return makeError(ErrorKind::Invalid, u"parameter."_s + name,
                             AdminApi::tr("Parameter %1: a text, a whole number or true/false is expected.").arg(name));
    }
    return fields;
}

} // namespace

QList<ApiRoute> directoryRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;
    // Sample bodies name {companyId} and {n} (a running number): the route matrix fills them, so that each of its
    // requests is a new valid row (staff e-mail addresses and service names are unique within a company).
    const QList<EntityRoutes> entities{
        {E::Company, u"companies"_s, u"companyId"_s, u"company"_s, R"({"name": "Neue Praxis {n}", "billing_email": "rechnung@praxis.example"})"},
        {E::Branch, u"branches"_s, u"branchId"_s, u"branch"_s,
         R"({"company_id": {companyId}, "name": "Filiale {n}", "phone_e164": "030 1234567", "active": false})"},
        {E::Staff, u"staff"_s, u"staffId"_s, u"staff member"_s,
         R"({"company_id": {companyId}, "name": "Mia Muster", "email": "mia{n}@praxis.example"})"},
        {E::Service, u"services"_s, u"serviceId"_s, u"service"_s,
         R"({"company_id": {companyId}, "name": "Beratung {n}", "duration_minutes": 30, "price_cents": 4500})"},
    };
    for (const EntityRoutes &spec : entities) {
        const E entity = spec.entity;
        const QString base = u"/api/v1/directory/"_s + spec.path;
        routes.append({"GET", base, A::Permission, Permission::ViewDirectory, IdScope::None, false,
                       u"Every %1 with its editable fields, inactive ones last"_s.arg(spec.noun),
                       [&db, entity](const ApiRequest &r) -> Result<ApiReply> {
                           auto limit = r.integer(u"limit"_s, 1000, 1, 5000);
                           if (!limit)
                               return limit.error();
                           auto query = DirectoryQuery::table(db, entity);
                           if (!query)
                               return query.error();
                           bool more = false;
                           Json items = jsonRows(*query, int(*limit), more);
                           // The number as people dial it, formatted here: the desktop has no phone number rules.
                           if (entity == E::Branch) {
                               for (Json &item : items)
                                   item["phone_display"] = PhoneNumbers::display(QString::fromStdString(item.value("phone_e164", std::string())))
                                                               .toStdString();
                           }
                           return ApiReply::json(Json{{"items", items}, {"truncated", more}});
                       }});
        routes.append({"POST", base, A::Permission, Permission::EditDirectory, IdScope::None, false,
                       u"Adds a %1 (validated and audited); answers its id"_s.arg(spec.noun),
                       [&db, entity](const ApiRequest &r) -> Result<ApiReply> {
                           auto fields = fieldsOf(r.body);
                           if (!fields)
                               return fields.error();
                           auto id = DirectoryService(db).create(entity, *fields, r.actor);
                           if (!id)
                               return id.error();
                           return ApiReply::json(Json{{"id", *id}}, 201);
                       },
                       spec.sampleNew});
        routes.append({"PATCH", base + u"/{"_s + spec.idName + u'}', A::Permission, Permission::EditDirectory, IdScope::Company, false,
                       u"Changes the given fields of a %1, active included (validated and audited)"_s.arg(spec.noun),
                       [&db, entity, idName = spec.idName](const ApiRequest &r) -> Result<ApiReply> {
                           auto id = r.id(idName);
                           if (!id)
                               return id.error();
                           auto fields = fieldsOf(r.body);
                           if (!fields)
                               return fields.error();
                           if (auto known = DirectoryQuery::record(db, entity, *id); !known)
                               return makeError(ErrorKind::NotFound, u"directory.missing"_s, AdminApi::tr("No such record."));
                           if (auto saved = DirectoryService(db).update(entity, *id, *fields, r.actor); !saved)
                               return saved.error();
                           return ApiReply::noContent();
                       },
                       QByteArray(R"({"active": true})")});
    }
    return routes;
}

} // namespace askpro
