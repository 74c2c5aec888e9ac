// Inbox page: an ApiRecordsModel over GET /api/v1/inbox; the body and the replay are requests too.
#include "pages/inboxpage.h"

#include "apiaccount.h"
#include "apirecordsmodel.h"
#include "apiviewstate.h"
#include "changewatcher.h"
#include "csvexporter.h"
#include "jsonfields.h"
#include "labels.h"
#include "tablestate.h"

#include <QComboBox>
#include <QDateTime>
#include <QLocale>
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

#include <limits>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
// The columns, in the order of the list's fields.
enum Column { IdColumn, ReceivedColumn, ZoneColumn, ProviderColumn, EventColumn, SignatureColumn, StatusColumn, ErrorColumn };
} // namespace

InboxPage::InboxPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *filters = new QHBoxLayout;
    m_provider = new QComboBox(this);
    m_provider->setObjectName(u"providerFilter"_s);
    m_provider->addItem(tr("All providers"), QString());
    for (const QString &code : {u"retell"_s, u"calcom"_s, u"stripe"_s})
        m_provider->addItem(Labels::requestSource(code), code);
    m_status = new QComboBox(this);
    m_status->setObjectName(u"statusFilter"_s);
    m_status->addItem(tr("Every status"), QString());
    for (const QString &s : {u"pending"_s, u"processed"_s, u"failed"_s, u"ignored"_s, u"rejected"_s, u"not_ours"_s, u"stale"_s})
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

    // Requests refused for their signature are not deliveries (nothing of them is stored): the server keeps
    // counts and a small sample in memory, shown here on demand.
    auto *refusedRow = new QHBoxLayout;
    m_refusedSummary = new QLabel(this);
    m_refusedSummary->setObjectName(u"refusedSummary"_s);
    m_refusedSummary->setWordWrap(true);
    m_refusedSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *refusedButton = new QToolButton(this);
    refusedButton->setObjectName(u"refusedSampleButton"_s);
    refusedButton->setText(tr("Refused sample"));
    refusedButton->setToolTip(tr("Show the last refused request bodies the server kept (at most 100, the first 4 KB of each)"));
    refusedRow->addWidget(m_refusedSummary, 1);
    refusedRow->addWidget(refusedButton);
    layout->addLayout(refusedRow);

    using F = ApiRecordsModel::Format;
    m_model = new ApiRecordsModel(m_account, u"/inbox"_s,
                                  {{tr("No."), "id", F::Number, u"id"_s},
                                   {tr("Received"), "received_at", F::DateTime, u"received_at"_s},
                                   {tr("Time zone"), "time_zone"},
                                   {tr("Provider"), "provider", F::Text, u"provider"_s},
                                   {tr("Event"), "event_type", F::Text, u"event"_s},
                                   {tr("Signature"), "signature_ok", F::YesNo, u"signature"_s},
                                   {tr("Status"), "status", F::InboxStatus, u"status"_s},
                                   {tr("Error"), "error", F::Text, u"error"_s},
                                   {tr("Deliveries"), "delivery_count", F::Number, u"deliveries"_s},
                                   {tr("Call"), "call_id", F::Number, u"call"_s},
                                   {tr("Retell call"), "retell_call_id"}},
                                  "time_zone", this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"inboxTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->hideColumn(ZoneColumn);
    m_table->horizontalHeader()->setSortIndicator(ReceivedColumn, Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(IdColumn, metrics.horizontalAdvance(u"000000"_s) + 16);
    m_table->setColumnWidth(ReceivedColumn, metrics.horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
    m_table->setColumnWidth(EventColumn, metrics.horizontalAdvance(u"BOOKING_RESCHEDULED"_s) + 16);
    m_table->setColumnWidth(ErrorColumn, metrics.horizontalAdvance(u"No service of this company matches something"_s));
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
    connect(refusedButton, &QToolButton::clicked, this, &InboxPage::showRefusedSample);
    connect(exportButton, &QToolButton::clicked, this, [this] { CsvExporter::exportWithDialog(m_table, tr("webhook-inbox"), this); });
    connect(m_replay, &QPushButton::clicked, this, &InboxPage::replaySelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &InboxPage::showSelected);
    connect(m_model, &ApiListModel::loaded, this, [this] {
        // After the other answers to loaded() (a refresh re-selects its row first): the first row otherwise. The
        // current row is the one shown; a row made current meanwhile (without a selection) is not replaced.
        QTimer::singleShot(0, this, [this] {
            if (!m_table->selectionModel()->currentIndex().isValid() && m_model->rowCount() > 0)
                m_table->selectRow(0);
            else
                showSelected();
        });
    });
    connect(m_model, &ApiListModel::failed, this, [this](const QString &message) {
        if (m_model->rowCount() == 0)
            m_info->setText(tr("The inbox cannot be read: %1").arg(message));
    });
    m_replay->setVisible(m_account.can(u"manage_calls"_s)); // the server refuses it to others anyway
    reload();

    // New deliveries and processing results appear by themselves, the selected delivery stays selected.
    auto *watcher = new ChangeWatcher(m_account, {u"inbox"_s}, this);
    connect(watcher, &ChangeWatcher::changed, this, [this] { ApiViewState::reloadKeepingSelection(m_table, m_model); });
}

InboxPage::~InboxPage()
{
    if (m_bodyCall)
        m_bodyCall->abandon();
    if (m_refusedCall)
        m_refusedCall->abandon();
}

QString InboxPage::refusedKind(const QString &provider, const QString &reason)
{
    return tr("%1: %2").arg(Labels::requestSource(provider), Labels::refusalReason(reason));
}

void InboxPage::reloadRefused()
{
    if (m_refusedCall)
        m_refusedCall->abandon();
    m_refusedCall = m_account.get(u"/inbox/refused"_s);
    connect(m_refusedCall, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            m_refusedSummary->setText(tr("Refused requests cannot be read: %1").arg(result.errorMessage));
            return;
        }
        const QString since = QLocale().toString(QDateTime::fromMSecsSinceEpoch(client::number(result.body, "since"), Qt::UTC).toLocalTime(),
                                                  QLocale::ShortFormat);
        QStringList parts;
        qint64 total = 0;
        const auto counts = result.body.find("counts");
        if (counts != result.body.end() && counts->is_array()) {
            for (const client::Json &c : *counts) {
                const qint64 n = client::number(c, "count");
                total += n;
                parts << tr("%1 × %2").arg(QLocale().toString(n), refusedKind(client::text(c, "provider"), client::text(c, "reason")));
            }
        }
        m_refusedSummary->setText(total == 0 ? tr("No request refused since the server started (%1).").arg(since)
                                             : tr("Refused since the server started (%1), none stored in the inbox: %2.")
                                                   .arg(since, parts.join(u"; "_s)));
        Q_EMIT refusedShown();
    });
}

