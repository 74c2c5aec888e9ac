// HTTP for one provider client: sends a request and maps status, timeouts and 429 to typed errors.
#pragma once

#include "integrations/jsonreply.h"

#include <QList>
#include <QLoggingCategory>
#include <QPair>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace askpro {

struct ProviderRequest
{
    QByteArray method = "GET";
    QUrl url;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QByteArray contentType = "application/json";
};

class ProviderTransport final
{
public:
    // errorText extracts the provider's own message from an error body.
    using ErrorText = std::function<QString(const Json &body)>;
    // successBody turns a 2xx body into the result (Cal.com: its "data"); identity when empty.
    using SuccessBody = std::function<Json(Json body)>;

    ProviderTransport(QNetworkAccessManager *network, QString provider, const QLoggingCategory &category, ErrorText errorText,
                      int timeoutMs, SuccessBody successBody = {});

    // The reply is owned by the network manager's thread and deletes itself after finished().
    [[nodiscard]] JsonReply *send(const ProviderRequest &request) const;
    [[nodiscard]] const QString &provider() const { return m_provider; }

private:
    QNetworkAccessManager *m_network;
    QString m_provider;
    const QLoggingCategory &m_category;
    ErrorText m_errorText;
    SuccessBody m_successBody;
    int m_timeoutMs;
};

} // namespace askpro
