// Call browser page: every filter runs on the server through the model; the detail pane follows the
// selection; saved views are the signed-in user's own, kept by the server.
#include "pages/callspage.h"

#include "apiaccount.h"
#include "apiviewstate.h"
#include "changewatcher.h"
#include "csvexporter.h"
#include "jsonfields.h"
#include "tablestate.h"
#include "widgets/apipicker.h"
#include "widgets/calldetailpane.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <QComboBox>
#include <QDateTime>
#include <QLocale>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QSplitter>
#include <QSignalBlocker>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
const QString pageKey = u"calls"_s;
constexpr int viewIdRole = Qt::UserRole + 1; // in the views box; Qt::UserRole holds the filters
constexpr int maxSearchRows = 5000;          // rows selectCall() reads to find a call
constexpr int maxExportRows = 200000;

client::Json toJson(const QVariantMap &map)
{
    const QByteArray bytes = QJsonDocument(QJsonObject::fromVariantMap(map)).toJson(QJsonDocument::Compact);
    return client::Json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
}

QVariantMap toMap(const client::Json &json)
{
    return json.is_object() ? QJsonDocument::fromJson(QByteArray::fromStdString(json.dump())).object().toVariantMap() : QVariantMap();
}
} // namespace

CallsPage::CallsPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);

    // First row: period, company, branch, outcome.
    auto *filters = new QHBoxLayout;
    m_period = new QComboBox(this);
    m_period->setObjectName(u"periodFilter"_s);
    m_period->addItem(tr("All time"), u"all"_s);
    m_period->addItem(tr("Today"), u"today"_s);
    m_period->addItem(tr("Last 7 days"), u"7d"_s);
    m_period->addItem(tr("Last 30 days"), u"30d"_s);
    m_period->addItem(tr("Date range"), u"range"_s);
    m_from = new QDateEdit(QDate::currentDate().addDays(-7), this);
    m_from->setObjectName(u"fromDate"_s);
    m_from->setCalendarPopup(true);
    m_to = new QDateEdit(QDate::currentDate(), this);
    m_to->setObjectName(u"toDate"_s);
    m_to->setCalendarPopup(true);
    m_company = new QComboBox(this);
    m_company->setObjectName(u"companyFilter"_s);
    m_company->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_branch = new QComboBox(this);
    m_branch->setObjectName(u"branchFilter"_s);
    m_branch->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_outcome = new QComboBox(this);
    m_outcome->setObjectName(u"outcomeFilter"_s);
    m_outcome->addItem(tr("All outcomes"), QString());
    m_outcome->addItem(tr("Booked"), u"booked"_s);
    m_outcome->addItem(tr("No request"), u"no_request"_s);
    m_outcome->addItem(tr("Needs callback"), u"needs_callback"_s);
    m_outcome->addItem(tr("Failed"), u"failed"_s);
    m_outcome->addItem(tr("Requested, not booked"), u"requested_unbooked"_s);
    filters->addWidget(m_period);
    filters->addWidget(m_from);
    m_dash = new QLabel(u"–"_s, this);
    filters->addWidget(m_dash);
    filters->addWidget(m_to);
    filters->addWidget(m_company);
    filters->addWidget(m_branch);
    filters->addWidget(m_outcome);
    filters->addStretch(1);
    layout->addLayout(filters);

    // Second row: text search, saved views, export.
    auto *second = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"searchFilter"_s);
    m_search->setPlaceholderText(tr("Search caller, customer or transcript"));
    m_search->setClearButtonEnabled(true);
    m_views = new QComboBox(this);
    m_views->setObjectName(u"savedViews"_s);
    m_views->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_searching = new QLabel(tr("Searching…"), this);
    m_searching->setObjectName(u"searchProgress"_s);
    m_searching->setForegroundRole(QPalette::PlaceholderText);
    m_searching->setToolTip(tr("Transcripts are searched newest first; matches appear as they are found."));
    m_searching->hide();
    auto *saveViewButton = new QToolButton(this);
    saveViewButton->setObjectName(u"saveViewButton"_s);
    saveViewButton->setText(tr("Save view…"));
    // Rename and delete act on the view chosen in the box; the button opens its menu from the keyboard too.
    m_viewActions = new QToolButton(this);
    m_viewActions->setObjectName(u"viewActionsButton"_s);
    m_viewActions->setText(tr("&Views"));
    m_viewActions->setToolTip(tr("Rename or delete the saved view chosen beside"));
    m_viewActions->setPopupMode(QToolButton::InstantPopup);
    auto *viewMenu = new QMenu(m_viewActions);
    auto *renameAction = viewMenu->addAction(tr("&Rename view…"));
    renameAction->setObjectName(u"renameViewAction"_s);
    auto *deleteAction = viewMenu->addAction(tr("&Delete view"));
    deleteAction->setObjectName(u"deleteViewAction"_s);
    m_viewActions->setMenu(viewMenu);
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    second->addWidget(m_search, 1);
    second->addWidget(m_searching);
    second->addWidget(m_views);
    second->addWidget(saveViewButton);
    second->addWidget(m_viewActions);
    second->addWidget(exportButton);
    layout->addLayout(second);

    // Table and detail side by side.
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(u"callsSplitter"_s);
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_model = new CallsModel(m_account, this);
    m_table = new QTableView(left);
    m_table->setObjectName(u"callsTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->hideColumn(CallsModel::TimeZone);
    m_table->hideColumn(CallsModel::Id);
    m_table->hideColumn(CallsModel::FailureReason);
    m_table->horizontalHeader()->setSortIndicator(CallsModel::StartedAt, Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    connect(m_model, &CallsModel::sortRefused, this, [this](int column, Qt::SortOrder order) {
        const QSignalBlocker quiet(m_table->horizontalHeader());
        m_table->horizontalHeader()->setSortIndicator(column, order);
    });
    m_table->hideColumn(CallsModel::Company); // the branch names already say which business it is
    const QFontMetrics metrics = m_table->fontMetrics();
    const auto width = [&metrics](const QString &sample) { return metrics.horizontalAdvance(sample) + 18; };
    const QString sampleTime = QLocale().toString(QDateTime(QDate(2026, 12, 30), QTime(23, 59)), QLocale::ShortFormat);
    m_table->setColumnWidth(CallsModel::StartedAt, width(sampleTime));
    m_table->setColumnWidth(CallsModel::Company, width(u"Zahnarztpraxis Dr. Weber"_s));
    m_table->setColumnWidth(CallsModel::Branch, width(u"Salon Berlin-Prenzlauer"_s));
    m_table->setColumnWidth(CallsModel::Caller, width(u"+49 176 12345678"_s));
    m_table->setColumnWidth(CallsModel::Customer, width(u"Katharina Zimmermann"_s));
    m_table->setColumnWidth(CallsModel::DurationMs, width(u"00:00:00"_s));
    m_table->setColumnWidth(CallsModel::Outcome, width(tr("Needs callback")));
    m_table->setColumnWidth(CallsModel::AppointmentStart, width(sampleTime));
    TableState::track(m_table, u"calls"_s);
    leftLayout->addWidget(m_table, 1);
    m_empty = new QLabel(left);
    m_empty->setObjectName(u"callsMessage"_s);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    leftLayout->addWidget(m_empty);
    m_detail = new CallDetailPane(m_account, splitter);
    m_detail->setObjectName(u"callDetail"_s);
    splitter->addWidget(left);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({760, 420});
    layout->addWidget(splitter, 1);

    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(250);
    connect(m_searchDelay, &QTimer::timeout, this, &CallsPage::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_outcome, &QComboBox::currentIndexChanged, this, &CallsPage::applyFilter);
    connect(m_period, &QComboBox::currentIndexChanged, this, [this] {
        updatePeriodWidgets();
        applyFilter();
    });
    connect(m_from, &QDateEdit::dateChanged, this, &CallsPage::applyFilter);
    connect(m_to, &QDateEdit::dateChanged, this, &CallsPage::applyFilter);
    connect(m_company, &QComboBox::currentIndexChanged, this, [this] {
        if (m_applying)
            return; // applyFilterState() asks for the branches itself, with the one to choose
        {
            const QSignalBlocker blocker(m_branch);
            m_branch->setCurrentIndex(0); // the other company's branch no longer applies
        }
        reloadBranches(0);
        applyFilter();
    });
    connect(m_branch, &QComboBox::currentIndexChanged, this, &CallsPage::applyFilter);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { m_detail->showCall(current.isValid() ? current.data(CallsModel::CallIdRole).toLongLong() : 0); });
    connect(saveViewButton, &QToolButton::clicked, this, &CallsPage::askViewName);
    connect(renameAction, &QAction::triggered, this, &CallsPage::renameSelectedView);
    connect(deleteAction, &QAction::triggered, this, &CallsPage::deleteSelectedView);
    connect(m_views, &QComboBox::currentIndexChanged, this, [this] { m_viewActions->setEnabled(selectedViewId() > 0); });
    connect(m_model, &CallsModel::searchingChanged, this, &CallsPage::updateMessage);
    connect(m_model, &ApiListModel::loaded, this, [this] {
        updateMessage();
        findPendingCall();
        // After the other answers to loaded() (a refresh re-selects its row first): the first row otherwise. The
        // current row is the one shown; a row made current meanwhile (without a selection) is not replaced.
        QTimer::singleShot(0, this, [this] {
            if (m_model->rowCount() == 0)
                m_detail->showCall(0);
            else if (!m_table->selectionModel()->currentIndex().isValid() && m_pendingSelection == 0)
                m_table->selectRow(0);
        });
    });
    connect(m_model, &ApiListModel::failed, this, &CallsPage::updateMessage);
    connect(exportButton, &QToolButton::clicked, this, &CallsPage::exportCsv);
    connect(m_views, &QComboBox::activated, this, [this](int index) {
        if (index <= 0)
            return;
        applyFilterState(m_views->itemData(index).toMap());
    });

    m_watcher = new ChangeWatcher(m_account, {u"calls"_s}, this);
    connect(m_watcher, &ChangeWatcher::changed, this, [this] {
        if (m_company->count() <= 1) { // the first calls of a new server: their companies too
            reloadCompanies();
            reloadBranches();
        }
        refreshKeepingSelection();
    });

    m_applying = true;
    reloadCompanies();
    reloadBranches();
    reloadSavedViews();
    updatePeriodWidgets();
    m_applying = false;
    applyFilter();
}

