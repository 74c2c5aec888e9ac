// The resume offer: unfinished setup runs, newest first, with the step each stopped at.
#include "wizard/resumepage.h"

#include "wizard/setupwizard.h"

#include <QDateTime>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

ResumePage::ResumePage(QList<SetupRunInfo> runs, QWidget *parent)
    : QWizardPage(parent)
    , m_runs(std::move(runs))
{
    setObjectName(u"resumePage"_s);
    setTitle(tr("Continue a setup?"));
    setSubTitle(tr("These setups were not finished. Continue one where it stopped, or start a new business."));
    auto *layout = new QVBoxLayout(this);
    m_list = new QListWidget(this);
    m_list->setObjectName(u"unfinishedRuns"_s);
    m_list->addItem(tr("Start a new setup"));
    for (const SetupRunInfo &run : std::as_const(m_runs)) {
        const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(run.updatedAt), QLocale::ShortFormat);
        QString text = tr("%1 · %2 · stopped at \"%3\" · %4")
                           .arg(run.input.companyName.isEmpty() ? tr("(no name)") : run.input.companyName, run.input.phone,
                                SetupSteps::title(run.step), when);
        if (!run.lastError.isEmpty())
            text += u"\n    "_s + run.lastError;
        m_list->addItem(text);
    }
    m_list->setCurrentRow(m_runs.isEmpty() ? 0 : 1);
    layout->addWidget(m_list);
    auto *note = new QLabel(
        tr("Keys are never kept in an unfinished setup: if it stopped before they were stored, enter them again."), this);
    note->setWordWrap(true);
    layout->addWidget(note);
}

bool ResumePage::validatePage()
{
    auto *w = static_cast<SetupWizard *>(wizard());
    const int row = m_list->currentRow();
    if (row <= 0) {
        w->setRunId(0);
        return true;
    }
    const SetupRunInfo &run = m_runs.at(row - 1);
    w->setRunId(run.id);
    w->setResumedRun(run);
    w->loadInput(run.input);
    return true;
}

} // namespace askpro
