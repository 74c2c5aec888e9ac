// Outgoing webhooks: signed POSTs with retries, reported through finished().
#include "webhooksender.h"

#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {
constexpr int DeliveryTimeoutMs = 10'000; // Retell waits 10 s for a 2xx
}

WebhookSender::WebhookSender(QObject *parent) : QObject(parent)
{
    m_network.setTransferTimeout(DeliveryTimeoutMs);
}

void WebhookSender::send(WebhookDelivery delivery, int delayMs)
{
    if (!delivery.url.isValid() || delivery.url.isEmpty())
        return;
    ++m_pending;
    auto shared = std::make_shared<WebhookDelivery>(std::move(delivery));
    QTimer::singleShot(delayMs, this, [this, shared] { attempt(shared, 1); });
}

void WebhookSender::resetCounts()
{
    m_delivered = 0;
    m_failed = 0;
}

void WebhookSender::attempt(const std::shared_ptr<WebhookDelivery> &delivery, int attemptNumber)
{
    QNetworkRequest request(delivery->url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, delivery->contentType);
    if (delivery->sign) {
        for (const auto &[name, value] : delivery->sign(delivery->body))
            request.setRawHeader(name, value);
    }
    QNetworkReply *reply = m_network.post(request, delivery->body);
    connect(reply, &QNetworkReply::finished, this, [this, reply, delivery, attemptNumber] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = status >= 200 && status < 300;
        if (!ok && attemptNumber <= MaxRetries) {
            const int backoff = m_retryDelayMs * (1 << (attemptNumber - 1));
            QTimer::singleShot(backoff, this, [this, delivery, attemptNumber] { attempt(delivery, attemptNumber + 1); });
            return;
        }
        --m_pending;
        ok ? ++m_delivered : ++m_failed;
        if (delivery->answered)
            delivery->answered(status, reply->readAll());
        Q_EMIT finished(delivery->provider, delivery->event, delivery->url, status, attemptNumber);
    });
}

} // namespace askpro::sandbox
