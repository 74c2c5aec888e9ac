// Users page (administrators): everyone who signs in, with role, language, last sign-in and lock state;
// add people, change their role or name, set a password, deactivate and reactivate.
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

class UsersPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersPage)
public:
    UsersPage(std::shared_ptr<Database> db, Actor admin, QWidget *parent = nullptr);
    ~UsersPage() override;

    void reload();
    [[nodiscard]] QStandardItemModel *model() const { return m_model; }
    // The actions behind the buttons, also for tests: each returns the backend's verdict.
    Status addUser(const NewUser &user);
    Status changeUser(qint64 userId, const UserChanges &changes);
    Status setPassword(qint64 userId, const QString &password);

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    enum Column { Username, DisplayName, RoleColumn, Language, Active, LastSignIn, Locked, ColumnCount };
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
};

} // namespace askpro
