// Wizard page 4: a test call to the new branch, followed live: webhook received, call stored, appointment
// booked, e-mail sent, each ticked or failed with a reason in plain words.
#pragma once

#include <QHash>
#include <QWizardPage>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace askpro {

class TestCallPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestCallPage)
public:
    explicit TestCallPage(QWidget *parent = nullptr);

    void initializePage() override;
    void startCall();
    // "waiting" | "done" | "failed" | "" per check (tests, screenshots).
    [[nodiscard]] QString checkState(const QString &check) const;
    [[nodiscard]] bool booked() const { return m_booked; }

private:
    QLabel *m_mode = nullptr;
    QLabel *m_yourNumberLabel = nullptr;
    QLineEdit *m_yourNumber = nullptr;
    QPushButton *m_start = nullptr;
    QTreeWidget *m_checks = nullptr;
    QHash<QString, QTreeWidgetItem *> m_rows;
    QLabel *m_result = nullptr;
    bool m_booked = false;
    bool m_sandbox = true; // as the server said: a simulated call, not a real one
    bool m_connected = false;
};

} // namespace askpro
