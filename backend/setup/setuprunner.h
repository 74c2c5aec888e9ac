// Runs a new business's setup step by step (store, phone, credentials, connect, billing, activate),
// recording progress and everything it created in setup_runs so a run can resume, be retried, or be undone.
#pragma once

#include "config/serverconfig.h"
#include "core/result.h"
#include "integrations/jsonreply.h"
#include "security/credentialstore.h"
#include "security/accesspolicy.h"
#include "setup/setupinput.h"
#include "setup/setupprogress.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace askpro {

class Database;
struct ProviderResource;

class SetupRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupRunner)
public:
    using Done = std::function<void(const Status &)>;

    // The steps in order: store, phone, credentials, connect, billing, activate.
    [[nodiscard]] static QStringList steps();
    // The step's name on the checklist, translated.
    [[nodiscard]] static QString stepTitle(const QString &step);

    // publicUrl: where Retell and Cal.com reach askpro-server's webhooks and functions.
    SetupRunner(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints, QString publicUrl,
                QObject *parent = nullptr);
    ~SetupRunner() override;

    // Records a new run for valid input (nothing done yet). Invalid input: an Invalid error, one line per field.
    [[nodiscard]] Result<qint64> create(const SetupInput &input);
    // Replaces an unfinished run's input (the wizard's Back button); the run starts over from the first
    // step, which finds and updates what it already stored.
    [[nodiscard]] Status updateInput(qint64 runId, const SetupInput &input);
    // Gives a resumed run its keys again (they are kept in memory only, until stored encrypted).
    void setCredentials(qint64 runId, const SetupCredentials &credentials);

    // Runs the run's remaining steps up to and including lastStep; progress() per step, done() once with
    // the first error (its message in plain words). Safe to call again after a failure: the failed step is
    // retried and every provider step first looks for what it would create.
    void run(qint64 runId, Done done, const QString &lastStep = QStringLiteral("activate"));
    void resume(qint64 runId, Done done) { run(runId, std::move(done)); }
    // Removes what this run created at the providers (and the rows it stored), then marks it cancelled.
    // A live run cannot be cancelled. While a step runs, the cancel waits for it to end. A number this run
    // bought is released at Retell, which may give it to someone else for good: without releaseBoughtNumber
    // such a cancel is refused (setup.release_number) and nothing is removed.
    void cancel(qint64 runId, Done done, bool releaseBoughtNumber = false);
    // The refusal of a cancel that would release boughtNumber unconfirmed.
    [[nodiscard]] static Error releaseRefused(const QString &boughtNumber);

    [[nodiscard]] Result<SetupRunInfo> info(qint64 runId);
    // Runs that neither went live nor were cancelled, newest first: the wizard offers to continue them.
    [[nodiscard]] Result<QList<SetupRunInfo>> unfinishedRuns();
    // Whether an active branch (other than exceptBranchId) answers this E.164 number.
    [[nodiscard]] Result<bool> phoneInUse(const QString &e164, qint64 exceptBranchId = 0);
    [[nodiscard]] bool isRunning(qint64 runId) const { return m_active.contains(runId); }

    // How often a step that failed for a passing reason (timeout, 5xx, 429) is tried again by itself before
    // the run stops and asks for Retry (default 5, waiting 0.2 s, 0.4 s, … or what Retry-After says).
    void setAutoRetries(int retries) { m_autoRetries = retries; }

    // A provider error in words an operator can act on.
    [[nodiscard]] static QString plainWords(const Error &error);

    // Who runs the setups: needs Permission::RunSetup; the run's audit rows (start, live, cancel) and the
    // stored keys' rows name them. Default: the system (the server's setup command).
    void setActor(const Actor &actor) { m_actor = actor; }
    // Where providers reach this server, once known (a server started without --public-url: where it listens).
    void setPublicUrl(const QString &publicUrl) { m_publicUrl = publicUrl; }

Q_SIGNALS:
    // state: running | done | failed | skipped; message in plain words.
    void progress(qint64 runId, const QString &step, const QString &state, const QString &message);
    // Finer lines within a step (the connector's Cal.com and Retell sub-steps).
    void detail(qint64 runId, const QString &step, const QString &state, const QString &message);

private:
    struct Active;
    using ActivePtr = std::shared_ptr<Active>;
    void runStep(const ActivePtr &a);
    void stepFinished(const ActivePtr &a, const QString &step, const Status &status, const QString &message,
                      const QString &state = QStringLiteral("done"));
    void finish(const ActivePtr &a, const Status &status);
    [[nodiscard]] Status persist(const ActivePtr &a, const QString &status, const QString &step, const QString &lastError);
    void addResource(const ActivePtr &a, const QString &provider, const QString &kind, const QString &id, bool reused = false);

    [[nodiscard]] Status storeCompany(const ActivePtr &a);
    [[nodiscard]] Result<Json> takeOverEarlierRuns(const ActivePtr &a, qint64 branchId, const Json &resources);
    [[nodiscard]] Result<bool> boughtByAnotherRun(qint64 runId, const QString &e164);
    void verifyPhone(const ActivePtr &a);
    void buyPhone(const ActivePtr &a);
    [[nodiscard]] Result<QString> storeCredentials(const ActivePtr &a);
    void connectProviders(const ActivePtr &a);
    void setUpBilling(const ActivePtr &a);
    [[nodiscard]] Status activate(const ActivePtr &a);

    [[nodiscard]] Result<Credential> retellCredential(const ActivePtr &a);
    void undo(qint64 runId, const Actor &actor, bool releaseBoughtNumber, Done done);
    void discover(const SetupRunInfo &run, std::function<void(Result<QList<ProviderResource>>)> done);
    [[nodiscard]] Status removeRows(const SetupRunInfo &run, const Actor &actor);
    [[nodiscard]] bool sharedCalcomAccount(qint64 companyId);

    Database &m_db;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    ProviderEndpoints m_endpoints;
    QString m_publicUrl;
    int m_autoRetries = 5;
    Actor m_actor = Actor::system(QStringLiteral("askpro setup"));
    QHash<qint64, ActivePtr> m_active;
    QHash<qint64, SetupCredentials> m_secrets;
};

} // namespace askpro
