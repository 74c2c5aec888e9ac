// Wizard page 1: company, first branch, services, staff and provider keys, with a message under each
// field that is not valid yet (from SetupInput::validate, so the wizard and the command line agree).
#pragma once

#include "setup/setupinput.h"

#include <QHash>
#include <QSet>
#include <QWizardPage>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace askpro {

class CompanyPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CompanyPage)
public:
    explicit CompanyPage(QWidget *parent = nullptr);

    // Everything but the phone number (page 2).
    [[nodiscard]] SetupInput input() const;
    void load(const SetupInput &input);
    // The messages on screen now, by field path (for tests and screenshots).
    [[nodiscard]] QMap<QString, QString> visibleErrors() const;

    bool validatePage() override;

private:
    QWidget *withError(QWidget *editor, const QString &key);
    void touch(const QString &key);
    void showErrors(bool all);
    void addServiceRow(const SetupService &service);
    void addStaffRow(const SetupStaff &staff);

    QLineEdit *m_name = nullptr;
    QLineEdit *m_address = nullptr;
    QLineEdit *m_vatId = nullptr;
    QLineEdit *m_billingEmail = nullptr;
    QComboBox *m_defaultLanguage = nullptr;
    QCheckBox *m_german = nullptr;
    QCheckBox *m_english = nullptr;
    QLineEdit *m_branchName = nullptr;
    QLineEdit *m_branchAddress = nullptr;
    QComboBox *m_timeZone = nullptr;
    QComboBox *m_branchLanguage = nullptr;
    QTableWidget *m_services = nullptr;
    QTableWidget *m_staff = nullptr;
    QLineEdit *m_retellKey = nullptr;
    QLineEdit *m_calcomKey = nullptr;
    QLineEdit *m_stripeKey = nullptr;
    QHash<QString, QLabel *> m_errors; // field path (or "services", "staff") -> its message label
    QSet<QString> m_touched;
    bool m_showAll = false;
};

} // namespace askpro
