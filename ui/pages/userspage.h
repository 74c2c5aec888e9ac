// Users page (administrators): everyone who signs in, with role, language, last sign-in and lock state;
// add people, change their role or name, set a password, deactivate and reactivate; and, from the server, the
// selected user's signed-in devices with revoke.
#pragma once

#include "security/accesspolicy.h"
#include "security/userstore.h"

#include <QWidget>

#include <memory>

class QPushButton;
class QStandardItemModel;
class QTableView;

namespace askpro {

class Database;
class SessionsModel;
namespace client {
class ApiAccount;
}

class UsersPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersPage)
public:
    // account: the server this window is signed in to, for the sessions (null: no sessions pane).
    UsersPage(std::shared_ptr<Database> db, Actor admin, client::ApiAccount *account = nullptr, QWidget *parent = nullptr);
    ~UsersPage() override;

    void reload();
    [[nodiscard]] QStandardItemModel *model() const { return m_model; }
    [[nodiscard]] SessionsModel *sessions() const { return m_sessions; }
    // The actions behind the buttons, also for tests: each returns the backend's verdict.
    Status addUser(const NewUser &user);
    Status changeUser(qint64 userId, const UserChanges &changes);
    Status setPassword(qint64 userId, const QString &password);

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    enum Column { Username, DisplayName, RoleColumn, CompanyColumn, Language, Active, LastSignIn, Locked, ColumnCount };
    [[nodiscard]] std::optional<UserRecord> selected() const;
    void addWithDialog();
    void editWithDialog();
    void passwordWithDialog();
    void toggleActive();
    void updateButtons();
    void report(const Status &status, const QString &success);

    std::shared_ptr<Database> m_db;
    Actor m_admin;
    UserStore m_users;
    QList<UserRecord> m_records;
    QStandardItemModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_password = nullptr;
    QPushButton *m_active = nullptr;
    SessionsModel *m_sessions = nullptr;
    QTableView *m_sessionTable = nullptr;
    QPushButton *m_revoke = nullptr;
};

} // namespace askpro
