// Signature verification; comparisons go through sodium_memcmp so timing reveals nothing.
#include "intake/signatures.h"

#include <QMessageAuthenticationCode>

#include <algorithm>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
Error unauthorized(const QString &code, const QString &message)
{
    return makeError(ErrorKind::Unauthorized, code, message);
}
} // namespace

QByteArray WebhookSignatures::hmacHex(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256).toHex();
}

bool WebhookSignatures::equalHex(const QByteArray &expected, const QByteArray &given)
{
    const QByteArray normalized = given.trimmed().toLower();
    if (normalized.size() != expected.size())
        return false;
    return sodium_memcmp(expected.constData(), normalized.constData(), size_t(expected.size())) == 0;
}

Result<Signer> WebhookSignatures::match(const QList<SigningKey> &keys, const QByteArray &message, const QByteArray &digest,
                                        const QString &wrong)
{
    // Every key is tried, not just up to the first match: a shared secret must name all its owners.
    Signer signer;
    bool matched = false;
    for (const SigningKey &key : keys) {
        if (key.key.isEmpty() || !equalHex(hmacHex(key.key, message), digest))
            continue;
        matched = true;
        if (!key.companyId)
            signer.platform = true;
        else if (!signer.companies.contains(*key.companyId))
            signer.companies.append(*key.companyId);
    }
    if (!matched)
        return unauthorized(u"signature.wrong"_s, wrong);
    std::sort(signer.companies.begin(), signer.companies.end());
    return signer;
}

Result<Signer> WebhookSignatures::verifyRetell(const QByteArray &body, const QByteArray &header, const QList<SigningKey> &keys, qint64 nowMs)
{
    if (header.isEmpty())
        return unauthorized(u"signature.missing"_s, tr("The x-retell-signature header is missing"));
    QByteArray stamp;
    QByteArray digest;
    for (const QByteArray &part : header.split(',')) {
        const QByteArray p = part.trimmed();
        if (p.startsWith("v="))
            stamp = p.mid(2);
        else if (p.startsWith("d="))
            digest = p.mid(2);
    }
    bool ok = false;
    const qint64 ms = stamp.toLongLong(&ok);
    if (!ok || digest.isEmpty())
        return unauthorized(u"signature.malformed"_s, tr("The x-retell-signature header is malformed"));
    if (qAbs(nowMs - ms) > retellToleranceMs)
        return unauthorized(u"signature.stale"_s, tr("The Retell signature is older than 5 minutes (or from the future)"));
    return match(keys, body + stamp, digest, tr("The Retell signature does not match"));
}

Result<Signer> WebhookSignatures::verifyCalcom(const QByteArray &body, const QByteArray &header, const QList<SigningKey> &secrets)
{
    if (header.isEmpty())
        return unauthorized(u"signature.missing"_s, tr("The X-Cal-Signature-256 header is missing"));
    return match(secrets, body, header, tr("The Cal.com signature does not match"));
}

Status WebhookSignatures::verifyStripe(const QByteArray &body, const QByteArray &header, const QByteArray &secret, qint64 nowS)
{
    if (header.isEmpty())
        return unauthorized(u"signature.missing"_s, tr("The Stripe-Signature header is missing"));
    QByteArray stamp;
    QList<QByteArray> candidates;
    for (const QByteArray &part : header.split(',')) {
        const QByteArray p = part.trimmed();
        if (p.startsWith("t="))
            stamp = p.mid(2);
        else if (p.startsWith("v1="))
            candidates.append(p.mid(3));
    }
    bool ok = false;
    const qint64 t = stamp.toLongLong(&ok);
    if (!ok || candidates.isEmpty())
        return unauthorized(u"signature.malformed"_s, tr("The Stripe-Signature header is malformed"));
    if (qAbs(nowS - t) > stripeToleranceS)
        return unauthorized(u"signature.stale"_s, tr("The Stripe signature is older than 300 seconds (or from the future)"));
    const QByteArray expected = hmacHex(secret, stamp + '.' + body);
    for (const QByteArray &candidate : candidates) {
        if (equalHex(expected, candidate))
            return {};
    }
    return unauthorized(u"signature.wrong"_s, tr("The Stripe signature does not match"));
}

QByteArray WebhookSignatures::signRetell(const QByteArray &body, const QByteArray &key, qint64 ms)
{
    const QByteArray stamp = QByteArray::number(ms);
    return "v=" + stamp + ",d=" + hmacHex(key, body + stamp);
}

QByteArray WebhookSignatures::signCalcom(const QByteArray &body, const QByteArray &secret)
{
    return hmacHex(secret, body);
}

QByteArray WebhookSignatures::signStripe(const QByteArray &body, const QByteArray &secret, qint64 s)
{
    const QByteArray stamp = QByteArray::number(s);
    return "t=" + stamp + ",v1=" + hmacHex(secret, stamp + '.' + body);
}

} // namespace askpro
