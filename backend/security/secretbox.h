// Encryption at rest for provider credentials and webhook secrets (libsodium secretbox).
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QCoreApplication>

namespace askpro {

struct Sealed
{
    QByteArray nonce;
    QByteArray ciphertext;
};

class SecretBox final
{
    Q_DECLARE_TR_FUNCTIONS(SecretBox)
public:
    // A box over a 32-byte key. Use fromKeyFile() or a key from the system keychain.
    explicit SecretBox(QByteArray key);
    SecretBox(const SecretBox &) = default;
    SecretBox(SecretBox &&) = default;
    SecretBox &operator=(const SecretBox &) = default;
    SecretBox &operator=(SecretBox &&) = default;
    // Wipes the key (sodium_memzero) unless another box still shares it.
    ~SecretBox();

    enum class Missing { Create, Refuse };
    // Reads the key from a file readable by its owner only. A missing file gets a new random key when
    // `missing` allows (created whole with mode 0600 and linked into place, so two processes starting at once
    // agree on one key); Refuse makes it a configuration error instead. Refuses a file that others may read.
    [[nodiscard]] static Result<SecretBox> fromKeyFile(const QString &path, Missing missing = Missing::Create);
    [[nodiscard]] static QByteArray newKey();
    // Writes `key` to `path` (mode 0600) through a temporary file and a rename, so a crash leaves either
    // the old key or the new one, never half a key.
    [[nodiscard]] static Status writeKeyFile(const QString &path, const QByteArray &key);

    [[nodiscard]] Sealed seal(const QByteArray &plain) const;
    [[nodiscard]] Result<QByteArray> open(const Sealed &sealed) const;

    // The raw key, only to move it into the system keychain or a new key file.
    [[nodiscard]] QByteArray exportKey() const { return m_key; }

private:
    QByteArray m_key;
};

} // namespace askpro
