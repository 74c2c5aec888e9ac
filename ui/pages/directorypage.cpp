// Directory page: rows from /directory/{entity}, new rows by POST and edits by PATCH of the changed fields;
// generic forms whose fields follow the server's editable columns.
#include "pages/directorypage.h"

#include "apiaccount.h"
#include "csvexporter.h"
#include "directorymodel.h"
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
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

client::Json jsonOf(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::LongLong:
        return value.toLongLong();
    default:
        return value.toString().toStdString();
    }
}

// "08:00-12:00, 13:00-18:00" as the API's intervals of one weekday; nothing when a part is not a time range.
std::optional<client::Json> intervalsOf(int weekday, const QString &text)
{
    static const QRegularExpression range(u"^\\s*(\\d{1,2}:\\d{2})\\s*[-–]\\s*(\\d{1,2}:\\d{2})\\s*$"_s);
    client::Json intervals = client::Json::array();
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const auto match = range.match(part);
        if (!match.hasMatch())
            return std::nullopt;
        const auto padded = [](const QString &t) { return t.rightJustified(5, u'0').toStdString(); };
        intervals.push_back({{"weekday", weekday}, {"opens", padded(match.captured(1))}, {"closes", padded(match.captured(2))}});
    }
    return intervals;
}

// One closure a line: "2026-12-24 2026-12-26 Weihnachten", or a single day "2026-10-03 Feiertag".
std::optional<client::Json> closureOf(const QString &line)
{
    QStringList words = line.simplified().split(u' ');
    const QDate first = QDate::fromString(words.value(0), Qt::ISODate);
    if (!first.isValid())
        return std::nullopt;
    words.removeFirst();
    QDate last = QDate::fromString(words.value(0), Qt::ISODate);
    if (last.isValid())
        words.removeFirst();
    else
        last = first;
    return client::Json{{"first_day", first.toString(Qt::ISODate).toStdString()},
                        {"last_day", last.toString(Qt::ISODate).toStdString()},
                        {"reason", words.join(u' ').toStdString()}};
}

QVariant variantOf(const client::Json &value)
{
    if (value.is_number_integer())
        return value.get<qint64>();
    if (value.is_boolean())
        return value.get<bool>() ? 1 : 0;
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    return {};
}

} // namespace

