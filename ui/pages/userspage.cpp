// Users page: every change is a request to the admin API; the server's UserStore decides (permission, last
// administrator, password rules, a business role's company), audits it and ends invalidated sessions.
#include "pages/userspage.h"

#include "apiaccount.h"
#include "sessionsmodel.h"
#include "tablestate.h"
#include "usersmodel.h"
#include "widgets/newpasswordfields.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QComboBox *languageBox(QWidget *parent, const QString &current)
{
    auto *box = new QComboBox(parent);
    box->setObjectName(u"language"_s);
    for (const QString &code : {QString(), u"de"_s, u"en"_s})
        box->addItem(UsersModel::languageTitle(code), code);
    box->setCurrentIndex(std::max(0, box->findData(current)));
    return box;
}

QString textOf(const client::Json &item, const char *key)
{
    return QString::fromStdString(item.value(key, std::string()));
}

} // namespace

UsersPage::UsersPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("&Add user…"), this);
    add->setObjectName(u"addUserButton"_s);
    m_edit = new QPushButton(tr("&Edit…"), this);
    m_edit->setObjectName(u"editUserButton"_s);
    m_password = new QPushButton(tr("Set &password…"), this);
    m_password->setObjectName(u"passwordButton"_s);
    m_active = new QPushButton(tr("&Deactivate"), this);
    m_active->setObjectName(u"toggleActiveButton"_s);
    buttons->addWidget(add);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_password);
    buttons->addWidget(m_active);
    buttons->addStretch(1);
    auto *roles = new QLabel(tr("Owners see invoices, usage and everything else read-only; support works calls, appointments and "
                                "customers; onboarding sets up businesses and edits companies; administrators manage users and "
                                "provider keys. Business owners and staff belong to one company and see only its calls and "
                                "appointments (owners also its invoices)."),
                             this);
    roles->setWordWrap(true);
    layout->addLayout(buttons);
    layout->addWidget(roles);

    m_model = new UsersModel(m_account, this);
    m_table = new QTableView(this);
    m_table->setObjectName(u"usersTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    auto *heading = new QLabel(tr("Signed-in devices of the selected user"), this);
    m_sessions = new SessionsModel(m_account, this);
    m_sessionTable = new QTableView(this);
    m_sessionTable->setObjectName(u"sessionsTable"_s);
    m_sessionTable->setModel(m_sessions);
    TableState::setUpTable(m_sessionTable);
    m_sessionTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sessionTable->horizontalHeader()->setStretchLastSection(true);
    m_revoke = new QPushButton(tr("Sign &out device"), this);
    m_revoke->setObjectName(u"revokeSessionButton"_s);
    m_revoke->setToolTip(tr("Ends the session on the server: that device must sign in again."));
    auto *sessionButtons = new QHBoxLayout;
    sessionButtons->addWidget(heading);
    sessionButtons->addStretch(1);
    sessionButtons->addWidget(m_revoke);
    layout->addLayout(sessionButtons);
    layout->addWidget(m_sessionTable);
    connect(m_revoke, &QPushButton::clicked, this, [this] {
        if (const QModelIndex current = m_sessionTable->currentIndex(); current.isValid())
            m_sessions->revoke(current.row());
    });
    connect(m_sessions, &SessionsModel::revoked, this, [this](const QString &device) { Q_EMIT statusMessage(tr("%1 is signed out.").arg(device)); });
    connect(m_sessions, &SessionsModel::failed, this, &UsersPage::statusMessage);
    connect(m_sessions, &SessionsModel::modelReset, this, &UsersPage::updateButtons);
    connect(m_sessionTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &UsersPage::updateButtons);

    connect(add, &QPushButton::clicked, this, &UsersPage::addWithDialog);
    connect(m_edit, &QPushButton::clicked, this, &UsersPage::editWithDialog);
    connect(m_table, &QTableView::doubleClicked, this, &UsersPage::editWithDialog);
    connect(m_password, &QPushButton::clicked, this, &UsersPage::passwordWithDialog);
    connect(m_active, &QPushButton::clicked, this, &UsersPage::toggleActive);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &UsersPage::updateButtons);
    // The list is read again after each change: keep the chosen user chosen.
    connect(m_model, &UsersModel::modelAboutToBeReset, this, [this] {
        if (const qint64 id = selectedId(); id > 0)
            m_keepSelected = id;
    });
    connect(m_model, &UsersModel::loaded, this, [this] {
        if (const int row = m_model->rowOfId(m_keepSelected); row >= 0)
            m_table->selectRow(row);
        m_table->resizeColumnsToContents();
        updateButtons();
    });
    connect(m_model, &UsersModel::failed, this, &UsersPage::statusMessage);
    m_model->setQuery({});
    loadCompanies();
    updateButtons();
}

