// Users page: UserStore does the checks (permission, last administrator, password rules) and the audit.
#include "pages/userspage.h"

#include "db/database.h"
#include "queries/directoryquery.h"
#include "sessionsmodel.h"
#include "tablestate.h"
#include "widgets/newpasswordfields.h"

#include <QComboBox>
#include <QDateTime>
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
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString languageTitle(const QString &code)
{
    if (code == u"de"_s)
        return u"Deutsch"_s;
    if (code == u"en"_s)
        return u"English"_s;
    return UsersPage::tr("System");
}

QComboBox *languageBox(QWidget *parent, const QString &current)
{
    auto *box = new QComboBox(parent);
    for (const QString &code : {QString(), u"de"_s, u"en"_s})
        box->addItem(languageTitle(code), code);
    box->setCurrentIndex(std::max(0, box->findData(current)));
    return box;
}

QComboBox *roleBox(QWidget *parent, Role current)
{
    auto *box = new QComboBox(parent);
    for (Role role : AccessPolicy::roles())
        box->addItem(AccessPolicy::roleTitle(role), AccessPolicy::roleCode(role));
    box->setCurrentIndex(std::max(0, box->findData(AccessPolicy::roleCode(current))));
    return box;
}

} // namespace

UsersPage::UsersPage(std::shared_ptr<Database> db, Actor admin, client::ApiAccount *account, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
    , m_admin(std::move(admin))
    , m_users(*m_db)
{
    auto *layout = new QVBoxLayout(this);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("&Add user…"), this);
    add->setObjectName(u"addUserButton"_s);
    m_edit = new QPushButton(tr("&Edit…"), this);
    m_password = new QPushButton(tr("Set &password…"), this);
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

    m_model = new QStandardItemModel(0, ColumnCount, this);
    m_model->setHorizontalHeaderLabels(
        {tr("User name"), tr("Name"), tr("Role"), tr("Company"), tr("Language"), tr("Active"), tr("Last sign-in"), tr("Locked until")});
    m_table = new QTableView(this);
    m_table->setObjectName(u"usersTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);
    if (account) {
        auto *heading = new QLabel(tr("Signed-in devices of the selected user"), this);
        m_sessions = new SessionsModel(*account, this);
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
        connect(m_sessions, &SessionsModel::revoked, this,
                [this](const QString &device) { Q_EMIT statusMessage(tr("%1 is signed out.").arg(device)); });
        connect(m_sessions, &SessionsModel::failed, this, [this](const QString &message) { Q_EMIT statusMessage(message); });
        connect(m_sessions, &SessionsModel::modelReset, this, &UsersPage::updateButtons);
        connect(m_sessionTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &UsersPage::updateButtons);
    }

    connect(add, &QPushButton::clicked, this, &UsersPage::addWithDialog);
    connect(m_edit, &QPushButton::clicked, this, &UsersPage::editWithDialog);
    connect(m_table, &QTableView::doubleClicked, this, &UsersPage::editWithDialog);
    connect(m_password, &QPushButton::clicked, this, &UsersPage::passwordWithDialog);
    connect(m_active, &QPushButton::clicked, this, &UsersPage::toggleActive);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &UsersPage::updateButtons);
    reload();
}

UsersPage::~UsersPage() = default;

void UsersPage::reload()
{
    const auto current = selected();
    auto users = m_users.list(m_admin);
    if (!users) {
        Q_EMIT statusMessage(users.error().message);
        return;
    }
    m_records = *users;
    QHash<qint64, QString> companyNames;
    if (auto companies = DirectoryQuery::companies(*m_db)) {
        for (const NamedItem &company : *companies)
            companyNames.insert(company.id, company.name);
    }
    m_model->removeRows(0, m_model->rowCount());
    const QLocale locale;
    for (const UserRecord &user : std::as_const(m_records)) {
        const auto when = [&locale](std::optional<qint64> ms) {
            return ms ? locale.toString(QDateTime::fromMSecsSinceEpoch(*ms).toLocalTime(), QLocale::ShortFormat) : QString();
        };
        const bool locked = user.lockedUntilMs && *user.lockedUntilMs > QDateTime::currentMSecsSinceEpoch();
        QList<QStandardItem *> row{new QStandardItem(user.username),
                                   new QStandardItem(user.displayName),
                                   new QStandardItem(AccessPolicy::roleTitle(user.role)),
                                   // Platform staff work for AskProAI and see every company.
                                   new QStandardItem(user.companyId > 0 ? companyNames.value(user.companyId) : tr("all (AskProAI)")),
                                   new QStandardItem(languageTitle(user.language)),
                                   new QStandardItem(user.active ? tr("yes") : tr("no")),
                                   new QStandardItem(when(user.lastSignInAtMs)),
                                   new QStandardItem(locked ? when(user.lockedUntilMs) : QString())};
        if (!user.active) {
            for (QStandardItem *item : row)
                item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        }
        m_model->appendRow(row);
    }
    for (int i = 0; i < m_records.size(); ++i) {
        if (current && m_records.at(i).id == current->id)
            m_table->selectRow(i);
    }
    m_table->resizeColumnsToContents();
    updateButtons();
}

