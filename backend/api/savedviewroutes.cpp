// Saved views: each user's named filter sets of a page. Every statement names the caller, so a view id of
// another user answers 404 whatever the caller's role.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "support/savedviewstore.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// Pages are short names chosen by clients ("calls", "appointments"); limited so a client cannot fill the table.
Result<QString> pageName(const QString &page)
{
    static const QRegularExpression valid(u"^[a-z][a-z0-9_-]{0,39}$"_s);
    if (!valid.match(page).hasMatch())
        return makeError(ErrorKind::Invalid, u"parameter.page"_s, AdminApi::tr("Parameter page: a short lower-case page name is expected."));
    return page;
}

Json viewJson(const SavedView &view)
{
    const QByteArray filters = QJsonDocument(QJsonObject::fromVariantMap(view.filters)).toJson(QJsonDocument::Compact);
    return Json{{"id", view.id},
                {"page", view.page.toStdString()},
                {"name", view.name.toStdString()},
                {"filters", Json::parse(filters.constBegin(), filters.constEnd(), nullptr, false)}};
}

} // namespace

QList<ApiRoute> savedViewRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;
    routes.append({"GET", u"/api/v1/saved-views"_s, A::SignedIn, Permission::ViewCalls, IdScope::None, false,
                   u"The caller's saved views of one page (page), by name; without page, every page's"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       const QString page = r.text(u"page"_s);
                       if (auto valid = pageName(page); !page.isEmpty() && !valid)
                           return valid.error();
                       auto views = SavedViewStore(db, r.actor.userId).list(page);
                       if (!views)
                           return views.error();
                       Json items = Json::array();
                       for (const SavedView &view : *views)
                           items.push_back(viewJson(view));
                       return ApiReply::json(Json{{"items", std::move(items)}, {"next", nullptr}});
                   }});
    routes.append({"POST", u"/api/v1/saved-views"_s, A::SignedIn, Permission::ViewCalls, IdScope::None, false,
                   u"Saves the filters of a page under a name (replacing the caller's view of that name)"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto page = r.bodyText("page");
                       if (!page)
                           return page.error();
                       if (auto valid = pageName(*page); !valid)
                           return valid.error();
                       auto name = r.bodyText("name");
                       if (!name)
                           return name.error();
                       const Json filters = r.body.is_object() ? r.body.value("filters", Json::object()) : Json::object();
                       if (!filters.is_object() || filters.dump().size() > 8192)
                           return makeError(ErrorKind::Invalid, u"parameter.filters"_s,
                                            AdminApi::tr("Parameter filters: an object of at most 8 KiB is expected."));
                       const QByteArray dumped = QByteArray::fromStdString(filters.dump());
                       auto id = SavedViewStore(db, r.actor.userId).save(*page, *name, QJsonDocument::fromJson(dumped).object().toVariantMap());
                       if (!id)
                           return id.error();
                       return ApiReply::json(Json{{"id", *id}}, 201);
                   },
                   R"({"page":"calls","name":"View {n}","filters":{"outcome":"failed"}})"});
    routes.append({"PATCH", u"/api/v1/saved-views/{viewId}"_s, A::SignedIn, Permission::ViewCalls, IdScope::Own, false,
                   u"Renames one of the caller's saved views"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"viewId"_s);
                       if (!id)
                           return id.error();
                       auto name = r.bodyText("name");
                       if (!name)
                           return name.error();
                       if (auto renamed = SavedViewStore(db, r.actor.userId).rename(*id, *name); !renamed)
                           return renamed.error();
                       return ApiReply::json(Json{{"id", *id}, {"name", name->trimmed().toStdString()}});
                   },
                   R"({"name":"Renamed {n}"})"});
    routes.append({"DELETE", u"/api/v1/saved-views/{viewId}"_s, A::SignedIn, Permission::ViewCalls, IdScope::Own, false,
                   u"Deletes one of the caller's saved views"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"viewId"_s);
                       if (!id)
                           return id.error();
                       if (auto removed = SavedViewStore(db, r.actor.userId).remove(*id); !removed)
                           return removed.error();
                       return ApiReply::noContent();
                   }});
    return routes;
}

} // namespace askpro
