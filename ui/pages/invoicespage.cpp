// The invoices page: list and detail over backend billing services; no SQL here.
#include "invoicespage.h"

#include "billing/billingquery.h"
#include "billing/einvoicexml.h"
#include "billing/invoicegenerator.h"
#include "billing/invoicemailer.h"
#include "core/clock.h"
#include "db/database.h"
#include "documents/invoicepdf.h"
#include "invoicesmodel.h"

#include <QComboBox>
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
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

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

QString euros(qint64 cents)
{
    return QLocale().toCurrencyString(double(cents) / 100.0, u"€"_s);
}

} // namespace

InvoicesPage::InvoicesPage(std::shared_ptr<Database> db, Actor actor, QWidget *parent)
    : QWidget(parent), m_db(std::move(db)), m_actor(std::move(actor))
{
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildList(), tr("Invoices"));
    m_tabs->addTab(buildPreview(), tr("Next invoices (preview)"));
    m_tabs->addTab(buildReconciliation(), tr("Reconciliation"));
    layout->addWidget(m_tabs);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == 1)
            loadPreview();
        else if (index == 2)
            loadReconciliation();
    });
    reload();
    if (m_model->rowCount() > 0)
        m_table->selectRow(0);
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
    if (auto companies = BillingQuery::companies(*m_db, m_actor))
        for (const auto &[id, name] : *companies)
            m_company->addItem(name, id);
    m_status = new QComboBox(page);
    m_status->setObjectName(u"statusFilter"_s);
    m_status->addItem(tr("All statuses"), QString());
    for (const QString &s : {u"draft"_s, u"open"_s, u"paid"_s, u"overdue"_s, u"failed"_s, u"credit_note"_s})
        m_status->addItem(InvoicesModel::statusLabel(s), s);
    m_text = new QLineEdit(page);
    m_text->setPlaceholderText(tr("Number or company"));
    m_text->setClearButtonEnabled(true);
    filters->addWidget(new QLabel(tr("Company:"), page));
    filters->addWidget(m_company);
    filters->addWidget(new QLabel(tr("Status:"), page));
    filters->addWidget(m_status);
    filters->addWidget(m_text, 1);
    layout->addLayout(filters);

    auto *split = new QSplitter(Qt::Horizontal, page);
    m_model = new InvoicesModel(*m_db, m_actor, this);
    connect(m_model, &InvoicesModel::queryFailed, this, &InvoicesPage::statusMessage);
    m_table = new QTableView(split);
    m_table->setObjectName(u"invoiceTable"_s);
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(BillingQuery::Number, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnHidden(BillingQuery::Id, true);

    auto *detail = new QWidget(split);
    auto *d = new QVBoxLayout(detail);
    m_summary = new QLabel(tr("Select an invoice."), detail);
    m_summary->setObjectName(u"invoiceSummary"_s);
    m_summary->setWordWrap(true);
    d->addWidget(m_summary);
    auto *actions = new QHBoxLayout;
    m_resend = new QPushButton(tr("Resend"), detail);
    m_markPaid = new QPushButton(tr("Mark paid…"), detail);
    m_credit = new QPushButton(tr("Credit note…"), detail);
    m_exportPdf = new QPushButton(tr("Export PDF…"), detail);
    m_exportXml = new QPushButton(tr("Export XML…"), detail);
    for (QPushButton *b : {m_resend, m_markPaid, m_credit, m_exportPdf, m_exportXml}) {
        b->setEnabled(false);
        actions->addWidget(b);
    }
    actions->addStretch();
    d->addLayout(actions);
    auto *detailTabs = new QTabWidget(detail);
    m_document = new QTextBrowser(detailTabs);
    m_document->setObjectName(u"invoiceDocument"_s);
    m_lines = readOnlyTable(detailTabs);
    m_payments = readOnlyTable(detailTabs);
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
    connect(m_model, &QAbstractItemModel::modelReset, this, &InvoicesPage::showSelected);
    connect(m_resend, &QPushButton::clicked, this, &InvoicesPage::resend);
    connect(m_markPaid, &QPushButton::clicked, this, &InvoicesPage::markPaid);
    connect(m_credit, &QPushButton::clicked, this, &InvoicesPage::credit);
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
    const QDate today = money::localDate(nowMs());
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

void InvoicesPage::reload()
{
    InvoiceFilter filter;
    filter.companyId = m_company->currentData().toLongLong();
    filter.status = m_status->currentData().toString();
    filter.text = m_text->text();
    m_model->setFilter(filter);
    m_table->resizeColumnsToContents();
}

bool InvoicesPage::selectInvoice(qint64 invoiceId)
{
    while (m_model->canFetchMore())
        m_model->fetchMore();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->idAt(row) == invoiceId) {
            m_table->selectRow(row);
            return true;
        }
    }
    return false;
}

