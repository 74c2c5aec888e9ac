// Error recovery: retries requested-but-unbooked calls of the last 24 hours, and reconciles with
// Retell's call list so a call whose webhooks never arrived is still processed.
#pragma once

#include "config/serverconfig.h"
#include "jobs/joboutcome.h"

#include <QCoreApplication>
#include <QObject>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace askpro {

class CredentialStore;
class Database;

struct SweepReport
{
    int retriesQueued = 0;
    int markedUnrecoverable = 0;
    int callsListed = 0;
    int lostCallsRecovered = 0;
};

class RecoverySweep final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecoverySweep)
public:
    RecoverySweep(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints,
                  QObject *parent = nullptr);

    // Runs both halves; done() is called once with the outcome, report() tells what was done.
    void run(qint64 windowMs, JobDone done);
    [[nodiscard]] const SweepReport &report() const { return m_report; }

    // Queues a retry for each call that asked for an appointment, got none, and can still be booked;
    // marks stale ones that cannot be recovered with their reason. Database only.
    [[nodiscard]] Result<int> queueRetries(qint64 windowMs);

private:
    // One Retell account to reconcile: the platform's (for companies without a key of their own) or a
    // company's own, with the agents it serves and whom its calls are stored as signed by.
    struct RetellAccount
    {
        std::optional<qint64> company; // empty: the platform's account
        QByteArray key;
        QUrl base;
        QStringList agentIds;
    };
    void nextAccount();
    void accountFailed(const Error &error);
    void reconcilePage(const QStringList &agentIds, qint64 fromMs, qint64 toMs, const QString &paginationKey, int pagesLeft);
    void fetchMissing(QStringList callIds, std::function<void()> then);
    void finish(const JobOutcome &outcome);

    Database &m_db;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    ProviderEndpoints m_endpoints;
    SweepReport m_report;
    JobDone m_done;
    QList<RetellAccount> m_accounts;
    RetellAccount m_account;
    qint64 m_reconcileFrom = 0;
    std::optional<JobOutcome> m_firstFailure; // of an account; the others are still reconciled
};

} // namespace askpro
