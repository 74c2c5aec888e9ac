// Billing in the admin app: the invoice list (filters, effective status), the selected invoice with
// its lines, payments and document, the actions resend / mark paid / credit / export, a dry-run
// preview of the invoices not yet issued, and the billing reconciliation report; all through the admin API.
#pragma once

#include "apiresult.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTextBrowser;

namespace askpro {

namespace client {
class ApiAccount;
}
class InvoicesModel;

class InvoicesPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InvoicesPage)
public:
    explicit InvoicesPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~InvoicesPage() override;

    [[nodiscard]] InvoicesModel *model() const { return m_model; }
    void reload();
    // Selects the invoice once it is among the loaded rows (now, or when the list has loaded).
    void selectInvoice(qint64 invoiceId);
    // The invoice whose detail is shown (0: none).
    [[nodiscard]] qint64 shownId() const { return m_shownId; }

    // The actions on the shown invoice, after the person gave the reason (the buttons ask for it).
    void markPaid(const QString &reason);
    void credit(const QString &reason);
    void resend();

Q_SIGNALS:
    void statusMessage(const QString &text);
    // The detail of this invoice is shown (its lines and payments filled).
    void detailShown(qint64 invoiceId);
    // An action answered (ok or not); the list is being read again.
    void actionDone(bool ok);

private:
    [[nodiscard]] QWidget *buildList();
    [[nodiscard]] QWidget *buildPreview();
    [[nodiscard]] QWidget *buildReconciliation();
    void loadCompanies();
    void showSelected();
    void showDetail(const client::Json &invoice);
    void clearDetail();
    [[nodiscard]] qint64 selectedId() const;
    [[nodiscard]] bool refuseWhileUnreachable(const QString &title);
    void askMarkPaid();
    void askCredit();
    void actionAnswered(const QString &title, const client::ApiResult &result, const QString &doneText);
    void exportDocument(bool xml);
    void loadPreview();
    void loadReconciliation();

    client::ApiAccount &m_account;
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
    qint64 m_shownId = 0;
    qint64 m_pendingSelect = 0;
    client::Json m_shown;
};

} // namespace askpro