CallsPage::~CallsPage() = default;

void CallsPage::reloadCompanies()
{
    // A business account sees its own company only; the filter would offer nothing.
    const bool scoped = client::number(m_account.user(), "company_id") > 0;
    m_company->setVisible(!scoped && m_account.can(u"view_directory"_s));
    if (m_company->isHidden())
        return;
    ApiPicker::fill(m_company, m_account, u"/companies"_s, {}, tr("All companies"), QString());
}

void CallsPage::reloadBranches(qint64 choose)
{
    QUrlQuery query;
    if (const qint64 company = m_company->currentData().toLongLong(); company > 0)
        query.addQueryItem(u"company_id"_s, QString::number(company));
    const qint64 wanted = choose >= 0 ? choose : m_branch->currentData().toLongLong();
    ApiPicker::fill(m_branch, m_account, u"/branches"_s, query, tr("All branches"), QString(), [this, wanted](bool ok) {
        if (!ok)
            return;
        {
            const QSignalBlocker blocker(m_branch);
            m_branch->setCurrentIndex(qMax(0, m_branch->findData(wanted)));
        }
        // A branch of another company is no longer offered, a saved view's branch now is: the list follows.
        if (m_model->filter().branchId != m_branch->currentData().toLongLong())
            applyFilter();
    });
}