DirectoryPage::DirectoryPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    const bool canEdit = m_account.can(u"edit_directory"_s);
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    auto *create = new QPushButton(tr("&New…"), this);
    create->setObjectName(u"newRecord"_s);
    create->setToolTip(tr("Add a row to the open tab"));
    create->setEnabled(canEdit);
    auto *edit = new QPushButton(tr("Edit…"), this);
    edit->setObjectName(u"editRecord"_s);
    edit->setEnabled(canEdit);
    auto *hours = new QPushButton(tr("Opening &hours…"), this);
    hours->setObjectName(u"openingHours"_s);
    hours->setToolTip(tr("Weekly hours and closures of the selected branch: the voice agent tells callers, and only "
                         "times within them are offered"));
    hours->setEnabled(false);
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    auto *hint = new QLabel(tr("Double-click a row to edit it. Inactive entries stay listed and are marked."), this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(hint, 1);
    bar->addWidget(create);
    bar->addWidget(edit);
    bar->addWidget(hours);
    bar->addWidget(exportButton);
    layout->addLayout(bar);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"directoryTabs"_s);
    layout->addWidget(m_tabs, 1);

    using F = DirectoryModel::Format;
    const QList<std::tuple<Entity, QString, QString, QList<DirectoryModel::Column>>> specs = {
        {Entity::Company, u"companies"_s, tr("Companies"),
         {{tr("No."), "id", F::Number}, {tr("Name"), "name", F::Text}, {tr("Address"), "address", F::Text},
          {tr("Billing e-mail"), "billing_email", F::Text}, {tr("Branches"), "branches", F::Number}, {tr("State"), "active", F::Active}}},
        {Entity::Branch, u"branches"_s, tr("Branches"),
         {{tr("No."), "id", F::Number}, {tr("Company"), "company", F::Text}, {tr("Name"), "name", F::Text}, {tr("Address"), "address", F::Text},
          {tr("Phone"), "phone_display", F::Text}, {tr("Time zone"), "time_zone", F::Text}, {tr("State"), "active", F::Active}}},
        {Entity::Staff, u"staff"_s, tr("Staff"),
         {{tr("No."), "id", F::Number}, {tr("Company"), "company", F::Text}, {tr("Branch"), "branch", F::Text}, {tr("Name"), "name", F::Text},
          {tr("E-mail"), "email", F::Text}, {tr("Cal.com user"), "calcom_user_id", F::Number}, {tr("State"), "active", F::Active}}},
        {Entity::Service, u"services"_s, tr("Services"),
         {{tr("No."), "id", F::Number}, {tr("Company"), "company", F::Text}, {tr("Name"), "name", F::Text},
          {tr("Minutes"), "duration_minutes", F::Number}, {tr("Price"), "price_cents", F::Money}, {tr("Cal.com mappings"), "mappings", F::Number},
          {tr("State"), "active", F::Active}}},
    };
    for (const auto &[entity, path, title, columns] : specs) {
        Tab tab{entity, path, new DirectoryModel(m_account, u"/directory/"_s + path, columns, this), new QTableView(m_tabs)};
        tab.view->setModel(tab.model);
        tab.view->setObjectName(path + u"Table"_s);
        TableState::setUpTable(tab.view);
        tab.view->setSelectionMode(QAbstractItemView::SingleSelection);
        tab.view->hideColumn(0);
        connect(tab.view, &QTableView::doubleClicked, this, &DirectoryPage::editCurrent);
        // Rows already shown stay when a read fails (the server may be away for a moment); the reason goes to the status bar.
        connect(tab.model, &DirectoryModel::failed, this, &DirectoryPage::statusMessage);
        m_tabs->addTab(tab.view, title);
        m_tabList.append(tab);
    }
    connect(edit, &QPushButton::clicked, this, &DirectoryPage::editCurrent);
    connect(hours, &QPushButton::clicked, this, &DirectoryPage::editOpeningHours);
    connect(m_tabs, &QTabWidget::currentChanged, hours,
            [this, hours, canEdit] { hours->setEnabled(canEdit && currentTab().entity == Entity::Branch); });
    connect(create, &QPushButton::clicked, this, &DirectoryPage::createInCurrentTab);
    connect(exportButton, &QToolButton::clicked, this, [this] {
        const Tab &tab = currentTab();
        CsvExporter::exportWithDialog(tab.view, tab.path, this);
    });
    for (const Tab &tab : std::as_const(m_tabList)) {
        tab.model->setQuery({});
        TableState::track(tab.view, u"directory-"_s + tab.path);
        connect(tab.model, &DirectoryModel::loaded, tab.view, [view = tab.view] { view->resizeColumnsToContents(); }, Qt::SingleShotConnection);
    }
}

DirectoryPage::~DirectoryPage() = default;

DirectoryModel *DirectoryPage::model(Entity entity) const
{
    for (const Tab &tab : m_tabList)
        if (tab.entity == entity)
            return tab.model;
    return nullptr;
}

const DirectoryPage::Tab &DirectoryPage::currentTab() const
{
    return m_tabList.at(m_tabs->currentIndex());
}

void DirectoryPage::reload()
{
    for (const Tab &tab : std::as_const(m_tabList))
        tab.model->reload();
}

