// Edits one customer's contact details and message choices through PATCH /customers/{id}. The server checks
// everything (a mobile number for messages, an e-mail address, no opt-in by hand); the dialog stays open with
// its answer until it accepts.
#pragma once

#include "jsonfields.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace askpro {

namespace client {
class ApiAccount;
class ApiCall;
}

class CustomerDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CustomerDialog)
public:
    // profile: the customer as GET /customers/{id} answered it.
    CustomerDialog(client::ApiAccount &account, const client::Json &profile, QWidget *parent = nullptr);
    ~CustomerDialog() override;

    // The customer as the server stored it, once accepted.
    [[nodiscard]] const client::Json &profile() const { return m_profile; }
    // What Save sends: only the fields changed.
    [[nodiscard]] client::Json changes() const;

private:
    void save();

    client::ApiAccount &m_account;
    client::Json m_profile;
    QPointer<client::ApiCall> m_call;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_email = nullptr;
    QLineEdit *m_messagePhone = nullptr;
    QComboBox *m_channel = nullptr;
    QComboBox *m_language = nullptr;
    QCheckBox *m_optOut = nullptr;
    QPlainTextEdit *m_notes = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace askpro
