// Audit page: AuditQuery feeds a RecordsModel; the detail compares the before and after JSON objects.
#include "pages/auditpage.h"

#include "csvexporter.h"
#include "queries/auditquery.h"
#include "recordsmodel.h"
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

} // namespace

AuditPage::AuditPage(std::shared_ptr<Database> db, Actor reader, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
    , m_reader(std::move(reader))
{
    auto *layout = new QVBoxLayout(this);
    auto *filters = new QHBoxLayout;
    m_actor = new QComboBox(this);
    m_actor->setObjectName(u"auditActorFilter"_s);
    m_actor->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_group = new QComboBox(this);
    m_group->setObjectName(u"auditGroupFilter"_s);
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

    using F = RecordsModel::Format;
    m_model = new RecordsModel({{tr("No."), F::Number},
                                {tr("Time"), F::DateTime},
                                {tr("Time zone"), F::Text},
                                {tr("Who"), F::Text},
                                {tr("Role"), F::Text},
                                {tr("Action"), F::Text},
                                {tr("Entity"), F::Text},
                                {tr("Entity no."), F::Number}},
                               AuditQuery::Zone, this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"auditTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->hideColumn(AuditQuery::Zone);
    m_table->horizontalHeader()->setSortIndicator(AuditQuery::At, Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(AuditQuery::Id, metrics.horizontalAdvance(u"000000"_s) + 16);
    m_table->setColumnWidth(AuditQuery::At, metrics.horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
    m_table->setColumnWidth(AuditQuery::Actor, metrics.horizontalAdvance(u"askpro-server invoices credit (root)"_s));
    m_table->setColumnWidth(AuditQuery::Action, metrics.horizontalAdvance(u"appointment.reschedule"_s) + 16);
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
    connect(exportButton, &QToolButton::clicked, this, [this] { CsvExporter::exportWithDialog(m_table, tr("audit-log"), this); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AuditPage::showSelected);
    connect(m_model, &QAbstractItemModel::modelReset, this, &AuditPage::showSelected);
    connect(m_model, &RecordsModel::queryFailed, this, &AuditPage::statusMessage);
    fillFilterChoices();
    reload();
}

AuditPage::~AuditPage() = default;

void AuditPage::fillFilterChoices()
{
    const QString actor = m_actor->currentData().toString();
    const QString group = m_group->currentData().toString();
    m_actor->clear();
    m_actor->addItem(tr("Everyone"), QString());
    if (auto actors = AuditQuery::actors(*m_db, m_reader)) {
        for (const QString &name : *actors)
            m_actor->addItem(name, name);
    }
    m_group->clear();
    m_group->addItem(tr("Every action"), QString());
    if (auto groups = AuditQuery::actionGroups(*m_db, m_reader)) {
        for (const QString &name : *groups)
            m_group->addItem(name, name);
    }
    m_actor->setCurrentIndex(std::max(0, m_actor->findData(actor)));
    m_group->setCurrentIndex(std::max(0, m_group->findData(group)));
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
    AuditFilter filter;
    filter.actor = m_actor->currentData().toString();
    filter.actionGroup = m_group->currentData().toString();
    filter.entity = m_entity;
    filter.entityId = m_entityId;
    filter.text = m_search->text();
    filter.from = QDateTime(m_from->date(), QTime(0, 0), QTimeZone::systemTimeZone());
    filter.to = QDateTime(m_to->date().addDays(1), QTime(0, 0), QTimeZone::systemTimeZone());
    const QString zone = QString::fromUtf8(QTimeZone::systemTimeZoneId());
    auto db = m_db;
    const Actor reader = m_reader;
    m_model->setLoader([db, reader, filter, zone](int column, Qt::SortOrder order) { return AuditQuery::browse(*db, reader, filter, zone, column, order); },
                       m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
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
    auto entry = AuditQuery::entry(*m_db, m_reader, id);
    if (!entry) {
        m_summary->setText(entry.error().message);
        return;
    }
    const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(entry->atMs).toLocalTime(), QLocale::LongFormat);
    const QStringList changed = changedKeys(entry->beforeJson, entry->afterJson);
    QString text = tr("%1 did %2 on %3 %4 at %5.").arg(entry->actor, entry->action, entry->entity).arg(entry->entityId).arg(when);
    if (!entry->beforeJson.isEmpty() && !changed.isEmpty())
        text += u' ' + tr("Changed: %1.").arg(changed.join(u", "_s));
    m_summary->setText(text);
    m_before->setPlainText(entry->beforeJson.isEmpty() ? tr("(nothing: the entry records a creation or an event)") : pretty(entry->beforeJson));
    m_after->setPlainText(pretty(entry->afterJson));
}

} // namespace askpro
