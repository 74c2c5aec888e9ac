// The admin API under /api/v1: JSON over HTTP(S) for askpro-admin and the customer portal. Every request
// but sign-in carries a bearer token; each route declares its permission in the route table and applies
// the caller's company scope in its SQL. Errors have one shape: {"error": {"code", "message"}}.
#pragma once

#include "api/apiroute.h"
#include "config/serverconfig.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHttpServerResponse>
#include <QObject>

#include <memory>

class QHttpServer;

namespace askpro {

class CredentialStore;
class Database;
class LiveUpdates;
class RefusedRequests;
class SessionStore;
class SetupHost;
class WorkerPool;

class AdminApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminApi)
public:
    static constexpr qsizetype maxBodyBytes = 1024 * 1024;
    static constexpr int maxPageSize = 1000;

    // pool may be null (jobs wait for a server with workers). refused counts failed sign-ins and limits them per
    // address together with the webhooks refused for their signature.
    AdminApi(std::shared_ptr<Database> db, CredentialStore &credentials, WorkerPool *pool, RefusedRequests &refused, ServerConfig config,
             QObject *parent = nullptr);
    ~AdminApi() override;

    void install(QHttpServer &server);
    // Where providers reach this server, for setups started through the API (a test's server learns its port late).
    void setPublicUrl(const QString &publicUrl);
    // Every route, for the OpenAPI check and the matrix test.
    [[nodiscard]] const QList<ApiRoute> &routes() const { return m_routes; }
    [[nodiscard]] LiveUpdates &liveUpdates() { return *m_live; }
    // Answers one request; public for the fuzz target, which feeds it requests without a socket.
    [[nodiscard]] QHttpServerResponse dispatch(const QHttpServerRequest &request);

private:
    [[nodiscard]] QString clientAddress(const QHttpServerRequest &request) const;
    // Sign-in attempts per address and minute; true when this one is over the limit.
    [[nodiscard]] bool signInLimited(const QString &address);

    std::shared_ptr<Database> m_sharedDb;
    Database &m_db;
    WorkerPool *m_pool;
    RefusedRequests &m_refused;
    ServerConfig m_config;
    std::unique_ptr<SessionStore> m_sessions;
    std::unique_ptr<SetupHost> m_setup; // setup runs and test calls started through the API
    LiveUpdates *m_live; // the desktops' live sockets
    QList<ApiRoute> m_routes;
    struct Attempts
    {
        qint64 windowStart = 0;
        int count = 0;
    };
    QHash<QString, Attempts> m_signInAttempts;
};

} // namespace askpro
