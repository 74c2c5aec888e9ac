// Provider keys page (administrators): every stored credential, masked, with when it was stored and last
// rotated; rotate a key or webhook secret with a grace period; keep the secrets key in the system keychain.
#pragma once

#include "security/accesspolicy.h"
#include "security/credentialstore.h"

#include <QWidget>

#include <chrono>
#include <memory>

class QLabel;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace askpro {

class Database;

class SecretsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretsPage)
public:
    // credentials may be null (no key on this desktop): the page says so and offers nothing to change.
    // keychainAccount: the name of this database's entry in the system keychain.
    SecretsPage(std::shared_ptr<Database> db, std::shared_ptr<CredentialStore> credentials, Actor admin, QString keychainAccount,
                QWidget *parent = nullptr);
    ~SecretsPage() override;

    void reload();
    [[nodiscard]] QStandardItemModel *model() const { return m_model; }
    // The Rotate dialog's work, also for tests.
    Status rotate(const Credential &replacement, std::chrono::hours grace);

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    enum Column { Scope, Provider, BaseUrl, Key, WebhookSecret, Stored, Rotated, PreviousValid, ColumnCount };
    void rotateWithDialog();
    void saveKeyToKeychain();

    std::shared_ptr<Database> m_db;
    std::shared_ptr<CredentialStore> m_credentials;
    Actor m_admin;
    QString m_keychainAccount;
    QList<CredentialSummary> m_rows;
    QStandardItemModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_info = nullptr;
    QPushButton *m_rotate = nullptr;
    QPushButton *m_keychain = nullptr;
};

} // namespace askpro
