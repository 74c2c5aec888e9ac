// Audit page: an ApiRecordsModel over GET /api/v1/audit; the detail compares the before and after JSON objects.
#include "pages/auditpage.h"

#include "apiaccount.h"
#include "apirecordsmodel.h"
#include "csvexporter.h"
#include "jsonfields.h"
#include "tablestate.h"

#include <QComboBox>
#include <QDateEdit>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString pretty(const QString &json)
{
    if (json.isEmpty())
        return {};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
    return doc.isNull() ? json : QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
}

QStringList changedKeys(const QString &beforeJson, const QString &afterJson)
{
    const QJsonObject before = QJsonDocument::fromJson(beforeJson.toUtf8()).object();
    const QJsonObject after = QJsonDocument::fromJson(afterJson.toUtf8()).object();
    QStringList keys;
    for (auto it = after.begin(); it != after.end(); ++it) {
        if (before.value(it.key()) != it.value())
            keys << it.key();
    }
    for (auto it = before.begin(); it != before.end(); ++it) {
        if (!after.contains(it.key()) && !afterJson.isEmpty())
            keys << it.key();
    }
    return keys;
}

// The columns, in the order of the list's fields.
enum Column { IdColumn, AtColumn, ZoneColumn, ActorColumn, RoleColumn, ActionColumn };
constexpr int maxExportRows = 200000;

} // namespace

AuditPage::AuditPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *filters = new QHBoxLayout;
    m_actor = new QComboBox(this);
    m_actor->setObjectName(u"auditActorFilter"_s);
    m_actor->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_group = new QComboBox(this);
    m_group->setObjectName(u"auditGroupFilter"_s);
    m_group->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_from = new QDateEdit(QDate::currentDate().addDays(-30), this);
    m_from->setObjectName(u"auditFrom"_s);
    m_from->setCalendarPopup(true);
    m_to = new QDateEdit(QDate::currentDate(), this);
    m_to->setObjectName(u"auditTo"_s);
    m_to->setCalendarPopup(true);
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"auditSearch"_s);
    m_search->setPlaceholderText(tr("Search in the changes"));
    m_search->setClearButtonEnabled(true);
    m_entityFilter = new QLabel(this);
    m_entityFilter->setVisible(false);
    m_clearEntity = new QToolButton(this);
    m_clearEntity->setText(tr("Show all entities"));
    m_clearEntity->setVisible(false);
    auto *refresh = new QToolButton(this);
    refresh->setText(tr("Refresh"));
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    filters->addWidget(new QLabel(tr("Who:"), this));
    filters->addWidget(m_actor);
    filters->addWidget(new QLabel(tr("What:"), this));
    filters->addWidget(m_group);
    filters->addWidget(new QLabel(tr("From:"), this));
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(tr("To:"), this));
    filters->addWidget(m_to);
    filters->addWidget(m_search, 1);
    filters->addWidget(m_entityFilter);
    filters->addWidget(m_clearEntity);
    filters->addWidget(refresh);
    filters->addWidget(exportButton);
    layout->addLayout(filters);

    using F = ApiRecordsModel::Format;
    m_model = new ApiRecordsModel(m_account, u"/audit"_s,
                                  {{tr("No."), "id", F::Number, u"id"_s},
                                   {tr("Time"), "at", F::DateTime, u"at"_s},
                                   {tr("Time zone"), "time_zone"},
                                   {tr("Who"), "actor", F::Text, u"actor"_s},
                                   {tr("Role"), "role", F::Text, u"role"_s},
                                   {tr("Action"), "action", F::Text, u"action"_s},
                                   {tr("Entity"), "entity", F::Text, u"entity"_s},
                                   {tr("Entity no."), "entity_id", F::Number, u"entity_id"_s}},
                                  "time_zone", this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"auditTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->hideColumn(ZoneColumn);
    m_table->horizontalHeader()->setSortIndicator(AtColumn, Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(IdColumn, metrics.horizontalAdvance(u"000000"_s) + 16);
    m_table->setColumnWidth(AtColumn, metrics.horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
    m_table->setColumnWidth(ActorColumn, metrics.horizontalAdvance(u"askpro-server invoices credit (root)"_s));
    m_table->setColumnWidth(ActionColumn, metrics.horizontalAdvance(u"appointment.reschedule"_s) + 16);
    TableState::track(m_table, u"audit"_s);

    auto *detail = new QWidget(splitter);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel(detail);
    m_summary->setObjectName(u"auditSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *sides = new QHBoxLayout;
    const auto jsonView = [detail](const QString &name) {
        auto *view = new QPlainTextEdit(detail);
        view->setObjectName(name);
        view->setReadOnly(true);
        view->setLineWrapMode(QPlainTextEdit::NoWrap);
        view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        return view;
    };
    m_before = jsonView(u"auditBefore"_s);
    m_after = jsonView(u"auditAfter"_s);
    auto *beforeBox = new QVBoxLayout;
    beforeBox->addWidget(new QLabel(tr("Before"), detail));
    beforeBox->addWidget(m_before, 1);
    auto *afterBox = new QVBoxLayout;
    afterBox->addWidget(new QLabel(tr("After"), detail));
    afterBox->addWidget(m_after, 1);
    sides->addLayout(beforeBox);
    sides->addLayout(afterBox);
    detailLayout->addWidget(m_summary);
    detailLayout->addLayout(sides, 1);
    splitter->addWidget(m_table);
    splitter->addWidget(detail);
    splitter->setSizes({420, 300});
    layout->addWidget(splitter, 1);

    auto *delay = new QTimer(this);
    delay->setSingleShot(true);
    delay->setInterval(250);
    connect(delay, &QTimer::timeout, this, &AuditPage::reload);
    connect(m_search, &QLineEdit::textChanged, delay, qOverload<>(&QTimer::start));
    for (QComboBox *box : {m_actor, m_group})
        connect(box, &QComboBox::activated, this, &AuditPage::reload);
    for (QDateEdit *edit : {m_from, m_to})
        connect(edit, &QDateEdit::dateChanged, delay, qOverload<>(&QTimer::start));
    connect(m_clearEntity, &QToolButton::clicked, this, [this] { showEntity({}, 0); });
    connect(refresh, &QToolButton::clicked, this, [this] {
        fillFilterChoices();
        reload();
    });
    connect(exportButton, &QToolButton::clicked, this, &AuditPage::exportCsv);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AuditPage::showSelected);
    connect(m_model, &ApiListModel::loaded, this, &AuditPage::showSelected);
    connect(m_model, &ApiListModel::failed, this, [this](const QString &message) {
        Q_EMIT statusMessage(tr("The audit log cannot be read: %1").arg(message));
    });
    fillFilterChoices();
    reload();
}

AuditPage::~AuditPage()
{
    if (m_entryCall)
        m_entryCall->abandon();
}

void AuditPage::exportCsv()
{
    // Every entry the filters match, not only the rows loaded so far.
    setCursor(Qt::BusyCursor);
    m_model->loadAll(maxExportRows, [this](bool complete) {
        unsetCursor();
        if (!complete && m_model->isTruncated())
            Q_EMIT statusMessage(tr("Only the first %Ln entries are exported.", nullptr, m_model->rowCount()));
        CsvExporter::exportWithDialog(m_table, tr("audit-log"), this);
    });
}

void AuditPage::fillFilterChoices()
{
    auto *call = m_account.get(u"/audit/filters"_s);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok())
            return; // the boxes keep their choices
        const auto refill = [](QComboBox *box, const QString &all, const client::Json &values) {
            const QString current = box->currentData().toString();
            const QSignalBlocker blocker(box);
            box->clear();
            box->addItem(all, QString());
            for (const client::Json &value : values)
                if (value.is_string())
                    box->addItem(QString::fromStdString(value.get<std::string>()), QString::fromStdString(value.get<std::string>()));
            box->setCurrentIndex(std::max(0, box->findData(current)));
        };
        refill(m_actor, tr("Everyone"), client::child(result.body, "actors", client::Json::array()));
        refill(m_group, tr("Every action"), client::child(result.body, "groups", client::Json::array()));
    });
}

