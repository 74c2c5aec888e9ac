// Import page (admin, onboarding): a practice's customer list from a CSV file into one company. The file goes
// to the server, whose dry run is shown first (what would be created, updated, left or skipped, and why);
// the columns can be corrected and checked again; the apply then runs on the server with its progress shown
// here. The mapping chosen for a layout of columns is remembered for the next file of that layout.
#pragma once

#include "importclient.h"

#include <QHash>
#include <QWidget>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace askpro {

class ImportRowsModel;
namespace client {
class ApiAccount;
}

class ImportPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportPage)
public:
    // account must outlive the page.
    explicit ImportPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~ImportPage() override;

    [[nodiscard]] ImportClient *importClient() const { return m_import; }
    [[nodiscard]] ImportRowsModel *rowsModel() const { return m_rows; }
    // Chooses the file without the dialog (also for tests) and checks it.
    void checkFile(const QString &path);
    // The companies offered (asked again when the page is shown).
    void reloadCompanies();

    // The mapping remembered for a file of these columns (empty object when none).
    [[nodiscard]] static client::Json savedMapping(const QStringList &columns);
    static void saveMapping(const QStringList &columns, const client::Json &mapping);

Q_SIGNALS:
    void statusMessage(const QString &text);
    void openCustomers();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void chooseFile();
    void startCheck();
    void showState(ImportClient::State state);
    void showProgress(qint64 done, qint64 total);
    void showMapping();
    void showSummary();
    // The mapping as the combo boxes now say: every field, with its column or null.
    [[nodiscard]] client::Json chosenMapping() const;
    void mappingEdited();

    client::ApiAccount &m_account;
    ImportClient *m_import;
    ImportRowsModel *m_rows;
    QComboBox *m_company = nullptr;
    QLineEdit *m_path = nullptr;
    QPushButton *m_check = nullptr;
    QLabel *m_state = nullptr;
    QProgressBar *m_progress = nullptr;
    QGroupBox *m_mappingBox = nullptr;
    QHash<QString, QComboBox *> m_fieldColumns; // field code to its column choice
    QPushButton *m_recheck = nullptr;
    QLabel *m_summary = nullptr;
    QComboBox *m_filter = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_apply = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_showCustomers = nullptr;
    bool m_showingMapping = false; // the combo boxes are being filled, not edited
    bool m_savedMappingTried = false; // this file's layout was looked up once
};

} // namespace askpro