qint64 InvoicesPage::selectedId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : m_model->idAt(rows.first().row());
}

void InvoicesPage::showSelected()
{
    const qint64 id = selectedId();
    auto doc = id > 0 ? InvoiceDocument::load(*m_db, id) : Result<InvoiceDocument>(makeError(ErrorKind::NotFound, {}, {}));
    for (QPushButton *b : {m_resend, m_markPaid, m_credit, m_exportPdf, m_exportXml})
        b->setEnabled(doc.ok());
    if (!doc) {
        m_summary->setText(tr("Select an invoice."));
        m_document->clear();
        m_lines->setRowCount(0);
        m_payments->setRowCount(0);
        return;
    }
    const QString status = m_model->data(m_model->index(m_table->selectionModel()->selectedRows().first().row(), 0), InvoicesModel::StatusRole)
                               .toString();
    m_summary->setText(tr("<b>%1</b> · %2 · %3 – %4 · total %5 · %6")
                           .arg(doc->number, doc->buyer.name.toHtmlEscaped(), QLocale().toString(doc->periodFirstDay(), QLocale::ShortFormat),
                                QLocale().toString(doc->periodLastDay(), QLocale::ShortFormat), euros(doc->grossCents),
                                InvoicesModel::statusLabel(status)));
    const bool mayChange = m_actor.can(Permission::ManageBilling);
    m_resend->setEnabled(mayChange);
    m_markPaid->setEnabled(mayChange && !doc->isCreditNote() && status != u"paid"_s);
    m_credit->setEnabled(mayChange && !doc->isCreditNote());
    m_document->setHtml(InvoicePdf::html(*doc));
    QList<QStringList> lines;
    for (const InvoiceLine &l : doc->lines)
        lines << QStringList{QString::number(l.position), l.description, QLocale().toString(l.quantity), euros(l.unitPriceCents),
                             euros(l.amountCents)};
    fill(m_lines, {tr("Pos."), tr("Description"), tr("Quantity"), tr("Unit price"), tr("Amount")}, lines);
    QList<QStringList> payments;
    if (auto rows = BillingQuery::payments(*m_db, m_actor, id))
        for (const PaymentRow &p : *rows)
            payments << QStringList{QLocale().toString(fromMs(p.at).toLocalTime(), QLocale::ShortFormat), p.kind, euros(p.amountCents),
                                    p.reason, p.stripeEventId};
    fill(m_payments, {tr("When"), tr("Kind"), tr("Amount"), tr("Reason"), tr("Stripe event")}, payments);
}

void InvoicesPage::resend()
{
    auto doc = InvoiceDocument::load(*m_db, selectedId());
    if (!doc)
        return;
    auto pdf = InvoicePdf::render(*doc);
    auto queued = pdf ? InvoiceMailer(*m_db).queue(*doc, *pdf, true) : Result<qint64>(pdf.error());
    if (!queued) {
        QMessageBox::warning(this, tr("Resend"), tr("The invoice was not queued: %1").arg(queued.error().describe()));
        return;
    }
    Q_EMIT statusMessage(tr("%1 queued for %2.").arg(doc->number, doc->buyer.email));
}