QStringList DirectoryPage::editableFields(Entity entity)
{
    switch (entity) {
    case Entity::Company: return {u"name"_s, u"address"_s, u"billing_email"_s, u"vat_id"_s, u"active"_s};
    case Entity::Branch: return {u"name"_s, u"address"_s, u"phone_e164"_s, u"time_zone"_s, u"active"_s};
    case Entity::Staff: return {u"name"_s, u"email"_s, u"calcom_user_id"_s, u"active"_s};
    case Entity::Service: return {u"name"_s, u"duration_minutes"_s, u"price_cents"_s, u"active"_s};
    }
    return {};
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
    const Tab &tab = currentTab();
    const QModelIndex current = tab.view->currentIndex();
    if (!current.isValid() || !m_account.can(u"edit_directory"_s))
        return;
    const qint64 id = tab.model->idAt(current.row());
    const client::Json item = tab.model->item(current.row());
    QDialog dialog(this);
    dialog.setObjectName(u"editRecordDialog"_s);
    dialog.setWindowTitle(tr("Edit %1").arg(m_tabs->tabText(m_tabs->currentIndex())));
    auto *form = new QFormLayout(&dialog);
    QHash<QString, QWidget *> editors;
    QVariantMap before;
    for (const QString &field : editableFields(tab.entity)) {
        QWidget *editor = editorFor(field, variantOf(item.value(field.toStdString(), client::Json())), &dialog);
        before.insert(field, valueOf(editor)); // as the form shows it: an empty Cal.com id reads 0 both times
        editors.insert(field, editor);
        form->addRow(fieldLabel(field) + u':', editor);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    // Only what changed goes to the server; the form stays open on a refusal, so that nothing typed is lost.
    bool changedAny = false;
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        client::Json changes = client::Json::object();
        for (auto it = editors.cbegin(); it != editors.cend(); ++it) {
            const QVariant value = valueOf(it.value());
            if (value == before.value(it.key()))
                continue;
            if (it.key() == u"active"_s)
                changes["active"] = value.toInt() != 0;
            else if (it.key() == u"calcom_user_id"_s)
                changes["calcom_user_id"] = value.toLongLong() > 0 ? client::Json(value.toLongLong()) : client::Json(nullptr);
            else
                changes[it.key().toStdString()] = jsonOf(value);
        }
        if (changes.empty()) {
            dialog.accept();
            return;
        }
        buttons->setEnabled(false);
        client::ApiCall *call = m_account.patch(u"/directory/%1/%2"_s.arg(tab.path).arg(id), changes);
        connect(call, &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            buttons->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, tr("Edit"), result.errorMessage);
                return;
            }
            changedAny = true;
            dialog.accept();
        });
    });
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    Q_EMIT statusMessage(changedAny ? tr("Saved.") : tr("Nothing changed."));
    if (changedAny)
        selectWhenLoaded(tab, id);
}