void CallsPage::reloadSavedViews(qint64 select)
{
    QUrlQuery query;
    query.addQueryItem(u"page"_s, pageKey);
    auto *call = m_account.get(u"/saved-views"_s, query);
    connect(call, &client::ApiCall::finished, this, [this, select](const client::ApiResult &result) {
        if (!result.ok())
            return; // the box keeps what it had; the next save or reload tries again
        const qint64 current = select > 0 ? select : selectedViewId();
        {
            const QSignalBlocker blocker(m_views);
            m_views->clear();
            m_views->addItem(tr("Saved views"));
            for (const client::Json &view : client::child(result.body, "items", client::Json::array())) {
                m_views->addItem(client::text(view, "name"), toMap(client::child(view, "filters", client::Json::object())));
                m_views->setItemData(m_views->count() - 1, client::number(view, "id"), viewIdRole);
            }
            m_views->setCurrentIndex(current > 0 ? qMax(0, m_views->findData(current, viewIdRole)) : 0);
        }
        m_views->setEnabled(m_views->count() > 1);
        m_viewActions->setEnabled(selectedViewId() > 0);
        Q_EMIT viewsReloaded();
    });
}

qint64 CallsPage::selectedViewId() const
{
    return m_views->currentIndex() > 0 ? m_views->currentData(viewIdRole).toLongLong() : 0;
}

