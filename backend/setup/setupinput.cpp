// Setup input: validation with a message per field, and the JSON form (file, run record).
#include "setup/setupinput.h"

#include "domain/phonenumbers.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

bool isEmail(const QString &text)
{
    static const QRegularExpression pattern(u"^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"_s);
    return pattern.match(text.trimmed()).hasMatch();
}

std::string str(const QString &text)
{
    return text.toStdString();
}

std::string str(const QByteArray &bytes)
{
    return bytes.toStdString();
}

} // namespace

QList<SetupService> SetupInput::defaultServices()
{
    return {{u"30 Min Beratung"_s, 30, 0}, {u"60 Min Termin"_s, 60, 0}};
}

Result<QString> SetupInput::phoneE164() const
{
    return PhoneNumbers::toE164(phone);
}

QMap<QString, QString> SetupInput::validate() const
{
    QMap<QString, QString> errors;
    const QStringList known = languages();
    if (companyName.trimmed().size() < 2)
        errors.insert(u"company.name"_s, tr("Enter the company's name."));
    if (companyAddress.trimmed().isEmpty())
        errors.insert(u"company.address"_s, tr("Enter the company's postal address: it appears on every invoice."));
    if (!vatId.trimmed().isEmpty()) {
        static const QRegularExpression any(u"^[A-Z]{2}[0-9A-Z]{2,13}$"_s);
        static const QRegularExpression german(u"^DE[0-9]{9}$"_s);
        const QString id = vatId.trimmed().toUpper().remove(u' ');
        if (!any.match(id).hasMatch() || (id.startsWith(u"DE"_s) && !german.match(id).hasMatch()))
            errors.insert(u"company.vat_id"_s, tr("A VAT id is a country code and digits, e.g. DE123456789 (leave empty if there is none)."));
    }
    if (!isEmail(billingEmail))
        errors.insert(u"company.billing_email"_s, tr("Enter the e-mail address invoices go to, e.g. rechnung@praxis.de."));
    if (!known.contains(defaultLanguage))
        errors.insert(u"company.default_language"_s, tr("The default language must be German (de) or English (en)."));
    if (supportedLanguages.isEmpty())
        errors.insert(u"company.supported_languages"_s, tr("Choose at least one language the agent speaks."));
    for (const QString &language : supportedLanguages)
        if (!known.contains(language))
            errors.insert(u"company.supported_languages"_s, tr("Unknown language \"%1\": German (de) and English (en) are supported.").arg(language));
    if (!supportedLanguages.isEmpty() && !supportedLanguages.contains(defaultLanguage) && !errors.contains(u"company.default_language"_s))
        errors.insert(u"company.default_language"_s, tr("The default language must be one of the supported languages."));

    if (branchName.trimmed().isEmpty())
        errors.insert(u"branch.name"_s, tr("Enter the branch's name, e.g. \"Praxis Mitte\"."));
    if (!QTimeZone(timeZone.toUtf8()).isValid())
        errors.insert(u"branch.time_zone"_s, tr("Unknown time zone \"%1\": use a name like Europe/Berlin.").arg(timeZone));
    if (!known.contains(branchLanguage))
        errors.insert(u"branch.language"_s, tr("The branch's language must be German (de) or English (en)."));
    else if (!supportedLanguages.contains(branchLanguage) && !errors.contains(u"company.supported_languages"_s))
        errors.insert(u"branch.language"_s, tr("The branch's language must be one of the company's supported languages."));
    if (buyNumber) {
        // Retell sells numbers of the US and Canada only (NANP: +1, area codes 2xx-9xx).
        static const QRegularExpression areaPattern(u"^[2-9][0-9]{2}$"_s);
        if (!buyCountries().contains(countryCode))
            errors.insert(u"branch.buy.country_code"_s,
                          tr("Retell sells numbers in the US (US) and Canada (CA) only; import a number from elsewhere over "
                             "your carrier's SIP trunk."));
        if (phone.trimmed().isEmpty()) {
            if (!areaPattern.match(areaCode.trimmed()).hasMatch())
                errors.insert(u"branch.buy.area_code"_s, tr("Enter the three-digit area code to buy a number in, e.g. 415."));
        } else if (auto e164 = phoneE164(); !e164) {
            errors.insert(u"branch.phone"_s, e164.error().message);
        } else if (!e164->startsWith(u"+1"_s)) {
            errors.insert(u"branch.phone"_s, tr("Retell sells US and Canadian numbers only (+1 …); import %1 over your carrier's SIP "
                                                "trunk instead.").arg(*e164));
        }
    } else if (phone.trimmed().isEmpty())
        errors.insert(u"branch.phone"_s, tr("Enter the number callers dial."));
    else if (auto e164 = phoneE164(); !e164)
        errors.insert(u"branch.phone"_s, e164.error().message);
    if (!sipTerminationHost.trimmed().isEmpty() && !isSipHost(sipTerminationHost.trimmed()))
        errors.insert(u"branch.sip.termination_host"_s,
                      tr("\"%1\" is not a SIP host name: enter the carrier trunk's host alone, such as trunk.carrier.example, "
                         "without sip:, port or path.").arg(sipTerminationHost.trimmed()));
    if (sipTerminationHost.trimmed().isEmpty() && (!sipUser.isEmpty() || !credentials.sipPassword.isEmpty()))
        errors.insert(u"branch.sip.termination_host"_s, tr("Enter the SIP trunk's termination host for its user and password."));
    if (!credentials.sipPassword.isEmpty() && sipUser.trimmed().isEmpty())
        errors.insert(u"branch.sip.user"_s, tr("Enter the SIP trunk's user name for its password."));

    if (services.isEmpty())
        errors.insert(u"services"_s, tr("Add at least one service callers can book."));
    QSet<QString> serviceNames;
    for (qsizetype i = 0; i < services.size(); ++i) {
        const SetupService &s = services.at(i);
        const QString key = u"services[%1]"_s.arg(i);
        if (s.name.trimmed().isEmpty())
            errors.insert(key + u".name"_s, tr("Service %1 needs a name.").arg(i + 1));
        else if (serviceNames.contains(s.name.trimmed().toLower()))
            errors.insert(key + u".name"_s, tr("\"%1\" is listed twice.").arg(s.name.trimmed()));
        serviceNames.insert(s.name.trimmed().toLower());
        if (s.minutes < 5 || s.minutes > 480)
            errors.insert(key + u".minutes"_s, tr("\"%1\" must last between 5 and 480 minutes.").arg(s.name.trimmed()));
        if (s.priceCents < 0)
            errors.insert(key + u".price"_s, tr("\"%1\" cannot have a negative price.").arg(s.name.trimmed()));
    }
    QSet<QString> emails;
    for (qsizetype i = 0; i < staff.size(); ++i) {
        const SetupStaff &p = staff.at(i);
        const QString key = u"staff[%1]"_s.arg(i);
        if (p.name.trimmed().isEmpty())
            errors.insert(key + u".name"_s, tr("Staff member %1 needs a name.").arg(i + 1));
        if (!isEmail(p.email))
            errors.insert(key + u".email"_s, tr("%1 needs a valid e-mail address.").arg(p.name.trimmed().isEmpty() ? tr("Staff member %1").arg(i + 1)
                                                                                                                 : p.name.trimmed()));
        else if (emails.contains(p.email.trimmed().toLower()))
            errors.insert(key + u".email"_s, tr("%1 is listed twice.").arg(p.email.trimmed()));
        emails.insert(p.email.trimmed().toLower());
    }

    if (credentials.calcomApiKey.trimmed().isEmpty())
        errors.insert(u"credentials.calcom_api_key"_s, tr("Enter the company's Cal.com API key (Cal.com: Settings > Developer > API keys)."));
    else if (!credentials.calcomApiKey.startsWith("cal_"))
        errors.insert(u"credentials.calcom_api_key"_s, tr("A Cal.com API key starts with cal_live_ or cal_test_."));
    if (!credentials.stripeApiKey.isEmpty() && !credentials.stripeApiKey.startsWith("sk_") && !credentials.stripeApiKey.startsWith("rk_"))
        errors.insert(u"credentials.stripe_api_key"_s, tr("A Stripe secret key starts with sk_live_, sk_test_ or rk_ (leave empty to skip billing)."));
    return errors;
}

