// Inbox page: InboxQuery feeds a RecordsModel; replays go through SupportService.
#include "pages/inboxpage.h"

#include "changewatcher.h"
#include "csvexporter.h"
#include "db/database.h"
#include "labels.h"
#include "queries/inboxquery.h"
#include "recordsmodel.h"
#include "support/payloadtext.h"
#include "support/supportservice.h"
#include "tablestate.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

InboxPage::InboxPage(std::shared_ptr<Database> db, Actor actor, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
    , m_actor(std::move(actor))
{
    auto *layout = new QVBoxLayout(this);
    auto *filters = new QHBoxLayout;
    m_provider = new QComboBox(this);
    m_provider->setObjectName(u"providerFilter"_s);
    m_provider->addItem(tr("All providers"), QString());
    m_provider->addItem(u"Retell"_s, u"retell"_s);
    m_provider->addItem(u"Cal.com"_s, u"calcom"_s);
    m_provider->addItem(u"Stripe"_s, u"stripe"_s);
    m_status = new QComboBox(this);
    m_status->setObjectName(u"statusFilter"_s);
    m_status->addItem(tr("Every status"), QString());
    for (const QString &s : {u"pending"_s, u"processed"_s, u"failed"_s, u"ignored"_s, u"rejected"_s})
        m_status->addItem(Labels::inboxStatus(s), s);
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search event, error or Retell call id"));
    m_search->setClearButtonEnabled(true);
    auto *refresh = new QToolButton(this);
    refresh->setText(tr("Refresh"));
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    m_replay = new QPushButton(tr("Replay"), this);
    m_replay->setObjectName(u"replayButton"_s);
    m_replay->setToolTip(tr("Set the delivery back to pending and process it again"));
    filters->addWidget(m_provider);
    filters->addWidget(m_status);
    filters->addWidget(m_search, 1);
    filters->addWidget(refresh);
    filters->addWidget(exportButton);
    filters->addWidget(m_replay);
    layout->addLayout(filters);

    using F = RecordsModel::Format;
    m_model = new RecordsModel({{tr("No."), F::Number},
                                {tr("Received"), F::DateTime},
                                {tr("Time zone"), F::Text},
                                {tr("Provider"), F::Text},
                                {tr("Event"), F::Text},
                                {tr("Signature"), F::YesNo},
                                {tr("Status"), F::InboxStatus},
                                {tr("Error"), F::Text},
                                {tr("Deliveries"), F::Number},
                                {tr("Call"), F::Number},
                                {tr("Retell call"), F::Text}},
                               InboxQuery::TimeZone, this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"inboxTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->hideColumn(InboxQuery::TimeZone);
    m_table->horizontalHeader()->setSortIndicator(InboxQuery::ReceivedAt, Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(InboxQuery::Id, metrics.horizontalAdvance(u"000000"_s) + 16);
    m_table->setColumnWidth(InboxQuery::ReceivedAt, metrics.horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
    m_table->setColumnWidth(InboxQuery::EventType, metrics.horizontalAdvance(u"BOOKING_RESCHEDULED"_s) + 16);
    m_table->setColumnWidth(InboxQuery::Error, metrics.horizontalAdvance(u"No service of this company matches something"_s));
    TableState::track(m_table, u"inbox"_s);

    auto *detail = new QWidget(splitter);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    m_info = new QLabel(detail);
    m_info->setWordWrap(true);
    m_body = new QPlainTextEdit(detail);
    m_body->setObjectName(u"inboxBody"_s);
    m_body->setReadOnly(true);
    m_body->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    detailLayout->addWidget(m_info);
    detailLayout->addWidget(m_body, 1);
    splitter->addWidget(m_table);
    splitter->addWidget(detail);
    splitter->setSizes({450, 300});
    layout->addWidget(splitter, 1);

    auto *delay = new QTimer(this);
    delay->setSingleShot(true);
    delay->setInterval(250);
    connect(delay, &QTimer::timeout, this, &InboxPage::reload);
    connect(m_search, &QLineEdit::textChanged, delay, qOverload<>(&QTimer::start));
    connect(m_provider, &QComboBox::currentIndexChanged, this, &InboxPage::reload);
    connect(m_status, &QComboBox::currentIndexChanged, this, &InboxPage::reload);
    connect(refresh, &QToolButton::clicked, this, &InboxPage::reload);
    connect(exportButton, &QToolButton::clicked, this, [this] { CsvExporter::exportWithDialog(m_table, tr("webhook-inbox"), this); });
    connect(m_replay, &QPushButton::clicked, this, &InboxPage::replaySelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &InboxPage::showSelected);
    connect(m_model, &QAbstractItemModel::modelReset, this, &InboxPage::showSelected);
    reload();

    // New deliveries and processing results appear by themselves, the selected delivery stays selected.
    auto *watcher = new ChangeWatcher(m_db, {ChangeQuery::Table::WebhookInbox}, this);
    connect(watcher, &ChangeWatcher::changed, this,
            [this] { TableState::refreshKeepingPosition(m_table, RecordsModel::IdRole, [this] { (void)m_model->refresh(); }); });
}

InboxPage::~InboxPage() = default;

void InboxPage::reload()
{
    InboxFilter filter;
    filter.provider = m_provider->currentData().toString();
    filter.status = m_status->currentData().toString();
    filter.text = m_search->text();
    auto db = m_db;
    // The header's sort indicator (set before the first load) is the sort in force.
    m_model->setLoader([db, filter](int column, Qt::SortOrder order) { return InboxQuery::browse(*db, filter, column, order); },
                       m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
    if (m_model->rowCount() > 0 && !m_table->selectionModel()->hasSelection())
        m_table->selectRow(0);
    showSelected();
}

void InboxPage::showSelected()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const qint64 id = current.isValid() ? m_model->idAt(current.row()) : 0;
    m_replay->setEnabled(id > 0 && m_actor.can(Permission::ManageCalls));
    if (id <= 0) {
        m_info->setText(m_model->lastError().isEmpty()
                            ? (m_model->rowCount() == 0 ? tr("No webhook deliveries yet: they appear here as providers send them.")
                                                        : tr("Select a delivery to see its body."))
                            : tr("The inbox cannot be read: %1").arg(m_model->lastError()));
        m_body->clear();
        return;
    }
    const auto cell = [this, &current](int column) { return m_model->index(current.row(), column).data(RecordsModel::RawRole); };
    QString info = tr("Delivery %1 from %2, event %3, received %4 time(s); signature %5; status %6.")
                       .arg(id)
                       .arg(cell(InboxQuery::Provider).toString(), cell(InboxQuery::EventType).toString())
                       .arg(cell(InboxQuery::DeliveryCount).toInt())
                       .arg(cell(InboxQuery::SignatureOk).toInt() != 0 ? tr("valid") : tr("INVALID"),
                            Labels::inboxStatus(cell(InboxQuery::Status).toString()));
    if (!cell(InboxQuery::Error).toString().isEmpty())
        info += u"\n"_s + tr("Error: %1").arg(cell(InboxQuery::Error).toString());
    m_info->setText(info);
    auto body = InboxQuery::body(*m_db, id);
    m_body->setPlainText(body ? PayloadText::maskedPrettyJson(*body) : body.error().describe());
}

void InboxPage::replaySelected()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const qint64 id = current.isValid() ? m_model->idAt(current.row()) : 0;
    if (id <= 0)
        return;
    auto job = SupportService(*m_db).replayWebhook(id, m_actor);
    if (!job) {
        QMessageBox::warning(this, tr("Replay"), job.error().describe());
        return;
    }
    Q_EMIT statusMessage(tr("Delivery %1 queued for processing again (job %2).").arg(id).arg(*job));
    reload();
}

} // namespace askpro