void CallsPage::saveView(const QString &name)
{
    const client::Json body{{"page", pageKey.toStdString()}, {"name", name.toStdString()}, {"filters", toJson(filterState())}};
    auto *call = m_account.post(u"/saved-views"_s, body);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            QMessageBox::warning(this, tr("Save view"), result.errorMessage);
            return;
        }
        reloadSavedViews(client::number(result.body, "id"));
    });
}

void CallsPage::renameView(qint64 viewId, const QString &name)
{
    auto *call = m_account.patch(u"/saved-views/%1"_s.arg(viewId), client::Json{{"name", name.toStdString()}});
    connect(call, &client::ApiCall::finished, this, [this, viewId](const client::ApiResult &result) {
        if (!result.ok()) {
            QMessageBox::warning(this, tr("Rename view"), result.errorMessage);
            return;
        }
        reloadSavedViews(viewId);
    });
}

void CallsPage::deleteView(qint64 viewId)
{
    auto *call = m_account.remove(u"/saved-views/%1"_s.arg(viewId));
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok() && result.status != 404) { // already gone: the box is read again all the same
            QMessageBox::warning(this, tr("Delete view"), result.errorMessage);
            return;
        }
        {
            const QSignalBlocker blocker(m_views);
            m_views->setCurrentIndex(0);
        }
        reloadSavedViews();
    });
}

void CallsPage::renameSelectedView()
{
    const qint64 id = selectedViewId();
    if (id <= 0)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename view"), tr("New name of this filter set:"), QLineEdit::Normal,
                                               m_views->currentText(), &ok);
    if (ok)
        renameView(id, name);
}

void CallsPage::deleteSelectedView()
{
    const qint64 id = selectedViewId();
    if (id <= 0)
        return;
    if (QMessageBox::question(this, tr("Delete view"), tr("Delete the saved view \"%1\"? The calls stay as they are.").arg(m_views->currentText()),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Yes)
        deleteView(id);
}

void CallsPage::askViewName()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save view"), tr("Name of this filter set:"), QLineEdit::Normal, QString(), &ok);
    if (ok)
        saveView(name);
}

