#include "widgets/newpasswordfields.h"

#include "security/passwordhasher.h"
#include "statuscolors.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>

using namespace Qt::StringLiterals;

namespace askpro {

NewPasswordFields::NewPasswordFields(QFormLayout *form, const QString &label, const QString &repeatLabel)
    : QObject(form)
{
    QWidget *owner = form->parentWidget();
    m_password = new QLineEdit(owner);
    m_password->setObjectName(u"password"_s);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("at least %n characters", nullptr, PasswordHasher::minimumLength));
    m_repeat = new QLineEdit(owner);
    m_repeat->setObjectName(u"repeatPassword"_s);
    m_repeat->setEchoMode(QLineEdit::Password);
    m_hint = new QLabel(owner);
    m_hint->setObjectName(u"passwordHint"_s);
    QPalette palette = m_hint->palette();
    palette.setColor(QPalette::WindowText, StatusColors::text(StatusColors::Tone::Bad));
    m_hint->setPalette(palette);
    form->addRow(label, m_password);
    form->addRow(repeatLabel, m_repeat);
    form->addRow(QString(), m_hint);
    m_hint->hide();
    connect(m_password, &QLineEdit::textChanged, this, &NewPasswordFields::updateHint);
    connect(m_repeat, &QLineEdit::textChanged, this, &NewPasswordFields::updateHint);
}

QString NewPasswordFields::password() const
{
    return m_password->text();
}

QString NewPasswordFields::mismatch() const
{
    return m_password->text() == m_repeat->text() ? QString() : tr("The two passwords differ.");
}

void NewPasswordFields::setPassword(const QString &password)
{
    m_password->setText(password);
    m_repeat->setText(password);
}

void NewPasswordFields::clear()
{
    m_password->clear();
    m_repeat->clear();
}

void NewPasswordFields::focus()
{
    m_password->setFocus();
}

void NewPasswordFields::updateHint()
{
    // Only once the repeat has been typed into: a half-typed repeat is no mistake yet.
    const QString message = m_repeat->text().isEmpty() ? QString() : mismatch();
    m_hint->setText(message);
    m_hint->setVisible(!message.isEmpty());
}

} // namespace askpro