void InboxPage::showRefusedSample()
{
    m_table->selectionModel()->clearSelection();
    m_table->selectionModel()->setCurrentIndex(QModelIndex(), QItemSelectionModel::Clear);
    m_shownId = 0;
    m_replay->setEnabled(false);
    auto *call = m_account.get(u"/inbox/refused"_s);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            m_info->setText(tr("Refused requests cannot be read: %1").arg(result.errorMessage));
            m_body->clear();
            return;
        }
        QString text;
        qsizetype shown = 0;
        const auto sample = result.body.find("sample");
        if (sample != result.body.end() && sample->is_array()) {
            for (const client::Json &item : *sample) {
                const QDateTime at = QDateTime::fromMSecsSinceEpoch(client::number(item, "received_at"), Qt::UTC).toLocalTime();
                text += tr("%1 · %2 · from %3 · %n byte(s)", nullptr, int(qMin<qint64>(client::number(item, "size"), std::numeric_limits<int>::max())))
                            .arg(QLocale().toString(at, QLocale::ShortFormat), refusedKind(client::text(item, "provider"), client::text(item, "reason")),
                                 client::text(item, "address"))
                    + u"\n"_s + client::text(item, "body") + u"\n\n"_s;
                ++shown;
            }
        }
        m_info->setText(shown == 0 ? tr("No refused request body kept: none was refused since the server started.")
                                   : tr("The last %n refused request(s), newest first; each body cut at 4 KB, secrets masked.", nullptr, int(shown)));
        m_body->setPlainText(text);
        Q_EMIT refusedShown();
    });
}

