#include "dialogs/customerdialog.h"

#include "apiaccount.h"
#include "statuscolors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace askpro {

CustomerDialog::CustomerDialog(client::ApiAccount &account, const client::Json &profile, QWidget *parent)
    : QDialog(parent)
    , m_account(account)
    , m_profile(profile)
{
    setWindowTitle(tr("Edit customer"));
    auto *form = new QFormLayout(this);
    m_name = new QLineEdit(client::text(profile, "name"), this);
    m_name->setObjectName(u"customerName"_s);
    m_email = new QLineEdit(client::text(profile, "email"), this);
    m_email->setObjectName(u"customerEmail"_s);
    m_channel = new QComboBox(this);
    m_channel->setObjectName(u"customerChannel"_s);
    m_channel->addItem(tr("SMS to a mobile number, and e-mail when known"), u"auto"_s);
    m_channel->addItem(tr("SMS only (e-mail if the SMS fails)"), u"sms"_s);
    m_channel->addItem(tr("E-mail only"), u"email"_s);
    m_channel->addItem(tr("No messages"), u"none"_s);
    m_channel->setCurrentIndex(qMax(0, m_channel->findData(client::text(profile, "preferred_channel"))));
    m_messagePhone = new QLineEdit(client::text(profile, "message_phone"), this);
    m_messagePhone->setObjectName(u"customerMessagePhone"_s);
    m_messagePhone->setPlaceholderText(tr("The number they call from (%1)").arg(client::text(profile, "phone_display")));
    m_language = new QComboBox(this);
    m_language->setObjectName(u"customerLanguage"_s);
    m_language->addItem(tr("The branch's language"), QString());
    m_language->addItem(tr("German"), u"de"_s);
    m_language->addItem(tr("English"), u"en"_s);
    m_language->setCurrentIndex(qMax(0, m_language->findData(client::text(profile, "language"))));
    m_optOut = new QCheckBox(tr("Sends no SMS (the customer asked us to stop)"), this);
    m_optOut->setObjectName(u"customerOptOut"_s);
    m_optOut->setChecked(client::flag(profile, "sms_opt_out"));
    // Twilio blocks a number that replied STOP until it replies START: only the customer can undo it.
    m_optOut->setEnabled(!m_optOut->isChecked());
    if (!m_optOut->isEnabled())
        m_optOut->setToolTip(tr("Only the customer can receive text messages again, by replying START to one."));
    m_notes = new QPlainTextEdit(client::text(profile, "notes"), this);
    m_notes->setObjectName(u"customerNotes"_s);
    m_notes->setTabChangesFocus(true);
    m_notes->setMaximumHeight(m_notes->fontMetrics().lineSpacing() * 5);
    m_problem = new QLabel(this);
    m_problem->setObjectName(u"customerProblem"_s);
    m_problem->setWordWrap(true);
    QPalette warning = m_problem->palette();
    warning.setColor(QPalette::WindowText, StatusColors::text(StatusColors::Tone::Bad));
    m_problem->setPalette(warning);
    m_problem->setVisible(false);
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("E-mail:"), m_email);
    form->addRow(tr("Messages:"), m_channel);
    form->addRow(tr("Mobile number for messages:"), m_messagePhone);
    form->addRow(tr("Language:"), m_language);
    form->addRow(QString(), m_optOut);
    form->addRow(tr("Notes:"), m_notes);
    form->addRow(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Save)->setObjectName(u"customerSave"_s);
    connect(buttons, &QDialogButtonBox::accepted, this, &CustomerDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    setMinimumWidth(fontMetrics().horizontalAdvance(u"x"_s) * 70);
}

CustomerDialog::~CustomerDialog()
{
    if (m_call)
        m_call->abandon();
}

client::Json CustomerDialog::changes() const
{
    client::Json body = client::Json::object();
    const auto changed = [this, &body](const char *field, const QString &value) {
        if (value != client::text(m_profile, field))
            body[field] = value.toStdString();
    };
    changed("name", m_name->text().trimmed());
    changed("email", m_email->text().trimmed());
    changed("preferred_channel", m_channel->currentData().toString());
    changed("language", m_language->currentData().toString());
    changed("notes", m_notes->toPlainText().trimmed());
    // The number as the server stored it is E.164; one typed differently is sent as typed for it to read.
    changed("message_phone", m_messagePhone->text().trimmed());
    if (m_optOut->isChecked() && !client::flag(m_profile, "sms_opt_out"))
        body["sms_opt_out"] = true;
    return body;
}

void CustomerDialog::save()
{
    const client::Json body = changes();
    if (body.empty()) {
        accept();
        return;
    }
    setEnabled(false);
    m_call = m_account.patch(u"/customers/%1"_s.arg(client::number(m_profile, "id")), body);
    connect(m_call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        setEnabled(true);
        if (!result.ok()) {
            m_problem->setText(result.errorMessage);
            m_problem->setVisible(true);
            return;
        }
        m_profile = result.body;
        accept();
    });
}

} // namespace askpro
