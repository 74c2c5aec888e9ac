// Wizard page 3: runs the remaining setup steps with a live checklist (one row per step, the connector's
// Cal.com and Retell work beneath), a provider's error in plain words, Retry, and Undo.
#pragma once

#include <QHash>
#include <QWizardPage>

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace askpro {

class ConnectPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectPage)
public:
    explicit ConnectPage(QWidget *parent = nullptr);

    void initializePage() override;
    [[nodiscard]] bool isComplete() const override;
    // (Re)starts the run from where it stopped.
    void start();
    // Removes what this setup created at the providers and closes the wizard.
    void undo();
    // "running" | "done" | "failed" | "skipped" | "" for the step's row (tests, screenshots).
    [[nodiscard]] QString stepState(const QString &step) const;

private:
    void setState(QTreeWidgetItem *item, const QString &state, const QString &message);

    QTreeWidget *m_checklist = nullptr;
    QHash<QString, QTreeWidgetItem *> m_rows;
    QLabel *m_error = nullptr;
    QPushButton *m_retry = nullptr;
    QPushButton *m_undo = nullptr;
    bool m_running = false;
    bool m_live = false;
    bool m_connected = false;
};

} // namespace askpro
