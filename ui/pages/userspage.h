// Users page (administrators): everyone who signs in, with role, company, language, last sign-in and lock
// state; add people, change their role, company or name, set a password, deactivate and reactivate; and the
// selected user's signed-in devices with revoke. Everything goes through the admin API; the server's
// UserStore checks, audits and ends the sessions a change invalidates.
#pragma once

#include "apiresult.h"

#include <QWidget>

class QComboBox;
class QPushButton;
class QTableView;

namespace askpro {

class SessionsModel;
class UsersModel;
namespace client {
class ApiAccount;
class ApiCall;
}

class UsersPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersPage)
public:
    explicit UsersPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~UsersPage() override;

    // Reads the users (and the company names) again; the rows stay until the answer replaces them.
    void reload();
    [[nodiscard]] UsersModel *model() const { return m_model; }
    [[nodiscard]] SessionsModel *sessions() const { return m_sessions; }
    // The actions behind the buttons, also for tests: each answers through its call's finished() and reloads
    // the list when the server accepted. user: username, display_name, password, role, language, company_id.
    client::ApiCall *addUser(const client::Json &user);
    // changes: any of display_name, role, company_id (null: none), language, active.
    client::ApiCall *changeUser(qint64 userId, const client::Json &changes);
    client::ApiCall *setPassword(qint64 userId, const QString &password);

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    [[nodiscard]] int selectedRow() const;
    [[nodiscard]] qint64 selectedId() const;
    void addWithDialog();
    void editWithDialog();
    void passwordWithDialog();
    void toggleActive();
    void updateButtons();
    void loadCompanies();
    // A role box and a company box that is enabled only for business roles.
    QComboBox *roleBox(QWidget *parent, const QString &current) const;
    QComboBox *companyBox(QWidget *parent, const client::Json &current, QComboBox *role) const;
    client::ApiCall *reloadOnSuccess(client::ApiCall *call);

    client::ApiAccount &m_account;
    UsersModel *m_model = nullptr;
    QList<std::pair<qint64, QString>> m_companies; // for the company box, by name
    QTableView *m_table = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_password = nullptr;
    QPushButton *m_active = nullptr;
    SessionsModel *m_sessions = nullptr;
    QTableView *m_sessionTable = nullptr;
    QPushButton *m_revoke = nullptr;
    qint64 m_keepSelected = 0; // the user to select again once the list is read
};

} // namespace askpro
