// The route families of the admin API, each in a file of its own; AdminApi joins them into one table.
#pragma once

#include "api/apiroute.h"

#include <QSqlQuery>

#include <memory>

namespace askpro {

class CredentialStore;
class Database;
class SessionStore;
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
};

[[nodiscard]] QList<ApiRoute> sessionRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> callRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> recordRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> changeRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> directoryRoutes(const ApiContext &context);
[[nodiscard]] QList<ApiRoute> secretRoutes(const ApiContext &context);

// Shared by the families.
[[nodiscard]] Json jsonValue(const QVariant &value);
// Up to limit rows of a query as objects named by its columns; more: whether another row followed.
[[nodiscard]] Json jsonRows(QSqlQuery &query, int limit, bool &more);
// NotFound unless the row exists within the company scope (0: every company), decided in SQL. table is one
// of calls, appointments, invoices, customers.
[[nodiscard]] Status requireInScope(Database &db, const QString &table, qint64 id, qint64 companyScope);

} // namespace askpro
