// One running server: HTTP routes, worker threads and the services they share, wired together.
#pragma once

#include "config/serverconfig.h"
#include "core/result.h"
#include "security/secretbox.h"

#include <QHostAddress>
#include <QObject>

#include <memory>

class QHttpServer;

namespace askpro {

class AdminApi;
class CredentialStore;
class Database;
class HttpApi;
class RefusedRequests;
class WorkerPool;

class AskProServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AskProServer)
public:
    // workers: run job workers in this process (false: intake only).
    AskProServer(std::shared_ptr<Database> db, SecretBox box, ServerConfig config, bool workers = true, QObject *parent = nullptr);
    ~AskProServer() override;

    // Serves HTTPS with this certificate (PEM, the chain after it) and private key (PEM, RSA or EC); before
    // start(). Configuration error naming the file that cannot be read or does not match.
    [[nodiscard]] Status useTls(const QString &certificateFile, const QString &keyFile);
    // Starts listening (port 0: any free port) and the workers; returns the port.
    [[nodiscard]] Result<quint16> start(const QHostAddress &address, quint16 port);
    void stop();

    [[nodiscard]] CredentialStore &credentials() { return *m_credentials; }
    [[nodiscard]] WorkerPool *workers() { return m_pool; }
    [[nodiscard]] Database &database() { return *m_db; }
    [[nodiscard]] AdminApi &adminApi() { return *m_adminApi; }

private:
    std::shared_ptr<Database> m_db;
    std::unique_ptr<CredentialStore> m_credentials;
    ServerConfig m_config;
    std::unique_ptr<RefusedRequests> m_refused; // shared by the webhooks and the admin API's sign-in
    WorkerPool *m_pool = nullptr;
    HttpApi *m_api = nullptr;
    AdminApi *m_adminApi = nullptr;
    QHttpServer *m_http = nullptr;
};

} // namespace askpro
