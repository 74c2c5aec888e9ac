// The texts of the messages to callers: read, saved, reset and previewed. A business account works on its own
// company's texts only, platform staff on any company's or (without company_id) on the platform's.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "domain/smslength.h"
#include "flow/messagetemplates.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

std::vector<std::string> texts(const QStringList &list)
{
    std::vector<std::string> out;
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

Json templateJson(const StoredTemplate &t)
{
    return Json{{"kind", t.text.kind.toStdString()},
                {"channel", t.text.channel.toStdString()},
                {"language", t.text.language.toStdString()},
                {"subject", t.text.subject.toStdString()},
                {"body", t.text.body.toStdString()},
                {"source", t.source.toStdString()},
                {"updated_by", t.updatedBy.toStdString()},
                {"updated_at", t.updatedAtMs > 0 ? Json(t.updatedAtMs) : Json(nullptr)},
                {"required", texts(MessageTemplates::requiredPlaceholders(t.text.kind, t.text.channel))}};
}

// The company a body names: its company_id, else the caller's own (0 for platform staff: the platform's texts).
Result<qint64> bodyCompany(const ApiRequest &r)
{
    if (r.body.is_object() && r.body.contains("company_id") && !r.body.at("company_id").is_null()) {
        if (!r.body.at("company_id").is_number_integer() || r.body.at("company_id").get<qint64>() < 0)
            return makeError(ErrorKind::Invalid, u"parameter.company_id"_s,
                             AdminApi::tr("Parameter %1: %2.").arg(u"company_id"_s, AdminApi::tr("a positive whole number is expected")));
        return r.body.at("company_id").get<qint64>();
    }
    return r.actor.companyId;
}

// kind, channel, language and the texts of a body.
Result<MessageTemplate> bodyTemplate(const ApiRequest &r)
{
    MessageTemplate t;
    for (const auto &[field, target] : {std::pair{"kind", &t.kind}, {"channel", &t.channel}, {"language", &t.language}, {"body", &t.body}}) {
        auto value = r.bodyText(field);
        if (!value)
            return value.error();
        *target = *value;
    }
    auto subject = r.bodyText("subject", false);
    if (!subject)
        return subject.error();
    t.subject = *subject;
    return t;
}

} // namespace

QList<ApiRoute> templateRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/message-templates"_s, A::Permission, Permission::EditTemplates, IdScope::None, false,
                   u"Every message text (kind, channel, language) as a company's messages read now, with where it comes from "
                   "(company, platform, shipped); without company_id the platform's, for a business account its own company's"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto scope = r.companyScope();
                       if (!scope)
                           return scope.error();
                       auto all = MessageTemplates(db).list(*scope);
                       if (!all)
                           return all.error();
                       Json items = Json::array();
                       for (const StoredTemplate &t : *all)
                           items.push_back(templateJson(t));
                       return ApiReply::json(Json{{"company_id", *scope > 0 ? Json(*scope) : Json(nullptr)},
                                                  {"placeholders", texts(MessageTemplates::placeholders())},
                                                  {"items", items}});
                   }});
    routes.append({"PUT", u"/api/v1/message-templates"_s, A::Permission, Permission::EditTemplates, IdScope::None, false,
                   u"Saves a company's text (company_id; none: the platform's) for a kind, channel and language; refused with the "
                   "reason when it names an unknown placeholder, leaves out one its kind needs, or is too long for an SMS; audited"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = bodyCompany(r);
                       if (!company)
                           return company.error();
                       auto text = bodyTemplate(r);
                       if (!text)
                           return text.error();
                       auto saved = MessageTemplates(db).save(r.actor, *company, *text);
                       if (!saved)
                           return saved.error();
                       return ApiReply::json(templateJson(*saved));
                   },
                   R"json({"company_id": {companyId}, "kind": "reminder", "channel": "sms", "language": "de", "body": "Morgen {{date}} {{time}} Uhr. Fragen: {{phone}} ({n})"})json"});
    routes.append({"DELETE", u"/api/v1/message-templates"_s, A::Permission, Permission::EditTemplates, IdScope::None, false,
                   u"Drops a company's text (company_id; none: the platform's) so the platform's or the shipped one applies again; "
                   "answers the text that applies now; audited"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       auto kind = r.oneOf(u"kind"_s, MessageTemplates::kinds());
                       auto channel = r.oneOf(u"channel"_s, MessageTemplates::channels());
                       auto language = r.oneOf(u"language"_s, MessageTemplates::languages());
                       for (const Status &check : {kind ? Status() : kind.error(), channel ? Status() : channel.error(),
                                                   language ? Status() : language.error()}) {
                           if (!check)
                               return check.error();
                       }
                       auto now = MessageTemplates(db).reset(r.actor, *company, *kind, *channel, *language);
                       if (!now)
                           return now.error();
                       return ApiReply::json(templateJson(*now));
                   },
                   {},
                   QByteArrayLiteral("kind=reminder&channel=sms&language=de")});
    routes.append({"POST", u"/api/v1/message-templates/preview"_s, A::Permission, Permission::EditTemplates, IdScope::None, false,
                   u"A text filled in for a sample appointment of the company, with its SMS length (characters, segments, GSM-7 or "
                   "UCS-2) and, when it could not be saved, why (problem); saves nothing"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = bodyCompany(r);
                       if (!company)
                           return company.error();
                       if (r.actor.isScoped() && *company != r.actor.companyId)
                           return makeError(ErrorKind::NotFound, u"company.missing"_s, AdminApi::tr("No such company."));
                       auto text = bodyTemplate(r);
                       if (!text)
                           return text.error();
                       QString companyName = u"AskProAI"_s;
                       if (*company > 0) {
                           auto name = db.scalar(u"SELECT name FROM companies WHERE id = ?"_s, {*company});
                           if (!name)
                               return name.error();
                           if (!name->isValid())
                               return makeError(ErrorKind::NotFound, u"company.missing"_s, AdminApi::tr("No such company."));
                           companyName = name->toString();
                       }
                       const Status valid = MessageTemplates::check(*text);
                       const ConfirmationMessage filled = ConfirmationMessage::fill(*text, MessageTemplates::sample(text->language, companyName));
                       Json reply{{"subject", filled.subject.toStdString()}, {"body", filled.body.toStdString()},
                                  {"problem", valid ? Json(nullptr) : Json(valid.error().message.toStdString())},
                                  {"problem_code", valid ? Json(nullptr) : Json(valid.error().code.toStdString())}};
                       if (text->channel == u"sms"_s) {
                           const SmsLength length = SmsLength::of(filled.body);
                           reply["characters"] = length.units;
                           reply["segments"] = length.segments;
                           reply["encoding"] = length.unicode ? "ucs2" : "gsm7";
                       }
                       return ApiReply::json(reply);
                   },
                   R"({"company_id": {companyId}, "kind": "confirmation", "channel": "sms", "language": "en", "body": "See you {{date}} at {{time}}; call {{phone}}"})"});
    return routes;
}

} // namespace askpro
