// Health checks: database, providers, SMTP, workers, backlog and webhook failures, each ok / degraded /
// down with its latency and the problem in plain words; results stored, and alerts on every change.
#pragma once

#include "config/serverconfig.h"
#include "core/result.h"

#include <QCoreApplication>
#include <QObject>

#include <functional>
#include <optional>

class QNetworkAccessManager;

namespace askpro {

class CredentialStore;
class Database;

struct CheckResult
{
    QString name;    // database, retell, calcom, stripe, numbers, smtp, workers, backlog, webhooks
    QString state;   // ok | degraded | down
    qint64 latencyMs = 0;
    QString message; // empty when ok
};

class HealthChecker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthChecker)
public:
    HealthChecker(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ServerConfig config,
                  QObject *parent = nullptr);

    // Runs every check (providers concurrently); done() gets all results once they are in.
    void runAll(std::function<void(const QList<CheckResult> &)> done);
    // Stores the results and, for each check whose state changed since its last stored result, queues
    // one alert e-mail to alertRecipient (an outage notice, or a recovery notice). Returns the changes.
    [[nodiscard]] Result<QList<CheckResult>> record(const QList<CheckResult> &results, const QString &alertRecipient);

    // The database-only checks (no network): used by GET /health and by the checks above.
    [[nodiscard]] QList<CheckResult> localChecks();

private:
    void providerCheck(const QString &name, std::function<void(const CheckResult &)> done);
    void providerCheck(const QString &name, std::optional<qint64> company, std::function<void(const CheckResult &)> done);
    // Every company with an active branch brings its own Cal.com key: one read per company and run.
    void calcomCheck(std::function<void(const CheckResult &)> done);
    // Every active branch's number still at Retell, answered by the branch's agent, its webhooks still ours.
    void numbersCheck(std::function<void(const CheckResult &)> done);
    void smtpCheck(std::function<void(const CheckResult &)> done);

    Database &m_db;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    ServerConfig m_config;
};

} // namespace askpro
