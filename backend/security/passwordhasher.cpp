// The hash text is ASCII and NUL-terminated as libsodium wants it; passwords are hashed as UTF-8.
#include "security/passwordhasher.h"

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace askpro {

Result<QString> PasswordHasher::hash(const QString &password)
{
    if (sodium_init() < 0)
        return makeError(ErrorKind::Internal, u"crypto.init"_s, tr("The cryptography library could not start."));
    const QByteArray plain = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, plain.constData(), static_cast<unsigned long long>(plain.size()), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return makeError(ErrorKind::Internal, u"crypto.memory"_s, tr("Not enough memory to hash the password."));
    return QString::fromLatin1(out);
}

bool PasswordHasher::verify(const QString &hash, const QString &password)
{
    if (sodium_init() < 0)
        return false;
    const QByteArray stored = hash.toLatin1();
    if (stored.isEmpty() || stored.size() >= crypto_pwhash_STRBYTES)
        return false;
    const QByteArray plain = password.toUtf8();
    return crypto_pwhash_str_verify(stored.constData(), plain.constData(), static_cast<unsigned long long>(plain.size())) == 0;
}

bool PasswordHasher::needsRehash(const QString &hash)
{
    const QByteArray stored = hash.toLatin1();
    return crypto_pwhash_str_needs_rehash(stored.constData(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

QString PasswordHasher::weakness(const QString &password)
{
    if (password.size() < minimumLength)
        return tr("A password needs at least %1 characters.").arg(minimumLength);
    if (password.trimmed() != password)
        return tr("A password may not begin or end with a space.");
    return {};
}

} // namespace askpro
