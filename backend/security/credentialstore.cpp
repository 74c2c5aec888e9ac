// Credential storage: ciphertext and nonce in the database, the key outside it.
#include "security/credentialstore.h"

#include "core/clock.h"
#include "db/database.h"
#include "support/auditlog.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace askpro {

CredentialStore::CredentialStore(Database &db, SecretBox box) : m_db(db), m_box(std::move(box)) {}

QString CredentialStore::mask(const QByteArray &secret)
{
    if (secret.size() <= 10)
        return u"••••"_s;
    return QString::fromUtf8(secret.left(4)) + u"…"_s + QString::fromUtf8(secret.right(4));
}

namespace {

QVariant blob(const QByteArray &bytes)
{
    return bytes.isNull() ? Database::null() : QVariant(bytes);
}

// Audit rows of credential changes: which provider and company, and the masked hints, never a secret.
QString hintsJson(const Credential &c, const QString &secretHint, const QString &webhookHint, const QString &baseUrl)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{u"provider"_s, c.provider},
                                                       {u"company_id"_s, c.companyId ? QJsonValue(double(*c.companyId)) : QJsonValue()},
                                                       {u"secret"_s, secretHint},
                                                       {u"webhook_secret"_s, webhookHint},
                                                       {u"base_url"_s, baseUrl}})
                                 .toJson(QJsonDocument::Compact));
}

// The API key is sealed together with the address it may be sent to, so an address changed in the database
// alone (to receive the key elsewhere) no longer matches: "\0askpro-url\0" + base URL + "\0" + key. Keys
// sealed before that (no prefix) are sealed again with their address at the first start with the key.
const QByteArray urlTag = QByteArrayLiteral("\0askpro-url\0");

QByteArray withAddress(const QString &baseUrl, const QByteArray &secret)
{
    return urlTag + baseUrl.toUtf8() + '\0' + secret;
}

struct OpenedSecret
{
    QByteArray secret;
    std::optional<QString> baseUrl; // none: sealed before keys carried their address (see urlTag)
};

OpenedSecret splitAddress(const QByteArray &plain)
{
    if (!plain.startsWith(urlTag))
        return {plain, std::nullopt};
    const qsizetype end = plain.indexOf('\0', urlTag.size());
    if (end < 0)
        return {plain, std::nullopt};
    return {plain.mid(end + 1), QString::fromUtf8(plain.mid(urlTag.size(), end - urlTag.size()))};
}

} // namespace

Status CredentialStore::put(const Credential &c, const Actor &by)
{
    // The platform's own keys serve every company (and its Stripe account takes every payment): only who
    // manages secrets may set them, whichever screen or route asks.
    if (!c.companyId) {
        if (auto allowed = by.require(Permission::ManageSecrets); !allowed)
            return allowed;
    }
    return store(c, by, std::nullopt);
}

Status CredentialStore::rotate(const Actor &by, const Credential &replacement, std::chrono::hours grace)
{
    if (auto allowed = by.require(Permission::ManageSecrets); !allowed)
        return allowed;
    if (replacement.secret.isEmpty())
        return makeError(ErrorKind::Invalid, u"credentials.empty"_s, tr("The new key is empty."));
    return store(replacement, by, grace);
}

