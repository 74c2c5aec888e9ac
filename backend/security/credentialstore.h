// Provider credentials per company (or the platform's own), stored encrypted in api_credentials.
#pragma once

#include "core/result.h"
#include "security/secretbox.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

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

class CredentialStore final
{
    Q_DECLARE_TR_FUNCTIONS(CredentialStore)
public:
    CredentialStore(Database &db, SecretBox box);

    // Stores or replaces (rotates) the credential for this company and provider.
    [[nodiscard]] Status put(const Credential &credential);
    // The company's credential, falling back to the platform's; Configuration error when neither exists.
    [[nodiscard]] Result<Credential> get(std::optional<qint64> companyId, const QString &provider);
    // Every webhook secret (or, for Retell, every API key) that may sign this provider's webhooks.
    [[nodiscard]] Result<QList<QByteArray>> signingKeys(const QString &provider);
    // "sk_t…x9Q2" style hint for screens: never more than the first 4 and last 4 characters.
    [[nodiscard]] static QString mask(const QByteArray &secret);

private:
    Database &m_db;
    SecretBox m_box;
};

} // namespace askpro
