// Status mapping: 401/403 configuration, 408/429/5xx and network faults transient, other 4xx rejected.
#include "integrations/providertransport.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

namespace askpro {

ProviderTransport::ProviderTransport(QNetworkAccessManager *network, QString provider, const QLoggingCategory &category,
                                     ErrorText errorText, int timeoutMs, SuccessBody successBody)
    : m_network(network)
    , m_provider(std::move(provider))
    , m_category(category)
    , m_errorText(std::move(errorText))
    , m_successBody(std::move(successBody))
    , m_timeoutMs(timeoutMs)
{
}

JsonReply *ProviderTransport::send(const ProviderRequest &request) const
{
    QNetworkRequest req(request.url);
    req.setTransferTimeout(m_timeoutMs);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    if (!request.body.isEmpty() || request.method != "GET")
        req.setHeader(QNetworkRequest::ContentTypeHeader, request.contentType);
    req.setRawHeader("Accept", "application/json");
    for (const auto &[name, value] : request.headers)
        req.setRawHeader(name, value);

    auto *handle = new JsonReply(m_network);
    QNetworkReply *reply = m_network->sendCustomRequest(req, request.method, request.body);
    const QString provider = m_provider;
    const QByteArray method = request.method;
    const QString path = request.url.path();
    // The transport may be gone when the answer arrives: the handler keeps copies of what it needs.
    const QLoggingCategory &category = m_category;
    const ErrorText errorText = m_errorText;
    const SuccessBody successBody = m_successBody;
    QObject::connect(reply, &QNetworkReply::finished, handle, [&category, errorText, successBody, reply, handle, provider, method, path] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray(); // closed after a timeout
        qCDebug(category) << method << path << "->" << status;
        if (status == 0) {
            const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError
                || reply->error() == QNetworkReply::TimeoutError;
            Error e = makeError(ErrorKind::Transient, provider + (timedOut ? u".timeout"_s : u".unreachable"_s),
                                timedOut ? u"%1 did not answer in time"_s.arg(provider) : u"%1 cannot be reached"_s.arg(provider),
                                reply->errorString());
            qCWarning(category) << method << path << "failed:" << e.describe();
            handle->finish(e);
            return;
        }
        auto parsed = body.isEmpty() ? JsonResult(Json::object()) : parseJson(body, provider + u" answer"_s);
        if (status >= 200 && status < 300) {
            if (!parsed) {
                Error e = parsed.error();
                e.kind = ErrorKind::Transient;
                e.httpStatus = status;
                handle->finish(e);
                return;
            }
            handle->finish(successBody ? JsonResult(successBody(std::move(*parsed))) : std::move(parsed));
            return;
        }
        const QString text = parsed ? errorText(*parsed) : QString::fromUtf8(body.left(300));
        Error e;
        e.httpStatus = status;
        e.providerText = text;
        if (status == 401 || status == 403) {
            e.kind = ErrorKind::Configuration;
            e.code = provider + u".unauthorized"_s;
            e.message = u"%1 refused our credentials"_s.arg(provider);
        } else if (status == 429 || status == 408 || status >= 500) {
            e.kind = ErrorKind::Transient;
            e.code = provider + (status == 429 ? u".rate_limited"_s : u".unavailable"_s);
            e.message = status == 429 ? u"%1 asks us to slow down"_s.arg(provider) : u"%1 is failing (HTTP %2)"_s.arg(provider).arg(status);
            bool ok = false;
            const int seconds = reply->rawHeader("Retry-After").toInt(&ok);
            if (ok)
                e.retryAfter = std::chrono::seconds(seconds);
        } else if (status == 404) {
            e.kind = ErrorKind::NotFound;
            e.code = provider + u".not_found"_s;
            e.message = u"%1 does not know this object"_s.arg(provider);
        } else {
            e.kind = ErrorKind::Rejected;
            e.code = provider + u".rejected"_s;
            e.message = u"%1 refused the request (HTTP %2)"_s.arg(provider).arg(status);
        }
        // A 404 is often the answer a lookup expects ("not there yet, create it"): the caller decides.
        if (status == 404)
            qCDebug(category) << method << path << "->" << status << e.providerText;
        else
            qCWarning(category) << method << path << "->" << status << e.providerText;
        handle->finish(e);
    });
    return handle;
}

} // namespace askpro
