// Provider keys page (administrators): every stored credential, masked, with when it was stored and last
// rotated; set or replace a key, and rotate one with a grace period. Keys go to the server over the admin
// API and are never shown again; the secrets key that seals them stays on the server.
#pragma once

#include "apiresult.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace askpro {

class CredentialsModel;
namespace client {
class ApiAccount;
class ApiCall;
}

class SecretsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretsPage)
public:
    explicit SecretsPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~SecretsPage() override;

    void reload();
    [[nodiscard]] CredentialsModel *model() const { return m_model; }
    // The dialogs' work, also for tests; the list is read again when the server accepted. credential:
    // company_id (null: the platform's own), provider, base_url, secret, webhook_secret.
    client::ApiCall *store(const client::Json &credential);
    // The same fields and grace_hours: the old secret keeps verifying webhooks that long.
    client::ApiCall *rotate(const client::Json &credential);

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    void storeWithDialog();
    void rotateWithDialog();
    client::ApiCall *reloadOnSuccess(client::ApiCall *call);

    client::ApiAccount &m_account;
    CredentialsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_info = nullptr;
    QPushButton *m_store = nullptr;
    QPushButton *m_rotate = nullptr;
};

} // namespace askpro