std::optional<UserRecord> UsersPage::selected() const
{
    const int row = m_table ? m_table->currentIndex().row() : -1;
    if (row < 0 || row >= m_records.size())
        return std::nullopt;
    return m_records.at(row);
}

void UsersPage::updateButtons()
{
    const auto user = selected();
    m_edit->setEnabled(user.has_value());
    m_password->setEnabled(user.has_value());
    m_active->setEnabled(user.has_value());
    m_active->setText(user && !user->active ? tr("&Activate") : tr("&Deactivate"));
    if (m_sessions) {
        if (m_sessions->user() != (user ? user->id : 0))
            m_sessions->setUser(user ? user->id : 0);
        m_revoke->setEnabled(m_sessionTable->currentIndex().isValid());
    }
}

void UsersPage::report(const Status &status, const QString &success)
{
    if (!status) {
        QMessageBox::warning(this, tr("Users"), status.error().message);
        return;
    }
    Q_EMIT statusMessage(success);
    reload();
}

Status UsersPage::addUser(const NewUser &user)
{
    auto created = m_users.create(m_admin, user);
    if (!created)
        return created.error();
    reload();
    return {};
}

Status UsersPage::changeUser(qint64 userId, const UserChanges &changes)
{
    auto changed = m_users.update(m_admin, userId, changes);
    if (changed)
        reload();
    return changed;
}

Status UsersPage::setPassword(qint64 userId, const QString &password)
{
    auto changed = m_users.setPassword(m_admin, userId, password);
    if (changed)
        reload();
    return changed;
}

void UsersPage::addWithDialog()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Add user"));
    auto *form = new QFormLayout(&dialog);
    auto *username = new QLineEdit(&dialog);
    auto *name = new QLineEdit(&dialog);
    auto *role = roleBox(&dialog, Role::Support);
    auto *language = languageBox(&dialog, {});
    form->addRow(tr("&User name:"), username);
    form->addRow(tr("&Full name:"), name);
    form->addRow(tr("&Role:"), role);
    form->addRow(tr("&Language:"), language);
    auto *password = new NewPasswordFields(form, tr("&Password:"), tr("&Repeat password:"));
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        if (const QString mismatch = password->mismatch(); !mismatch.isEmpty()) {
            QMessageBox::warning(&dialog, tr("Add user"), mismatch);
            return;
        }
        const Status added = addUser({username->text(), name->text(), password->password(),
                                      AccessPolicy::roleFromCode(role->currentData().toString()).value_or(Role::Support),
                                      language->currentData().toString()});
        if (!added) {
            QMessageBox::warning(&dialog, tr("Add user"), added.error().message);
            return;
        }
        Q_EMIT statusMessage(tr("User %1 added.").arg(username->text().trimmed().toLower()));
        dialog.accept();
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    dialog.exec();
}

void UsersPage::editWithDialog()
{
    const auto user = selected();
    if (!user)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Edit %1").arg(user->username));
    auto *form = new QFormLayout(&dialog);
    auto *name = new QLineEdit(user->displayName, &dialog);
    auto *role = roleBox(&dialog, user->role);
    auto *language = languageBox(&dialog, user->language);
    form->addRow(tr("&Full name:"), name);
    form->addRow(tr("&Role:"), role);
    form->addRow(tr("&Language:"), language);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    UserChanges changes;
    changes.displayName = name->text();
    changes.role = AccessPolicy::roleFromCode(role->currentData().toString());
    changes.language = language->currentData().toString();
    report(m_users.update(m_admin, user->id, changes), tr("User %1 changed.").arg(user->username));
}

void UsersPage::passwordWithDialog()
{
    const auto user = selected();
    if (!user)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("New password for %1").arg(user->username));
    auto *form = new QFormLayout(&dialog);
    auto *password = new NewPasswordFields(form, tr("&Password:"), tr("&Repeat password:"));
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        if (const QString mismatch = password->mismatch(); !mismatch.isEmpty()) {
            QMessageBox::warning(&dialog, dialog.windowTitle(), mismatch);
            return;
        }
        const Status changed = m_users.setPassword(m_admin, user->id, password->password());
        if (!changed) {
            QMessageBox::warning(&dialog, dialog.windowTitle(), changed.error().message);
            return;
        }
        dialog.accept();
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted) {
        Q_EMIT statusMessage(tr("Password of %1 changed; the account is unlocked.").arg(user->username));
        reload();
    }
}

void UsersPage::toggleActive()
{
    const auto user = selected();
    if (!user)
        return;
    UserChanges changes;
    changes.active = !user->active;
    report(m_users.update(m_admin, user->id, changes),
           user->active ? tr("User %1 deactivated.").arg(user->username) : tr("User %1 activated.").arg(user->username));
}

} // namespace askpro
