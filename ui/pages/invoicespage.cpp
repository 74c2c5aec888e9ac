// The invoices page: list and detail over the admin API (GET /invoices, /invoices/{id}, its actions); no
// database, no billing services in this process.
#include "invoicespage.h"

#include "apiaccount.h"
#include "displayformat.h"
#include "invoicesmodel.h"
#include "jsonfields.h"

#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimeZone>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

using client::Json;
using client::number;
using client::text;

namespace {

void fill(QTableWidget *table, const QStringList &headers, const QList<QStringList> &rows)
{
    table->clear();
    table->setColumnCount(int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r)
        for (int c = 0; c < rows.at(r).size(); ++c)
            table->setItem(r, c, new QTableWidgetItem(rows.at(r).at(c)));
    table->resizeColumnsToContents();
}

QTableWidget *readOnlyTable(QWidget *parent)
{
    auto *t = new QTableWidget(parent);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

QString money(qint64 cents)
{
    return DisplayFormat::money(cents);
}

QDate isoDate(const Json &object, const char *field)
{
    return QDate::fromString(text(object, field), Qt::ISODate);
}

// The month that is "now" for billing, in the billing zone (as the server counts it).
QDate billingToday()
{
    return QDateTime::currentDateTimeUtc().toTimeZone(QTimeZone("Europe/Berlin")).date();
}

QString partyHtml(const Json &party)
{
    QString html = u"<b>%1</b><br>"_s.arg(text(party, "name").toHtmlEscaped());
    html += text(party, "address").toHtmlEscaped().replace(u'\n', u"<br>"_s);
    if (!text(party, "vat_id").isEmpty())
        html += u"<br>"_s + InvoicesPage::tr("VAT ID %1").arg(text(party, "vat_id").toHtmlEscaped());
    if (!text(party, "email").isEmpty())
        html += u"<br>"_s + text(party, "email").toHtmlEscaped();
    return html;
}

} // namespace

InvoicesPage::InvoicesPage(client::ApiAccount &account, QWidget *parent) : QWidget(parent), m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildList(), tr("Invoices"));
    // The preview and the reconciliation are billing staff's tools (the server asks manage_billing for both).
    if (m_account.can(u"manage_billing"_s)) {
        m_tabs->addTab(buildPreview(), tr("Next invoices (preview)"));
        m_tabs->addTab(buildReconciliation(), tr("Reconciliation"));
    }
    layout->addWidget(m_tabs);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == 1)
            loadPreview();
        else if (index == 2)
            loadReconciliation();
    });
    loadCompanies();
}

InvoicesPage::~InvoicesPage() = default;

