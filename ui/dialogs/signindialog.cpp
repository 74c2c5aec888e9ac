// Sign-in checks go through UserStore, which counts failures and locks; this dialog only shows the answer.
#include "dialogs/signindialog.h"

#include "security/userstore.h"
#include "statuscolors.h"
#include "widgets/newpasswordfields.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

SignInDialog::SignInDialog(UserStore &users, Mode mode, QWidget *parent)
    : QDialog(parent)
    , m_users(users)
    , m_mode(mode)
{
    const bool first = mode == Mode::CreateFirstAdmin;
    setWindowTitle(first ? tr("AskPro Admin: create the administrator") : tr("AskPro Admin: sign in"));
    setObjectName(first ? u"firstAdminDialog"_s : u"signInDialog"_s);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(first ? tr("This database has no users yet. Create the administrator's account: the administrator "
                                        "adds everyone else under Users and gives them their roles.")
                                   : tr("Sign in with your AskPro user name and password."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_username = new QLineEdit(this);
    m_username->setObjectName(u"username"_s);
    form->addRow(tr("&User name:"), m_username);
    if (first) {
        m_displayName = new QLineEdit(this);
        m_displayName->setObjectName(u"displayName"_s);
        form->addRow(tr("&Full name:"), m_displayName);
    }
    layout->addLayout(form); // first: the fields below need the form's parent widget
    if (first) {
        m_newPassword = new NewPasswordFields(form, tr("&Password:"), tr("&Repeat password:"));
    } else {
        m_password = new QLineEdit(this);
        m_password->setObjectName(u"password"_s);
        m_password->setEchoMode(QLineEdit::Password);
        form->addRow(tr("&Password:"), m_password);
    }
    m_hint = new QLabel(this);
    m_hint->setObjectName(u"signInHint"_s);
    m_hint->setWordWrap(true);
    m_hint->hide();
    layout->addWidget(m_hint);
    m_error = new QLabel(this);
    m_error->setObjectName(u"signInError"_s);
    m_error->setWordWrap(true);
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, StatusColors::text(StatusColors::Tone::Bad));
    m_error->setPalette(p);
    m_error->hide();
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(first ? tr("&Create administrator") : tr("&Sign in"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SignInDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

void SignInDialog::setHint(const QString &text)
{
    m_hint->setText(text);
    m_hint->setVisible(!text.isEmpty());
}

void SignInDialog::submit(const QString &username, const QString &password)
{
    m_username->setText(username);
    if (m_newPassword)
        m_newPassword->setPassword(password);
    else
        m_password->setText(password);
    accept();
}

void SignInDialog::accept()
{
    const auto fail = [this](const QString &message) {
        m_error->setText(message);
        m_error->show();
        if (m_newPassword) {
            m_newPassword->clear();
            m_newPassword->focus();
        } else {
            m_password->clear();
            m_password->setFocus();
        }
    };
    QApplication::setOverrideCursor(Qt::WaitCursor); // Argon2id takes a noticeable moment on purpose
    Result<Actor> result = makeError(ErrorKind::Internal, {}, {});
    if (m_mode == Mode::CreateFirstAdmin) {
        if (const QString mismatch = m_newPassword->mismatch(); !mismatch.isEmpty()) {
            QApplication::restoreOverrideCursor();
            fail(mismatch);
            return;
        }
        result = m_users.createFirstAdmin({m_username->text(), m_displayName ? m_displayName->text() : QString(), m_newPassword->password(),
                                           Role::Admin, {}});
    } else {
        result = m_users.signIn(m_username->text(), m_password->text());
    }
    QApplication::restoreOverrideCursor();
    if (!result) {
        fail(result.error().message);
        return;
    }
    // This window reads the database directly, without a company scope: a business account may see its
    // own company only, which the server's admin API enforces.
    if (result->isScoped()) {
        fail(tr("This account belongs to a business: it signs in through the admin API of askpro-server."));
        return;
    }
    m_actor = *result;
    QDialog::accept();
}

} // namespace askpro
