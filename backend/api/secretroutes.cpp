// Provider credentials for the admin app: listed masked (no secret ever leaves the server), set or replaced,
// and rotated with a grace period, all through the server's CredentialStore. Re-sealing every secret under a
// new secrets key stays with the server operator (askpro-server credentials).
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "security/credentialstore.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

const QStringList providers{u"retell"_s, u"calcom"_s, u"stripe"_s, u"smtp"_s, u"twilio"_s};

Json summaryJson(const CredentialSummary &s)
{
    const auto optional = [](const std::optional<qint64> &value) { return value ? Json(*value) : Json(nullptr); };
    return Json{{"id", s.id},
                {"company_id", optional(s.companyId)},
                {"company", s.companyName.toStdString()},
                {"provider", s.provider.toStdString()},
                {"base_url", s.baseUrl.toStdString()},
                {"secret_hint", s.secretHint.toStdString()},
                {"webhook_secret_hint", s.webhookSecretHint.toStdString()},
                {"created_at", s.createdAtMs},
                {"rotated_at", optional(s.rotatedAtMs)},
                {"previous_valid_until", optional(s.previousValidUntilMs)}};
}

Error invalid(const QString &name, const QString &expected)
{
    return makeError(ErrorKind::Invalid, u"parameter."_s + name, AdminApi::tr("Parameter %1: %2.").arg(name, expected));
}

// The credential a body describes: company_id (absent or null: the platform's own), provider, base_url,
// secret and webhook_secret. The secrets are only ever read from a request, never answered.
Result<Credential> credentialOf(Database &db, const ApiRequest &r)
{
    Credential c;
    if (r.body.is_object() && r.body.contains("company_id") && !r.body.at("company_id").is_null()) {
        const Json &value = r.body.at("company_id");
        if (!value.is_number_integer() || value.get<qint64>() <= 0)
            return invalid(u"company_id"_s, AdminApi::tr("a positive whole number is expected"));
        auto known = db.scalar(u"SELECT COUNT(*) FROM companies WHERE id = ?"_s, {value.get<qint64>()});
        if (!known)
            return known.error();
        if (known->toLongLong() == 0)
            return makeError(ErrorKind::NotFound, u"company.missing"_s, AdminApi::tr("No such company."));
        c.companyId = value.get<qint64>();
    }
    auto provider = r.bodyText("provider");
    if (!provider)
        return provider.error();
    if (!providers.contains(*provider))
        return invalid(u"provider"_s, AdminApi::tr("one of %1 is expected").arg(providers.join(u", "_s)));
    c.provider = *provider;
    auto baseUrl = r.bodyText("base_url", false);
    if (!baseUrl)
        return baseUrl.error();
    c.baseUrl = baseUrl->trimmed();
    auto secret = r.bodyText("secret");
    if (!secret)
        return secret.error();
    if (secret->trimmed().isEmpty())
        return invalid(u"secret"_s, AdminApi::tr("this field is required"));
    c.secret = secret->trimmed().toUtf8();
    auto webhookSecret = r.bodyText("webhook_secret", false);
    if (!webhookSecret)
        return webhookSecret.error();
    c.webhookSecret = webhookSecret->trimmed().toUtf8();
    return c;
}

} // namespace

QList<ApiRoute> secretRoutes(const ApiContext &context)
{
    Database &db = context.db;
    CredentialStore &credentials = context.credentials;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/credentials"_s, A::Permission, Permission::ManageSecrets, IdScope::None, false,
                   u"Every stored provider credential, masked (first and last characters only)"_s,
                   [&credentials](const ApiRequest &r) -> Result<ApiReply> {
                       auto rows = credentials.summaries(r.actor);
                       if (!rows)
                           return rows.error();
                       Json items = Json::array();
                       for (const CredentialSummary &row : *rows)
                           items.push_back(summaryJson(row));
                       return ApiReply::json(Json{{"items", items}});
                   }});
    routes.append({"POST", u"/api/v1/credentials"_s, A::Permission, Permission::ManageSecrets, IdScope::None, false,
                   u"Sets or replaces the credential of a company (or the platform) for one provider; a replaced one stops at once"_s,
                   [&db, &credentials](const ApiRequest &r) -> Result<ApiReply> {
                       auto credential = credentialOf(db, r);
                       if (!credential)
                           return credential.error();
                       if (auto stored = credentials.put(*credential, r.actor); !stored)
                           return stored.error();
                       return ApiReply::noContent();
                   },
                   QByteArray(R"({"provider": "calcom", "secret": "cal_live_matrix_key_0001", "webhook_secret": "whsec_matrix_0001"})")});
    routes.append({"POST", u"/api/v1/credentials/rotate"_s, A::Permission, Permission::ManageSecrets, IdScope::None, false,
                   u"Rotates a credential: the old secret keeps verifying webhooks for grace_hours (default 24, at most 168)"_s,
                   [&db, &credentials](const ApiRequest &r) -> Result<ApiReply> {
                       auto credential = credentialOf(db, r);
                       if (!credential)
                           return credential.error();
                       qint64 grace = 24;
                       if (r.body.contains("grace_hours")) {
                           const Json &value = r.body.at("grace_hours");
                           if (!value.is_number_integer() || value.get<qint64>() < 0 || value.get<qint64>() > 168)
                               return invalid(u"grace_hours"_s, AdminApi::tr("a whole number from %1 to %2 is expected").arg(0).arg(168));
                           grace = value.get<qint64>();
                       }
                       // Without base_url the stored one is kept: a rotation changes the secret, not where it is used.
                       // The address sealed with the key, not the column: a column changed in the database alone
                       // is refused here too, rather than sealed with the new key.
                       if (!r.body.contains("base_url")) {
                           if (auto rows = credentials.summaries(r.actor); !rows)
                               return rows.error();
                           auto current = credentials.get(credential->companyId, credential->provider);
                           if (!current && current.error().code != u"credentials.missing"_s)
                               return current.error();
                           if (current && current->companyId == credential->companyId)
                               credential->baseUrl = current->baseUrl;
                       }
                       if (auto rotated = credentials.rotate(r.actor, *credential, std::chrono::hours(grace)); !rotated)
                           return rotated.error();
                       return ApiReply::noContent();
                   },
                   QByteArray(R"({"provider": "stripe", "secret": "sk_test_matrix_key_0002", "grace_hours": 2})")});
    return routes;
}

} // namespace askpro
