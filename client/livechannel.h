// The desktop's end of the server's live updates (/api/v1/live): one WebSocket per account that says which
// lists changed, so pages re-read at once. It only speeds pages up: they keep polling, slower, while it is
// connected, and as before while it is not. It reconnects by itself, waiting longer after each failure.
#pragma once

#include <QObject>
#include <QStringList>

class QTimer;
class QWebSocket;

namespace askpro::client {

class ApiAccount;

class LiveChannel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveChannel)
public:
    explicit LiveChannel(ApiAccount &account, QObject *parent = nullptr);
    ~LiveChannel() override;

    // Connects now if signed in (and again after every sign-in); further calls do nothing.
    void start();
    [[nodiscard]] bool isConnected() const { return m_connected; }
    // The lists the server will report for this user (calls, appointments, customers, inbox, health, setup).
    [[nodiscard]] QStringList lists() const { return m_lists; }
    // Why the server closed the socket last (its close reason), for the status bar's tooltip.
    [[nodiscard]] QString lastCloseReason() const { return m_lastCloseReason; }

Q_SIGNALS:
    void connectedChanged(bool connected);
    void changed(const QStringList &lists);

private:
    void open();
    void received(const QString &message);
    void closed();
    void setConnected(bool connected);

    ApiAccount &m_account;
    QWebSocket *m_socket;
    QTimer *m_retry;
    int m_failures = 0;
    bool m_started = false;
    bool m_connected = false;
    QStringList m_lists;
    QString m_lastCloseReason;
};

} // namespace askpro::client
