// Password hashes for sign-in: Argon2id through libsodium's crypto_pwhash_str, which stores the salt and
// the cost in the hash itself, so the cost can rise later without losing old hashes.
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace askpro {

class PasswordHasher final
{
    Q_DECLARE_TR_FUNCTIONS(PasswordHasher)
public:
    // "$argon2id$v=19$m=65536,t=2,p=1$…" with libsodium's interactive limits.
    [[nodiscard]] static Result<QString> hash(const QString &password);
    // Constant time in the hash's own cost; false for a malformed hash.
    [[nodiscard]] static bool verify(const QString &hash, const QString &password);
    // True when the hash was made with other limits than today's: rehash at the next sign-in.
    [[nodiscard]] static bool needsRehash(const QString &hash);
    // Why a new password is refused (translated), or empty when it is acceptable.
    [[nodiscard]] static QString weakness(const QString &password);
    static constexpr int minimumLength = 10;
};

} // namespace askpro
