// The test call's page: TestCall starts and follows the call; this page only shows it.
#include "wizard/testcallpage.h"

#include "setupclient.h"
#include "wizard/setupwizard.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

TestCallPage::TestCallPage(QWidget *parent)
    : QWizardPage(parent)
{
    setObjectName(u"testCallPage"_s);
    setTitle(tr("4 of 4 · Test call"));
    setSubTitle(tr("The business is live. Make a test call and watch it arrive, get booked and confirmed."));
    auto *layout = new QVBoxLayout(this);
    m_mode = new QLabel(this);
    m_mode->setObjectName(u"testCallMode"_s);
    m_mode->setWordWrap(true);
    layout->addWidget(m_mode);
    auto *form = new QFormLayout;
    m_yourNumber = new QLineEdit(this);
    m_yourNumber->setObjectName(u"yourNumber"_s);
    m_yourNumber->setPlaceholderText(tr("Your own number, e.g. +49 170 …"));
    m_yourNumberLabel = new QLabel(tr("Your phone:"), this);
    form->addRow(m_yourNumberLabel, m_yourNumber);
    layout->addLayout(form);
    m_start = new QPushButton(tr("Start test call"), this);
    m_start->setObjectName(u"startTestCall"_s);
    auto *row = new QHBoxLayout;
    row->addWidget(m_start);
    row->addStretch();
    layout->addLayout(row);
    m_checks = new QTreeWidget(this);
    m_checks->setObjectName(u"testCallChecks"_s);
    m_checks->setColumnCount(2);
    m_checks->setHeaderLabels({ tr("Check"), tr("Result") });
    m_checks->setRootIsDecorated(false);
    m_checks->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    for (const QString &check : TestCallChecks::all())
        m_rows.insert(check, new QTreeWidgetItem(m_checks, { TestCallChecks::title(check), QString() }));
    layout->addWidget(m_checks, 1);
    m_result = new QLabel(this);
    m_result->setObjectName(u"testCallResult"_s);
    m_result->setWordWrap(true);
    layout->addWidget(m_result);
    connect(m_start, &QPushButton::clicked, this, &TestCallPage::startCall);
}

void TestCallPage::initializePage()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    m_mode->setText(tr("Asking the server how test calls are placed…"));
    m_start->setEnabled(false);
    w->client()->testCallMode(w->branchId(), [this](const Result<bool> &sandbox) {
        if (!sandbox) {
            m_mode->setText(sandbox.error().message);
            return;
        }
        m_sandbox = *sandbox;
        m_mode->setText(*sandbox
                            ? tr("Demo mode (sandbox): a simulated caller with your number calls the business number and asks for an "
                                 "appointment. Nothing is really dialled.")
                            : tr("Live mode: enter your own phone number, press Start, then call the business number %1 from that "
                                 "phone within 10 minutes and ask the agent for an appointment. Your call is recognised by its "
                                 "numbers, marked as a test call (never billed) and followed step by step here.")
                                  .arg(static_cast<SetupWizard *>(wizard())->businessNumber()));
        m_start->setEnabled(true);
    });
    if (m_connected)
        return;
    m_connected = true;
    connect(w->client(), &SetupClient::checkChanged, this,
            [this](const QString &check, const QString &state, const QString &message) {
                QTreeWidgetItem *item = m_rows.value(check);
                if (!item)
                    return;
                const QStyle::StandardPixmap icon = state == u"done"_s ? QStyle::SP_DialogApplyButton
                    : state == u"failed"_s                             ? QStyle::SP_MessageBoxCritical
                                                                       : QStyle::SP_BrowserReload;
                item->setIcon(0, style()->standardIcon(icon));
                item->setText(1, message);
                item->setData(0, Qt::UserRole, state);
            });
    connect(w->client(), &SetupClient::testCallFinished, this, [this](bool booked) {
        m_booked = booked;
        m_start->setEnabled(true);
        m_start->setText(tr("Call again"));
        m_result->setText(booked ? tr("Everything works: the call was answered, the appointment booked and confirmed by e-mail.")
                                 : tr("The test call did not get all the way; the reasons are shown above."));
    });
}

void TestCallPage::startCall()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    m_start->setEnabled(false);
    m_result->setText(m_sandbox ? tr("Calling…") : tr("Waiting for your call to %1…").arg(w->businessNumber()));
    m_booked = false;
    w->client()->startTestCall(w->branchId(), m_yourNumber->text().trimmed(), [this](const Result<QString> &callId) {
        if (!callId) {
            m_result->setText(callId.error().message);
            m_start->setEnabled(true);
            return;
        }
        m_result->setText(m_sandbox ? tr("Call %1 placed; following it…").arg(*callId) : tr("Your call %1 arrived; following it…").arg(*callId));
    });
}

QString TestCallPage::checkState(const QString &check) const
{
    const QTreeWidgetItem *item = m_rows.value(check);
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

} // namespace askpro
