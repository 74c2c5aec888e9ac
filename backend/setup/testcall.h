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
    // simulated through POST /sandbox/retell/simulate-call from yourNumber. Live mode: the operator calls the
    // branch's number from yourNumber, and that call is recognised when it arrives.
    [[nodiscard]] bool sandboxMode() const;
    // Live mode whatever the base URL says; for tests that drive the operator's call through the sandbox.
    void forceLiveMode() { m_forceLive = true; }
    // Sandbox: starts the simulated call and follows it; started() once with the call id. Live: opens the
    // waiting window for a call from yourNumber (E.164) to the branch's number, started() at once with an
    // empty id, callRecognised() when that call arrives. checkChanged and finished either way.
    void start(qint64 branchId, const QString &yourNumber, std::function<void(const Result<QString> &)> started);
    // How long to wait for everything once the call is known before the missing checks fail (default 60 s).
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    // Live mode: how long the operator has to call the branch's number (default 10 minutes).
    void setWindowMs(qint64 ms) { m_windowMs = ms; }
    [[nodiscard]] static constexpr qint64 defaultWindowMs() { return 10 * 60 * 1000; }

Q_SIGNALS:
    // state: waiting | done | failed
    void checkChanged(const QString &check, const QString &state, const QString &message);
    void finished(bool booked);
    // Live mode: the operator's call arrived; its Retell call id.
    void callRecognised(const QString &callId);

public:
    // 128 random bits, hex: the secret a placed test call carries in metadata.askpro_test_call.
    [[nodiscard]] static QString newNonce();

private:
    void poll();
    void closeWindow();
    [[nodiscard]] Result<qint64> openWindow(qint64 branchId, const QString &caller, const QString &nonce);

    Database &m_db;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    ProviderEndpoints m_endpoints;
    QTimer *m_timer = nullptr;
    QString m_callId;
    QHash<QString, QString> m_states;
    qint64 m_startedAt = 0;
    int m_timeoutMs = 60000;
    qint64 m_windowMs = defaultWindowMs();
    bool m_forceLive = false;
    bool m_live = false;
    qint64 m_branchId = 0;
    QString m_caller;       // live: the operator's number, E.164
    qint64 m_windowId = 0;  // the test_call_windows row (live: by caller; sandbox: by nonce)
    qint64 m_recognisedAt = 0;
};

} // namespace askpro