bool SetupInput::isSipHost(const QString &host)
{
    // Labels of letters, digits and inner hyphens, at least two of them; ".invalid" never resolves (RFC 6761).
    static const QRegularExpression pattern(u"^(?=.{4,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"_s);
    return pattern.match(host).hasMatch() && !host.toLower().endsWith(u".invalid"_s);
}

Status SetupInput::check() const
{
    const auto errors = validate();
    if (errors.isEmpty())
        return {};
    return makeError(ErrorKind::Invalid, u"setup.invalid_input"_s, QStringList(errors.values()).join(u"\n"_s));
}

Json SetupInput::toJson(bool withSecrets) const
{
    Json languagesJson = Json::array();
    for (const QString &language : supportedLanguages)
        languagesJson.push_back(str(language));
    Json servicesJson = Json::array();
    for (const SetupService &s : services)
        servicesJson.push_back({{"name", str(s.name)}, {"duration_minutes", s.minutes}, {"price_cents", s.priceCents}});
    Json staffJson = Json::array();
    for (const SetupStaff &p : staff)
        staffJson.push_back({{"name", str(p.name)}, {"email", str(p.email)}});
    Json json{{"company",
               {{"name", str(companyName)},
                {"address", str(companyAddress)},
                {"vat_id", str(vatId)},
                {"billing_email", str(billingEmail)},
                {"default_language", str(defaultLanguage)},
                {"supported_languages", languagesJson}}},
              {"branch",
               {{"name", str(branchName)},
                {"address", str(branchAddress)},
                {"time_zone", str(timeZone)},
                {"language", str(branchLanguage)},
                {"phone", str(phone)},
                {"sip", {{"termination_host", str(sipTerminationHost)}, {"user", str(sipUser)}}}}},
              {"services", servicesJson},
              {"staff", staffJson}};
    if (buyNumber)
        json["branch"]["buy"] = {{"area_code", str(areaCode)}, {"country_code", str(countryCode)}};
    if (withSecrets && !credentials.sipPassword.isEmpty())
        json["branch"]["sip"]["password"] = str(credentials.sipPassword);
    if (withSecrets)
        json["credentials"] = {{"retell_api_key", str(credentials.retellApiKey)},
                               {"calcom_api_key", str(credentials.calcomApiKey)},
                               {"stripe_api_key", str(credentials.stripeApiKey)}};
    return json;
}

