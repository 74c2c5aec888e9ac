// Secrets page: shows only the server's masked hints; a new key is typed into a password field, sent once to
// the server (which seals and audits it) and cleared from the form.
#include "pages/secretspage.h"

#include "apiaccount.h"
#include "credentialsmodel.h"
#include "tablestate.h"

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
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QLineEdit *secretField(QWidget *parent, const QString &name, const QString &placeholder)
{
    auto *field = new QLineEdit(parent);
    field->setObjectName(name);
    field->setEchoMode(QLineEdit::Password);
    field->setPlaceholderText(placeholder);
    return field;
}

} // namespace

SecretsPage::SecretsPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *buttons = new QHBoxLayout;
    m_store = new QPushButton(tr("&Set key…"), this);
    m_store->setObjectName(u"storeButton"_s);
    m_store->setToolTip(tr("Store a key for a provider, for the platform or one company; a key it replaces stops working at once"));
    m_rotate = new QPushButton(tr("&Rotate…"), this);
    m_rotate->setObjectName(u"rotateButton"_s);
    m_rotate->setToolTip(tr("Store a new key or webhook secret; the old one keeps verifying webhooks for the grace period"));
    buttons->addWidget(m_store);
    buttons->addWidget(m_rotate);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    m_info = new QLabel(tr("Keys are stored encrypted on the server; only their first and last characters are shown. Rotate a key after "
                           "changing it at the provider; webhooks signed with the old secret are accepted until the grace period ends. "
                           "The secrets key that encrypts them never leaves the server: keeping it (key file, rotation) is the server "
                           "operator's job, with askpro-server credentials on the server's machine."),
                        this);
    m_info->setObjectName(u"secretsInfo"_s);
    m_info->setWordWrap(true);
    layout->addWidget(m_info);

    m_model = new CredentialsModel(m_account, this);
    m_table = new QTableView(this);
    m_table->setObjectName(u"secretsTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    connect(m_store, &QPushButton::clicked, this, &SecretsPage::storeWithDialog);
    connect(m_rotate, &QPushButton::clicked, this, &SecretsPage::rotateWithDialog);
    connect(m_table, &QTableView::doubleClicked, this, &SecretsPage::rotateWithDialog);
    connect(m_model, &CredentialsModel::failed, this, &SecretsPage::statusMessage);
    connect(m_model, &CredentialsModel::loaded, m_table, [this] { m_table->resizeColumnsToContents(); });
    m_model->setQuery({});
}

SecretsPage::~SecretsPage() = default;

void SecretsPage::reload()
{
    m_model->reload();
}

client::ApiCall *SecretsPage::reloadOnSuccess(client::ApiCall *call)
{
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (result.ok())
            m_model->reload();
    });
    return call;
}

client::ApiCall *SecretsPage::store(const client::Json &credential)
{
    return reloadOnSuccess(m_account.post(u"/credentials"_s, credential));
}

client::ApiCall *SecretsPage::rotate(const client::Json &credential)
{
    return reloadOnSuccess(m_account.post(u"/credentials/rotate"_s, credential));
}

