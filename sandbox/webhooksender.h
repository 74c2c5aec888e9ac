// Outgoing webhooks of all three stand-ins: POSTs signed bodies, retries a failed delivery up to
// three times with a short backoff, and reports each delivery's outcome.
#pragma once

#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>
#include <utility>

namespace askpro::sandbox {

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

struct WebhookDelivery
{
    QString provider; // "retell", "calcom" or "stripe"
    QString event;    // the provider's event name, for reports
    QUrl url;
    QByteArray body;
    // Signature headers for one attempt; called again for every retry (fresh timestamps).
    std::function<HeaderList(const QByteArray &body)> sign;
    // For a webhook whose answer matters (Retell's inbound call webhook): called once with the last attempt's
    // status (0: no HTTP answer) and body.
    std::function<void(int httpStatus, const QByteArray &body)> answered = {};
    QByteArray contentType = QByteArrayLiteral("application/json"); // Twilio posts forms

};

class WebhookSender final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookSender)
public:
    explicit WebhookSender(QObject *parent = nullptr);

    static constexpr int MaxRetries = 3;

    // Posts after delayMs. Any 2xx ends the delivery; anything else is retried up to MaxRetries times.
    void send(WebhookDelivery delivery, int delayMs = 0);
    void setRetryDelayMs(int ms) { m_retryDelayMs = ms; }

    [[nodiscard]] int pending() const { return m_pending; }
    [[nodiscard]] int delivered() const { return m_delivered; }
    [[nodiscard]] int failed() const { return m_failed; }
    void resetCounts();

Q_SIGNALS:
    // httpStatus is 0 when the last attempt got no HTTP answer at all.
    void finished(const QString &provider, const QString &event, const QUrl &url, int httpStatus, int attempts);

private:
    void attempt(const std::shared_ptr<WebhookDelivery> &delivery, int attemptNumber);

    QNetworkAccessManager m_network;
    int m_retryDelayMs = 250;
    int m_pending = 0;
    int m_delivered = 0;
    int m_failed = 0;
};

} // namespace askpro::sandbox
