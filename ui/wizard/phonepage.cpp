// Phone verification: libphonenumber for the E.164 form, the server for the in-use check and Retell.
#include "wizard/phonepage.h"

#include "domain/phonenumbers.h"
#include "setupclient.h"
#include "wizard/setupwizard.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
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
    auto *form = new QFormLayout;
    m_number = new QLineEdit(this);
    m_number->setObjectName(u"phoneNumber"_s);
    m_number->setPlaceholderText(tr("030 1234567 or +49 30 1234567"));
    m_e164 = new QLabel(this);
    m_e164->setObjectName(u"e164"_s);
    m_e164->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Number:"), m_number);
    form->addRow(tr("Stored as (E.164):"), m_e164);
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
    layout->addLayout(form);
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
                        "and checks that the Retell account holds it, importing it over the SIP trunk if not."),
                     this);
    note->setWordWrap(true);
    note->setEnabled(false);
    layout->addWidget(note);
    layout->addStretch();
    registerField(u"branch.phone*"_s, m_number);
    connect(m_number, &QLineEdit::textChanged, this, &PhonePage::numberChanged);
    connect(m_verify, &QPushButton::clicked, this, &PhonePage::verify);
}

void PhonePage::initializePage()
{
    numberChanged();
}

void PhonePage::numberChanged()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    m_current.clear();
    const int asked = ++m_asked;
    const QString text = m_number->text().trimmed();
    if (text.isEmpty()) {
        m_e164->setText(tr("—"));
        m_status->clear();
    } else if (auto e164 = PhoneNumbers::toE164(text); !e164) {
        m_e164->setText(tr("—"));
        m_status->setText(e164.error().message);
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
            [this, number, finished](const Status &status) {
                if (status)
                    m_verified = number;
                finished(status ? tr("Verified: the Retell account holds %1.").arg(PhoneNumbers::display(number)) : status.error().message);
            },
            u"phone"_s);
    });
}

bool PhonePage::isComplete() const
{
    return QWizardPage::isComplete() && !m_busy && !m_current.isEmpty() && m_verified == m_current;
}

} // namespace askpro