Status CredentialStore::store(const Credential &c, const Actor &by, std::optional<std::chrono::hours> grace)
{
    if (c.baseUrl.contains(QChar(0)))
        return makeError(ErrorKind::Invalid, u"credentials.base_url"_s, tr("The address holds a NUL character."));
    const QVariant company = c.companyId ? QVariant(*c.companyId) : Database::null();
    const qint64 now = nowMs();
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto existing = m_db.exec(u"SELECT id, secret_nonce, secret_ciphertext, webhook_secret_nonce, webhook_secret_ciphertext, hint, "
                              "webhook_hint, base_url FROM api_credentials WHERE provider = ? AND "_s
                                  + (c.companyId ? u"company_id = ?"_s : u"company_id IS NULL"_s),
                              c.companyId ? QVariantList{c.provider, company} : QVariantList{c.provider});
    if (!existing)
        return existing.error();
    QByteArray webhookSecret = c.webhookSecret;
    if (!existing->next()) {
        existing->finish();
        const Sealed secret = m_box.seal(withAddress(c.baseUrl, c.secret));
        const Sealed hook = m_box.seal(webhookSecret);
        auto inserted = m_db.insert(u"INSERT INTO api_credentials (company_id, provider, base_url, secret_nonce, secret_ciphertext, "
                                    "webhook_secret_nonce, webhook_secret_ciphertext, hint, webhook_hint, created_at, rotated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                    {company, c.provider, c.baseUrl, secret.nonce, secret.ciphertext, hook.nonce, hook.ciphertext,
                                     mask(c.secret), webhookSecret.isEmpty() ? QString() : mask(webhookSecret), now, Database::null()});
        if (!inserted)
            return inserted.error();
        if (auto logged = AuditLog(m_db).write(by, u"credentials.store"_s, u"api_credentials"_s, *inserted, QString(),
                                               hintsJson(c, mask(c.secret), webhookSecret.isEmpty() ? QString() : mask(webhookSecret), c.baseUrl));
            !logged)
            return logged.error();
        return tx.commit();
    }
    const qint64 id = existing->value(0).toLongLong();
    const QByteArray oldSecretNonce = existing->value(1).toByteArray();
    const QByteArray oldSecretCipher = existing->value(2).toByteArray();
    const QByteArray oldHookNonce = existing->value(3).toByteArray();
    const QByteArray oldHookCipher = existing->value(4).toByteArray();
    const QString oldHint = existing->value(5).toString();
    const QString oldWebhookHint = existing->value(6).toString();
    const QString oldBaseUrl = existing->value(7).toString();
    existing->finish();
    if (grace && webhookSecret.isEmpty() && !oldHookCipher.isEmpty()) {
        auto kept = m_box.open({oldHookNonce, oldHookCipher});
        if (!kept)
            return kept.error();
        webhookSecret = *kept;
    }
    const Sealed secret = m_box.seal(withAddress(c.baseUrl, c.secret));
    const Sealed hook = m_box.seal(webhookSecret);
    const QString webhookHint = webhookSecret.isEmpty() ? QString() : mask(webhookSecret);
    // Without a grace period the replaced secrets are forgotten at once.
    const QVariantList previous = grace ? QVariantList{blob(oldSecretNonce), blob(oldSecretCipher), blob(oldHookNonce), blob(oldHookCipher),
                                                       now + qint64(std::chrono::duration_cast<std::chrono::milliseconds>(*grace).count())}
                                        : QVariantList{Database::null(), Database::null(), Database::null(), Database::null(), Database::null()};
    auto q = m_db.exec(u"UPDATE api_credentials SET base_url = ?, secret_nonce = ?, secret_ciphertext = ?, webhook_secret_nonce = ?, "
                       "webhook_secret_ciphertext = ?, hint = ?, webhook_hint = ?, rotated_at = ?, previous_secret_nonce = ?, "
                       "previous_secret_ciphertext = ?, previous_webhook_secret_nonce = ?, previous_webhook_secret_ciphertext = ?, "
                       "previous_valid_until = ? WHERE id = ?"_s,
                       QVariantList{c.baseUrl, secret.nonce, secret.ciphertext, hook.nonce, hook.ciphertext, mask(c.secret), webhookHint, now}
                           + previous + QVariantList{id});
    if (!q)
        return q.error();
    if (auto logged = AuditLog(m_db).write(by, grace ? u"credentials.rotate"_s : u"credentials.replace"_s, u"api_credentials"_s, id,
                                           hintsJson(c, oldHint, oldWebhookHint, oldBaseUrl), hintsJson(c, mask(c.secret), webhookHint, c.baseUrl));
        !logged)
        return logged.error();
    return tx.commit();
}

