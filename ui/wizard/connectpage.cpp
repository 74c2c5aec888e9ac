// The checklist follows the progress lines the server reports for the run (SetupClient); icons come from the style.
#include "wizard/connectpage.h"

#include "domain/phonenumbers.h"
#include "setupclient.h"
#include "wizard/setupwizard.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

ConnectPage::ConnectPage(QWidget *parent)
    : QWizardPage(parent)
{
    setObjectName(u"connectPage"_s);
    setTitle(tr("3 of 4 · Connect"));
    setSubTitle(tr("AskPro now sets everything up by itself. If a provider has a problem, it says so here and you can retry; "
                   "nothing is created twice."));
    auto *layout = new QVBoxLayout(this);
    m_checklist = new QTreeWidget(this);
    m_checklist->setObjectName(u"checklist"_s);
    m_checklist->setColumnCount(2);
    m_checklist->setHeaderLabels({ tr("Step"), tr("Status") });
    m_checklist->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_checklist->header()->setStretchLastSection(true);
    m_checklist->setRootIsDecorated(false);
    m_checklist->setItemsExpandable(false);
    m_checklist->setWordWrap(true);
    for (const QString &step : SetupSteps::all()) {
        auto *item = new QTreeWidgetItem(m_checklist, { SetupSteps::title(step), tr("Waiting") });
        m_rows.insert(step, item);
    }
    layout->addWidget(m_checklist, 1);
    m_error = new QLabel(this);
    m_error->setObjectName(u"connectError"_s);
    m_error->setWordWrap(true);
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, QColor(0xb0, 0x1c, 0x1c));
    m_error->setPalette(p);
    m_error->hide();
    layout->addWidget(m_error);
    auto *buttons = new QHBoxLayout;
    m_retry = new QPushButton(tr("Retry"), this);
    m_retry->setObjectName(u"retry"_s);
    m_retry->hide();
    m_undo = new QPushButton(tr("Undo this setup…"), this);
    m_undo->setObjectName(u"undo"_s);
    m_undo->setToolTip(tr("Removes what this setup created at Retell, Cal.com and Stripe, and the company it stored."));
    m_undo->hide();
    buttons->addWidget(m_retry);
    buttons->addStretch();
    buttons->addWidget(m_undo);
    layout->addLayout(buttons);
    connect(m_retry, &QPushButton::clicked, this, &ConnectPage::start);
    connect(m_undo, &QPushButton::clicked, this, &ConnectPage::undo);
}

void ConnectPage::setState(QTreeWidgetItem *item, const QString &state, const QString &message)
{
    const QStyle::StandardPixmap icon = state == u"done"_s ? QStyle::SP_DialogApplyButton
        : state == u"failed"_s                             ? QStyle::SP_MessageBoxCritical
        : state == u"skipped"_s                            ? QStyle::SP_MessageBoxInformation
        : state == u"running"_s                            ? QStyle::SP_BrowserReload
                                                           : QStyle::SP_CustomBase;
    item->setIcon(0, icon == QStyle::SP_CustomBase ? QIcon() : style()->standardIcon(icon));
    item->setText(1, message);
    item->setData(0, Qt::UserRole, state);
    item->setToolTip(1, message);
}

QString ConnectPage::stepState(const QString &step) const
{
    const QTreeWidgetItem *item = m_rows.value(step);
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

void ConnectPage::initializePage()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    if (!m_connected) {
        m_connected = true;
        connect(w->client(), &SetupClient::progress, this,
                [this, w](qint64 runId, const QString &step, const QString &state, const QString &message) {
                    if (runId != w->runId())
                        return;
                    if (QTreeWidgetItem *item = m_rows.value(step))
                        setState(item, state, message);
                });
        connect(w->client(), &SetupClient::detail, this,
                [this, w](qint64 runId, const QString &step, const QString &state, const QString &message) {
                    if (runId != w->runId())
                        return;
                    QTreeWidgetItem *parent = m_rows.value(u"connect"_s);
                    QTreeWidgetItem *item = m_rows.value(step);
                    if (!item) {
                        const QString title = step == u"calcom.event_types"_s ? tr("Cal.com event types, one per service")
                            : step == u"calcom.webhook"_s                     ? tr("Cal.com booking webhook")
                            : step == u"retell.llm"_s                         ? tr("Retell prompt and booking tools")
                            : step == u"retell.agent"_s                       ? tr("Retell voice agent")
                            : step == u"retell.phone_number"_s                ? tr("Number answered by the agent")
                                                                              : step;
                        item = new QTreeWidgetItem(parent, { title, QString() });
                        m_rows.insert(step, item);
                        parent->setExpanded(true);
                        m_checklist->setRootIsDecorated(true);
                    }
                    setState(item, state, message);
                });
    }
    // Steps the run already did (a resumed setup) show as done.
    if (const SetupRunInfo run = w->currentRun(); run.id > 0) {
        const qsizetype reached = run.status == u"live"_s ? SetupSteps::all().size() : SetupSteps::all().indexOf(run.step);
        for (qsizetype i = 0; i < reached; ++i)
            setState(m_rows.value(SetupSteps::all().at(i)), u"done"_s, tr("Done"));
    }
    start();
}

void ConnectPage::start()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    if (m_running || m_live)
        return;
    m_running = true;
    m_error->hide();
    m_retry->hide();
    m_undo->hide();
    Q_EMIT completeChanged();
    w->client()->run(w->runId(), [this](const Status &status) {
        m_running = false;
        m_live = status.ok();
        if (!status) {
            m_error->setText(status.error().message);
            m_error->show();
            m_retry->show();
            m_undo->show();
        }
        Q_EMIT completeChanged();
    });
}

void ConnectPage::undo()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    // A bought number is released at Retell by the undo; Retell may hand it to someone else, so ask first.
    const QString bought = w->currentRun().boughtNumber;
    if (!bought.isEmpty()) {
        QMessageBox ask(QMessageBox::Warning, tr("Release the bought number?"),
                        tr("Undo releases %1, which this setup bought at Retell. A released number may be gone for good: "
                           "Retell can give it to someone else, and buying it back may not be possible.")
                            .arg(PhoneNumbers::display(bought)),
                        QMessageBox::NoButton, this);
        ask.setObjectName(u"releaseNumberQuestion"_s);
        ask.addButton(tr("Release and undo"), QMessageBox::DestructiveRole);
        QPushButton *keep = ask.addButton(tr("Keep the setup"), QMessageBox::RejectRole);
        ask.setDefaultButton(keep);
        ask.exec();
        if (ask.clickedButton() == keep)
            return;
    }
    m_undo->setEnabled(false);
    m_retry->hide();
    m_error->setText(tr("Removing what this setup created…"));
    const auto undone = [this, w](const Status &status) {
        m_undo->setEnabled(true);
        if (!status) {
            m_error->setText(tr("Undo stopped: %1 Press Undo again to continue.").arg(status.error().message));
            return;
        }
        m_error->setText(tr("The setup was undone: nothing it created remains."));
        w->setRunId(0);
        w->reject();
    };
    w->client()->cancel(w->runId(), undone, !bought.isEmpty()); // the release was asked for above
}

bool ConnectPage::isComplete() const
{
    return m_live && !m_running;
}

} // namespace askpro