void AuditPage::showEntity(const QString &entity, qint64 entityId)
{
    m_entity = entity;
    m_entityId = entityId;
    m_entityFilter->setVisible(!entity.isEmpty());
    m_clearEntity->setVisible(!entity.isEmpty());
    m_entityFilter->setText(tr("Only %1 %2").arg(entity).arg(entityId));
    if (!entity.isEmpty())
        m_from->setDate(QDate(2000, 1, 1));
    reload();
    Q_EMIT statusMessage(entity.isEmpty() ? tr("Audit log: all entities") : tr("Audit log: history of %1 %2").arg(entity).arg(entityId));
}

void AuditPage::reload()
{
    QUrlQuery filters;
    const auto add = [&filters](const QString &name, const QString &value) {
        if (!value.isEmpty())
            filters.addQueryItem(name, value);
    };
    add(u"actor"_s, m_actor->currentData().toString());
    add(u"group"_s, m_group->currentData().toString());
    add(u"entity"_s, m_entity);
    if (m_entityId > 0)
        add(u"entity_id"_s, QString::number(m_entityId));
    add(u"q"_s, m_search->text().trimmed());
    add(u"from"_s, QString::number(QDateTime(m_from->date(), QTime(0, 0), QTimeZone::systemTimeZone()).toMSecsSinceEpoch()));
    add(u"to"_s, QString::number(QDateTime(m_to->date().addDays(1), QTime(0, 0), QTimeZone::systemTimeZone()).toMSecsSinceEpoch()));
    add(u"zone"_s, QString::fromUtf8(QTimeZone::systemTimeZoneId())); // times shown in this desktop's zone
    // The header's sort indicator (set before the first load) is the sort in force.
    m_model->sort(m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
    m_model->setFilters(filters);
}

void AuditPage::showSelected()
{
    const qint64 id = m_model->idAt(m_table->currentIndex().row());
    if (id <= 0) {
        m_summary->setText(m_model->rowCount() == 0 ? tr("No audit entries match the filter.") : tr("Select an entry to see what changed."));
        m_before->clear();
        m_after->clear();
        return;
    }
    if (m_entryCall)
        m_entryCall->abandon();
    m_entryCall = m_account.get(u"/audit/%1"_s.arg(id));
    connect(m_entryCall, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        if (!result.ok()) {
            m_summary->setText(result.errorMessage);
            return;
        }
        const client::Json &e = result.body;
        const QString before = client::text(e, "before");
        const QString after = client::text(e, "after");
        const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(client::number(e, "at")).toLocalTime(), QLocale::LongFormat);
        const QStringList changed = changedKeys(before, after);
        QString text = tr("%1 did %2 on %3 %4 at %5.")
                           .arg(client::text(e, "actor"), client::text(e, "action"), client::text(e, "entity"))
                           .arg(client::number(e, "entity_id"))
                           .arg(when);
        if (!before.isEmpty() && !changed.isEmpty())
            text += u' ' + tr("Changed: %1.").arg(changed.join(u", "_s));
        m_summary->setText(text);
        m_before->setPlainText(before.isEmpty() ? tr("(nothing: the entry records a creation or an event)") : pretty(before));
        m_after->setPlainText(pretty(after));
        Q_EMIT entryShown(id);
    });
}

} // namespace askpro
