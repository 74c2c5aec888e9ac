// Phone verification: libphonenumber for the E.164 form, the runner for the in-use check and Retell.
#include "wizard/phonepage.h"

#include "domain/phonenumbers.h"
#include "setup/setuprunner.h"
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
                        "and checks that the Retell account holds it, importing it if not."),
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
    const QString text = m_number->text().trimmed();
    if (text.isEmpty()) {
        m_e164->setText(tr("—"));
        m_status->clear();
    } else if (auto e164 = PhoneNumbers::toE164(text); !e164) {
        m_e164->setText(tr("—"));
        m_status->setText(e164.error().message);
    } else if (auto used = w->runner()->phoneInUse(*e164, w->branchId()); used && *used) {
        m_e164->setText(*e164);
        m_status->setText(
            tr("%1 already answers calls for an active branch. Use a different number.").arg(PhoneNumbers::display(*e164)));
    } else {
        m_current = *e164;
        m_e164->setText(*e164);
        m_status->setText(m_verified == m_current ? tr("Verified with Retell.")
                                                  : tr("Press \"Verify with Retell\" to continue."));
    }
    m_verify->setEnabled(!m_current.isEmpty() && !m_busy);
    Q_EMIT completeChanged();
}

void PhonePage::verify()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    if (m_current.isEmpty() || m_busy)
        return;
    if (auto prepared = w->prepareRun(); !prepared) {
        m_status->setText(prepared.error().message);
        return;
    }
    m_busy = true;
    m_verify->setEnabled(false);
    m_status->setText(tr("Checking with Retell…"));
    const QString number = m_current;
    w->runner()->run(
        w->runId(),
        [this, number](const Status &status) {
            m_busy = false;
            if (status) {
                m_verified = number;
                m_status->setText(tr("Verified: the Retell account holds %1.").arg(PhoneNumbers::display(number)));
            } else {
                m_status->setText(status.error().message);
            }
            m_verify->setEnabled(!m_current.isEmpty());
            Q_EMIT completeChanged();
        },
        u"phone"_s);
}

bool PhonePage::isComplete() const
{
    return QWizardPage::isComplete() && !m_busy && !m_current.isEmpty() && m_verified == m_current;
}

} // namespace askpro