QWidget *InvoicesPage::buildList()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *filters = new QHBoxLayout;
    m_company = new QComboBox(page);
    m_company->setObjectName(u"companyFilter"_s);
    m_company->addItem(tr("All companies"), 0);
    m_status = new QComboBox(page);
    m_status->setObjectName(u"statusFilter"_s);
    m_status->addItem(tr("All statuses"), QString());
    for (const QString &s : {u"draft"_s, u"open"_s, u"paid"_s, u"overdue"_s, u"failed"_s, u"credit_note"_s})
        m_status->addItem(InvoicesModel::statusLabel(s), s);
    m_text = new QLineEdit(page);
    m_text->setObjectName(u"invoiceSearch"_s);
    m_text->setPlaceholderText(tr("Number or company"));
    m_text->setClearButtonEnabled(true);
    filters->addWidget(new QLabel(tr("Company:"), page));
    filters->addWidget(m_company);
    filters->addWidget(new QLabel(tr("Status:"), page));
    filters->addWidget(m_status);
    filters->addWidget(m_text, 1);
    layout->addLayout(filters);

    auto *split = new QSplitter(Qt::Horizontal, page);
    m_model = new InvoicesModel(m_account, this);
    connect(m_model, &ApiListModel::failed, this, [this](const QString &message) {
        Q_EMIT statusMessage(tr("The invoices cannot be read: %1").arg(message));
    });
    m_table = new QTableView(split);
    m_table->setObjectName(u"invoiceTable"_s);
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(InvoicesModel::Number, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnHidden(InvoicesModel::Id, true);

    auto *detail = new QWidget(split);
    auto *d = new QVBoxLayout(detail);
    m_summary = new QLabel(tr("Select an invoice."), detail);
    m_summary->setObjectName(u"invoiceSummary"_s);
    m_summary->setWordWrap(true);
    d->addWidget(m_summary);
    auto *actions = new QHBoxLayout;
    m_resend = new QPushButton(tr("Resend"), detail);
    m_resend->setObjectName(u"resendInvoice"_s);
    m_markPaid = new QPushButton(tr("Mark paid…"), detail);
    m_markPaid->setObjectName(u"markPaid"_s);
    m_credit = new QPushButton(tr("Credit note…"), detail);
    m_credit->setObjectName(u"creditNote"_s);
    m_exportPdf = new QPushButton(tr("Export PDF…"), detail);
    m_exportPdf->setObjectName(u"exportPdf"_s);
    m_exportXml = new QPushButton(tr("Export XML…"), detail);
    m_exportXml->setObjectName(u"exportXml"_s);
    // Actions the role may not do are not offered; the server refuses them anyway.
    const bool mayChange = m_account.can(u"manage_billing"_s);
    for (QPushButton *b : {m_resend, m_markPaid, m_credit}) {
        b->setVisible(mayChange);
        b->setEnabled(false);
        actions->addWidget(b);
    }
    for (QPushButton *b : {m_exportPdf, m_exportXml}) {
        b->setEnabled(false);
        actions->addWidget(b);
    }
    actions->addStretch();
    d->addLayout(actions);
    auto *detailTabs = new QTabWidget(detail);
    m_document = new QTextBrowser(detailTabs);
    m_document->setObjectName(u"invoiceDocument"_s);
    m_lines = readOnlyTable(detailTabs);
    m_lines->setObjectName(u"invoiceLines"_s);
    m_payments = readOnlyTable(detailTabs);
    m_payments->setObjectName(u"invoicePayments"_s);
    detailTabs->addTab(m_document, tr("Document"));
    detailTabs->addTab(m_lines, tr("Lines"));
    detailTabs->addTab(m_payments, tr("Payments"));
    d->addWidget(detailTabs, 1);
    split->addWidget(m_table);
    split->addWidget(detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_company, &QComboBox::currentIndexChanged, this, &InvoicesPage::reload);
    connect(m_status, &QComboBox::currentIndexChanged, this, &InvoicesPage::reload);
    connect(m_text, &QLineEdit::textChanged, this, &InvoicesPage::reload);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &InvoicesPage::showSelected);
    connect(m_model, &ApiListModel::loaded, this, [this] {
        m_table->resizeColumnsToContents();
        const qint64 wanted = m_pendingSelect > 0 ? m_pendingSelect : m_shownId;
        const int row = wanted > 0 ? m_model->rowOfId(wanted) : -1;
        if (row >= 0) {
            m_pendingSelect = 0;
            m_table->selectRow(row);
            if (m_shownId == wanted)
                showSelected(); // read again: an action may have changed it
        } else if (m_table->selectionModel()->selectedRows().isEmpty() && m_model->rowCount() > 0 && m_pendingSelect == 0) {
            m_table->selectRow(0);
        }
    });
    connect(m_resend, &QPushButton::clicked, this, &InvoicesPage::resend);
    connect(m_markPaid, &QPushButton::clicked, this, &InvoicesPage::askMarkPaid);
    connect(m_credit, &QPushButton::clicked, this, &InvoicesPage::askCredit);
    connect(m_exportPdf, &QPushButton::clicked, this, [this] { exportDocument(false); });
    connect(m_exportXml, &QPushButton::clicked, this, [this] { exportDocument(true); });
    return page;
}

QWidget *InvoicesPage::buildPreview()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    m_previewTitle = new QLabel(page);
    layout->addWidget(m_previewTitle);
    m_preview = readOnlyTable(page);
    m_preview->setObjectName(u"invoicePreview"_s);
    layout->addWidget(m_preview, 1);
    return page;
}

QWidget *InvoicesPage::buildReconciliation()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *row = new QHBoxLayout;
    m_reconcileMonth = new QComboBox(page);
    const QDate today = billingToday();
    for (int i = 0; i < 12; ++i) {
        const QDate m = QDate(today.year(), today.month(), 1).addMonths(-i);
        m_reconcileMonth->addItem(QLocale().toString(m, u"MMMM yyyy"_s), m);
    }
    m_reconcileMonth->setCurrentIndex(1);
    row->addWidget(new QLabel(tr("Month:"), page));
    row->addWidget(m_reconcileMonth);
    row->addStretch();
    layout->addLayout(row);
    m_reconciliation = readOnlyTable(page);
    m_reconciliation->setObjectName(u"reconciliation"_s);
    layout->addWidget(m_reconciliation, 1);
    connect(m_reconcileMonth, &QComboBox::currentIndexChanged, this, &InvoicesPage::loadReconciliation);
    return page;
}

