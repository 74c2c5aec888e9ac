// Directory page: read through DirectoryQuery, edit through DirectoryService, one generic form.
#include "pages/directorypage.h"

#include "csvexporter.h"
#include "db/database.h"
#include "recordsmodel.h"
#include "support/directoryservice.h"
#include "tablestate.h"

#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

DirectoryPage::DirectoryPage(std::shared_ptr<Database> db, Actor actor, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
    , m_actor(std::move(actor))
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    auto *edit = new QPushButton(tr("Edit…"), this);
    edit->setObjectName(u"editRecord"_s);
    edit->setEnabled(m_actor.can(Permission::EditDirectory));
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    auto *hint = new QLabel(tr("Double-click a row to edit it. Inactive entries stay listed and are marked."), this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(hint, 1);
    bar->addWidget(edit);
    bar->addWidget(exportButton);
    layout->addLayout(bar);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"directoryTabs"_s);
    layout->addWidget(m_tabs, 1);

    using E = DirectoryQuery::Entity;
    using F = RecordsModel::Format;
    const QList<std::tuple<E, QString, QList<RecordsModel::Column>>> specs = {
        {E::Company, tr("Companies"),
         {{tr("No."), F::Number}, {tr("Name"), F::Text}, {tr("Address"), F::Text}, {tr("Billing e-mail"), F::Text}, {tr("Branches"), F::Number},
          {tr("State"), F::Active}}},
        {E::Branch, tr("Branches"),
         {{tr("No."), F::Number}, {tr("Company"), F::Text}, {tr("Name"), F::Text}, {tr("Address"), F::Text}, {tr("Phone"), F::Phone},
          {tr("Time zone"), F::Text}, {tr("State"), F::Active}}},
        {E::Staff, tr("Staff"),
         {{tr("No."), F::Number}, {tr("Company"), F::Text}, {tr("Branch"), F::Text}, {tr("Name"), F::Text}, {tr("E-mail"), F::Text},
          {tr("Cal.com user"), F::Number}, {tr("State"), F::Active}}},
        {E::Service, tr("Services"),
         {{tr("No."), F::Number}, {tr("Company"), F::Text}, {tr("Name"), F::Text}, {tr("Minutes"), F::Number}, {tr("Price"), F::Money},
          {tr("Cal.com mappings"), F::Number}, {tr("State"), F::Active}}},
    };
    for (const auto &[entity, title, columns] : specs) {
        Tab tab{entity, new RecordsModel(columns, -1, this), new QTableView(m_tabs)};
        tab.view->setModel(tab.model);
        tab.view->setObjectName(DirectoryQuery::tableName(entity) + u"Table"_s);
        TableState::setUpTable(tab.view);
        tab.view->setSelectionMode(QAbstractItemView::SingleSelection);
        tab.view->hideColumn(0);
        connect(tab.view, &QTableView::doubleClicked, this, &DirectoryPage::editCurrent);
        m_tabs->addTab(tab.view, title);
        m_tabList.append(tab);
    }
    connect(edit, &QPushButton::clicked, this, &DirectoryPage::editCurrent);
    connect(exportButton, &QToolButton::clicked, this, [this] {
        const Tab &tab = m_tabList.at(m_tabs->currentIndex());
        CsvExporter::exportWithDialog(tab.view, DirectoryQuery::tableName(tab.entity), this);
    });
    reload();
    for (const Tab &tab : std::as_const(m_tabList)) {
        tab.view->resizeColumnsToContents();
        TableState::track(tab.view, u"directory-"_s + DirectoryQuery::tableName(tab.entity));
    }
}

DirectoryPage::~DirectoryPage() = default;

RecordsModel *DirectoryPage::model(DirectoryQuery::Entity entity) const
{
    for (const Tab &tab : m_tabList)
        if (tab.entity == entity)
            return tab.model;
    return nullptr;
}

void DirectoryPage::reload()
{
    auto db = m_db;
    for (const Tab &tab : std::as_const(m_tabList)) {
        const auto entity = tab.entity;
        tab.model->setLoader([db, entity](int, Qt::SortOrder) { return DirectoryQuery::table(*db, entity); }, 0, Qt::AscendingOrder);
    }
}

QString DirectoryPage::fieldLabel(const QString &field)
{
    if (field == u"name"_s) return tr("Name");
    if (field == u"address"_s) return tr("Address");
    if (field == u"billing_email"_s) return tr("Billing e-mail");
    if (field == u"vat_id"_s) return tr("VAT id");
    if (field == u"active"_s) return tr("Active");
    if (field == u"phone_e164"_s) return tr("Phone number");
    if (field == u"time_zone"_s) return tr("Time zone");
    if (field == u"email"_s) return tr("E-mail");
    if (field == u"calcom_user_id"_s) return tr("Cal.com user id");
    if (field == u"duration_minutes"_s) return tr("Duration (minutes)");
    if (field == u"price_cents"_s) return tr("Price (cents)");
    return field;
}

void DirectoryPage::editCurrent()
{
    const Tab &tab = m_tabList.at(m_tabs->currentIndex());
    const QModelIndex current = tab.view->currentIndex();
    const qint64 id = current.isValid() ? tab.model->idAt(current.row()) : 0;
    if (id <= 0)
        return;
    auto record = DirectoryQuery::record(*m_db, tab.entity, id);
    if (!record) {
        QMessageBox::warning(this, tr("Edit"), record.error().describe());
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Edit %1").arg(m_tabs->tabText(m_tabs->currentIndex())));
    auto *form = new QFormLayout(&dialog);
    QHash<QString, QWidget *> editors;
    for (const QString &field : DirectoryQuery::editableFields(tab.entity)) {
        const QVariant value = record->value(field);
        QWidget *editor = nullptr;
        if (field == u"active"_s) {
            auto *box = new QCheckBox(&dialog);
            box->setChecked(value.toInt() != 0);
            editor = box;
        } else if (field == u"duration_minutes"_s || field == u"price_cents"_s || field == u"calcom_user_id"_s) {
            auto *spin = new QSpinBox(&dialog);
            spin->setRange(0, field == u"calcom_user_id"_s ? 999999999 : 10000000);
            spin->setValue(value.toInt());
            editor = spin;
        } else {
            editor = new QLineEdit(value.toString(), &dialog);
        }
        editor->setObjectName(field);
        editors.insert(field, editor);
        form->addRow(fieldLabel(field) + u':', editor);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QVariantMap changes;
    for (auto it = editors.cbegin(); it != editors.cend(); ++it) {
        QVariant value;
        if (auto *box = qobject_cast<QCheckBox *>(it.value()))
            value = box->isChecked() ? 1 : 0;
        else if (auto *spin = qobject_cast<QSpinBox *>(it.value()))
            value = spin->value();
        else if (auto *line = qobject_cast<QLineEdit *>(it.value()))
            value = line->text();
        if (value.toString() != record->value(it.key()).toString())
            changes.insert(it.key(), value);
    }
    auto saved = DirectoryService(*m_db).update(tab.entity, id, changes, m_actor);
    if (!saved) {
        QMessageBox::warning(this, tr("Edit"), saved.error().describe());
        return;
    }
    Q_EMIT statusMessage(changes.isEmpty() ? tr("Nothing changed.") : tr("Saved."));
    tab.model->refresh();
}

} // namespace askpro
