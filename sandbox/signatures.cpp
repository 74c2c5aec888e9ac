// Webhook signatures exactly as Retell, Cal.com and Stripe compute them.
#include "signatures.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro::sandbox::signatures {

QByteArray hmacSha256Hex(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256).toHex();
}

QByteArray retell(const QByteArray &body, const QString &apiKey, qint64 unixMs)
{
    const QByteArray timestamp = QByteArray::number(unixMs);
    return "v="_ba + timestamp + ",d="_ba + hmacSha256Hex(apiKey.toUtf8(), body + timestamp);
}

QByteArray calcom(const QByteArray &body, const QString &secret)
{
    if (secret.isEmpty())
        return "no-secret-provided"_ba;
    return hmacSha256Hex(secret.toUtf8(), body);
}

QByteArray stripe(const QByteArray &body, const QString &secret, qint64 unixSeconds)
{
    const QByteArray timestamp = QByteArray::number(unixSeconds);
    return "t="_ba + timestamp + ",v1="_ba + hmacSha256Hex(secret.toUtf8(), timestamp + '.' + body);
}

QByteArray twilio(const QString &url, const QList<std::pair<QString, QString>> &params, const QString &authToken)
{
    QList<std::pair<QString, QString>> sorted = params;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.first.toUtf8() < b.first.toUtf8(); });
    QByteArray data = url.toUtf8();
    for (const auto &[name, value] : sorted)
        data += name.toUtf8() + value.toUtf8();
    return QMessageAuthenticationCode::hash(data, authToken.toUtf8(), QCryptographicHash::Sha1).toBase64();
}

} // namespace askpro::sandbox::signatures
