// The server's HTTP routes: provider webhooks, the voice agent's live functions, and health.
#pragma once

#include "config/serverconfig.h"
#include "intake/webhookinbox.h"

#include <QCoreApplication>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QHash>
#include <QObject>

#include <functional>

class QHttpServer;
class QHttpServerRequest;
class QThread;
class QNetworkAccessManager;

namespace askpro {

class CredentialStore;
class Database;
class RefusedRequests;
class WorkerPool;

class HttpApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpApi)
public:
    static constexpr qsizetype maxBodyBytes = 1024 * 1024;
    static constexpr int liveBookingWaitMs = 8000;

    // pool may be null (intake only: jobs wait for a server with workers). refused counts and limits the
    // requests refused for their signature; the admin API shares it (failed sign-ins).
    HttpApi(Database &db, CredentialStore &credentials, WorkerPool *pool, RefusedRequests &refused, ServerConfig config,
            QObject *parent = nullptr);
    ~HttpApi() override;

    void install(QHttpServer &server);

    // Most deliveries stored in one group commit; more wait for the next one.
    static constexpr qsizetype maxIntakeBatch = 64;

private:
    // Webhooks answer after the group commit that stores them (queueIntake): they hold the responder.
    void retellWebhook(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void calcomWebhook(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    [[nodiscard]] QHttpServerResponse stripeWebhook(const QHttpServerRequest &request);
    // Retell's inbound call webhook: answered at once from local data (the caller is ringing), never queued.
    [[nodiscard]] QHttpServerResponse retellInbound(const QHttpServerRequest &request);
    // Twilio: message status callbacks and inbound replies (STOP/START), signed with the account's auth token.
    void twilioWebhook(const QHttpServerRequest &request, QHttpServerResponder &&responder, bool inbound);
    // The live functions answer later (after a booking job or a Cal.com request): they hold the responder.
    void bookAppointment(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void checkAvailability(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    [[nodiscard]] QHttpServerResponse health(bool detail);
    // What the agent hears about the call's booking; only of a call of a company the signer serves.
    [[nodiscard]] QHttpServerResponse bookingAnswer(const QString &retellCallId, const Signer &signer);
    // The answer to a request refused before its signature was verified (too large, not signed by a key we
    // hold): counted and sampled, or 429 when its address is over the limit of refusals. Nothing is stored.
    [[nodiscard]] QHttpServerResponse refuse(const QHttpServerRequest &request, const QString &provider, const QString &reason,
                                             QHttpServerResponder::StatusCode status, const QString &message);
    // Checks size and signature; on refusal returns the response to send and records why. Otherwise
    // `signer` names whose key signed it.
    [[nodiscard]] std::optional<QHttpServerResponse> refuseRetell(const QHttpServerRequest &request, Signer *signer = nullptr);
    // Signing keys, decrypted at most every few seconds rather than once per request; a rotated key
    // is in use within keyCacheMs.
    [[nodiscard]] Result<QList<SigningKey>> signingKeys(const QString &provider);
    static constexpr qint64 keyCacheMs = 5000;
    // Group commit of webhook intake. Deliveries are stored by a thread of their own, one durable
    // transaction at a time (WebhookInbox::acceptAll); what arrives while one commits goes into the next,
    // and each delivery is answered only after the commit that holds it. A lone delivery waits for
    // nothing, and this thread goes on reading requests while the disk flushes.
    void queueIntake(Delivery delivery, std::function<void(const Result<Accepted> &)> stored);
    void startIntakeCommit();
    void intakeCommitted(const QList<Result<Accepted>> &results);

    Database &m_db;
    CredentialStore &m_credentials;
    RefusedRequests &m_refused;
    WorkerPool *m_pool;
    ServerConfig m_config;
    QNetworkAccessManager *m_network;
    struct CachedKeys
    {
        QList<SigningKey> keys;
        qint64 loadedAt = 0;
    };
    QHash<QString, CachedKeys> m_keys;
    // Whether this request may read /metrics and /health's detail (see ServerConfig::monitoringToken).
    [[nodiscard]] bool monitoringAllowed(const QHttpServerRequest &request) const;
    // Counts an answer under its route's name; every path we do not serve shares one bucket, so made-up
    // paths neither grow the table nor reach the metrics text.
    void countRequest(const QString &path, int status);

    QHash<QPair<QString, int>, qint64> m_requestCounts; // by route and status, for /metrics
    struct PendingIntake
    {
        Delivery delivery;
        std::function<void(const Result<Accepted> &)> stored;
    };
    QList<PendingIntake> m_intake;     // waiting for the next commit
    QList<PendingIntake> m_committing; // in the commit under way
    QThread *m_intakeThread = nullptr;
    QObject *m_intakeContext = nullptr; // lives in m_intakeThread
};

} // namespace askpro
