// Webhook signatures exactly as Retell, Cal.com and Stripe compute them, for the sandbox's own
// deliveries and for tests that need to sign or check a body the same way.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <utility>

namespace askpro::sandbox::signatures {

// HMAC-SHA256 of message with key, as lower-case hex.
[[nodiscard]] QByteArray hmacSha256Hex(const QByteArray &key, const QByteArray &message);

// Retell "x-retell-signature": "v=<unix ms>,d=<hex HMAC(api key, body + unix ms as decimal)>".
[[nodiscard]] QByteArray retell(const QByteArray &body, const QString &apiKey, qint64 unixMs);
// Cal.com "X-Cal-Signature-256": hex HMAC(secret, body); "no-secret-provided" without a secret.
[[nodiscard]] QByteArray calcom(const QByteArray &body, const QString &secret);
// Stripe "Stripe-Signature": "t=<unix s>,v1=<hex HMAC(secret, "<t>.<body>")>".
[[nodiscard]] QByteArray stripe(const QByteArray &body, const QString &secret, qint64 unixSeconds);

// Twilio "X-Twilio-Signature": base64 HMAC-SHA1(auth token, full URL + each POST parameter's name and value,
// sorted by name). params are (name, value) pairs.
[[nodiscard]] QByteArray twilio(const QString &url, const QList<std::pair<QString, QString>> &params, const QString &authToken);

} // namespace askpro::sandbox::signatures
