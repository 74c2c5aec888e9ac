// What a new business's setup needs: company, first branch, services, staff and provider keys, with
// per-field validation and the JSON shared by the wizard's run records and `askpro-server setup --from`.
#pragma once

#include "core/result.h"
#include "integrations/jsonreply.h"

#include <QCoreApplication>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace askpro {

struct SetupService
{
    QString name;
    int minutes = 30;
    qint64 priceCents = 0;
};

struct SetupStaff
{
    QString name;
    QString email;
};

// Keys as typed; never written to setup_runs (the run keeps them in memory until they are stored encrypted).
struct SetupCredentials
{
    QByteArray retellApiKey; // the platform's; empty: use the stored one
    QByteArray calcomApiKey; // the company's own Cal.com account
    QByteArray stripeApiKey; // the platform's; empty: use the stored one, or skip billing when there is none
};

class SetupInput final
{
    Q_DECLARE_TR_FUNCTIONS(SetupInput)
public:
    QString companyName;
    QString companyAddress;
    QString vatId;
    QString billingEmail;
    QString defaultLanguage = QStringLiteral("de");
    QStringList supportedLanguages{QStringLiteral("de")};

    QString branchName;
    QString branchAddress; // empty: the company's address
    QString timeZone = QStringLiteral("Europe/Berlin");
    QString branchLanguage = QStringLiteral("de");
    QString phone; // as typed; normalized to E.164 by the setup

    QList<SetupService> services = defaultServices();
    QList<SetupStaff> staff;
    SetupCredentials credentials;

    // "30 Min Beratung" (30 min) and "60 Min Termin" (60 min), free of charge until edited.
    [[nodiscard]] static QList<SetupService> defaultServices();
    [[nodiscard]] static QStringList languages() { return {QStringLiteral("de"), QStringLiteral("en")}; }

    // Field path -> message for people ("company.name", "services[1].minutes", "credentials.calcom_api_key");
    // empty when everything is valid. Messages are translated.
    [[nodiscard]] QMap<QString, QString> validate() const;
    // All messages joined into one Invalid error, or success.
    [[nodiscard]] Status check() const;
    // The branch number in E.164, or an Invalid error saying why not.
    [[nodiscard]] Result<QString> phoneE164() const;

    // {"company": {...}, "branch": {...}, "services": [...], "staff": [...], "credentials": {...}};
    // withSecrets false leaves the credentials object out (for setup_runs.input).
    [[nodiscard]] Json toJson(bool withSecrets = true) const;
    // Reads that JSON; missing sections keep their defaults. Invalid error on a wrong type.
    [[nodiscard]] static Result<SetupInput> fromJson(const Json &json);
    [[nodiscard]] static Result<SetupInput> fromFile(const QString &path);
};

} // namespace askpro
