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
    QByteArray sipPassword = {}; // the carrier SIP trunk's password (branch.sip.password in the JSON), for importing the number
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
    // Importing the number over SIP when Retell does not hold it yet: the carrier trunk's termination host
    // (a bare host name such as the carrier's trunk host) and the trunk's user and password. Never a placeholder:
    // without a host, a number Retell does not hold stops the phone step with a reason.
    QString sipTerminationHost;
    QString sipUser; // the trunk's password is a secret: credentials.sipPassword
    // Buying the number at Retell instead (US and Canada only): a given number (phone), or any free number of
    // the area code in the country. The bought number becomes `phone` once the phone step has bought it.
    bool buyNumber = false;
    QString areaCode;                          // three digits; used when phone is empty
    QString countryCode = QStringLiteral("US"); // US | CA

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
    // Buying with an area code and no number yet: the number is known only after the phone step.
    [[nodiscard]] bool numberPending() const { return buyNumber && phone.trimmed().isEmpty(); }
    [[nodiscard]] static QStringList buyCountries() { return {QStringLiteral("US"), QStringLiteral("CA")}; }
    // A SIP termination host as Retell takes it: a host name with at least one dot, no scheme, port or path.
    [[nodiscard]] static bool isSipHost(const QString &host);

    // {"company": {...}, "branch": {...}, "services": [...], "staff": [...], "credentials": {...}};
    // withSecrets false leaves the credentials object out (for setup_runs.input).
    [[nodiscard]] Json toJson(bool withSecrets = true) const;
    // Reads that JSON; missing sections keep their defaults. Invalid error on a wrong type.
    [[nodiscard]] static Result<SetupInput> fromJson(const Json &json);
    [[nodiscard]] static Result<SetupInput> fromFile(const QString &path);
};

} // namespace askpro
