// Webhook signatures exactly as Retell, Cal.com and Stripe compute them.
#include "signatures.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

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

} // namespace askpro::sandbox::signatures
