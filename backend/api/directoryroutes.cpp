// The directory's companies, branches, staff and services for the admin app: one table route per entity, and
// new rows and edits through DirectoryService (which validates, checks edit_directory and audits).
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "domain/openinghours.h"
#include "domain/phonenumbers.h"
#include "queries/directoryquery.h"
#include "support/auditlog.h"
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

QString clockText(int minute)
{
    return u"%1:%2"_s.arg(minute / 60, 2, 10, QChar(u'0')).arg(minute % 60, 2, 10, QChar(u'0'));
}

// "08:30" -> 510, "24:00" -> 1440; -1 when it is not a time of day.
int minuteOf(const std::string &text)
{
    const QString t = QString::fromStdString(text);
    if (t == u"24:00"_s)
        return 1440;
    const QTime time = QTime::fromString(t, u"HH:mm"_s);
    return time.isValid() ? time.hour() * 60 + time.minute() : -1;
}

// The branch's hours as the API shows them, with the week as the agent hears it.
Json openingHoursJson(const OpeningHours &hours, const QString &language)
{
    Json weekly = Json::array();
    for (const OpeningInterval &i : hours.weekly())
        weekly.push_back({{"weekday", i.weekday}, {"opens", clockText(i.opensMinute).toStdString()}, {"closes", clockText(i.closesMinute).toStdString()}});
    Json closures = Json::array();
    for (const Closure &c : hours.closures())
        closures.push_back({{"first_day", c.first.toString(Qt::ISODate).toStdString()},
                            {"last_day", c.last.toString(Qt::ISODate).toStdString()},
                            {"reason", c.reason.toStdString()}});
    return Json{{"weekly", weekly}, {"closures", closures}, {"text", hours.weekText(language).toStdString()}};
}

// {"weekly": [{weekday, opens, closes}], "closures": [{first_day, last_day, reason}]}; Invalid naming the entry.
Result<std::pair<QList<OpeningInterval>, QList<Closure>>> openingHoursOf(const Json &body)
{
    if (!body.is_object() || !body.value("weekly", Json()).is_array() || !body.value("closures", Json()).is_array())
        return makeError(ErrorKind::Invalid, u"body.invalid"_s, AdminApi::tr("The body needs weekly and closures, each a list (empty ones too)."));
    QList<OpeningInterval> weekly;
    int index = 0;
    for (const Json &entry : body["weekly"]) {
        const OpeningInterval interval{entry.is_object() && entry.value("weekday", Json()).is_number_integer() ? entry["weekday"].get<int>() : 0,
                                       entry.is_object() ? minuteOf(entry.value("opens", std::string())) : -1,
                                       entry.is_object() ? minuteOf(entry.value("closes", std::string())) : -1};
        if (!OpeningHours::problem(interval).isEmpty())
            return makeError(ErrorKind::Invalid, u"parameter.weekly"_s,
                             AdminApi::tr("weekly[%1]: a weekday from 1 (Monday) to 7 (Sunday), opens and closes as HH:MM, closing after "
                                          "opening.")
                                 .arg(index));
        weekly.append(interval);
        ++index;
    }
    QList<Closure> closures;
    index = 0;
    for (const Json &entry : body["closures"]) {
        const Closure closure{QDate::fromString(QString::fromStdString(entry.is_object() ? entry.value("first_day", std::string()) : std::string()), Qt::ISODate),
                              QDate::fromString(QString::fromStdString(entry.is_object() ? entry.value("last_day", std::string()) : std::string()), Qt::ISODate),
                              QString::fromStdString(entry.is_object() ? entry.value("reason", std::string()) : std::string())};
        if (!closure.first.isValid() || !closure.last.isValid() || closure.last < closure.first)
            return makeError(ErrorKind::Invalid, u"parameter.closures"_s,
                             AdminApi::tr("closures[%1]: first_day and last_day as YYYY-MM-DD, the last not before the first.").arg(index));
        closures.append(closure);
        ++index;
    }
    return std::pair{weekly, closures};
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
    // Opening hours of a branch: what the voice agent tells callers and what availability keeps to.
    const QString hoursPath = u"/api/v1/directory/branches/{branchId}/opening-hours"_s;
    routes.append({"GET", hoursPath, A::Permission, Permission::ViewDirectory, IdScope::Company, false,
                   u"The branch's weekly opening hours and closures, and the week as the voice agent says it"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"branches"_s, u"branchId"_s);
                       if (!id)
                           return id.error();
                       auto branch = db.exec(u"SELECT time_zone, language FROM branches WHERE id = ?"_s, {*id});
                       if (!branch)
                           return branch.error();
                       if (!branch->next())
                           return makeError(ErrorKind::NotFound, u"directory.missing"_s, AdminApi::tr("No such record."));
                       const QTimeZone zone(branch->value(0).toString().toUtf8());
                       const QString language = branch->value(1).toString();
                       branch->finish();
                       auto hours = OpeningHours::load(db, *id, zone);
                       if (!hours)
                           return hours.error();
                       return ApiReply::json(openingHoursJson(*hours, language));
                   }});
    routes.append({"PUT", hoursPath, A::Permission, Permission::EditDirectory, IdScope::Company, false,
                   u"Replaces the branch's weekly opening hours and closures (validated and audited)"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = scopedId(db, r, u"branches"_s, u"branchId"_s);
                       if (!id)
                           return id.error();
                       auto parsed = openingHoursOf(r.body);
                       if (!parsed)
                           return parsed.error();
                       auto zone = db.scalar(u"SELECT time_zone FROM branches WHERE id = ?"_s, {*id});
                       if (!zone)
                           return zone.error();
                       if (zone->isNull())
                           return makeError(ErrorKind::NotFound, u"directory.missing"_s, AdminApi::tr("No such record."));
                       auto before = OpeningHours::load(db, *id, QTimeZone(zone->toString().toUtf8()));
                       if (!before)
                           return before.error();
                       const OpeningHours after(parsed->first, parsed->second, QTimeZone(zone->toString().toUtf8()));
                       Transaction tx(db);
                       if (auto started = tx.started(); !started)
                           return started.error();
                       if (auto replaced = OpeningHours::replace(db, *id, parsed->first, parsed->second); !replaced)
                           return replaced.error();
                       if (auto logged = AuditLog(db).write(r.actor, u"branch.opening_hours"_s, u"branches"_s, *id,
                                                            QString::fromStdString(openingHoursJson(*before, u"en"_s).dump()),
                                                            QString::fromStdString(openingHoursJson(after, u"en"_s).dump()));
                           !logged)
                           return logged.error();
                       if (auto committed = tx.commit(); !committed)
                           return committed.error();
                       return ApiReply::noContent();
                   },
                   QByteArray(R"({"weekly": [{"weekday": 1, "opens": "08:00", "closes": "12:00"}, {"weekday": 1, "opens": "13:00", "closes": "18:00"}], )"
                              R"("closures": [{"first_day": "2026-12-24", "last_day": "2026-12-26", "reason": "Weihnachten"}]})")});
    return routes;
}

} // namespace askpro
