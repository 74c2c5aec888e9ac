// What changed since the client last looked: the newest id and change time of each list the caller may see,
// within their company. Pages poll it every few seconds while shown and re-read their rows when it moves.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "queries/callquery.h"

using namespace Qt::StringLiterals;

namespace askpro {

const QList<WatchedList> &watchedLists()
{
    static const QList<WatchedList> lists{{u"calls"_s, ChangeQuery::Table::Calls, Permission::ViewCalls},
                                          {u"appointments"_s, ChangeQuery::Table::Appointments, Permission::ViewAppointments},
                                          {u"customers"_s, ChangeQuery::Table::Customers, Permission::ViewCustomers},
                                          {u"inbox"_s, ChangeQuery::Table::WebhookInbox, Permission::ViewPayloads},
                                          {u"health"_s, ChangeQuery::Table::HealthChecks, Permission::ViewHealth}};
    return lists;
}

QList<ApiRoute> changeRoutes(const ApiContext &context)
{
    Database &db = context.db;
    QList<ApiRoute> routes;
    routes.append({"GET", u"/api/v1/changes"_s, ApiRoute::Access::SignedIn, Permission::ViewCalls, IdScope::None, false,
                   u"The newest id and change time of the lists named in tables (default: all the caller may see)"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       const QString asked = r.text(u"tables"_s);
                       QStringList names = asked.split(u',', Qt::SkipEmptyParts);
                       for (const QString &name : names) {
                           const auto known = std::find_if(watchedLists().cbegin(), watchedLists().cend(), [&](const WatchedList &w) { return w.name == name; });
                           if (known == watchedLists().cend())
                               return makeError(ErrorKind::Invalid, u"parameter.tables"_s,
                                                AdminApi::tr("Parameter tables: %1 is not a list (calls, appointments, customers, inbox, health).").arg(name));
                           if (auto allowed = r.actor.require(known->permission); !allowed)
                               return allowed.error();
                       }
                       Json answer = Json::object();
                       for (const WatchedList &list : watchedLists()) {
                           if (names.isEmpty() ? !r.actor.can(list.permission) : !names.contains(list.name))
                               continue;
                           auto stamp = ChangeQuery::stamp(db, list.table, r.actor.companyId);
                           if (!stamp)
                               return stamp.error();
                           answer[list.name.toStdString()] = Json{{"last_id", stamp->lastId}, {"last_change", stamp->lastChange}};
                       }
                       return ApiReply::json(answer);
                   }});
    return routes;
}

} // namespace askpro