void InvoicesPage::loadCompanies()
{
    client::ApiCall *call = m_account.get(u"/billing/companies"_s);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            Q_EMIT statusMessage(tr("The companies cannot be read: %1").arg(result.errorMessage));
            return;
        }
        const QSignalBlocker blocker(m_company);
        const qint64 current = m_company->currentData().toLongLong();
        const Json &items = client::child(result.body, "items", Json::array());
        // A business account has one company: the list is its own, so "all" would say nothing more.
        if (items.size() == 1 && m_account.user().is_object() && number(m_account.user(), "company_id") > 0)
            m_company->clear();
        for (const Json &c : items)
            m_company->addItem(text(c, "name"), number(c, "id"));
        m_company->setCurrentIndex(qMax(0, m_company->findData(current)));
    });
}

void InvoicesPage::reload()
{
    InvoicesModel::Filter filter;
    filter.companyId = m_company->currentData().toLongLong();
    filter.status = m_status->currentData().toString();
    filter.text = m_text->text();
    m_model->setFilter(filter);
}

void InvoicesPage::selectInvoice(qint64 invoiceId)
{
    const int row = m_model->rowOfId(invoiceId);
    if (row >= 0) {
        m_pendingSelect = 0;
        m_table->selectRow(row);
        return;
    }
    m_pendingSelect = invoiceId;
}

qint64 InvoicesPage::selectedId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : m_model->idAt(rows.first().row());
}

void InvoicesPage::clearDetail()
{
    m_shownId = 0;
    m_shown = Json();
    for (QPushButton *b : {m_resend, m_markPaid, m_credit, m_exportPdf, m_exportXml})
        b->setEnabled(false);
    m_summary->setText(tr("Select an invoice."));
    m_document->clear();
    m_lines->setRowCount(0);
    m_payments->setRowCount(0);
}

void InvoicesPage::showSelected()
{
    const qint64 id = selectedId();
    if (id <= 0) {
        clearDetail();
        return;
    }
    client::ApiCall *call = m_account.get(u"/invoices/%1"_s.arg(id));
    connect(call, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        if (selectedId() != id)
            return; // another invoice was chosen meanwhile
        if (!result.ok()) {
            clearDetail();
            Q_EMIT statusMessage(tr("Invoice %1 cannot be read: %2").arg(id).arg(result.errorMessage));
            return;
        }
        showDetail(result.body);
    });
}

void InvoicesPage::showDetail(const Json &d)
{
    m_shown = d;
    m_shownId = number(d, "id");
    const QString status = text(d, "status");
    const bool creditNote = text(d, "kind") == u"credit_note"_s;
    const QString number = text(d, "number");
    const Json &buyer = client::child(d, "buyer", Json::object());
    const QDate first = isoDate(d, "period_first_day"), last = isoDate(d, "period_last_day");
    m_summary->setText(tr("<b>%1</b> · %2 · %3 – %4 · total %5 · %6")
                           .arg(number.toHtmlEscaped(), text(buyer, "name").toHtmlEscaped(), QLocale().toString(first, QLocale::ShortFormat),
                                QLocale().toString(last, QLocale::ShortFormat), money(client::number(d, "gross_cents")),
                                InvoicesModel::statusLabel(status)));
    const bool mayChange = m_account.can(u"manage_billing"_s);
    m_resend->setEnabled(mayChange);
    m_markPaid->setEnabled(mayChange && !creditNote && status != u"paid"_s && status != u"draft"_s);
    m_credit->setEnabled(mayChange && !creditNote);
    m_exportPdf->setEnabled(true);
    m_exportXml->setEnabled(true);

    QList<QStringList> lines;
    QString lineRows;
    for (const Json &l : client::child(d, "lines", Json::array())) {
        const QStringList cells{QString::number(client::number(l, "position")), text(l, "description"), QLocale().toString(client::number(l, "quantity")),
                                money(client::number(l, "unit_price_cents")), money(client::number(l, "amount_cents"))};
        lines << cells;
        lineRows += u"<tr><td>%1</td><td>%2</td><td align=\"right\">%3</td><td align=\"right\">%4</td><td align=\"right\">%5</td></tr>"_s.arg(
            cells.at(0), cells.at(1).toHtmlEscaped(), cells.at(2), cells.at(3), cells.at(4));
    }
    fill(m_lines, {tr("Pos."), tr("Description"), tr("Quantity"), tr("Unit price"), tr("Amount")}, lines);
    QList<QStringList> payments;
    for (const Json &p : client::child(d, "payments", Json::array()))
        payments << QStringList{QLocale().toString(QDateTime::fromMSecsSinceEpoch(client::number(p, "at")).toLocalTime(), QLocale::ShortFormat),
                                text(p, "kind"), money(client::number(p, "amount_cents")), text(p, "reason"), text(p, "stripe_event_id")};
    fill(m_payments, {tr("When"), tr("Kind"), tr("Amount"), tr("Reason"), tr("Stripe event")}, payments);

    // The document as the customer reads it, from the same fields the server prints on the PDF.
    QString html = u"<h2>%1 %2</h2>"_s.arg(creditNote ? tr("Credit note") : tr("Invoice"), number.toHtmlEscaped());
    if (creditNote && !text(d, "corrects_number").isEmpty())
        html += u"<p>%1</p>"_s.arg(tr("Corrects invoice %1").arg(text(d, "corrects_number")).toHtmlEscaped());
    html += u"<table width=\"100%\"><tr><td valign=\"top\">%1</td><td valign=\"top\">%2</td></tr></table>"_s.arg(
        partyHtml(client::child(d, "seller", Json::object())), partyHtml(buyer));
    html += u"<p>%1</p>"_s.arg(tr("Service period %1 – %2").arg(QLocale().toString(first, QLocale::ShortFormat), QLocale().toString(last, QLocale::ShortFormat)));
    html += u"<table width=\"100%\" border=\"0\" cellspacing=\"4\"><tr><th align=\"left\">%1</th><th align=\"left\">%2</th><th align=\"right\">%3</th>"
            "<th align=\"right\">%4</th><th align=\"right\">%5</th></tr>"_s.arg(tr("Pos."), tr("Description"), tr("Quantity"), tr("Unit price"), tr("Amount"))
        + lineRows + u"</table>"_s;
    html += u"<p align=\"right\">%1: %2<br>%3: %4<br><b>%5: %6</b></p>"_s.arg(
        tr("Net"), money(client::number(d, "net_cents")),
        tr("VAT %1 %").arg(QLocale().toString(double(client::number(d, "vat_rate_bp")) / 100.0, 'f', 0)), money(client::number(d, "vat_cents")),
        tr("Total"), money(client::number(d, "gross_cents")));
    if (!text(d, "note").isEmpty())
        html += u"<p>%1</p>"_s.arg(text(d, "note").toHtmlEscaped());
    m_document->setHtml(html);
    Q_EMIT detailShown(m_shownId);
}