void CallsPage::exportCsv()
{
    // Every call the filters match, not only the rows loaded so far.
    setCursor(Qt::BusyCursor);
    m_model->loadAll(maxExportRows, [this](bool complete) {
        unsetCursor();
        if (!complete && m_model->isTruncated()) {
            const QString reason = m_model->lastError().isEmpty() ? tr("more than %L1 calls match").arg(maxExportRows) : m_model->lastError();
            if (QMessageBox::question(this, tr("Export CSV"), tr("Not every call could be read (%1). Export the %Ln call(s) read so far?", nullptr, m_model->rowCount()).arg(reason),
                                      QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
                != QMessageBox::Yes)
                return;
        }
        CsvExporter::exportWithDialog(m_table, tr("calls"), this);
    });
}

void CallsPage::updatePeriodWidgets()
{
    const bool range = m_period->currentData().toString() == u"range"_s;
    m_from->setVisible(range);
    m_to->setVisible(range);
    m_dash->setVisible(range);
}

QVariantMap CallsPage::filterState() const
{
    return {{u"period"_s, m_period->currentData()},
            {u"from"_s, m_from->date().toString(Qt::ISODate)},
            {u"to"_s, m_to->date().toString(Qt::ISODate)},
            {u"company"_s, m_company->currentData()},
            {u"branch"_s, m_branch->currentData()},
            {u"outcome"_s, m_outcome->currentData()},
            {u"text"_s, m_search->text()}};
}

void CallsPage::applyFilterState(const QVariantMap &state)
{
    m_applying = true;
    m_period->setCurrentIndex(qMax(0, m_period->findData(state.value(u"period"_s).toString())));
    if (const QDate from = QDate::fromString(state.value(u"from"_s).toString(), Qt::ISODate); from.isValid())
        m_from->setDate(from);
    if (const QDate to = QDate::fromString(state.value(u"to"_s).toString(), Qt::ISODate); to.isValid())
        m_to->setDate(to);
    m_company->setCurrentIndex(qMax(0, m_company->findData(state.value(u"company"_s).toLongLong())));
    const qint64 branch = state.value(u"branch"_s).toLongLong();
    {
        // Already now, so the list is not first asked for with the branch of before: a branch the box does not
        // offer yet is chosen once the company's branches have come.
        const QSignalBlocker blocker(m_branch);
        m_branch->setCurrentIndex(qMax(0, m_branch->findData(branch)));
    }
    reloadBranches(branch);
    m_outcome->setCurrentIndex(qMax(0, m_outcome->findData(state.value(u"outcome"_s).toString())));
    m_search->setText(state.value(u"text"_s).toString());
    m_searchDelay->stop();
    updatePeriodWidgets();
    m_applying = false;
    applyFilter();
}

CallsModel::Filter CallsPage::filterFromWidgets() const
{
    CallsModel::Filter filter;
    const QString period = m_period->currentData().toString();
    const QDate today = QDate::currentDate();
    const auto startOf = [](const QDate &d) { return d.startOfDay().toMSecsSinceEpoch(); };
    if (period == u"today"_s) {
        filter.fromMs = startOf(today);
    } else if (period == u"7d"_s) {
        filter.fromMs = startOf(today.addDays(-6));
    } else if (period == u"30d"_s) {
        filter.fromMs = startOf(today.addDays(-29));
    } else if (period == u"range"_s) {
        filter.fromMs = startOf(m_from->date());
        filter.toMs = startOf(m_to->date().addDays(1));
    }
    filter.companyId = m_company->currentData().toLongLong();
    filter.branchId = m_branch->currentData().toLongLong();
    filter.outcome = m_outcome->currentData().toString();
    filter.text = m_search->text();
    return filter;
}

void CallsPage::applyFilter()
{
    if (m_applying)
        return;
    m_model->setFilter(filterFromWidgets());
    m_watcher->resync();
    updateMessage();
}

void CallsPage::updateMessage()
{
    m_searching->setVisible(m_model->isSearching());
    if (!m_model->lastError().isEmpty())
        m_empty->setText(tr("The calls cannot be read: %1").arg(m_model->lastError()));
    else if (m_model->rowCount() == 0 && m_model->isSearching())
        m_empty->setText(tr("Searching the transcripts…"));
    else if (m_model->rowCount() == 0 && m_model->isLoading())
        m_empty->setText(tr("Loading calls…"));
    else if (m_model->rowCount() == 0)
        m_empty->setText(tr("No calls match these filters yet. Calls appear here as soon as the server receives them."));
    else
        m_empty->clear();
    m_empty->setVisible(!m_empty->text().isEmpty());
}

qint64 CallsPage::selectedCallId() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? current.data(CallsModel::CallIdRole).toLongLong() : 0;
}

bool CallsPage::selectCall(qint64 callId)
{
    const int row = m_model->rowOfId(callId);
    if (row < 0) {
        m_pendingSelection = callId;
        findPendingCall();
        return false;
    }
    m_pendingSelection = 0;
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, CallsModel::StartedAt));
    if (m_detail->callId() != callId)
        m_detail->showCall(callId);
    return true;
}

void CallsPage::findPendingCall()
{
    if (m_pendingSelection == 0)
        return;
    if (m_model->rowOfId(m_pendingSelection) >= 0) {
        selectCall(m_pendingSelection);
        return;
    }
    if (m_model->isLoading())
        return; // loaded() comes back here
    if (m_model->canFetchMore(QModelIndex()) && m_model->rowCount() < maxSearchRows)
        m_model->fetchMore(QModelIndex());
    else
        m_pendingSelection = 0; // not listed under these filters
}

void CallsPage::refreshKeepingSelection()
{
    // Selecting the call again re-reads its detail: its timeline may have grown.
    ApiViewState::reloadKeepingSelection(m_table, m_model);
}

void CallsPage::pollNow()
{
    m_watcher->checkNow();
}

} // namespace askpro