void InboxPage::reload()
{
    QUrlQuery filters;
    if (const QString provider = m_provider->currentData().toString(); !provider.isEmpty())
        filters.addQueryItem(u"provider"_s, provider);
    if (const QString status = m_status->currentData().toString(); !status.isEmpty())
        filters.addQueryItem(u"status"_s, status);
    if (const QString text = m_search->text().trimmed(); !text.isEmpty())
        filters.addQueryItem(u"q"_s, text);
    // The header's sort indicator (set before the first load) is the sort in force.
    m_model->sort(m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
    m_model->setFilters(filters);
    reloadRefused();
}

qint64 InboxPage::selectedId() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? m_model->idAt(current.row()) : 0;
}

void InboxPage::showSelected()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const qint64 id = selectedId();
    m_replay->setEnabled(id > 0);
    if (id <= 0) {
        m_shownId = 0;
        m_info->setText(m_model->lastError().isEmpty()
                            ? (m_model->rowCount() == 0 ? tr("No webhook deliveries yet: they appear here as providers send them.")
                                                        : tr("Select a delivery to see its body."))
                            : tr("The inbox cannot be read: %1").arg(m_model->lastError()));
        m_body->clear();
        return;
    }
    const client::Json &item = m_model->item(current.row());
    QString info = tr("Delivery %1 from %2, event %3, received %4 time(s); signature %5; status %6.")
                       .arg(id)
                       .arg(client::text(item, "provider"), client::text(item, "event_type"))
                       .arg(client::number(item, "delivery_count"))
                       .arg(client::flag(item, "signature_ok") ? tr("valid") : tr("INVALID"), Labels::inboxStatus(client::text(item, "status")));
    if (const QString error = client::text(item, "error"); !error.isEmpty())
        info += u"\n"_s + tr("Error: %1").arg(error);
    m_info->setText(info);
    if (id == m_shownId)
        return; // the body of a stored delivery does not change
    if (m_bodyCall)
        m_bodyCall->abandon();
    m_bodyCall = m_account.get(u"/inbox/%1"_s.arg(id));
    connect(m_bodyCall, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        if (id != selectedId())
            return;
        m_shownId = result.ok() ? id : 0;
        m_body->setPlainText(result.ok() ? client::text(result.body, "body") : tr("The body cannot be read: %1").arg(result.errorMessage));
        if (result.ok())
            Q_EMIT bodyShown(id);
    });
}

void InboxPage::replaySelected()
{
    const qint64 id = selectedId();
    if (id <= 0)
        return;
    // An old delivery may change what happened since: the server says what a replay would do, first.
    auto *preview = m_account.get(u"/inbox/%1/replay-preview"_s.arg(id));
    connect(preview, &client::ApiCall::finished, this, [this, id](const client::ApiResult &answer) {
        if (!answer.ok()) {
            QMessageBox::warning(this, tr("Replay"), answer.errorMessage);
            Q_EMIT replayFinished();
            return;
        }
        const QString effect = client::text(answer.body, "text");
        const QString question = client::flag(answer.body, "would_change")
            ? tr("Replaying delivery %1 would do this:\n\n%2\n\nReplay it?").arg(id).arg(effect)
            : tr("Replaying delivery %1 would change nothing now:\n\n%2\n\nReplay it anyway?").arg(id).arg(effect);
        if (QMessageBox::question(this, tr("Replay"), question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes) != QMessageBox::Yes) {
            Q_EMIT replayFinished();
            return;
        }
        replay(id);
    });
}

void InboxPage::replay(qint64 id)
{
    auto *call = m_account.post(u"/inbox/%1/replay"_s.arg(id));
    connect(call, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        if (!result.ok())
            QMessageBox::warning(this, tr("Replay"), result.errorMessage);
        else
            Q_EMIT statusMessage(tr("Delivery %1 queued for processing again (job %2).").arg(id).arg(client::number(result.body, "job_id")));
        ApiViewState::reloadKeepingSelection(m_table, m_model);
        Q_EMIT replayFinished();
    });
}

} // namespace askpro
