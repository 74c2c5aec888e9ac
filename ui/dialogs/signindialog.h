// The first window of AskPro Admin: sign in, or, on a database without users, create the administrator.
#pragma once

#include "security/accesspolicy.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace askpro {

class NewPasswordFields;
class UserStore;

class SignInDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignInDialog)
public:
    enum class Mode { SignIn, CreateFirstAdmin };
    SignInDialog(UserStore &users, Mode mode, QWidget *parent = nullptr);

    // Valid after the dialog was accepted.
    [[nodiscard]] const Actor &actor() const { return m_actor; }
    // A line under the fields, e.g. the demo accounts of a demo database.
    void setHint(const QString &text);
    // Fills the fields and submits, as a user would (for tests and screenshots).
    void submit(const QString &username, const QString &password);

private:
    void accept() override;

    UserStore &m_users;
    Mode m_mode;
    Actor m_actor;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_displayName = nullptr;
    QLineEdit *m_password = nullptr; // signing in
    NewPasswordFields *m_newPassword = nullptr; // choosing the first administrator's password
    QLabel *m_error = nullptr;
    QLabel *m_hint = nullptr;
};

} // namespace askpro
