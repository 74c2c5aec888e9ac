// Webhook signature checks for Retell, Cal.com and Stripe, over the raw body, in constant time.
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>

#include <optional>

namespace askpro {

// A key that may sign a provider's webhooks, and whose it is.
struct SigningKey
{
    QByteArray key;
    std::optional<qint64> companyId; // empty: the platform's own account

    [[nodiscard]] bool operator==(const SigningKey &) const = default;
};

// Who signed a verified delivery. Several companies on one provider account share its webhook secret, so a
// signature can stand for more than one company (and for the platform, when its key is the same).
struct Signer
{
    bool platform = false;
    QList<qint64> companies; // ascending, no duplicates

    [[nodiscard]] bool operator==(const Signer &) const = default;
};

class WebhookSignatures final
{
    Q_DECLARE_TR_FUNCTIONS(WebhookSignatures)
public:
    static constexpr qint64 retellToleranceMs = 5 * 60 * 1000;
    static constexpr qint64 stripeToleranceS = 300;

    // x-retell-signature "v=<unix ms>,d=<hex>" with hex = HMAC-SHA256(apiKey, body + ms); any of keys may match,
    // and the answer names every owner of a matching key.
    [[nodiscard]] static Result<Signer> verifyRetell(const QByteArray &body, const QByteArray &header, const QList<SigningKey> &keys,
                                                     qint64 nowMs);
    // X-Cal-Signature-256 = hex HMAC-SHA256(secret, body); no timestamp, replays are caught by dedupe.
    [[nodiscard]] static Result<Signer> verifyCalcom(const QByteArray &body, const QByteArray &header, const QList<SigningKey> &secrets);
    // Stripe-Signature "t=<unix s>,v1=<hex>[,v1=...]" with hex = HMAC-SHA256(secret, "t.body").
    [[nodiscard]] static Status verifyStripe(const QByteArray &body, const QByteArray &header, const QByteArray &secret,
                                             qint64 nowS);

    // The header values a sender would produce (used by tests and by our own replays).
    [[nodiscard]] static QByteArray signRetell(const QByteArray &body, const QByteArray &key, qint64 ms);
    [[nodiscard]] static QByteArray signCalcom(const QByteArray &body, const QByteArray &secret);
    [[nodiscard]] static QByteArray signStripe(const QByteArray &body, const QByteArray &secret, qint64 s);

private:
    // Every owner of a key whose signature equals `digest`; Unauthorized when none does.
    [[nodiscard]] static Result<Signer> match(const QList<SigningKey> &keys, const QByteArray &message, const QByteArray &digest,
                                              const QString &wrong);
    [[nodiscard]] static QByteArray hmacHex(const QByteArray &key, const QByteArray &message);
    [[nodiscard]] static bool equalHex(const QByteArray &expected, const QByteArray &given);
};

} // namespace askpro
