// The "new password" and "repeat" pair of a form, with the minimum length shown and a difference
// pointed out while typing. Used wherever a password is chosen: first administrator, new user, a
// user's new password, one's own new password.
#pragma once

#include <QObject>
#include <QString>

class QFormLayout;
class QLabel;
class QLineEdit;

namespace askpro {

class NewPasswordFields final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewPasswordFields)
public:
    // Appends three rows to form (password, repeat, a hint shown only while the two differ); the
    // fields are children of form's parent widget.
    NewPasswordFields(QFormLayout *form, const QString &label, const QString &repeatLabel);

    [[nodiscard]] QString password() const;
    // Empty when both fields agree, else the message to show.
    [[nodiscard]] QString mismatch() const;
    void setPassword(const QString &password); // both fields, for scripted sign-in
    void clear();
    void focus();

private:
    void updateHint();

    QLineEdit *m_password = nullptr;
    QLineEdit *m_repeat = nullptr;
    QLabel *m_hint = nullptr;
};

} // namespace askpro
