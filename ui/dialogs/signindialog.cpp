// Sign-in goes to the server's admin API (POST /api/v1/sessions), which counts failures and locks.
#include "dialogs/signindialog.h"

#include "apiaccount.h"
#include "statuscolors.h"
#include "widgets/newpasswordfields.h"

#include <QApplication>
#include <QHostInfo>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

SignInDialog::SignInDialog(client::ApiAccount &account, Mode mode, QWidget *parent)
    : QDialog(parent)
    , m_account(account)
    , m_mode(mode)
{
    const bool first = mode == Mode::CreateFirstAdmin;
    setWindowTitle(first ? tr("AskPro Admin: create the administrator") : tr("AskPro Admin: sign in"));
    setObjectName(first ? u"firstAdminDialog"_s : u"signInDialog"_s);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(first ? tr("This server has no users yet. Create the administrator's account: the administrator "
                                        "adds everyone else under Users and gives them their roles.")
                                   : tr("Sign in to your AskPro server with your user name and password."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_server = new QLineEdit(account.server().toString(), this);
    m_server->setObjectName(u"server"_s);
    m_server->setPlaceholderText(u"https://askpro.example.com"_s);
    m_server->setReadOnly(first);
    form->addRow(tr("&Server:"), m_server);
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
        m_stay = new QCheckBox(tr("S&tay signed in on this computer"), this);
        m_stay->setObjectName(u"staySignedIn"_s);
        m_stay->setToolTip(tr("The session is kept in the system keychain, never in a file, until you sign out or the "
                              "server ends it (after 12 hours unused, 30 days at most)."));
        form->addRow(QString(), m_stay);
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
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(first ? tr("&Create administrator") : tr("&Sign in"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SignInDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

bool SignInDialog::staySignedIn() const
{
    return m_stay && m_stay->isChecked();
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

std::optional<Actor> SignInDialog::actorOf(const client::ApiAccount &account)
{
    const client::Json &user = account.user();
    if (!user.is_object() || !user.contains("id"))
        return std::nullopt;
    const auto role = AccessPolicy::roleFromCode(QString::fromStdString(user.value("role", std::string())));
    if (!role)
        return std::nullopt;
    const qint64 company = user.contains("company_id") && user["company_id"].is_number_integer() ? user["company_id"].get<qint64>() : 0;
    return Actor::user(user["id"].get<qint64>(), QString::fromStdString(user.value("username", std::string())), *role, company);
}

void SignInDialog::fail(const QString &message)
{
    m_ok->setEnabled(true);
    m_error->setText(message);
    m_error->show();
    if (m_newPassword) {
        m_newPassword->clear();
        m_newPassword->focus();
    } else {
        m_password->clear();
        m_password->setFocus();
    }
}

void SignInDialog::accept()
{
    if (!m_ok->isEnabled())
        return; // an answer is on its way
    if (m_mode == Mode::CreateFirstAdmin) {
        if (const QString mismatch = m_newPassword->mismatch(); !mismatch.isEmpty()) {
            fail(mismatch);
            return;
        }
    }
    if (const QString problem = m_account.setServer(QUrl::fromUserInput(m_server->text().trimmed())); !problem.isEmpty()) {
        fail(problem);
        return;
    }
    m_ok->setEnabled(false);
    m_error->hide();
    const QString device = tr("AskPro Admin on %1").arg(QHostInfo::localHostName());
    client::ApiCall *call = m_mode == Mode::CreateFirstAdmin
        ? m_account.createFirstAdmin(m_username->text(), m_displayName ? m_displayName->text() : QString(), m_newPassword->password(), device)
        : m_account.signIn(m_username->text(), m_password->text(), device);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            fail(result.errorMessage);
            return;
        }
        const auto actor = actorOf(m_account);
        if (!actor) {
            fail(tr("The server answered with a user this version of AskPro Admin does not know."));
            return;
        }
        // A business account is welcome too: every page it sees reads through the server, which limits it to
        // its own company.
        m_ok->setEnabled(true);
        m_actor = *actor;
        QDialog::accept();
    });
}

} // namespace askpro
