// Webhook signature checks for Retell, Cal.com and Stripe, over the raw body, in constant time.
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>

namespace askpro {

class WebhookSignatures final
{
    Q_DECLARE_TR_FUNCTIONS(WebhookSignatures)
public:
    static constexpr qint64 retellToleranceMs = 5 * 60 * 1000;
    static constexpr qint64 stripeToleranceS = 300;

    // x-retell-signature "v=<unix ms>,d=<hex>" with hex = HMAC-SHA256(apiKey, body + ms); any of keys may match.
    [[nodiscard]] static Status verifyRetell(const QByteArray &body, const QByteArray &header, const QList<QByteArray> &keys,
                                             qint64 nowMs);
    // X-Cal-Signature-256 = hex HMAC-SHA256(secret, body); no timestamp, replays are caught by dedupe.
    [[nodiscard]] static Status verifyCalcom(const QByteArray &body, const QByteArray &header, const QList<QByteArray> &secrets);
    // Stripe-Signature "t=<unix s>,v1=<hex>[,v1=...]" with hex = HMAC-SHA256(secret, "t.body").
    [[nodiscard]] static Status verifyStripe(const QByteArray &body, const QByteArray &header, const QByteArray &secret,
                                             qint64 nowS);

    // The header values a sender would produce (used by tests and by our own replays).
    [[nodiscard]] static QByteArray signRetell(const QByteArray &body, const QByteArray &key, qint64 ms);
    [[nodiscard]] static QByteArray signCalcom(const QByteArray &body, const QByteArray &secret);
    [[nodiscard]] static QByteArray signStripe(const QByteArray &body, const QByteArray &secret, qint64 s);

private:
    [[nodiscard]] static QByteArray hmacHex(const QByteArray &key, const QByteArray &message);
    [[nodiscard]] static bool equalHex(const QByteArray &expected, const QByteArray &given);
};

} // namespace askpro
