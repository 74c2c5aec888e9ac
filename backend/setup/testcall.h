// The setup's last step: a test call to a new branch, followed through the database from the webhook
// to the confirmation e-mail, each check ticked or failed with a reason in plain words.
#pragma once

#include "config/serverconfig.h"
#include "core/result.h"
#include "setup/setupprogress.h"

#include <QObject>
#include <QStringList>

#include <functional>

class QNetworkAccessManager;
class QTimer;

namespace askpro {

class CredentialStore;
class Database;

class TestCall final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestCall)
public:
    TestCall(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints, QObject *parent = nullptr);
    ~TestCall() override;

    // The checks in order: webhook, call, appointment, email.
    [[nodiscard]] static QStringList checks();
    [[nodiscard]] static QString checkTitle(const QString &check);

    // Sandbox (demo) mode: the Retell base URL is the sandbox's (its path ends in /retell), so the call is
    // simulated through POST /sandbox/retell/simulate-call; otherwise Retell calls yourNumber for real.
    [[nodiscard]] bool sandboxMode() const;
    // Starts the call to the branch's number and follows it (checkChanged, finished). started() once with
    // the Retell call id or the error in plain words.
    void start(qint64 branchId, const QString &yourNumber, std::function<void(const Result<QString> &)> started);
    // How long to wait for everything before the missing checks fail (default 60 s).
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

Q_SIGNALS:
    // state: waiting | done | failed
    void checkChanged(const QString &check, const QString &state, const QString &message);
    void finished(bool booked);

private:
    void poll();

    Database &m_db;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    ProviderEndpoints m_endpoints;
    QTimer *m_timer = nullptr;
    QString m_callId;
    QHash<QString, QString> m_states;
    qint64 m_startedAt = 0;
    int m_timeoutMs = 60000;
};

} // namespace askpro
