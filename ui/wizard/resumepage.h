// Wizard page 0, shown only when setups were left unfinished: continue one of them, or start a new one.
#pragma once

#include "setup/setupprogress.h"

#include <QWizardPage>

class QListWidget;

namespace askpro {

class ResumePage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResumePage)
public:
    ResumePage(QList<SetupRunInfo> runs, QWidget *parent = nullptr);
    bool validatePage() override;

private:
    QList<SetupRunInfo> m_runs;
    QListWidget *m_list = nullptr;
};

} // namespace askpro
