// Directory page: read through DirectoryQuery, create and edit through DirectoryService, generic forms.
#include "pages/directorypage.h"

#include "csvexporter.h"
#include "db/database.h"
#include "recordsmodel.h"
#include "support/directoryservice.h"
#include "tablestate.h"

#include <QCheckBox>
#include <QComboBox>
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
    auto *create = new QPushButton(tr("&New…"), this);
    create->setObjectName(u"newRecord"_s);
    create->setToolTip(tr("Add a row to the open tab"));
    create->setEnabled(m_actor.can(Permission::EditDirectory));
    auto *edit = new QPushButton(tr("Edit…"), this);
    edit->setObjectName(u"editRecord"_s);
    edit->setEnabled(m_actor.can(Permission::EditDirectory));
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    auto *hint = new QLabel(tr("Double-click a row to edit it. Inactive entries stay listed and are marked."), this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(hint, 1);
    bar->addWidget(create);
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
    connect(create, &QPushButton::clicked, this, &DirectoryPage::createInCurrentTab);
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
        QWidget *editor = editorFor(field, record->value(field), &dialog);
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
        const QVariant value = valueOf(it.value());
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

QWidget *DirectoryPage::editorFor(const QString &field, const QVariant &value, QWidget *parent)
{
    QWidget *editor = nullptr;
    if (field == u"active"_s) {
        auto *box = new QCheckBox(parent);
        box->setChecked(value.toInt() != 0);
        editor = box;
    } else if (field == u"duration_minutes"_s || field == u"price_cents"_s || field == u"calcom_user_id"_s) {
        auto *spin = new QSpinBox(parent);
        spin->setRange(0, field == u"calcom_user_id"_s ? 999999999 : 10000000);
        spin->setValue(value.toInt());
        editor = spin;
    } else {
        editor = new QLineEdit(value.toString(), parent);
    }
    editor->setObjectName(field);
    return editor;
}

QVariant DirectoryPage::valueOf(const QWidget *editor)
{
    if (const auto *box = qobject_cast<const QCheckBox *>(editor))
        return box->isChecked() ? 1 : 0;
    if (const auto *spin = qobject_cast<const QSpinBox *>(editor))
        return spin->value();
    if (const auto *line = qobject_cast<const QLineEdit *>(editor))
        return line->text();
    if (const auto *combo = qobject_cast<const QComboBox *>(editor))
        return combo->currentData();
    return {};
}

void DirectoryPage::createInCurrentTab()
{
    using E = DirectoryQuery::Entity;
    const Tab &tab = m_tabList.at(m_tabs->currentIndex());
    const E entity = tab.entity;
    QDialog dialog(this);
    dialog.setObjectName(u"newRecordDialog"_s);
    switch (entity) {
    case E::Company: dialog.setWindowTitle(tr("New company")); break;
    case E::Branch: dialog.setWindowTitle(tr("New branch")); break;
    case E::Staff: dialog.setWindowTitle(tr("New staff member")); break;
    case E::Service: dialog.setWindowTitle(tr("New service")); break;
    }
    auto *form = new QFormLayout(&dialog);
    QHash<QString, QWidget *> editors;

    // Where the row belongs: the company (preselected from the current row), and a staff member's branch.
    QComboBox *company = nullptr;
    if (DirectoryQuery::parentFields(entity).contains(u"company_id"_s)) {
        company = new QComboBox(&dialog);
        company->setObjectName(u"company_id"_s);
        if (auto companies = DirectoryQuery::companies(*m_db)) {
            for (const NamedItem &c : *companies)
                company->addItem(c.active ? c.name : tr("%1 (inactive)").arg(c.name), c.id);
        }
        const QModelIndex current = tab.view->currentIndex();
        const QString currentCompany = current.isValid() ? tab.model->index(current.row(), 1).data().toString() : QString();
        company->setCurrentIndex(qMax(0, company->findText(currentCompany)));
        editors.insert(u"company_id"_s, company);
        form->addRow(tr("Company:"), company);
    }
    if (DirectoryQuery::parentFields(entity).contains(u"branch_id"_s)) {
        auto *branch = new QComboBox(&dialog);
        branch->setObjectName(u"branch_id"_s);
        const auto fillBranches = [this, branch, company] {
            branch->clear();
            branch->addItem(tr("(every branch)"), qint64(0));
            if (auto branches = DirectoryQuery::branches(*m_db, company->currentData().toLongLong())) {
                for (const NamedItem &b : *branches)
                    branch->addItem(b.active ? b.name : tr("%1 (inactive)").arg(b.name), b.id);
            }
        };
        fillBranches();
        connect(company, &QComboBox::currentIndexChanged, branch, fillBranches);
        editors.insert(u"branch_id"_s, branch);
        form->addRow(tr("Branch:"), branch);
    }
    const QVariantMap defaults{{u"active"_s, 1}, {u"time_zone"_s, u"Europe/Berlin"_s}, {u"duration_minutes"_s, 30}};
    for (const QString &field : DirectoryQuery::editableFields(entity)) {
        QWidget *editor = editorFor(field, defaults.value(field), &dialog);
        editors.insert(field, editor);
        form->addRow(fieldLabel(field) + u':', editor);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    // The form stays open on a refusal, so that nothing typed is lost.
    qint64 created = 0;
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        QVariantMap fields;
        for (auto it = editors.cbegin(); it != editors.cend(); ++it)
            fields.insert(it.key(), valueOf(it.value()));
        auto id = DirectoryService(*m_db).create(entity, fields, m_actor);
        if (!id) {
            QMessageBox::warning(&dialog, dialog.windowTitle(), id.error().describe());
            return;
        }
        created = *id;
        dialog.accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted || created <= 0)
        return;
    (void)tab.model->refresh();
    tab.model->fetchAll();
    const QModelIndexList found = tab.model->match(tab.model->index(0, 0), RecordsModel::IdRole, created, 1, Qt::MatchExactly);
    if (!found.isEmpty()) {
        tab.view->selectRow(found.first().row());
        tab.view->scrollTo(found.first());
    }
    Q_EMIT statusMessage(tr("%1 added.").arg(valueOf(editors.value(u"name"_s)).toString()));
}

} // namespace askpro
