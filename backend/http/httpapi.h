// The server's HTTP routes: provider webhooks, the voice agent's live functions, and health.
#pragma once

#include "config/serverconfig.h"

#include <QCoreApplication>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QHash>
#include <QObject>

class QHttpServer;
class QHttpServerRequest;
class QNetworkAccessManager;

namespace askpro {

class CredentialStore;
class Database;
class WorkerPool;

class HttpApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpApi)
public:
    static constexpr qsizetype maxBodyBytes = 1024 * 1024;
    static constexpr int liveBookingWaitMs = 8000;

    // pool may be null (intake only: jobs wait for a server with workers).
    HttpApi(Database &db, CredentialStore &credentials, WorkerPool *pool, ServerConfig config, QObject *parent = nullptr);
    ~HttpApi() override;

    void install(QHttpServer &server);

private:
    [[nodiscard]] QHttpServerResponse retellWebhook(const QHttpServerRequest &request);
    [[nodiscard]] QHttpServerResponse calcomWebhook(const QHttpServerRequest &request);
    [[nodiscard]] QHttpServerResponse stripeWebhook(const QHttpServerRequest &request);
    // The live functions answer later (after a booking job or a Cal.com request): they hold the responder.
    void bookAppointment(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void checkAvailability(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    [[nodiscard]] QHttpServerResponse health();
    [[nodiscard]] QHttpServerResponse bookingAnswer(const QString &retellCallId);
    // Checks size and signature; on refusal returns the response to send and records why.
    [[nodiscard]] std::optional<QHttpServerResponse> refuseRetell(const QHttpServerRequest &request, const QString &what);
    // Signing keys, decrypted at most every few seconds rather than once per request; a rotated key
    // is in use within keyCacheMs.
    [[nodiscard]] Result<QList<QByteArray>> signingKeys(const QString &provider);
    static constexpr qint64 keyCacheMs = 5000;

    Database &m_db;
    CredentialStore &m_credentials;
    WorkerPool *m_pool;
    ServerConfig m_config;
    QNetworkAccessManager *m_network;
    struct CachedKeys
    {
        QList<QByteArray> keys;
        qint64 loadedAt = 0;
    };
    QHash<QString, CachedKeys> m_keys;
    QHash<QPair<QString, int>, qint64> m_requestCounts; // by path and status, for /metrics
};

} // namespace askpro
