// Customers page: three RecordsModels over CustomerQuery; double-click opens a call or appointment.
#include "pages/customerspage.h"

#include "changewatcher.h"
#include "csvexporter.h"
#include "db/database.h"
#include "queries/directoryquery.h"
#include "recordsmodel.h"
#include "tablestate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

CustomersPage::CustomersPage(std::shared_ptr<Database> db, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"customerSearch"_s);
    m_search->setPlaceholderText(tr("Search name, phone or e-mail"));
    m_search->setClearButtonEnabled(true);
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    bar->addWidget(m_search, 1);
    bar->addWidget(exportButton);
    layout->addLayout(bar);

    using F = RecordsModel::Format;
    m_customers = new RecordsModel({{tr("No."), F::Number},
                                    {tr("Name"), F::Text},
                                    {tr("Phone"), F::Phone},
                                    {tr("E-mail"), F::Text},
                                    {tr("Company"), F::Text},
                                    {tr("Calls"), F::Number},
                                    {tr("Appointments"), F::Number},
                                    {tr("Last call"), F::DateTime}},
                                   -1, this);
    m_calls = new RecordsModel({{tr("No."), F::Number}, {tr("Time"), F::DateTime}, {tr("Time zone"), F::Text}, {tr("Branch"), F::Text},
                                {tr("Outcome"), F::Outcome}, {tr("Duration"), F::Duration}},
                               2, this);
    m_appointments = new RecordsModel({{tr("No."), F::Number}, {tr("Starts"), F::DateTime}, {tr("Time zone"), F::Text}, {tr("Branch"), F::Text},
                                       {tr("Service"), F::Text}, {tr("Staff"), F::Text}, {tr("Status"), F::AppointmentStatus}},
                                      2, this);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"customersTable"_s);
    m_table->setModel(m_customers);
    TableState::setUpTable(m_table);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->hideColumn(0);
    m_table->horizontalHeader()->setSortIndicator(1, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(1, metrics.horizontalAdvance(u"Katharina Zimmermann"_s) + 12);
    m_table->setColumnWidth(2, metrics.horizontalAdvance(u"+49 176 12345678"_s) + 12);
    m_table->setColumnWidth(3, metrics.horizontalAdvance(u"katharina.zimmermann@t-online.de"_s) + 12);
    m_table->setColumnWidth(4, metrics.horizontalAdvance(u"Zahnarztpraxis Dr. Weber"_s) + 12);
    TableState::track(m_table, u"customers"_s);

    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(6, 0, 0, 0);
    m_title = new QLabel(right);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    rightLayout->addWidget(m_title);
    const auto smallTable = [right](RecordsModel *model, const QString &name) {
        auto *view = new QTableView(right);
        view->setObjectName(name);
        view->setModel(model);
        TableState::setUpTable(view);
        view->hideColumn(0);
        view->hideColumn(2);
        view->setColumnWidth(1, view->fontMetrics().horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
        view->setColumnWidth(3, view->fontMetrics().horizontalAdvance(u"Praxis Hamburg-Eppendorf"_s) + 8);
        return view;
    };
    rightLayout->addWidget(new QLabel(tr("Calls"), right));
    auto *calls = smallTable(m_calls, u"customerCalls"_s);
    rightLayout->addWidget(calls, 1);
    rightLayout->addWidget(new QLabel(tr("Appointments"), right));
    auto *appointments = smallTable(m_appointments, u"customerAppointments"_s);
    rightLayout->addWidget(appointments, 1);
    splitter->addWidget(m_table);
    splitter->addWidget(right);
    splitter->setSizes({640, 500});
    layout->addWidget(splitter, 1);

    auto *delay = new QTimer(this);
    delay->setSingleShot(true);
    delay->setInterval(250);
    connect(delay, &QTimer::timeout, this, &CustomersPage::reload);
    connect(m_search, &QLineEdit::textChanged, delay, qOverload<>(&QTimer::start));
    connect(exportButton, &QToolButton::clicked, this, [this] { CsvExporter::exportWithDialog(m_table, tr("customers"), this); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &CustomersPage::showSelected);
    connect(m_customers, &QAbstractItemModel::modelReset, this, &CustomersPage::showSelected);
    connect(calls, &QTableView::doubleClicked, this, [this](const QModelIndex &i) { Q_EMIT openCall(m_calls->idAt(i.row())); });
    connect(appointments, &QTableView::doubleClicked, this,
            [this](const QModelIndex &i) { Q_EMIT openAppointment(m_appointments->idAt(i.row())); });
    reload();

    // New callers, and new calls and appointments of the listed customers (their counts), appear by themselves;
    // selecting the customer again re-reads their calls and appointments.
    auto *watcher = new ChangeWatcher(m_db, {ChangeQuery::Table::Customers, ChangeQuery::Table::Calls, ChangeQuery::Table::Appointments}, this);
    connect(watcher, &ChangeWatcher::changed, this,
            [this] { TableState::refreshKeepingPosition(m_table, RecordsModel::IdRole, [this] { (void)m_customers->refresh(); }); });
}

CustomersPage::~CustomersPage() = default;

void CustomersPage::reload()
{
    auto db = m_db;
    const QString text = m_search->text();
    m_customers->setLoader([db, text](int column, Qt::SortOrder order) { return CustomerQuery::browse(*db, text, column, order); },
                           m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
    if (m_customers->rowCount() > 0)
        m_table->selectRow(0);
    showSelected();
}

void CustomersPage::showSelected()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const qint64 id = current.isValid() ? m_customers->idAt(current.row()) : 0;
    auto db = m_db;
    m_calls->setLoader([db, id](int, Qt::SortOrder) { return CustomerQuery::calls(*db, id); }, 1, Qt::DescendingOrder);
    m_appointments->setLoader([db, id](int, Qt::SortOrder) { return CustomerQuery::appointments(*db, id); }, 1, Qt::DescendingOrder);
    if (id <= 0) {
        m_title->setText(m_customers->rowCount() == 0 ? tr("No customers yet: callers become customers with their first call.")
                                                      : tr("Select a customer."));
        return;
    }
    const QString name = m_customers->index(current.row(), 1).data().toString();
    const QString phone = m_customers->index(current.row(), 2).data().toString();
    m_title->setText(name.isEmpty() ? phone : name + u" · "_s + phone);
}

} // namespace askpro