bool InvoicesPage::refuseWhileUnreachable(const QString &title)
{
    if (m_account.isReachable())
        return false;
    // Never queued: the person decides again once the server answers.
    QMessageBox::warning(this, title, tr("The server cannot be reached, so nothing was changed. Try again when it answers."));
    return true;
}

void InvoicesPage::actionAnswered(const QString &title, const client::ApiResult &result, const QString &doneText)
{
    if (!result.ok()) {
        if (isVisible())
            QMessageBox::warning(this, title, result.errorMessage);
        Q_EMIT statusMessage(tr("%1: not done (%2).").arg(title, result.errorMessage));
    } else {
        Q_EMIT statusMessage(doneText);
    }
    m_model->reload();
    Q_EMIT actionDone(result.ok());
}

void InvoicesPage::resend()
{
    const qint64 id = m_shownId;
    if (id <= 0 || refuseWhileUnreachable(tr("Resend")))
        return;
    client::ApiCall *call = m_account.post(u"/invoices/%1/resend"_s.arg(id));
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        actionAnswered(tr("Resend"), result, tr("%1 queued for %2.").arg(text(result.body, "number"), text(result.body, "to")));
    });
}

void InvoicesPage::askMarkPaid()
{
    bool ok = false;
    const QString reason = QInputDialog::getText(this, tr("Mark paid"), tr("Why is this invoice paid (e.g. bank transfer of 12 May)?"),
                                                 QLineEdit::Normal, QString(), &ok);
    if (ok)
        markPaid(reason);
}

void InvoicesPage::markPaid(const QString &reason)
{
    const qint64 id = m_shownId;
    if (id <= 0 || refuseWhileUnreachable(tr("Mark paid")))
        return;
    client::ApiCall *call = m_account.post(u"/invoices/%1/mark-paid"_s.arg(id), Json{{"reason", reason.toStdString()}});
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        actionAnswered(tr("Mark paid"), result, tr("Marked paid."));
    });
}

void InvoicesPage::askCredit()
{
    bool ok = false;
    const QString reason = QInputDialog::getText(this, tr("Credit note"), tr("Reason for the credit note (shown on the document):"),
                                                 QLineEdit::Normal, QString(), &ok);
    if (ok)
        credit(reason);
}

