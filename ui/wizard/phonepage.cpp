// Phone verification: libphonenumber for the E.164 form, the server for the in-use check and Retell.
#include "wizard/phonepage.h"

#include "domain/phonenumbers.h"
#include "setupclient.h"
#include "wizard/setupwizard.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

PhonePage::PhonePage(QWidget *parent)
    : QWizardPage(parent)
{
    setObjectName(u"phonePage"_s);
    setTitle(tr("2 of 4 · Phone number"));
    setSubTitle(tr("The number callers dial. The voice agent answers it once the business is live; until then nothing changes "
                   "for callers."));
    auto *layout = new QVBoxLayout(this);
    // Import (any country, over the carrier's trunk) or buy (Retell sells US and Canadian numbers only).
    m_import = new QRadioButton(tr("Use a number I have: import it over my carrier's SIP trunk (e.g. a German number)"), this);
    m_import->setObjectName(u"numberImport"_s);
    m_import->setChecked(true);
    m_buy = new QRadioButton(tr("Buy a new number at Retell (United States and Canada only)"), this);
    m_buy->setObjectName(u"numberBuy"_s);
    layout->addWidget(m_import);
    layout->addWidget(m_buy);
    registerField(u"branch.buy"_s, m_buy);
    auto *form = new QFormLayout;
    m_number = new QLineEdit(this);
    m_number->setObjectName(u"phoneNumber"_s);
    m_number->setPlaceholderText(tr("030 1234567 or +49 30 1234567"));
    m_e164 = new QLabel(this);
    m_e164->setObjectName(u"e164"_s);
    m_e164->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Number:"), m_number);
    form->addRow(tr("Stored as (E.164):"), m_e164);
    layout->addLayout(form);

    m_buyBox = new QWidget(this);
    auto *buyForm = new QFormLayout(m_buyBox);
    buyForm->setContentsMargins(0, 0, 0, 0);
    auto *buyNote = new QLabel(tr("Leave the number empty to buy any free number in the area code, or enter the US or Canadian "
                                  "number you want to buy."),
                               m_buyBox);
    buyNote->setWordWrap(true);
    buyForm->addRow(buyNote);
    m_country = new QComboBox(m_buyBox);
    m_country->setObjectName(u"buyCountry"_s);
    m_country->addItems(SetupInput::buyCountries()); // ISO codes, as Retell takes them
    m_areaCode = new QLineEdit(m_buyBox);
    m_areaCode->setObjectName(u"areaCode"_s);
    m_areaCode->setMaxLength(3);
    m_areaCode->setPlaceholderText(tr("three digits, e.g. 415"));
    buyForm->addRow(tr("Country:"), m_country);
    buyForm->addRow(tr("Area code:"), m_areaCode);
    registerField(u"branch.buy.country"_s, m_country, "currentText", SIGNAL(currentTextChanged(QString)));
    registerField(u"branch.buy.area_code"_s, m_areaCode);
    layout->addWidget(m_buyBox);

    m_sipBox = new QWidget(this);
    form = new QFormLayout(m_sipBox);
    form->setContentsMargins(0, 0, 0, 0);
    // Retell sells US and Canadian numbers only: a German number comes in over the carrier's SIP trunk.
    auto *sipNote = new QLabel(tr("If Retell does not hold this number yet, it is imported over your carrier's SIP trunk: enter the "
                                  "trunk's termination host (the host name alone, e.g. the one your carrier gives for its trunk) and "
                                  "the trunk's user and password."),
                               this);
    sipNote->setWordWrap(true);
    form->addRow(sipNote);
    auto *sipHost = new QLineEdit(this);
    sipHost->setObjectName(u"sipHost"_s);
    sipHost->setPlaceholderText(tr("trunk host, without sip: or port"));
    auto *sipUser = new QLineEdit(this);
    sipUser->setObjectName(u"sipUser"_s);
    auto *sipPassword = new QLineEdit(this);
    sipPassword->setObjectName(u"sipPassword"_s);
    sipPassword->setEchoMode(QLineEdit::Password);
    form->addRow(tr("SIP termination host:"), sipHost);
    form->addRow(tr("SIP trunk user:"), sipUser);
    form->addRow(tr("SIP trunk password:"), sipPassword);
    registerField(u"branch.sip.host"_s, sipHost);
    registerField(u"branch.sip.user"_s, sipUser);
    registerField(u"branch.sip.password"_s, sipPassword);
    layout->addWidget(m_sipBox);
    m_verify = new QPushButton(tr("Verify with Retell"), this);
    m_verify->setObjectName(u"verifyPhone"_s);
    m_verify->setEnabled(false);
    auto *row = new QHBoxLayout;
    row->addWidget(m_verify);
    row->addStretch();
    layout->addLayout(row);
    m_status = new QLabel(this);
    m_status->setObjectName(u"phoneStatus"_s);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    auto *note
        = new QLabel(tr("Verifying saves the company as entered (not live yet), makes sure no active branch answers this number, "
                        "and checks that the Retell account holds it: if not, it is imported over the SIP trunk, or bought when "
                        "you chose to buy."),
                     this);
    note->setWordWrap(true);
    note->setEnabled(false);
    layout->addWidget(note);
    layout->addStretch();
    registerField(u"branch.phone"_s, m_number);
    connect(m_number, &QLineEdit::textChanged, this, &PhonePage::numberChanged);
    connect(m_areaCode, &QLineEdit::textChanged, this, &PhonePage::numberChanged);
    connect(m_country, &QComboBox::currentTextChanged, this, &PhonePage::numberChanged);
    connect(m_buy, &QRadioButton::toggled, this, &PhonePage::modeChanged);
    modeChanged();
    connect(m_verify, &QPushButton::clicked, this, &PhonePage::verify);
}

