// The first window of AskPro Admin: sign in to an askpro-server, or, on a server without users, create its
// administrator. The server checks the password and counts failures; this dialog only shows its answer.
#pragma once

#include "security/accesspolicy.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace askpro {

namespace client {
class ApiAccount;
}
class NewPasswordFields;

class SignInDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignInDialog)
public:
    enum class Mode { SignIn, CreateFirstAdmin };
    // The account's server is shown and may be changed when signing in; a first administrator is created on
    // the server the account already names (its own machine).
    SignInDialog(client::ApiAccount &account, Mode mode, QWidget *parent = nullptr);

    // Valid after the dialog was accepted: the signed-in user as the server described it.
    [[nodiscard]] const Actor &actor() const { return m_actor; }
    // The signed-in user as an Actor of the pages that still read the database (role and company from the server).
    [[nodiscard]] static std::optional<Actor> actorOf(const client::ApiAccount &account);
    // Whether the user asked to stay signed in (the session's token then goes to the system keychain).
    [[nodiscard]] bool staySignedIn() const;
    // A line under the fields, e.g. the demo accounts of a demo database.
    void setHint(const QString &text);
    // Fills the fields and submits, as a user would (for tests and screenshots).
    void submit(const QString &username, const QString &password);

private:
    void accept() override;
    void fail(const QString &message);

    client::ApiAccount &m_account;
    Mode m_mode;
    Actor m_actor;
    QLineEdit *m_server = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_displayName = nullptr;
    QLineEdit *m_password = nullptr; // signing in
    NewPasswordFields *m_newPassword = nullptr; // choosing the first administrator's password
    QCheckBox *m_stay = nullptr; // signing in only
    QLabel *m_error = nullptr;
    QLabel *m_hint = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace askpro
