// Call browser page: outcome and text filters run in SQL through the model.
#include "pages/callspage.h"

#include "callsmodel.h"
#include "db/database.h"

#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

CallsPage::CallsPage(std::shared_ptr<Database> db, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
{
    auto *layout = new QVBoxLayout(this);
    auto *filters = new QHBoxLayout;
    m_outcome = new QComboBox(this);
    m_outcome->setObjectName(u"outcomeFilter"_s);
    m_outcome->addItem(tr("All outcomes"), QString());
    m_outcome->addItem(tr("Booked"), u"booked"_s);
    m_outcome->addItem(tr("No request"), u"no_request"_s);
    m_outcome->addItem(tr("Needs callback"), u"needs_callback"_s);
    m_outcome->addItem(tr("Failed"), u"failed"_s);
    m_outcome->addItem(tr("Requested, not booked"), u"requested_unbooked"_s);
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"searchFilter"_s);
    m_search->setPlaceholderText(tr("Search caller, customer or transcript"));
    m_search->setClearButtonEnabled(true);
    filters->addWidget(new QLabel(tr("Outcome:"), this));
    filters->addWidget(m_outcome);
    filters->addWidget(m_search, 1);
    layout->addLayout(filters);

    m_model = new CallsModel(m_db, this);
    m_table = new QTableView(this);
    m_table->setObjectName(u"callsTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->hideColumn(CallQuery::TimeZone);
    layout->addWidget(m_table, 1);

    m_empty = new QLabel(this);
    m_empty->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_empty);

    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(250);
    connect(m_searchDelay, &QTimer::timeout, this, &CallsPage::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_outcome, &QComboBox::currentIndexChanged, this, &CallsPage::applyFilter);
    applyFilter();
}

CallsPage::~CallsPage() = default;

void CallsPage::applyFilter()
{
    CallFilter filter = m_model->filter();
    filter.outcome = m_outcome->currentData().toString();
    filter.text = m_search->text();
    m_model->setFilter(filter);
    if (!m_model->lastError().isEmpty())
        m_empty->setText(tr("The calls cannot be read: %1").arg(m_model->lastError()));
    else if (m_model->rowCount() == 0)
        m_empty->setText(tr("No calls match these filters yet. Calls appear here as soon as the server receives them."));
    else
        m_empty->clear();
    m_empty->setVisible(!m_empty->text().isEmpty());
}

} // namespace askpro