void DirectoryPage::editOpeningHours()
{
    const Tab &tab = currentTab();
    const QModelIndex current = tab.view->currentIndex();
    if (tab.entity != Entity::Branch || !current.isValid() || !m_account.can(u"edit_directory"_s)) {
        Q_EMIT statusMessage(tr("Select a branch first."));
        return;
    }
    const qint64 id = tab.model->idAt(current.row());
    const QString path = u"/directory/branches/%1/opening-hours"_s.arg(id);
    QDialog dialog(this);
    dialog.setObjectName(u"openingHoursDialog"_s);
    dialog.setMinimumWidth(480);
    dialog.setWindowTitle(tr("Opening hours: %1").arg(QString::fromStdString(tab.model->item(current.row()).value("name", std::string()))));
    auto *form = new QFormLayout(&dialog);
    auto *hint = new QLabel(tr("Times as 08:00-12:00, several separated by commas; an empty day is closed. "
                               "Closures one a line: first day, last day (optional), reason."),
                            &dialog);
    hint->setWordWrap(true);
    form->addRow(hint);
    QList<QLineEdit *> days;
    const QLocale locale;
    for (int weekday = 1; weekday <= 7; ++weekday) {
        auto *day = new QLineEdit(&dialog);
        day->setObjectName(u"weekday%1"_s.arg(weekday));
        day->setPlaceholderText(tr("closed"));
        days.append(day);
        form->addRow(locale.dayName(weekday) + u':', day);
    }
    auto *closures = new QPlainTextEdit(&dialog);
    closures->setObjectName(u"closures"_s);
    closures->setPlaceholderText(tr("2026-12-24 2026-12-26 Christmas"));
    closures->setMaximumHeight(closures->fontMetrics().lineSpacing() * 6);
    form->addRow(tr("Closures:"), closures);
    auto *summary = new QLabel(&dialog);
    summary->setObjectName(u"hoursSummary"_s);
    summary->setWordWrap(true);
    summary->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(summary);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Save)->setEnabled(false); // until the current hours are shown
    form->addRow(buttons);

    client::ApiCall *load = m_account.get(path);
    connect(load, &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
        if (!result.ok()) {
            summary->setText(result.errorMessage);
            return;
        }
        QHash<int, QStringList> byDay;
        for (const client::Json &i : result.body.value("weekly", client::Json::array()))
            byDay[i.value("weekday", 0)].append(QString::fromStdString(i.value("opens", std::string()) + "-" + i.value("closes", std::string())));
        for (int weekday = 1; weekday <= 7; ++weekday)
            days.at(weekday - 1)->setText(byDay.value(weekday).join(u", "_s));
        QStringList lines;
        for (const client::Json &c : result.body.value("closures", client::Json::array())) {
            const QString first = QString::fromStdString(c.value("first_day", std::string()));
            const QString last = QString::fromStdString(c.value("last_day", std::string()));
            lines.append(QStringList{first, last == first ? QString() : last, QString::fromStdString(c.value("reason", std::string()))}
                             .filter(QRegularExpression(u"."_s))
                             .join(u' '));
        }
        closures->setPlainText(lines.join(u'\n'));
        summary->setText(QString::fromStdString(result.body.value("text", std::string())));
        buttons->button(QDialogButtonBox::Save)->setEnabled(true);
    });

    // A malformed entry keeps the form open and names it; the server checks everything again.
    bool saved = false;
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        client::Json weekly = client::Json::array();
        for (int weekday = 1; weekday <= 7; ++weekday) {
            const auto intervals = intervalsOf(weekday, days.at(weekday - 1)->text());
            if (!intervals) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), tr("%1: write the times as 08:00-12:00, several separated by commas.")
                                                                        .arg(locale.dayName(weekday)));
                days.at(weekday - 1)->setFocus();
                return;
            }
            for (const client::Json &i : *intervals)
                weekly.push_back(i);
        }
        client::Json closed = client::Json::array();
        for (const QString &line : closures->toPlainText().split(u'\n', Qt::SkipEmptyParts)) {
            if (line.trimmed().isEmpty())
                continue;
            const auto closure = closureOf(line);
            if (!closure) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), tr("Closure \"%1\": start with the first day as YYYY-MM-DD.").arg(line.trimmed()));
                closures->setFocus();
                return;
            }
            closed.push_back(*closure);
        }
        buttons->setEnabled(false);
        client::ApiCall *call = m_account.put(path, client::Json{{"weekly", weekly}, {"closures", closed}});
        connect(call, &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            buttons->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), result.errorMessage);
                return;
            }
            saved = true;
            dialog.accept();
        });
    });
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted && saved)
        Q_EMIT statusMessage(tr("Opening hours saved."));
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

void DirectoryPage::selectWhenLoaded(const Tab &tab, qint64 id)
{
    QTableView *view = tab.view;
    DirectoryModel *model = tab.model;
    connect(model, &DirectoryModel::loaded, view, [view, model, id] {
        const int row = model->rowOfId(id);
        if (row < 0)
            return;
        view->selectRow(row);
        view->scrollTo(model->index(row, 1));
    }, Qt::SingleShotConnection);
    model->reload();
}

