// Inbound call variables: one query per kind of data (branch and company, hours, closures, services, staff,
// caller), each indexed, so the answer stays far below Retell's 10 s timeout and our own 50 ms budget.
#include "flow/inboundcall.h"

#include "db/database.h"
#include "domain/openinghours.h"
#include "domain/phonenumbers.h"

#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// Closures the agent is told about: those within the coming weeks, when callers book.
constexpr int closureLookaheadDays = 60;

std::string str(const QString &s)
{
    return s.toStdString();
}

} // namespace

Json InboundAnswer::toJson() const
{
    Json inbound = Json::object();
    if (!dynamicVariables.empty())
        inbound["dynamic_variables"] = dynamicVariables;
    if (!metadata.empty())
        inbound["metadata"] = metadata;
    return Json{{"call_inbound", inbound}};
}

InboundCall::InboundCall(Database &db)
    : m_db(db)
{
}

QString InboundCall::defaultAnnouncement(const QString &language, const QString &companyName)
{
    if (language.startsWith(u"en"_s))
        return u"Thank you for calling %1. This location is currently closed and cannot take bookings by phone. "
               "Please call again later or contact us by e-mail."_s.arg(companyName);
    return u"Vielen Dank für Ihren Anruf bei %1. Dieser Standort ist derzeit geschlossen und nimmt telefonisch keine "
           "Termine an. Bitte rufen Sie später wieder an oder schreiben Sie uns eine E-Mail."_s.arg(companyName);
}

Result<InboundAnswer> InboundCall::answer(const InboundRequest &request, const SignerScope &scope, const QDateTime &now)
{
    InboundAnswer result;
    auto to = PhoneNumbers::toE164(request.toNumber);
    if (!to) {
        result.reason = u"The called number %1 is not a phone number"_s.arg(request.toNumber);
        return result;
    }
    // The active branch wins over inactive ones that once had the number.
    auto branch = m_db.exec(u"SELECT b.id, b.company_id, b.name, b.address, b.time_zone, b.language, b.active, c.name, "
                            "c.fallback_announcement, c.active FROM branches b JOIN companies c ON c.id = b.company_id "
                            "WHERE b.phone_e164 = ? AND "_s
                                + scope.sql + u" ORDER BY b.active DESC, b.id DESC LIMIT 1"_s,
                            QVariantList{*to} + scope.params);
    if (!branch)
        return branch.error();
    if (!branch->next()) {
        branch->finish();
        // Another company's number is answered like an unknown one: the signer learns nothing about it.
        auto foreign = m_db.scalar(u"SELECT COUNT(*) FROM branches WHERE phone_e164 = ?"_s, {*to});
        if (!foreign)
            return foreign.error();
        const bool others = foreign->toLongLong() > 0;
        result.kind = others ? InboundAnswer::Kind::NotOurs : InboundAnswer::Kind::UnknownNumber;
        result.reason = others ? u"The number %1 belongs to a company the signing key does not serve"_s.arg(*to)
                               : u"No branch has the number %1"_s.arg(*to);
        return result;
    }
    result.branchId = branch->value(0).toLongLong();
    result.companyId = branch->value(1).toLongLong();
    const QString branchName = branch->value(2).toString();
    const QString address = branch->value(3).toString();
    const QString zoneId = branch->value(4).toString();
    const QString language = branch->value(5).toString().isEmpty() ? u"de"_s : branch->value(5).toString();
    const bool active = branch->value(6).toInt() != 0 && branch->value(9).toInt() != 0;
    const QString companyName = branch->value(7).toString();
    const QString announcement = branch->value(8).toString();
    branch->finish();

    const bool english = language.startsWith(u"en"_s);
    const QLocale locale(english ? QLocale::English : QLocale::German);
    QTimeZone zone(zoneId.toUtf8());
    if (!zone.isValid())
        zone = QTimeZone(QByteArrayLiteral("Europe/Berlin"));
    const QDateTime local = now.toTimeZone(zone);
    const QDate today = local.date();

    Json &v = result.dynamicVariables;
    v["current_date"] = str(today.toString(Qt::ISODate));
    v["current_date_spoken"] = str(locale.toString(today, QLocale::LongFormat));
    v["current_weekday"] = str(locale.dayName(today.dayOfWeek()));
    v["current_time"] = str(local.time().toString(u"HH:mm"_s));
    v["current_datetime"] = str(local.toString(Qt::ISODate));
    v["time_zone"] = str(QString::fromUtf8(zone.id()));
    v["tomorrow_date"] = str(today.addDays(1).toString(Qt::ISODate));
    v["company_name"] = str(companyName);
    v["branch_name"] = str(branchName);
    v["branch_address"] = str(address);
    v["language"] = str(language);
    v["branch_active"] = active ? "true" : "false";
    result.metadata = Json{{"askpro_company_id", std::to_string(result.companyId)}, {"askpro_branch_id", std::to_string(result.branchId)}};

    if (!active) {
        result.kind = InboundAnswer::Kind::InactiveBranch;
        v["announcement"] = str(announcement.isEmpty() ? defaultAnnouncement(language, companyName) : announcement);
        return result;
    }
    result.kind = InboundAnswer::Kind::Branch;

    auto hours = OpeningHours::load(m_db, result.branchId, zone, today);
    if (!hours)
        return hours.error();
    v["opening_hours"] = str(hours->weekText(language));
    v["opening_hours_today"] = hours->known() ? str(hours->dayText(today, language)) : "";
    v["open_now"] = hours->known() ? (hours->isOpen(now) ? "true" : "false") : "";
    v["closures"] = str(hours->closuresText(language, today, closureLookaheadDays));

    // The services a caller can book here: those with an event type at this branch.
    auto services = m_db.exec(u"SELECT s.name, s.duration_minutes FROM services s WHERE s.company_id = ? AND s.active = 1 AND EXISTS "
                              "(SELECT 1 FROM event_type_mappings m WHERE m.branch_id = ? AND m.service_id = s.id) ORDER BY s.name"_s,
                              {result.companyId, result.branchId});
    if (!services)
        return services.error();
    QStringList serviceList;
    while (services->next())
        serviceList.append(u"%1 (%2 %3)"_s.arg(services->value(0).toString()).arg(services->value(1).toInt()).arg(english ? u"min"_s : u"Min."_s));
    services->finish();
    v["services"] = str(serviceList.join(u", "_s));

    auto staff = m_db.exec(u"SELECT name FROM staff WHERE company_id = ? AND active = 1 AND (branch_id = ? OR branch_id IS NULL) "
                           "ORDER BY name"_s,
                           {result.companyId, result.branchId});
    if (!staff)
        return staff.error();
    QStringList staffNames;
    while (staff->next())
        staffNames.append(staff->value(0).toString());
    staff->finish();
    v["staff"] = str(staffNames.join(u", "_s));

    // Only this company's customers: a caller known elsewhere stays a stranger here.
    QString callerName;
    if (auto from = PhoneNumbers::toE164(request.fromNumber)) {
        auto name = m_db.scalar(u"SELECT name FROM customers WHERE company_id = ? AND phone_e164 = ?"_s, {result.companyId, *from});
        if (!name)
            return name.error();
        callerName = name->toString();
        v["caller_number"] = str(*from);
    } else {
        v["caller_number"] = "";
    }
    v["caller_known"] = callerName.isEmpty() ? "false" : "true";
    v["caller_name"] = str(callerName);
    return result;
}

} // namespace askpro