Result<SetupInput> SetupInput::fromJson(const Json &json)
{
    const auto invalid = [](const QString &what) {
        return makeError(ErrorKind::Invalid, u"setup.invalid_json"_s, tr("The setup file is not valid: %1").arg(what));
    };
    if (!json.is_object())
        return invalid(tr("it must be a JSON object"));
    for (const char *section : {"company", "branch", "credentials"})
        if (json.contains(section) && !json[section].is_object())
            return invalid(tr("\"%1\" must be an object").arg(QString::fromLatin1(section)));
    for (const char *section : {"services", "staff"})
        if (json.contains(section) && !json[section].is_array())
            return invalid(tr("\"%1\" must be a list").arg(QString::fromLatin1(section)));
    SetupInput in;
    const Json company = json.value("company", Json::object());
    const auto text = [](const Json &object, const char *key, const QString &fallback) {
        return object.contains(key) && object[key].is_string() ? QString::fromStdString(object[key].get<std::string>()) : fallback;
    };
    in.companyName = text(company, "name", {});
    in.companyAddress = text(company, "address", {});
    in.vatId = text(company, "vat_id", {});
    in.billingEmail = text(company, "billing_email", {});
    in.defaultLanguage = text(company, "default_language", in.defaultLanguage);
    if (company.contains("supported_languages")) {
        const Json &list = company["supported_languages"];
        in.supportedLanguages.clear();
        if (list.is_string()) { // "de,en" as the companies table stores it
            in.supportedLanguages = QString::fromStdString(list.get<std::string>()).split(u',', Qt::SkipEmptyParts);
        } else if (list.is_array()) {
            for (const Json &language : list)
                if (language.is_string())
                    in.supportedLanguages << QString::fromStdString(language.get<std::string>());
        } else {
            return invalid(tr("company.supported_languages must be a list such as [\"de\", \"en\"]"));
        }
        for (QString &language : in.supportedLanguages)
            language = language.trimmed();
    }
    const Json branch = json.value("branch", Json::object());
    in.branchName = text(branch, "name", {});
    in.branchAddress = text(branch, "address", {});
    in.timeZone = text(branch, "time_zone", in.timeZone);
    in.branchLanguage = text(branch, "language", in.defaultLanguage);
    in.phone = text(branch, "phone", {});
    if (branch.contains("sip")) {
        if (!branch["sip"].is_object())
            return invalid(tr("branch.sip must be an object with termination_host, user and password"));
        const Json &sip = branch["sip"];
        in.sipTerminationHost = text(sip, "termination_host", {}).trimmed();
        in.sipUser = text(sip, "user", {}).trimmed();
        in.credentials.sipPassword = text(sip, "password", {}).toUtf8();
    }
    if (branch.contains("buy")) {
        // {"area_code": "415" (or 415), "country_code": "US"}: buy the number at Retell rather than import it.
        if (!branch["buy"].is_object())
            return invalid(tr("branch.buy must be an object with area_code and country_code"));
        const Json &buy = branch["buy"];
        in.buyNumber = true;
        in.areaCode = buy.contains("area_code") && buy["area_code"].is_number_integer() ? QString::number(buy["area_code"].get<qint64>())
                                                                                       : text(buy, "area_code", {}).trimmed();
        in.countryCode = text(buy, "country_code", in.countryCode).trimmed().toUpper();
    }
    if (json.contains("services")) {
        in.services.clear();
        for (const Json &s : json["services"]) {
            if (!s.is_object())
                return invalid(tr("every service must be an object with name, duration_minutes and price_cents"));
            in.services.append({text(s, "name", {}), int(jsonInt(s, "duration_minutes", 30)), jsonInt(s, "price_cents", 0)});
        }
    }
    if (json.contains("staff")) {
        for (const Json &p : json["staff"]) {
            if (!p.is_object())
                return invalid(tr("every staff member must be an object with name and email"));
            in.staff.append({text(p, "name", {}), text(p, "email", {})});
        }
    }
    const Json credentials = json.value("credentials", Json::object());
    in.credentials.retellApiKey = text(credentials, "retell_api_key", {}).trimmed().toUtf8();
    in.credentials.calcomApiKey = text(credentials, "calcom_api_key", {}).trimmed().toUtf8();
    in.credentials.stripeApiKey = text(credentials, "stripe_api_key", {}).trimmed().toUtf8();
    return in;
}

Result<SetupInput> SetupInput::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Invalid, u"setup.file"_s, tr("Cannot read %1: %2").arg(path, file.errorString()));
    auto json = parseJson(file.readAll(), path);
    if (!json)
        return json.error();
    return fromJson(*json);
}

} // namespace askpro