void DirectoryPage::createInCurrentTab()
{
    const Tab &tab = currentTab();
    const Entity entity = tab.entity;
    QDialog dialog(this);
    dialog.setObjectName(u"newRecordDialog"_s);
    switch (entity) {
    case Entity::Company: dialog.setWindowTitle(tr("New company")); break;
    case Entity::Branch: dialog.setWindowTitle(tr("New branch")); break;
    case Entity::Staff: dialog.setWindowTitle(tr("New staff member")); break;
    case Entity::Service: dialog.setWindowTitle(tr("New service")); break;
    }
    auto *form = new QFormLayout(&dialog);
    QHash<QString, QWidget *> editors;

    // Where the row belongs: the company (preselected from the current row), and a staff member's branch,
    // both from the rows the Companies and Branches tabs hold.
    QComboBox *company = nullptr;
    if (entity != Entity::Company) {
        company = new QComboBox(&dialog);
        company->setObjectName(u"company_id"_s);
        const DirectoryModel *companies = model(Entity::Company);
        for (int row = 0; row < companies->rowCount(); ++row) {
            const client::Json &c = companies->item(row);
            const QString name = QString::fromStdString(c.value("name", std::string()));
            company->addItem(DirectoryModel::isActive(c) ? name : tr("%1 (inactive)").arg(name), c.value("id", qint64(0)));
        }
        const QModelIndex current = tab.view->currentIndex();
        const qint64 currentCompany = current.isValid() ? tab.model->item(current.row()).value("company_id", qint64(0)) : 0;
        company->setCurrentIndex(qMax(0, company->findData(currentCompany)));
        editors.insert(u"company_id"_s, company);
        form->addRow(tr("Company:"), company);
    }
    if (entity == Entity::Staff) {
        auto *branch = new QComboBox(&dialog);
        branch->setObjectName(u"branch_id"_s);
        const auto fillBranches = [this, branch, company] {
            branch->clear();
            branch->addItem(tr("(every branch)"), qint64(0));
            const DirectoryModel *branches = model(Entity::Branch);
            const qint64 companyId = company->currentData().toLongLong();
            for (int row = 0; row < branches->rowCount(); ++row) {
                const client::Json &b = branches->item(row);
                if (b.value("company_id", qint64(0)) != companyId)
                    continue;
                const QString name = QString::fromStdString(b.value("name", std::string()));
                branch->addItem(DirectoryModel::isActive(b) ? name : tr("%1 (inactive)").arg(name), b.value("id", qint64(0)));
            }
        };
        fillBranches();
        connect(company, &QComboBox::currentIndexChanged, branch, fillBranches);
        editors.insert(u"branch_id"_s, branch);
        form->addRow(tr("Branch:"), branch);
    }
    const QVariantMap defaults{{u"active"_s, 1}, {u"time_zone"_s, u"Europe/Berlin"_s}, {u"duration_minutes"_s, 30}};
    for (const QString &field : editableFields(entity)) {
        QWidget *editor = editorFor(field, defaults.value(field), &dialog);
        editors.insert(field, editor);
        form->addRow(fieldLabel(field) + u':', editor);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    // The form stays open on a refusal, so that nothing typed is lost.
    qint64 created = 0;
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        client::Json fields = client::Json::object();
        for (auto it = editors.cbegin(); it != editors.cend(); ++it) {
            const QVariant value = valueOf(it.value());
            if (it.key() == u"active"_s)
                fields["active"] = value.toInt() != 0;
            else if (it.key() == u"branch_id"_s || it.key() == u"calcom_user_id"_s)
                fields[it.key().toStdString()] = value.toLongLong() > 0 ? client::Json(value.toLongLong()) : client::Json(nullptr);
            else
                fields[it.key().toStdString()] = jsonOf(value);
        }
        buttons->setEnabled(false);
        client::ApiCall *call = m_account.post(u"/directory/"_s + tab.path, fields);
        connect(call, &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            buttons->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), result.errorMessage);
                return;
            }
            created = result.body.value("id", qint64(0));
            dialog.accept();
        });
    });
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted || created <= 0)
        return;
    selectWhenLoaded(tab, created);
    // A new company or branch is a choice in the other tabs' forms too.
    if (entity == Entity::Company || entity == Entity::Branch) {
        for (const Tab &other : std::as_const(m_tabList))
            if (other.entity != entity)
                other.model->reload();
    }
    Q_EMIT statusMessage(tr("%1 added.").arg(valueOf(editors.value(u"name"_s)).toString()));
}

} // namespace askpro