void InvoicesPage::credit(const QString &reason)
{
    const qint64 id = m_shownId;
    if (id <= 0 || refuseWhileUnreachable(tr("Credit note")))
        return;
    client::ApiCall *call = m_account.post(u"/invoices/%1/credit-note"_s.arg(id), Json{{"reason", reason.toStdString()}});
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (result.ok())
            m_pendingSelect = number(result.body, "id");
        actionAnswered(tr("Credit note"), result, tr("Credit note created."));
    });
}

void InvoicesPage::exportDocument(bool xml)
{
    const qint64 id = m_shownId;
    if (id <= 0)
        return;
    const QString suggested = text(m_shown, xml ? "xml_file_name" : "pdf_file_name");
    // The bytes first: a file dialog for a document the server then refuses would only disappoint.
    client::ApiCall *call = m_account.get(u"/invoices/%1/%2"_s.arg(id).arg(xml ? u"xml"_s : u"pdf"_s));
    connect(call, &client::ApiCall::finished, this, [this, xml, suggested](const client::ApiResult &result) {
        if (!result.ok()) {
            QMessageBox::warning(this, tr("Export"), result.errorMessage);
            return;
        }
        const QString path = QFileDialog::getSaveFileName(this, xml ? tr("Export XML") : tr("Export PDF"), suggested,
                                                          xml ? tr("XRechnung (*.xml)") : tr("PDF (*.pdf)"));
        if (path.isEmpty())
            return;
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(result.raw) != result.raw.size()) {
            QMessageBox::warning(this, tr("Export"), file.errorString());
            return;
        }
        Q_EMIT statusMessage(tr("Wrote %1.").arg(path));
    });
}

void InvoicesPage::loadPreview()
{
    const QDate today = billingToday();
    const QDate month(today.year(), today.month(), 1);
    m_previewTitle->setText(tr("Invoices for %1 as they would be issued now (nothing is written):").arg(QLocale().toString(month, u"MMMM yyyy"_s)));
    QUrlQuery query;
    query.addQueryItem(u"month"_s, month.toString(u"yyyy-MM"_s));
    client::ApiCall *call = m_account.get(u"/billing/preview"_s, query);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            Q_EMIT statusMessage(tr("The preview cannot be read: %1").arg(result.errorMessage));
            return;
        }
        QList<QStringList> rows;
        for (const Json &p : client::child(result.body, "items", Json::array())) {
            QStringList parts;
            for (const Json &l : client::child(p, "lines", Json::array()))
                parts << u"%1 × %2"_s.arg(QLocale().toString(client::number(l, "quantity")), money(client::number(l, "unit_price_cents")));
            rows << QStringList{text(p, "company"), parts.join(u", "_s), money(client::number(p, "net_cents")), money(client::number(p, "vat_cents")),
                                money(client::number(p, "gross_cents"))};
        }
        fill(m_preview, {tr("Company"), tr("Lines"), tr("Net"), tr("VAT"), tr("Total")}, rows);
    });
}

void InvoicesPage::loadReconciliation()
{
    const QDate month = m_reconcileMonth->currentData().toDate();
    QUrlQuery query;
    query.addQueryItem(u"month"_s, month.toString(u"yyyy-MM"_s));
    client::ApiCall *call = m_account.get(u"/billing/reconciliation"_s, query);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            Q_EMIT statusMessage(tr("The reconciliation cannot be read: %1").arg(result.errorMessage));
            return;
        }
        const auto checkLabel = [](const QString &check) {
            if (check == u"unbilled_call"_s)
                return tr("Calls without usage row (unbilled)");
            if (check == u"unbilled_appointment"_s)
                return tr("Booked appointments without usage row (unbilled)");
            if (check == u"usage_not_invoiced"_s)
                return tr("Usage of a closed month on no invoice (unbilled)");
            if (check == u"line_mismatch"_s)
                return tr("Invoice lines differ from its usage rows (billed twice or missing)");
            if (check == u"not_in_stripe"_s)
                return tr("Invoice not sent to Stripe");
            if (check == u"stripe_total_mismatch"_s)
                return tr("Stripe's total differs from the invoice");
            return check;
        };
        QList<QStringList> rows;
        for (const Json &i : client::child(result.body, "items", Json::array()))
            rows << QStringList{text(i, "company"), text(i, "invoice_number"), checkLabel(text(i, "check")), QString::number(client::number(i, "expected")),
                                QString::number(client::number(i, "actual")), text(i, "detail")};
        if (rows.isEmpty())
            rows << QStringList{tr("Everything matches: every call and booking is billed once, and Stripe agrees.")};
        fill(m_reconciliation, {tr("Company"), tr("Invoice"), tr("Finding"), tr("Expected / count"), tr("Actual"), tr("Detail")}, rows);
    });
}

} // namespace askpro