void SecretsPage::storeWithDialog()
{
    QDialog dialog(this);
    dialog.setObjectName(u"storeDialog"_s);
    dialog.setWindowTitle(tr("Set provider key"));
    auto *form = new QFormLayout(&dialog);
    auto *scope = new QComboBox(&dialog);
    scope->setObjectName(u"scope"_s);
    scope->addItem(tr("Platform (all companies)"), qint64(0));
    auto *provider = new QComboBox(&dialog);
    provider->setObjectName(u"provider"_s);
    for (const QString &name : {u"retell"_s, u"calcom"_s, u"stripe"_s, u"smtp"_s, u"twilio"_s})
        provider->addItem(name, name);
    auto *baseUrl = new QLineEdit(&dialog);
    baseUrl->setObjectName(u"baseUrl"_s);
    baseUrl->setPlaceholderText(tr("empty: the configured default"));
    auto *key = secretField(&dialog, u"secret"_s, tr("the API key or password"));
    auto *hook = secretField(&dialog, u"webhookSecret"_s, tr("optional"));
    // Twilio's credential is the account SID with its auth token, and the sender in place of a webhook secret
    // (Twilio signs with the auth token).
    const auto describeFields = [provider, key, hook] {
        const bool twilio = provider->currentData().toString() == u"twilio"_s;
        key->setPlaceholderText(twilio ? tr("AccountSid:AuthToken") : tr("the API key or password"));
        hook->setPlaceholderText(twilio ? tr("sender: +49… number or MG… messaging service") : tr("optional"));
    };
    connect(provider, &QComboBox::currentIndexChanged, &dialog, describeFields);
    form->addRow(tr("&Account:"), scope);
    form->addRow(tr("&Provider:"), provider);
    form->addRow(tr("&Base URL:"), baseUrl);
    form->addRow(tr("&Key:"), key);
    form->addRow(tr("&Webhook secret:"), hook);
    auto *note = new QLabel(tr("A key stored for an account and provider that already has one replaces it at once; to keep the old "
                               "webhook secret working for a while, use Rotate."),
                            &dialog);
    note->setWordWrap(true);
    form->addRow(note);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    // The companies to choose from, read when the form opens.
    connect(m_account.get(u"/companies"_s), &client::ApiCall::finished, scope, [scope](const client::ApiResult &result) {
        for (const client::Json &company : result.body.value("items", client::Json::array()))
            scope->addItem(QString::fromStdString(company.value("name", std::string())), company.value("id", qint64(0)));
    });
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        const qint64 company = scope->currentData().toLongLong();
        const client::Json credential{{"company_id", company > 0 ? client::Json(company) : client::Json(nullptr)},
                                      {"provider", provider->currentData().toString().toStdString()},
                                      {"base_url", baseUrl->text().trimmed().toStdString()},
                                      {"secret", key->text().trimmed().toStdString()},
                                      {"webhook_secret", hook->text().trimmed().toStdString()}};
        box->setEnabled(false);
        connect(store(credential), &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            box->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), result.errorMessage);
                return;
            }
            key->clear();
            hook->clear();
            dialog.accept();
        });
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted)
        Q_EMIT statusMessage(tr("%1 key stored.").arg(provider->currentData().toString()));
}

void SecretsPage::rotateWithDialog()
{
    const int row = m_table->currentIndex().row();
    if (row < 0 || row >= m_model->rowCount()) {
        Q_EMIT statusMessage(tr("Select the credential to rotate."));
        return;
    }
    const client::Json current = m_model->item(row);
    const QString provider = QString::fromStdString(current.value("provider", std::string()));
    const QString webhookHint = QString::fromStdString(current.value("webhook_secret_hint", std::string()));
    QDialog dialog(this);
    dialog.setObjectName(u"rotateDialog"_s);
    dialog.setWindowTitle(tr("Rotate %1 key").arg(provider));
    auto *form = new QFormLayout(&dialog);
    auto *key = secretField(&dialog, u"secret"_s, tr("the new API key"));
    auto *hook = secretField(&dialog, u"webhookSecret"_s, tr("empty: keep %1").arg(webhookHint.isEmpty() ? tr("none") : webhookHint));
    auto *grace = new QSpinBox(&dialog);
    grace->setObjectName(u"graceHours"_s);
    grace->setRange(0, 168);
    grace->setValue(24);
    grace->setSuffix(tr(" h"));
    form->addRow(tr("Account:"), new QLabel(CredentialsModel::scopeTitle(current), &dialog));
    form->addRow(tr("Current key:"), new QLabel(QString::fromStdString(current.value("secret_hint", std::string())), &dialog));
    form->addRow(tr("&New key:"), key);
    form->addRow(tr("New &webhook secret:"), hook);
    form->addRow(tr("&Grace period:"), grace);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        const client::Json credential{{"company_id", current.value("company_id", client::Json())},
                                      {"provider", provider.toStdString()},
                                      {"secret", key->text().trimmed().toStdString()},
                                      {"webhook_secret", hook->text().trimmed().toStdString()},
                                      {"grace_hours", grace->value()}};
        box->setEnabled(false);
        connect(rotate(credential), &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            box->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), result.errorMessage);
                return;
            }
            key->clear();
            hook->clear();
            dialog.accept();
        });
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted)
        Q_EMIT statusMessage(tr("%1 key rotated.").arg(provider));
}

} // namespace askpro
