// Billing in the admin app: the invoice list (filters, effective status), the selected invoice with
// its lines, payments and document preview, the actions resend / mark paid / credit / export, a
// dry-run preview of the invoices not yet issued, and the billing reconciliation report.
#pragma once

#include "security/accesspolicy.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTextBrowser;

namespace askpro {

class Database;
class InvoicesModel;

class InvoicesPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InvoicesPage)
public:
    InvoicesPage(std::shared_ptr<Database> db, Actor actor, QWidget *parent = nullptr);
    ~InvoicesPage() override;

    [[nodiscard]] InvoicesModel *model() const { return m_model; }
    void reload();
    bool selectInvoice(qint64 invoiceId);

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    [[nodiscard]] QWidget *buildList();
    [[nodiscard]] QWidget *buildPreview();
    [[nodiscard]] QWidget *buildReconciliation();
    void showSelected();
    [[nodiscard]] qint64 selectedId() const;
    void resend();
    void markPaid();
    void credit();
    void exportDocument(bool xml);
    void loadPreview();
    void loadReconciliation();

    std::shared_ptr<Database> m_db;
    Actor m_actor;
    InvoicesModel *m_model = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_company = nullptr;
    QComboBox *m_status = nullptr;
    QLineEdit *m_text = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_lines = nullptr;
    QTableWidget *m_payments = nullptr;
    QTextBrowser *m_document = nullptr;
    QPushButton *m_resend = nullptr;
    QPushButton *m_markPaid = nullptr;
    QPushButton *m_credit = nullptr;
    QPushButton *m_exportPdf = nullptr;
    QPushButton *m_exportXml = nullptr;
    QTableWidget *m_preview = nullptr;
    QLabel *m_previewTitle = nullptr;
    QComboBox *m_reconcileMonth = nullptr;
    QTableWidget *m_reconciliation = nullptr;
};

} // namespace askpro
