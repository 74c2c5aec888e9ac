// "Stay signed in": the session token of one server, kept in the system keychain (QtKeychain: Secret Service,
// KWallet, macOS Keychain, Windows Credential Store), never in a file. The keychain may ask the user to unlock it,
// so each call waits in a local event loop for its answer; they are used at sign-in and sign-out only.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QString>
#include <QUrl>

namespace askpro {

namespace client {
class ApiAccount;
}

class SessionKeychain final
{
    Q_DECLARE_TR_FUNCTIONS(askpro::SessionKeychain)
public:
    static constexpr const char *service = "AskPro Admin session";

    // One entry per server: the key is the server's URL.
    explicit SessionKeychain(const QUrl &server);

    // The kept token; NotFound when there is none, Configuration when no keychain answers.
    [[nodiscard]] Result<QString> read() const;
    [[nodiscard]] Status write(const QString &token) const;
    // Forgets the kept token (nothing kept is no error).
    [[nodiscard]] Status remove() const;

    // Signs account in with the kept token, if the server still accepts it: true then. A token the server
    // refuses is removed from the keychain; an unreachable server leaves it for the next start.
    [[nodiscard]] bool resume(client::ApiAccount &account) const;

private:
    QString m_key;
};

} // namespace askpro
