// The secrets key in the desktop's keychain (QtKeychain: Secret Service, KWallet, macOS Keychain, Windows
// Credential Store), for admin desktops that reach the database but have no key file of the server's.
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace askpro {

class KeychainKey final
{
    Q_DECLARE_TR_FUNCTIONS(KeychainKey)
public:
    // One entry per database: `account` is the database's redacted connection string.
    explicit KeychainKey(QString account);

    // Block in a local event loop until the keychain answered (it may ask the user to unlock it).
    // NotFound when there is no entry, Configuration when no keychain service is reachable.
    [[nodiscard]] Result<QByteArray> read() const;
    [[nodiscard]] Status write(const QByteArray &key) const;

    static constexpr const char *service = "AskPro Admin secrets key";

private:
    QString m_account;
};

} // namespace askpro
