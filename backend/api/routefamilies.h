// The route families of the admin API, each in a file of its own; AdminApi joins them into one table.
#pragma once

#include "api/apiroute.h"
#include "queries/callquery.h"

#include <QSqlQuery>

#include <memory>
#include <optional>
#include <vector>

namespace askpro {

class CredentialStore;
class Database;
class RefusedRequests;
class SessionStore;
class SetupHost;
class WorkerPool;
struct ServerConfig;

struct ApiContext
{
    Database &db;
    std::shared_ptr<Database> sharedDb; // for services that keep the database (AppointmentService …)
    CredentialStore &credentials;       // provider keys, used on the server only; never sent to clients
    SessionStore &sessions;
    WorkerPool *pool;
    const ServerConfig &config;
    const RefusedRequests &refused; // this server's refused requests: counts and a sample, in memory
    SetupHost &setup; // the setup wizard's runs and test calls, in the server's event loop
};

[[nodiscard]] QList<ApiRoute> sessionRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> callRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> recordRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> changeRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> directoryRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> secretRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> appointmentRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> customerRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> savedViewRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> inboxRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> auditRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> healthRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> billingRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> setupRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> importRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> messageRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> templateRoutes(const ApiContext &context);

// The lists a client can watch for changes (GET /changes and the live socket), each behind its view permission.
struct WatchedList
{
    QString name;
    ChangeQuery::Table table = ChangeQuery::Table::Calls;
    Permission permission = Permission::ViewCalls;
};
[[nodiscard]] const QList<WatchedList> &watchedLists();

// Shared by the families.
[[nodiscard]] Json jsonValue(const QVariant &value);
// Up to limit rows of a query as objects named by its columns; more: whether another row followed.
[[nodiscard]] Json jsonRows(QSqlQuery &query, int limit, bool &more);
// A keyset list's cursor, opaque to clients: base64url of [sort key, id] of a page's last row. An empty text
// is the first page; anything not made by encodeCursor is Invalid naming the parameter "after".
[[nodiscard]] QString encodeCursor(const CallCursor &cursor);
[[nodiscard]] Result<std::optional<CallCursor>> decodeCursor(const QString &text);
// How one page of a keyset list is asked for: the sort column (an index into the route's sort names), the
// order, the page size and the cursor the page starts after.
struct PageRequest
{
    int sortColumn = 0;
    Qt::SortOrder order = Qt::AscendingOrder;
    int limit = 256;
    std::optional<CallCursor> after;
};
// The list parameters sort (one of sortNames; empty names are not sortable), order (asc, desc), limit (1 to
// 1000) and after; Invalid naming the first malformed one.
[[nodiscard]] Result<PageRequest> pageRequest(const ApiRequest &request, const QStringList &sortNames, const QString &defaultSort,
                                              Qt::SortOrder defaultOrder);
// {"items": rows as objects with these field names, "next": cursor or null}.
[[nodiscard]] ApiReply pageReply(const CallPage &page, const std::vector<const char *> &fields);
// NotFound unless the row exists within the company scope (0: every company), decided in SQL. table is one
// of calls, appointments, invoices, customers, branches.
[[nodiscard]] Status requireInScope(Database &db, const QString &table, qint64 id, qint64 companyScope);
// The path parameter name's id when that row of table lies within the signed-in user's company (NotFound
// otherwise, so another company's ids cannot even be probed).
[[nodiscard]] Result<qint64> scopedId(Database &db, const ApiRequest &request, const QString &table, const QString &name);

} // namespace askpro
