// Provider credentials per company (or the platform's own), stored encrypted in api_credentials.
#pragma once

#include "core/result.h"
#include "intake/signatures.h"
#include "security/accesspolicy.h"
#include "security/secretbox.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <chrono>
#include <optional>

namespace askpro {

class Database;

struct Credential
{
    std::optional<qint64> companyId; // empty: the platform's own account
    QString provider;                // "retell" | "calcom" | "stripe" | "smtp"
    QString baseUrl;                 // empty: the configured default
    QByteArray secret;               // API key or password
    QByteArray webhookSecret;        // may be empty
};

// What screens may know of a stored credential: never the secret, only its masked hints.
struct CredentialSummary
{
    qint64 id = 0;
    std::optional<qint64> companyId;
    QString companyName; // empty for the platform's own account
    QString provider;
    QString baseUrl;
    QString secretHint;
    QString webhookSecretHint;
    qint64 createdAtMs = 0;
    std::optional<qint64> rotatedAtMs;
    std::optional<qint64> previousValidUntilMs; // the replaced secret still verifies webhooks until then
};

class CredentialStore final
{
    Q_DECLARE_TR_FUNCTIONS(CredentialStore)
public:
    CredentialStore(Database &db, SecretBox box);

    // Stores or replaces the credential for this company and provider; the replaced one stops working at
    // once. Audited (hints only) under `by`. A platform row (no company) needs Permission::ManageSecrets.
    [[nodiscard]] Status put(const Credential &credential, const Actor &by = Actor::system(QStringLiteral("askpro")));
    // Replaces the credential but lets the old secret (and webhook secret) keep verifying incoming
    // webhooks for `grace`, so deliveries signed before the provider switched are not refused.
    // An empty replacement webhook secret keeps the current one. Needs Permission::ManageSecrets.
    [[nodiscard]] Status rotate(const Actor &by, const Credential &replacement, std::chrono::hours grace = std::chrono::hours(24));
    // Masked summaries for the secrets page; needs Permission::ManageSecrets.
    [[nodiscard]] Result<QList<CredentialSummary>> summaries(const Actor &by);
    // Seals every stored secret again under `next` in one transaction (the key rotation); returns how many
    // rows changed. Afterwards only `next` opens them.
    [[nodiscard]] Result<int> reencrypt(const Actor &by, const SecretBox &next);
    // Seals every key stored before keys carried their address (see get()) together with its row's current
    // address; run at each start with the key, it changes nothing once every row is sealed. Returns how many.
    [[nodiscard]] Result<int> sealAddresses();
    // The company's credential, falling back to the platform's; Configuration error when neither exists.
    // A base_url that differs from the one sealed with the key (changed in the database alone) is refused
    // (credentials.base_url_changed), so the key is never sent to an address only the database names.
    [[nodiscard]] Result<Credential> get(std::optional<qint64> companyId, const QString &provider);
    // Every webhook secret (or, for Retell, every API key) that may sign this provider's webhooks, with the
    // company it belongs to, including replaced ones still inside their grace period.
    [[nodiscard]] Result<QList<SigningKey>> signingKeys(const QString &provider);
    // The key of the box, only to keep it in the system keychain (SecretsPage).
    [[nodiscard]] QByteArray exportKey() const { return m_box.exportKey(); }
    // "sk_t…x9Q2" style hint for screens: never more than the first 4 and last 4 characters.
    [[nodiscard]] static QString mask(const QByteArray &secret);

private:
    [[nodiscard]] Status store(const Credential &credential, const Actor &by, std::optional<std::chrono::hours> grace);
    Database &m_db;
    SecretBox m_box;
};

} // namespace askpro