Result<QList<CredentialSummary>> CredentialStore::summaries(const Actor &by)
{
    if (auto allowed = by.require(Permission::ManageSecrets); !allowed)
        return allowed.error();
    auto q = m_db.exec(u"SELECT a.id, a.company_id, COALESCE(c.name, ''), a.provider, a.base_url, a.hint, a.webhook_hint, a.created_at, "
                       "a.rotated_at, a.previous_valid_until FROM api_credentials a LEFT JOIN companies c ON c.id = a.company_id "
                       "ORDER BY CASE WHEN a.company_id IS NULL THEN 0 ELSE 1 END, c.name, a.provider"_s);
    if (!q)
        return q.error();
    QList<CredentialSummary> result;
    const qint64 now = nowMs();
    while (q->next()) {
        CredentialSummary s;
        s.id = q->value(0).toLongLong();
        if (!q->value(1).isNull())
            s.companyId = q->value(1).toLongLong();
        s.companyName = q->value(2).toString();
        s.provider = q->value(3).toString();
        s.baseUrl = q->value(4).toString();
        s.secretHint = q->value(5).toString();
        s.webhookSecretHint = q->value(6).toString();
        s.createdAtMs = q->value(7).toLongLong();
        if (!q->value(8).isNull())
            s.rotatedAtMs = q->value(8).toLongLong();
        if (!q->value(9).isNull() && q->value(9).toLongLong() > now)
            s.previousValidUntilMs = q->value(9).toLongLong();
        result.append(s);
    }
    return result;
}