UsersPage::~UsersPage() = default;

void UsersPage::reload()
{
    m_model->reload();
    loadCompanies();
}

void UsersPage::loadCompanies()
{
    client::ApiCall *call = m_account.get(u"/companies"_s);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok())
            return; // the company column shows the ids, and the forms offer no company until the next read
        m_companies.clear();
        QHash<qint64, QString> names;
        for (const client::Json &company : result.body.value("items", client::Json::array())) {
            const qint64 id = company.value("id", qint64(0));
            const QString name = textOf(company, "name");
            m_companies.append({id, company.value("active", true) ? name : tr("%1 (inactive)").arg(name)});
            names.insert(id, name);
        }
        m_model->setCompanyNames(std::move(names));
    });
}

int UsersPage::selectedRow() const
{
    const int row = m_table->currentIndex().row();
    return row >= 0 && row < m_model->rowCount() ? row : -1;
}

qint64 UsersPage::selectedId() const
{
    const int row = selectedRow();
    return row >= 0 ? m_model->idAt(row) : 0;
}

void UsersPage::updateButtons()
{
    const int row = selectedRow();
    m_edit->setEnabled(row >= 0);
    m_password->setEnabled(row >= 0);
    m_active->setEnabled(row >= 0);
    m_active->setText(row >= 0 && !m_model->item(row).value("active", true) ? tr("&Activate") : tr("&Deactivate"));
    const qint64 id = selectedId();
    if (m_sessions->user() != id)
        m_sessions->setUser(id);
    m_revoke->setEnabled(m_sessionTable->currentIndex().isValid());
}

client::ApiCall *UsersPage::reloadOnSuccess(client::ApiCall *call)
{
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (result.ok())
            m_model->reload();
    });
    return call;
}

client::ApiCall *UsersPage::addUser(const client::Json &user)
{
    return reloadOnSuccess(m_account.post(u"/users"_s, user));
}

client::ApiCall *UsersPage::changeUser(qint64 userId, const client::Json &changes)
{
    return reloadOnSuccess(m_account.patch(u"/users/%1"_s.arg(userId), changes));
}

client::ApiCall *UsersPage::setPassword(qint64 userId, const QString &password)
{
    return reloadOnSuccess(m_account.post(u"/users/%1/password"_s.arg(userId), client::Json{{"password", password.toStdString()}}));
}

QComboBox *UsersPage::roleBox(QWidget *parent, const QString &current) const
{
    auto *box = new QComboBox(parent);
    box->setObjectName(u"role"_s);
    for (const QString &code : UsersModel::roleCodes())
        box->addItem(UsersModel::roleTitle(code), code);
    box->setCurrentIndex(std::max(0, box->findData(current)));
    return box;
}

QComboBox *UsersPage::companyBox(QWidget *parent, const client::Json &current, QComboBox *role) const
{
    auto *box = new QComboBox(parent);
    box->setObjectName(u"company"_s);
    for (const auto &[id, name] : m_companies)
        box->addItem(name, id);
    if (current.is_number())
        box->setCurrentIndex(std::max(0, box->findData(current.get<qint64>())));
    // AskProAI's own roles belong to no company: the box is only for business owners and staff.
    const auto follow = [box, role] { box->setEnabled(UsersModel::isBusinessRole(role->currentData().toString())); };
    follow();
    connect(role, &QComboBox::currentIndexChanged, box, follow);
    return box;
}

// The company field of a form: the chosen company for a business role, null (none) for the others.
static client::Json companyOf(const QComboBox *role, const QComboBox *company)
{
    if (!UsersModel::isBusinessRole(role->currentData().toString()) || company->currentIndex() < 0)
        return nullptr;
    return company->currentData().toLongLong();
}

