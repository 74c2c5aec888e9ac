// Tolerant parsing of the agent's extracted data: voice agents write dates and times in several forms.
#include "flow/appointmentrequest.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QDate parseDate(const QString &text)
{
    for (const QString &format : {u"yyyy-MM-dd"_s, u"dd.MM.yyyy"_s, u"d.M.yyyy"_s, u"MM/dd/yyyy"_s}) {
        const QDate d = QDate::fromString(text.trimmed(), format);
        if (d.isValid())
            return d;
    }
    return {};
}

QTime parseTime(const QString &text)
{
    QString t = text.trimmed();
    t.remove(u" Uhr"_s);
    for (const QString &format : {u"HH:mm"_s, u"H:mm"_s, u"HH:mm:ss"_s, u"H"_s, u"HH.mm"_s, u"h:mm AP"_s, u"h AP"_s}) {
        const QTime time = QTime::fromString(t, format);
        if (time.isValid())
            return time;
    }
    return {};
}

} // namespace

Json AppointmentRequest::toJson() const
{
    return Json{{"service", service.toStdString()},
                {"date", date.isValid() ? date.toString(Qt::ISODate).toStdString() : std::string()},
                {"time", time.isValid() ? time.toString(u"HH:mm"_s).toStdString() : std::string()},
                {"customer_name", customerName.toStdString()},
                {"customer_email", customerEmail.toStdString()},
                {"staff_preference", staffPreference.toStdString()},
                {"notes", notes.toStdString()},
                {"agreed_to_alternatives", agreedToAlternatives}};
}

std::optional<AppointmentRequest> AppointmentRequest::fromFields(const Json &f)
{
    if (!f.is_object())
        return std::nullopt;
    if (f.contains("appointment_requested") && !jsonBool(f, "appointment_requested"))
        return std::nullopt;
    AppointmentRequest r;
    r.service = jsonString(f, "service").trimmed();
    r.date = parseDate(jsonString(f, "date"));
    r.time = parseTime(jsonString(f, "time"));
    const QString iso = jsonString(f, "datetime_iso");
    if ((!r.date.isValid() || !r.time.isValid()) && !iso.isEmpty()) {
        // A bare local time: the wall-clock date and time the caller said, in the branch's zone.
        const QDateTime dt = QDateTime::fromString(iso.left(19), Qt::ISODate);
        if (dt.isValid()) {
            r.date = dt.date();
            r.time = dt.time();
        }
    }
    r.customerName = jsonString(f, "customer_name").trimmed();
    if (r.customerName.isEmpty())
        r.customerName = jsonString(f, "name").trimmed();
    r.customerEmail = jsonString(f, "customer_email").trimmed();
    if (r.customerEmail.isEmpty())
        r.customerEmail = jsonString(f, "email").trimmed();
    r.staffPreference = jsonString(f, "staff_preference").trimmed();
    r.notes = jsonString(f, "notes").trimmed();
    r.agreedToAlternatives = jsonBool(f, "agreed_to_alternatives");
    if (!r.date.isValid() && r.service.isEmpty())
        return std::nullopt; // nothing that could be booked
    return r;
}

std::optional<AppointmentRequest> AppointmentRequest::fromCall(const Json &call)
{
    if (!call.is_object())
        return std::nullopt;
    const auto analysis = call.find("call_analysis");
    if (analysis != call.end() && analysis->is_object()) {
        const auto data = analysis->find("custom_analysis_data");
        if (data != analysis->end() && data->is_object()) {
            if (auto r = fromFields(*data))
                return r;
        }
    }
    const auto turns = call.find("transcript_with_tool_calls");
    if (turns == call.end() || !turns->is_array())
        return std::nullopt;
    std::optional<AppointmentRequest> found;
    for (const Json &turn : *turns) {
        if (jsonString(turn, "role") != u"tool_call_invocation"_s)
            continue;
        const QString name = jsonString(turn, "name");
        if (name != u"collect_appointment_data"_s && name != u"book_appointment"_s)
            continue;
        const auto args = turn.find("arguments");
        if (args == turn.end())
            continue;
        if (args->is_string()) {
            const std::string text = args->get<std::string>();
            const Json parsed = Json::parse(text, nullptr, false);
            if (!parsed.is_discarded())
                found = fromFields(parsed);
        } else {
            found = fromFields(*args);
        }
    }
    return found;
}

} // namespace askpro