Result<int> CredentialStore::reencrypt(const Actor &by, const SecretBox &next)
{
    if (auto allowed = by.require(Permission::ManageSecrets); !allowed)
        return allowed.error();
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto q = m_db.exec(u"SELECT id, secret_nonce, secret_ciphertext, webhook_secret_nonce, webhook_secret_ciphertext, previous_secret_nonce, "
                       "previous_secret_ciphertext, previous_webhook_secret_nonce, previous_webhook_secret_ciphertext FROM api_credentials"_s);
    if (!q)
        return q.error();
    struct Row
    {
        qint64 id;
        QList<QByteArray> plain; // secret, webhook secret, previous secret, previous webhook secret (null: none)
    };
    QList<Row> rows;
    while (q->next()) {
        Row row{q->value(0).toLongLong(), {}};
        for (int column = 1; column < 9; column += 2) {
            if (q->value(column + 1).isNull() || q->value(column + 1).toByteArray().isEmpty()) {
                row.plain.append(QByteArray());
                continue;
            }
            auto opened = m_box.open({q->value(column).toByteArray(), q->value(column + 1).toByteArray()});
            if (!opened)
                return opened.error();
            row.plain.append(opened->isNull() ? QByteArray("") : *opened);
        }
        rows.append(row);
    }
    q->finish();
    for (const Row &row : rows) {
        QVariantList params;
        for (const QByteArray &plain : row.plain) {
            if (plain.isNull()) {
                params << Database::null() << Database::null();
                continue;
            }
            const Sealed sealed = next.seal(plain);
            params << sealed.nonce << sealed.ciphertext;
        }
        params << row.id;
        auto updated = m_db.exec(u"UPDATE api_credentials SET secret_nonce = ?, secret_ciphertext = ?, webhook_secret_nonce = ?, "
                                 "webhook_secret_ciphertext = ?, previous_secret_nonce = ?, previous_secret_ciphertext = ?, "
                                 "previous_webhook_secret_nonce = ?, previous_webhook_secret_ciphertext = ? WHERE id = ?"_s,
                                 params);
        if (!updated)
            return updated.error();
    }
    if (auto logged = AuditLog(m_db).write(by, u"credentials.reencrypt"_s, u"api_credentials"_s, 0, QString(),
                                           QString::fromUtf8(QJsonDocument(QJsonObject{{u"rows"_s, int(rows.size())}}).toJson(QJsonDocument::Compact)));
        !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    m_box = next;
    return int(rows.size());
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
    OpenedSecret opened = splitAddress(*secret);
    // The key goes only where it was sealed to go; an address without a seal only when it is the default.
    if (opened.baseUrl ? *opened.baseUrl != c.baseUrl : !c.baseUrl.isEmpty()) {
        const QString owner = c.companyId ? tr("company %1").arg(*c.companyId) : tr("the platform");
        return makeError(ErrorKind::Configuration, u"credentials.base_url_changed"_s,
                         tr("The address of the %1 credential of %2 was changed in the database to \"%3\" without the key; the key "
                            "is not sent there. Store the credential again (Provider keys page) if the address is meant.")
                             .arg(provider, owner, c.baseUrl));
    }
    c.secret = opened.secret;
    if (!q->value(4).isNull()) {
        auto hook = m_box.open({q->value(4).toByteArray(), q->value(5).toByteArray()});
        if (!hook)
            return hook.error();
        c.webhookSecret = *hook;
    }
    return c;
}

Result<QList<SigningKey>> CredentialStore::signingKeys(const QString &provider)
{
    auto q = m_db.exec(u"SELECT company_id, secret_nonce, secret_ciphertext, webhook_secret_nonce, webhook_secret_ciphertext, previous_secret_nonce, "
                       "previous_secret_ciphertext, previous_webhook_secret_nonce, previous_webhook_secret_ciphertext, previous_valid_until "
                       "FROM api_credentials WHERE provider = ?"_s,
                       {provider});
    if (!q)
        return q.error();
    QList<SigningKey> keys;
    // Retell signs with the API key itself, Twilio with the auth token (the secret is "AccountSid:AuthToken");
    // Cal.com and Stripe with a separate webhook secret.
    const bool twilio = provider == u"twilio"_s;
    const int column = provider == u"retell"_s || twilio ? 1 : 3;
    const qint64 now = nowMs();
    const auto add = [&](int nonceColumn, const std::optional<qint64> &company) {
        if (q->value(nonceColumn + 1).toByteArray().isEmpty())
            return;
        auto opened = m_box.open({q->value(nonceColumn).toByteArray(), q->value(nonceColumn + 1).toByteArray()});
        if (!opened)
            return;
        // Verifying what arrives sends nothing anywhere: the sealed address does not matter here.
        QByteArray key = splitAddress(*opened).secret;
        if (twilio)
            key = key.mid(key.indexOf(':') + 1);
        if (key.isEmpty())
            return;
        for (const SigningKey &known : std::as_const(keys))
            if (known.key == key && known.companyId == company)
                return;
        keys.append({key, company});
    };
    while (q->next()) {
        const std::optional<qint64> company = q->value(0).isNull() ? std::nullopt : std::optional<qint64>(q->value(0).toLongLong());
        add(column, company);
        if (!q->value(9).isNull() && q->value(9).toLongLong() > now)
            add(column + 4, company);
    }
    return keys;
}

Result<int> CredentialStore::sealAddresses()
{
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto q = m_db.exec(u"SELECT id, base_url, secret_nonce, secret_ciphertext FROM api_credentials"_s);
    if (!q)
        return q.error();
    QList<std::pair<qint64, Sealed>> resealed;
    while (q->next()) {
        auto plain = m_box.open({q->value(2).toByteArray(), q->value(3).toByteArray()});
        if (!plain)
            return plain.error();
        if (plain->startsWith(urlTag))
            continue;
        resealed.append({q->value(0).toLongLong(), m_box.seal(withAddress(q->value(1).toString(), *plain))});
    }
    q->finish();
    for (const auto &[id, sealed] : std::as_const(resealed)) {
        auto updated = m_db.exec(u"UPDATE api_credentials SET secret_nonce = ?, secret_ciphertext = ? WHERE id = ?"_s, {sealed.nonce, sealed.ciphertext, id});
        if (!updated)
            return updated.error();
    }
    if (!resealed.isEmpty()) {
        if (auto logged = AuditLog(m_db).write(Actor::system(u"askpro"_s), u"credentials.seal_addresses"_s, u"api_credentials"_s, 0, QString(),
                                               QString::fromUtf8(QJsonDocument(QJsonObject{{u"rows"_s, int(resealed.size())}}).toJson(QJsonDocument::Compact)));
            !logged)
            return logged.error();
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return int(resealed.size());
}

} // namespace askpro