void InvoicesPage::markPaid()
{
    const qint64 id = selectedId();
    bool ok = false;
    const QString reason = QInputDialog::getText(this, tr("Mark paid"), tr("Why is this invoice paid (e.g. bank transfer of 12 May)?"),
                                                 QLineEdit::Normal, QString(), &ok);
    if (!ok)
        return;
    const Status marked = BillingQuery::markPaidManually(*m_db, id, reason, m_actor);
    if (!marked) {
        QMessageBox::warning(this, tr("Mark paid"), marked.error().describe());
        return;
    }
    reload();
    selectInvoice(id);
    Q_EMIT statusMessage(tr("Marked paid."));
}

void InvoicesPage::credit()
{
    const qint64 id = selectedId();
    bool ok = false;
    const QString reason = QInputDialog::getText(this, tr("Credit note"), tr("Reason for the credit note (shown on the document):"),
                                                 QLineEdit::Normal, QString(), &ok);
    if (!ok)
        return;
    auto note = InvoiceGenerator(*m_db).createCreditNote(id, reason, m_actor);
    if (!note) {
        QMessageBox::warning(this, tr("Credit note"), note.error().describe());
        return;
    }
    reload();
    selectInvoice(*note);
    Q_EMIT statusMessage(tr("Credit note created."));
}

void InvoicesPage::exportDocument(bool xml)
{
    auto doc = InvoiceDocument::load(*m_db, selectedId());
    if (!doc)
        return;
    const QString suffix = xml ? u"xml"_s : u"pdf"_s;
    const QString path = QFileDialog::getSaveFileName(this, xml ? tr("Export XML") : tr("Export PDF"), InvoiceMailer::fileName(*doc, suffix),
                                                      xml ? tr("XRechnung (*.xml)") : tr("PDF (*.pdf)"));
    if (path.isEmpty())
        return;
    auto bytes = xml ? EInvoiceXml::write(*doc) : InvoicePdf::render(*doc);
    QFile file(path);
    if (!bytes || !file.open(QIODevice::WriteOnly) || file.write(*bytes) != bytes->size()) {
        QMessageBox::warning(this, tr("Export"), bytes ? file.errorString() : bytes.error().describe());
        return;
    }
    Q_EMIT statusMessage(tr("Wrote %1.").arg(path));
}

void InvoicesPage::loadPreview()
{
    const QDate today = money::localDate(nowMs());
    const QDate month(today.year(), today.month(), 1);
    m_previewTitle->setText(tr("Invoices for %1 as they would be issued now (nothing is written):")
                                .arg(QLocale().toString(month, u"MMMM yyyy"_s)));
    auto plans = InvoiceGenerator(*m_db).previewMonth(month);
    if (!plans) {
        Q_EMIT statusMessage(plans.error().describe());
        return;
    }
    QList<QStringList> rows;
    for (const InvoicePlan &p : *plans) {
        QStringList parts;
        for (const InvoiceLine &l : p.lines)
            parts << u"%1 × %2"_s.arg(QLocale().toString(l.quantity), euros(l.unitPriceCents));
        rows << QStringList{p.companyName, parts.join(u", "_s), euros(p.netCents), euros(p.vatCents), euros(p.grossCents)};
    }
    fill(m_preview, {tr("Company"), tr("Lines"), tr("Net"), tr("VAT"), tr("Total")}, rows);
}

void InvoicesPage::loadReconciliation()
{
    const QDate month = m_reconcileMonth->currentData().toDate();
    const auto [start, end] = money::monthRange(month.year(), month.month());
    auto issues = BillingQuery::reconcile(*m_db, m_actor, start, end);
    if (!issues) {
        Q_EMIT statusMessage(issues.error().describe());
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
    for (const ReconciliationIssue &i : *issues)
        rows << QStringList{i.companyName, i.invoiceNumber, checkLabel(i.check), QString::number(i.expected), QString::number(i.actual), i.detail};
    if (rows.isEmpty())
        rows << QStringList{tr("Everything matches: every call and booking is billed once, and Stripe agrees.")};
    fill(m_reconciliation, {tr("Company"), tr("Invoice"), tr("Finding"), tr("Expected / count"), tr("Actual"), tr("Detail")}, rows);
}

} // namespace askpro
