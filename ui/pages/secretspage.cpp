// Secrets page: shows only CredentialStore's hints; a new key is typed into a password field and handed
// straight to CredentialStore::rotate, which seals and audits it.
#include "pages/secretspage.h"

#include "security/keychainkey.h"
#include "tablestate.h"

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
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

SecretsPage::SecretsPage(std::shared_ptr<Database> db, std::shared_ptr<CredentialStore> credentials, Actor admin, QString keychainAccount,
                         QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
    , m_credentials(std::move(credentials))
    , m_admin(std::move(admin))
    , m_keychainAccount(std::move(keychainAccount))
{
    auto *layout = new QVBoxLayout(this);
    auto *buttons = new QHBoxLayout;
    m_rotate = new QPushButton(tr("&Rotate…"), this);
    m_rotate->setObjectName(u"rotateButton"_s);
    m_rotate->setToolTip(tr("Store a new key or webhook secret; the old one keeps verifying webhooks for the grace period"));
    m_keychain = new QPushButton(tr("Keep the secrets key in the system &keychain"), this);
    m_keychain->setObjectName(u"keychainButton"_s);
    m_keychain->setToolTip(tr("Lets AskPro Admin on this desktop open provider keys without the server's key file"));
    buttons->addWidget(m_rotate);
    buttons->addWidget(m_keychain);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    m_info = new QLabel(this);
    m_info->setObjectName(u"secretsInfo"_s);
    m_info->setWordWrap(true);
    layout->addWidget(m_info);

    m_model = new QStandardItemModel(0, ColumnCount, this);
    m_model->setHorizontalHeaderLabels({tr("Account"), tr("Provider"), tr("Base URL"), tr("Key"), tr("Webhook secret"), tr("Stored"),
                                        tr("Rotated"), tr("Old secret valid until")});
    m_table = new QTableView(this);
    m_table->setObjectName(u"secretsTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    connect(m_rotate, &QPushButton::clicked, this, &SecretsPage::rotateWithDialog);
    connect(m_table, &QTableView::doubleClicked, this, &SecretsPage::rotateWithDialog);
    connect(m_keychain, &QPushButton::clicked, this, &SecretsPage::saveKeyToKeychain);
    reload();
}

SecretsPage::~SecretsPage() = default;

void SecretsPage::reload()
{
    m_model->removeRows(0, m_model->rowCount());
    m_rotate->setEnabled(m_credentials != nullptr);
    m_keychain->setEnabled(m_credentials != nullptr);
    if (!m_credentials) {
        m_info->setText(tr("The key that encrypts provider keys is not available on this desktop (no askpro.key file, nothing in "
                           "the system keychain), so provider keys can be neither shown nor changed here."));
        return;
    }
    auto rows = m_credentials->summaries(m_admin);
    if (!rows) {
        m_info->setText(rows.error().message);
        return;
    }
    m_rows = *rows;
    m_info->setText(tr("Keys are stored encrypted; only their first and last characters are shown. Rotate a key after changing it at "
                       "the provider; webhooks signed with the old secret are accepted until the grace period ends."));
    const QLocale locale;
    const auto when = [&locale](std::optional<qint64> ms) {
        return ms ? locale.toString(QDateTime::fromMSecsSinceEpoch(*ms).toLocalTime(), QLocale::ShortFormat) : QString();
    };
    for (const CredentialSummary &row : std::as_const(m_rows)) {
        m_model->appendRow(QList<QStandardItem *>{new QStandardItem(row.companyId ? row.companyName : tr("Platform (all companies)")),
                            new QStandardItem(row.provider),
                            new QStandardItem(row.baseUrl.isEmpty() ? tr("configured default") : row.baseUrl),
                            new QStandardItem(row.secretHint),
                            new QStandardItem(row.webhookSecretHint),
                            new QStandardItem(when(row.createdAtMs)),
                            new QStandardItem(when(row.rotatedAtMs)),
                            new QStandardItem(when(row.previousValidUntilMs))});
    }
    m_table->resizeColumnsToContents();
}

Status SecretsPage::rotate(const Credential &replacement, std::chrono::hours grace)
{
    if (!m_credentials)
        return makeError(ErrorKind::Configuration, u"secrets.no_key"_s, tr("The secrets key is not available on this desktop."));
    auto rotated = m_credentials->rotate(m_admin, replacement, grace);
    if (rotated)
        reload();
    return rotated;
}

void SecretsPage::rotateWithDialog()
{
    const int row = m_table->currentIndex().row();
    if (!m_credentials || row < 0 || row >= m_rows.size()) {
        Q_EMIT statusMessage(tr("Select the credential to rotate."));
        return;
    }
    const CredentialSummary current = m_rows.at(row);
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Rotate %1 key").arg(current.provider));
    auto *form = new QFormLayout(&dialog);
    auto *key = new QLineEdit(&dialog);
    key->setEchoMode(QLineEdit::Password);
    key->setPlaceholderText(tr("the new API key"));
    auto *hook = new QLineEdit(&dialog);
    hook->setEchoMode(QLineEdit::Password);
    hook->setPlaceholderText(tr("empty: keep %1").arg(current.webhookSecretHint.isEmpty() ? tr("none") : current.webhookSecretHint));
    auto *grace = new QSpinBox(&dialog);
    grace->setRange(0, 168);
    grace->setValue(24);
    grace->setSuffix(tr(" h"));
    form->addRow(tr("Account:"), new QLabel(current.companyId ? current.companyName : tr("Platform (all companies)"), &dialog));
    form->addRow(tr("Current key:"), new QLabel(current.secretHint, &dialog));
    form->addRow(tr("&New key:"), key);
    form->addRow(tr("New &webhook secret:"), hook);
    form->addRow(tr("&Grace period:"), grace);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        const Status done = rotate({current.companyId, current.provider, current.baseUrl, key->text().trimmed().toUtf8(),
                                    hook->text().trimmed().toUtf8()},
                                   std::chrono::hours(grace->value()));
        key->clear();
        hook->clear();
        if (!done) {
            QMessageBox::warning(&dialog, dialog.windowTitle(), done.error().message);
            return;
        }
        dialog.accept();
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted)
        Q_EMIT statusMessage(tr("%1 key rotated.").arg(current.provider));
}

void SecretsPage::saveKeyToKeychain()
{
    if (!m_credentials)
        return;
    const Status saved = KeychainKey(m_keychainAccount).write(m_credentials->exportKey());
    if (!saved) {
        QMessageBox::warning(this, tr("System keychain"), saved.error().describe());
        return;
    }
    Q_EMIT statusMessage(tr("The secrets key is now in the system keychain."));
}

} // namespace askpro
