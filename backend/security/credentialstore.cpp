// Credential storage: ciphertext and nonce in the database, the key outside it.
#include "security/credentialstore.h"

#include "core/clock.h"
#include "db/database.h"

using namespace Qt::StringLiterals;

namespace askpro {

CredentialStore::CredentialStore(Database &db, SecretBox box) : m_db(db), m_box(std::move(box)) {}

QString CredentialStore::mask(const QByteArray &secret)
{
    if (secret.size() <= 10)
        return u"••••"_s;
    return QString::fromUtf8(secret.left(4)) + u"…"_s + QString::fromUtf8(secret.right(4));
}

Status CredentialStore::put(const Credential &c)
{
    const Sealed secret = m_box.seal(c.secret);
    const Sealed hook = m_box.seal(c.webhookSecret);
    const QVariant company = c.companyId ? QVariant(*c.companyId) : Database::null();
    const qint64 now = nowMs();
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto removed = c.companyId
        ? m_db.exec(u"DELETE FROM api_credentials WHERE company_id = ? AND provider = ?"_s, {company, c.provider})
        : m_db.exec(u"DELETE FROM api_credentials WHERE company_id IS NULL AND provider = ?"_s, {c.provider});
    if (!removed)
        return removed.error();
    auto q = m_db.exec(u"INSERT INTO api_credentials (company_id, provider, base_url, secret_nonce, secret_ciphertext, "
                       "webhook_secret_nonce, webhook_secret_ciphertext, hint, created_at, rotated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                       {company, c.provider, c.baseUrl, secret.nonce, secret.ciphertext, hook.nonce, hook.ciphertext,
                        mask(c.secret), now, now});
    if (!q)
        return q.error();
    return tx.commit();
}

Result<Credential> CredentialStore::get(std::optional<qint64> companyId, const QString &provider)
{
    auto q = m_db.exec(u"SELECT company_id, base_url, secret_nonce, secret_ciphertext, webhook_secret_nonce, webhook_secret_ciphertext "
                       "FROM api_credentials WHERE provider = ? AND (company_id = ? OR company_id IS NULL) "
                       "ORDER BY CASE WHEN company_id IS NULL THEN 1 ELSE 0 END LIMIT 1"_s,
                       {provider, companyId ? QVariant(*companyId) : QVariant(qint64(-1))});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::Configuration, u"credentials.missing"_s,
                         tr("No %1 credentials are configured for this company").arg(provider));
    Credential c;
    if (!q->value(0).isNull())
        c.companyId = q->value(0).toLongLong();
    c.provider = provider;
    c.baseUrl = q->value(1).toString();
    auto secret = m_box.open({q->value(2).toByteArray(), q->value(3).toByteArray()});
    if (!secret)
        return secret.error();
    c.secret = *secret;
    if (!q->value(4).isNull()) {
        auto hook = m_box.open({q->value(4).toByteArray(), q->value(5).toByteArray()});
        if (!hook)
            return hook.error();
        c.webhookSecret = *hook;
    }
    return c;
}

Result<QList<QByteArray>> CredentialStore::signingKeys(const QString &provider)
{
    auto q = m_db.exec(u"SELECT secret_nonce, secret_ciphertext, webhook_secret_nonce, webhook_secret_ciphertext "
                       "FROM api_credentials WHERE provider = ?"_s,
                       {provider});
    if (!q)
        return q.error();
    QList<QByteArray> keys;
    // Retell signs with the API key itself; Cal.com and Stripe with a separate webhook secret.
    const bool apiKeySigns = provider == u"retell"_s;
    while (q->next()) {
        auto key = apiKeySigns ? m_box.open({q->value(0).toByteArray(), q->value(1).toByteArray()})
                               : m_box.open({q->value(2).toByteArray(), q->value(3).toByteArray()});
        if (key && !key->isEmpty())
            keys.append(*key);
    }
    return keys;
}

} // namespace askpro
