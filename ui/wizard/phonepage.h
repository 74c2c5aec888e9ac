// Wizard page 2: the number callers dial, normalized to E.164 as it is typed, refused when an active
// branch already answers it, and verified with Retell (step "phone" of the run) before Next.
#pragma once

#include <QWizardPage>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace askpro {

class PhonePage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PhonePage)
public:
    explicit PhonePage(QWidget *parent = nullptr);

    void initializePage() override;
    [[nodiscard]] bool isComplete() const override;
    // Runs the setup's first two steps (store, phone); Next is enabled when they succeed.
    void verify();
    [[nodiscard]] QString verifiedNumber() const { return m_verified; }

private:
    void numberChanged();
    void modeChanged();

    QRadioButton *m_import = nullptr;
    QRadioButton *m_buy = nullptr;
    QWidget *m_buyBox = nullptr; // country and area code
    QWidget *m_sipBox = nullptr; // the carrier trunk
    QComboBox *m_country = nullptr;
    QLineEdit *m_areaCode = nullptr;
    QLineEdit *m_number = nullptr;
    QLabel *m_e164 = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_verify = nullptr;
    QString m_current; // E.164 of what is typed ("area:US415" to buy by area code), empty when invalid or in use
    QString m_verified;
    bool m_busy = false;
    int m_asked = 0; // the in-use question last asked: older answers are dropped
};

} // namespace askpro