void PhonePage::initializePage()
{
    modeChanged();
}

void PhonePage::modeChanged()
{
    const bool buy = m_buy->isChecked();
    m_buyBox->setVisible(buy);
    m_sipBox->setVisible(!buy);
    m_verify->setText(buy ? tr("Buy at Retell") : tr("Verify with Retell"));
    m_number->setPlaceholderText(buy ? tr("empty for any number, or +1 415 555 0100") : tr("030 1234567 or +49 30 1234567"));
    numberChanged();
}

void PhonePage::numberChanged()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    m_current.clear();
    const int asked = ++m_asked;
    const QString text = m_number->text().trimmed();
    const bool buy = m_buy->isChecked();
    static const QRegularExpression areaPattern(u"^[2-9][0-9]{2}$"_s);
    if (text.isEmpty() && buy) {
        // Any free number of the area code: which one is known once bought.
        m_e164->setText(tr("—"));
        const QString area = m_areaCode->text().trimmed();
        if (!areaPattern.match(area).hasMatch()) {
            m_status->setText(tr("Enter the three-digit area code to buy a number in, e.g. 415."));
        } else {
            m_current = u"area:"_s + m_country->currentText() + area;
            m_status->setText(m_verified == m_current ? tr("Bought at Retell.") : tr("Press \"Buy at Retell\" to buy a number in area code %1.").arg(area));
        }
    } else if (text.isEmpty()) {
        m_e164->setText(tr("—"));
        m_status->clear();
    } else if (auto e164 = PhoneNumbers::toE164(text); !e164) {
        m_e164->setText(tr("—"));
        m_status->setText(e164.error().message);
    } else if (buy && !e164->startsWith(u"+1"_s)) {
        m_e164->setText(*e164);
        m_status->setText(tr("Retell sells US and Canadian numbers only (+1 …): import %1 over your carrier's SIP trunk instead.")
                              .arg(PhoneNumbers::display(*e164)));
    } else {
        // The server knows which numbers active branches answer; Verify waits for its word.
        const QString number = *e164;
        m_e164->setText(number);
        m_status->setText(tr("Checking that no active branch answers this number…"));
        w->client()->phoneInUse(number, w->branchId(), [this, asked, number](const Result<bool> &used) {
            if (asked != m_asked)
                return;
            if (!used)
                m_status->setText(used.error().message);
            else if (*used)
                m_status->setText(
                    tr("%1 already answers calls for an active branch. Use a different number.").arg(PhoneNumbers::display(number)));
            else {
                m_current = number;
                m_status->setText(m_verified == m_current ? tr("Verified with Retell.")
                                                          : tr("Press \"Verify with Retell\" to continue."));
            }
            m_verify->setEnabled(!m_current.isEmpty() && !m_busy);
            Q_EMIT completeChanged();
        });
    }
    m_verify->setEnabled(!m_current.isEmpty() && !m_busy);
    Q_EMIT completeChanged();
}

void PhonePage::verify()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    if (m_current.isEmpty() || m_busy)
        return;
    m_busy = true;
    m_verify->setEnabled(false);
    m_status->setText(tr("Checking with Retell…"));
    const QString number = m_current;
    const auto finished = [this](const QString &message) {
        m_busy = false;
        m_status->setText(message);
        m_verify->setEnabled(!m_current.isEmpty());
        Q_EMIT completeChanged();
    };
    w->prepareRun([this, w, number, finished](const Status &prepared) {
        if (!prepared) {
            finished(prepared.error().message);
            return;
        }
        w->client()->run(
            w->runId(),
            [this, w, number, finished](const Status &status) {
                if (!status) {
                    finished(status.error().message);
                    return;
                }
                // Bought by area code: the number is the run's now; shown in the number field from here on.
                const SetupRunInfo run = w->currentRun();
                const QString held = run.input.phoneE164() ? *run.input.phoneE164() : number;
                m_verified = held;
                if (m_number->text().trimmed().isEmpty() && held != number)
                    m_number->setText(held);
                finished(!run.boughtNumber.isEmpty() && run.boughtNumber == held
                             ? tr("Bought %1 at Retell. Callers reach the agent there once the business is live.").arg(PhoneNumbers::display(held))
                             : tr("Verified: the Retell account holds %1.").arg(PhoneNumbers::display(held)));
            },
            u"phone"_s);
    });
}

bool PhonePage::isComplete() const
{
    return QWizardPage::isComplete() && !m_busy && !m_current.isEmpty() && m_verified == m_current;
}

} // namespace askpro
