// Connects one branch to Retell and Cal.com: event types per service, the booking webhook, the voice
// agent with its tools, and the phone number bound to it. Every step first looks for what it would create
// (by slug, name, URL or metadata) and reuses it, so running it again, or after a failure, adds nothing twice.
#pragma once

#include "config/serverconfig.h"
#include "integrations/jsonreply.h"

#include <QCoreApplication>
#include <QObject>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace askpro {

class CalcomClient;
class CredentialStore;
class Database;
class RetellClient;

// Something a step created at a provider, so a cancelled setup can remove exactly that.
struct ProviderResource
{
    QString provider; // retell | calcom
    QString kind;     // llm | agent | phone_number | event_type | webhook
    QString id;
    qint64 companyId = 0; // whose credentials reach it (Cal.com accounts are per company)
};

class ProviderConnector final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProviderConnector)
public:
    ProviderConnector(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints,
                      QString publicUrl, QObject *parent = nullptr);
    ~ProviderConnector() override;

    // Runs every step for the branch; done() once, with the first error (a Configuration error when
    // credentials are missing). created() lists what this run made (not what it reused).
    // The carrier trunk to import numbers over that Retell does not hold yet (host, user, password as the
    // operator gives them); without one, such a number fails its step with a reason.
    void setSipTrunk(const QString &host, const QString &user, const QByteArray &password)
    {
        m_sipHost = host;
        m_sipUser = user;
        m_sipPassword = password;
    }
    void connectBranch(qint64 branchId, std::function<void(const Status &)> done);
    [[nodiscard]] const QList<ProviderResource> &created() const { return m_created; }
    // Removes the given resources at the providers (newest first), an imported phone number included;
    // what is already gone counts as removed. done() with the first error.
    void remove(QList<ProviderResource> resources, std::function<void(const Status &)> done);

    // The branches to connect when told "all": every active one.
    [[nodiscard]] static Result<QList<qint64>> activeBranchIds(Database &db);

    // Where Retell's tools and webhooks reach us.
    [[nodiscard]] QString url(const QString &path) const { return m_publicUrl + path; }

Q_SIGNALS:
    // state: running | done | failed; message in plain words for the checklist.
    void progress(const QString &step, const QString &state, const QString &message);
    // Emitted the moment a step created something, so a caller can record it before anything else can fail.
    void resourceCreated(const askpro::ProviderResource &resource);

private:
    QString m_sipHost;
    QString m_sipUser;
    QByteArray m_sipPassword;
    struct Run;
    using Next = std::function<void()>;
    void eventTypes(const std::shared_ptr<Run> &run, Next next);
    void calcomWebhook(const std::shared_ptr<Run> &run, Next next);
    void retellLlm(const std::shared_ptr<Run> &run, Next next);
    void retellAgent(const std::shared_ptr<Run> &run, Next next);
    void phoneNumber(const std::shared_ptr<Run> &run, Next next);
    void fail(const std::shared_ptr<Run> &run, const QString &step, const Error &error);
    void record(const ProviderResource &resource);
    // Calls handler with the result, or fails the run on an error.
    void onReply(const std::shared_ptr<Run> &run, const QString &step, JsonReply *reply, std::function<void(const Json &)> handler);
    [[nodiscard]] Json llmDefinition(const std::shared_ptr<Run> &run) const;

    Database &m_db;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    ProviderEndpoints m_endpoints;
    QString m_publicUrl;
    QList<ProviderResource> m_created;
};

} // namespace askpro