void UsersPage::addWithDialog()
{
    QDialog dialog(this);
    dialog.setObjectName(u"addUserDialog"_s);
    dialog.setWindowTitle(tr("Add user"));
    auto *form = new QFormLayout(&dialog);
    auto *username = new QLineEdit(&dialog);
    username->setObjectName(u"username"_s);
    auto *name = new QLineEdit(&dialog);
    name->setObjectName(u"displayName"_s);
    auto *role = roleBox(&dialog, u"support"_s);
    auto *company = companyBox(&dialog, nullptr, role);
    auto *language = languageBox(&dialog, {});
    form->addRow(tr("&User name:"), username);
    form->addRow(tr("&Full name:"), name);
    form->addRow(tr("&Role:"), role);
    form->addRow(tr("&Company:"), company);
    form->addRow(tr("&Language:"), language);
    auto *password = new NewPasswordFields(form, tr("&Password:"), tr("&Repeat password:"));
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        if (const QString mismatch = password->mismatch(); !mismatch.isEmpty()) {
            QMessageBox::warning(&dialog, tr("Add user"), mismatch);
            return;
        }
        box->setEnabled(false);
        const client::Json user{{"username", username->text().toStdString()},
                                {"display_name", name->text().toStdString()},
                                {"password", password->password().toStdString()},
                                {"role", role->currentData().toString().toStdString()},
                                {"language", language->currentData().toString().toStdString()},
                                {"company_id", companyOf(role, company)}};
        connect(addUser(user), &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            box->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, tr("Add user"), result.errorMessage);
                return;
            }
            m_keepSelected = result.body.value("id", qint64(0));
            Q_EMIT statusMessage(tr("User %1 added.").arg(textOf(result.body, "username")));
            dialog.accept();
        });
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    dialog.exec();
}

void UsersPage::editWithDialog()
{
    const int row = selectedRow();
    if (row < 0)
        return;
    const client::Json user = m_model->item(row);
    const qint64 id = m_model->idAt(row);
    const QString username = textOf(user, "username");
    QDialog dialog(this);
    dialog.setObjectName(u"editUserDialog"_s);
    dialog.setWindowTitle(tr("Edit %1").arg(username));
    auto *form = new QFormLayout(&dialog);
    auto *name = new QLineEdit(textOf(user, "display_name"), &dialog);
    name->setObjectName(u"displayName"_s);
    auto *role = roleBox(&dialog, textOf(user, "role"));
    auto *company = companyBox(&dialog, user.value("company_id", client::Json()), role);
    auto *language = languageBox(&dialog, textOf(user, "language"));
    form->addRow(tr("&Full name:"), name);
    form->addRow(tr("&Role:"), role);
    form->addRow(tr("&Company:"), company);
    form->addRow(tr("&Language:"), language);
    auto *hint = new QLabel(tr("A new role or company signs the user out on every device."), &dialog);
    hint->setWordWrap(true);
    form->addRow(hint);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        box->setEnabled(false);
        const client::Json changes{{"display_name", name->text().toStdString()},
                                   {"role", role->currentData().toString().toStdString()},
                                   {"language", language->currentData().toString().toStdString()},
                                   {"company_id", companyOf(role, company)}};
        connect(changeUser(id, changes), &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            box->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), result.errorMessage);
                return;
            }
            Q_EMIT statusMessage(tr("User %1 changed.").arg(username));
            dialog.accept();
        });
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    dialog.exec();
}

void UsersPage::passwordWithDialog()
{
    const int row = selectedRow();
    if (row < 0)
        return;
    const qint64 id = m_model->idAt(row);
    const QString username = textOf(m_model->item(row), "username");
    QDialog dialog(this);
    dialog.setObjectName(u"passwordDialog"_s);
    dialog.setWindowTitle(tr("New password for %1").arg(username));
    auto *form = new QFormLayout(&dialog);
    auto *password = new NewPasswordFields(form, tr("&Password:"), tr("&Repeat password:"));
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        if (const QString mismatch = password->mismatch(); !mismatch.isEmpty()) {
            QMessageBox::warning(&dialog, dialog.windowTitle(), mismatch);
            return;
        }
        box->setEnabled(false);
        connect(setPassword(id, password->password()), &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            box->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), result.errorMessage);
                return;
            }
            Q_EMIT statusMessage(tr("Password of %1 changed; the account is unlocked.").arg(username));
            dialog.accept();
        });
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    dialog.exec();
}

void UsersPage::toggleActive()
{
    const int row = selectedRow();
    if (row < 0)
        return;
    const bool active = m_model->item(row).value("active", true);
    const QString username = textOf(m_model->item(row), "username");
    m_active->setEnabled(false);
    connect(changeUser(m_model->idAt(row), client::Json{{"active", !active}}), &client::ApiCall::finished, this,
            [this, active, username](const client::ApiResult &result) {
                updateButtons();
                if (!result.ok()) {
                    QMessageBox::warning(this, tr("Users"), result.errorMessage);
                    return;
                }
                Q_EMIT statusMessage(active ? tr("User %1 deactivated.").arg(username) : tr("User %1 activated.").arg(username));
            });
}

} // namespace askpro
