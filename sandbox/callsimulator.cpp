// Simulated inbound Retell calls: options from JSON, and the call object with transcript, analysis,
// tool call and cost, in German or English.
#include "callsimulator.h"

#include <QJsonDocument>
#include <QLocale>
#include <QTimeZone>

#include <cmath>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

constexpr qint64 MsPerWord = 330;
constexpr qint64 MsBetweenTurns = 700;
constexpr double CentsPerMinute = 7.0; // voice engine + LLM + telephony, roughly Retell's list price

struct Turn
{
    QString role; // "agent", "user" or "tool"
    QString text;
};

QString dateText(const QDateTime &start, bool german)
{
    return german ? start.date().toString(u"dd.MM.yyyy"_s)
                  : QLocale(QLocale::English).toString(start.date(), u"MMMM d, yyyy"_s);
}

QList<Turn> bookingTurns(const SimulatedCallOptions &o, bool german)
{
    const AppointmentWish &a = o.appointment;
    const QString date = dateText(a.start, german);
    const QString time = a.start.time().toString(u"HH:mm"_s);
    QList<Turn> turns;
    if (german) {
        turns << Turn{u"agent"_s, u"Guten Tag, Sie sprechen mit dem digitalen Assistenten. Wie kann ich Ihnen helfen?"_s}
              << Turn{u"user"_s, u"Hallo, ich hätte gern einen Termin für %1."_s.arg(a.service)}
              << Turn{u"agent"_s, u"Sehr gern. An welchem Tag und um welche Uhrzeit passt es Ihnen?"_s}
              << Turn{u"user"_s, u"Am %1 um %2 Uhr."_s.arg(date, time)};
        if (!a.staffPreference.isEmpty())
            turns << Turn{u"user"_s, u"Am liebsten bei %1."_s.arg(a.staffPreference)};
        turns << Turn{u"agent"_s, u"Darf ich noch Ihren Namen und Ihre E-Mail-Adresse notieren?"_s}
              << Turn{u"user"_s, a.customerEmail.isEmpty() ? a.customerName + u'.'
                                                           : u"%1, meine E-Mail-Adresse ist %2."_s.arg(a.customerName, a.customerEmail)};
        if (!a.notes.isEmpty())
            turns << Turn{u"user"_s, a.notes};
        if (a.agreedToAlternatives)
            turns << Turn{u"agent"_s, u"Falls der Termin schon vergeben ist, darf ich Ihnen eine Alternative vorschlagen?"_s}
                  << Turn{u"user"_s, u"Ja, das ist in Ordnung."_s};
        turns << Turn{u"tool"_s, {}}
              << Turn{u"agent"_s, u"Vielen Dank, %1. Ich habe Ihren Terminwunsch für %2 am %3 um %4 Uhr aufgenommen. "
                                  "Sie erhalten gleich eine Bestätigung."_s
                                      .arg(a.customerName, a.service, date, time)}
              << Turn{u"user"_s, u"Danke, auf Wiederhören."_s};
        return turns;
    }
    turns << Turn{u"agent"_s, u"Hello, you are speaking with the digital assistant. How can I help you?"_s}
          << Turn{u"user"_s, u"Hi, I would like to book an appointment for %1."_s.arg(a.service)}
          << Turn{u"agent"_s, u"Of course. Which day and time would suit you?"_s}
          << Turn{u"user"_s, u"On %1 at %2."_s.arg(date, time)};
    if (!a.staffPreference.isEmpty())
        turns << Turn{u"user"_s, u"Preferably with %1."_s.arg(a.staffPreference)};
    turns << Turn{u"agent"_s, u"May I have your name and email address?"_s}
          << Turn{u"user"_s, a.customerEmail.isEmpty() ? a.customerName + u'.'
                                                       : u"%1, my email is %2."_s.arg(a.customerName, a.customerEmail)};
    if (!a.notes.isEmpty())
        turns << Turn{u"user"_s, a.notes};
    if (a.agreedToAlternatives)
        turns << Turn{u"agent"_s, u"If that time is already taken, may I suggest an alternative?"_s}
              << Turn{u"user"_s, u"Yes, that's fine."_s};
    turns << Turn{u"tool"_s, {}}
          << Turn{u"agent"_s, u"Thank you, %1. I have noted your request for %2 on %3 at %4. You will receive a confirmation shortly."_s
                                  .arg(a.customerName, a.service, date, time)}
          << Turn{u"user"_s, u"Thanks, goodbye."_s};
    return turns;
}

QList<Turn> turnsFor(const SimulatedCallOptions &o)
{
    const bool german = o.language != "en"_L1;
    switch (o.scenario) {
    case CallScenario::Book:
        return bookingTurns(o, german);
    case CallScenario::NoRequest:
        if (german)
            return {{u"agent"_s, u"Guten Tag, Sie sprechen mit dem digitalen Assistenten. Wie kann ich Ihnen helfen?"_s},
                    {u"user"_s, u"Hallo, wie lange haben Sie heute geöffnet?"_s},
                    {u"agent"_s, u"Wir haben montags bis freitags von 9 bis 17 Uhr geöffnet. Kann ich sonst noch etwas für Sie tun?"_s},
                    {u"user"_s, u"Nein, danke. Tschüss."_s}};
        return {{u"agent"_s, u"Hello, you are speaking with the digital assistant. How can I help you?"_s},
                {u"user"_s, u"Hi, how long are you open today?"_s},
                {u"agent"_s, u"We are open Monday to Friday from 9 am to 5 pm. Is there anything else I can do for you?"_s},
                {u"user"_s, u"No, thanks. Bye."_s}};
    case CallScenario::Voicemail:
        if (german)
            return {{u"user"_s, u"Hallo, ich bin gerade nicht erreichbar. Bitte hinterlassen Sie eine Nachricht nach dem Signalton."_s},
                    {u"agent"_s, u"Guten Tag, hier ist der digitale Assistent. Bitte rufen Sie uns zurück, wir helfen Ihnen gern."_s}};
        return {{u"user"_s, u"Hi, I can't take your call right now. Please leave a message after the tone."_s},
                {u"agent"_s, u"Hello, this is the digital assistant. Please call us back, we are happy to help."_s}};
    case CallScenario::Hangup:
        return {};
    }
    return {};
}

QString summaryFor(const SimulatedCallOptions &o)
{
    const bool german = o.language != "en"_L1;
    const AppointmentWish &a = o.appointment;
    switch (o.scenario) {
    case CallScenario::Book:
        return german ? u"%1 möchte einen Termin für %2 am %3 um %4 Uhr."_s.arg(a.customerName, a.service, dateText(a.start, true),
                                                                               a.start.time().toString(u"HH:mm"_s))
                      : u"%1 wants an appointment for %2 on %3 at %4."_s.arg(a.customerName, a.service, dateText(a.start, false),
                                                                            a.start.time().toString(u"HH:mm"_s));
    case CallScenario::NoRequest:
        return german ? u"Der Anrufer hat nach den Öffnungszeiten gefragt; kein Terminwunsch."_s
                      : u"The caller asked about opening hours; no appointment was requested."_s;
    case CallScenario::Voicemail:
        return german ? u"Der Anruf landete auf einer Mailbox."_s : u"The call reached a voicemail box."_s;
    case CallScenario::Hangup:
        return german ? u"Der Anrufer hat aufgelegt, bevor das Gespräch zustande kam."_s
                      : u"The caller hung up before the call was connected."_s;
    }
    return {};
}

Json words(const QString &text, qint64 startMs)
{
    Json result = Json::array();
    qint64 at = startMs;
    for (const QString &word : text.split(u' ', Qt::SkipEmptyParts)) {
        result.push_back({{"word", toStd(word)}, {"start", double(at) / 1000.0}, {"end", double(at + MsPerWord - 50) / 1000.0}});
        at += MsPerWord;
    }
    return result;
}

std::optional<CallScenario> scenarioFrom(const QString &name)
{
    if (name == "book"_L1)
        return CallScenario::Book;
    if (name == "no_request"_L1)
        return CallScenario::NoRequest;
    if (name == "hangup"_L1)
        return CallScenario::Hangup;
    if (name == "voicemail"_L1)
        return CallScenario::Voicemail;
    return std::nullopt;
}

} // namespace

std::optional<SimulatedCallOptions> CallSimulator::fromJson(const Json &body, QString *error)
{
    SimulatedCallOptions o;
    o.toNumber = jsonString(body, "to_number");
    o.fromNumber = jsonString(body, "from_number");
    if (o.toNumber.isEmpty() || o.fromNumber.isEmpty()) {
        *error = u"to_number and from_number are required"_s;
        return std::nullopt;
    }
    o.language = body.contains("language") ? jsonString(body, "language") : u"de"_s;
    if (o.language != "de"_L1 && o.language != "en"_L1) {
        *error = u"language must be de or en"_s;
        return std::nullopt;
    }
    const auto scenario = scenarioFrom(body.contains("scenario") ? jsonString(body, "scenario") : u"book"_s);
    if (!scenario) {
        *error = u"scenario must be book, no_request, hangup or voicemail"_s;
        return std::nullopt;
    }
    o.scenario = *scenario;
    const Json appointment = body.value("appointment", Json::object());
    AppointmentWish &a = o.appointment;
    a.service = jsonString(appointment, "service");
    a.customerName = jsonString(appointment, "name");
    a.customerEmail = jsonString(appointment, "email");
    a.staffPreference = jsonString(appointment, "staff_preference");
    a.notes = jsonString(appointment, "notes");
    a.agreedToAlternatives = jsonBool(appointment, "agreed_to_alternatives", false);
    const QString zoneName = appointment.contains("time_zone") ? jsonString(appointment, "time_zone") : u"Europe/Berlin"_s;
    const QTimeZone zone(zoneName.toUtf8());
    QString isoText = jsonString(appointment, "datetime");
    if (isoText.isEmpty() && appointment.contains("date"))
        isoText = jsonString(appointment, "date") + u'T' + jsonString(appointment, "time");
    if (!isoText.isEmpty()) {
        a.start = QDateTime::fromString(isoText, Qt::ISODate);
        if (a.start.isValid() && a.start.timeSpec() == Qt::LocalTime)
            a.start = QDateTime(a.start.date(), a.start.time(), zone.isValid() ? zone : QTimeZone::utc());
    }
    if (o.scenario == CallScenario::Book && (!a.start.isValid() || a.service.isEmpty() || a.customerName.isEmpty())) {
        *error = u"scenario book needs appointment.service, appointment.name and appointment.datetime (ISO 8601)"_s;
        return std::nullopt;
    }
    if (body.contains("extracted_data")) {
        if (!body["extracted_data"].is_object()) {
            *error = u"extracted_data must be an object"_s;
            return std::nullopt;
        }
        o.extractedData = toQtJson(body["extracted_data"]).object();
    }
    if (body.contains("metadata")) {
        if (!body["metadata"].is_object()) {
            *error = u"metadata must be an object"_s;
            return std::nullopt;
        }
        o.metadata = toQtJson(body["metadata"]).object();
    }
    const Json webhooks = body.value("webhooks", Json::object());
    o.webhooks.callStarted = int(jsonInt(webhooks, "call_started").value_or(1));
    o.webhooks.callEnded = int(jsonInt(webhooks, "call_ended").value_or(1));
    o.webhooks.callAnalyzed = int(jsonInt(webhooks, "call_analyzed").value_or(1));
    o.eventSpacingMs = int(jsonInt(body, "event_spacing_ms").value_or(o.eventSpacingMs));
    if (body.contains("start_timestamp")) {
        if (!body["start_timestamp"].is_number_integer()) {
            *error = u"start_timestamp must be an integer (milliseconds since the epoch)"_s;
            return std::nullopt;
        }
        o.startMs = body["start_timestamp"].get<qint64>();
    }
    return o;
}

Json CallSimulator::extractedData(const SimulatedCallOptions &o)
{
    if (o.extractedData)
        return fromQtJson(QJsonDocument(*o.extractedData));
    const AppointmentWish &a = o.appointment;
    const bool requested = o.scenario == CallScenario::Book;
    const auto text = [requested](const QString &value) { return requested ? toStd(value) : std::string(); };
    return Json{{"appointment_requested", requested},
                {"service", text(a.service)},
                {"date", text(requested ? a.start.date().toString(Qt::ISODate) : QString())},
                {"time", text(requested ? a.start.time().toString(u"HH:mm"_s) : QString())},
                {"datetime_iso", text(requested ? a.start.toString(Qt::ISODate) : QString())},
                {"customer_name", text(a.customerName)},
                {"customer_email", text(a.customerEmail)},
                {"staff_preference", text(a.staffPreference)},
                {"notes", text(a.notes)},
                {"agreed_to_alternatives", requested && a.agreedToAlternatives}};
}

Json CallSimulator::buildCall(const SimulatedCallOptions &o, const QString &callId, const Json &agentId, qint64 endMs)
{
    const QList<Turn> turns = turnsFor(o);
    const Json extracted = extractedData(o);
    Json transcriptObject = Json::array();
    Json withTools = Json::array();
    QStringList transcriptLines;
    qint64 at = 0;
    for (const Turn &turn : turns) {
        if (turn.role == "tool"_L1) {
            const std::string toolCallId = toStd(randomHex(16));
            withTools.push_back({{"role", "tool_call_invocation"}, {"tool_call_id", toolCallId},
                                 {"name", "collect_appointment_data"}, {"arguments", extracted.dump()}});
            withTools.push_back({{"role", "tool_call_result"}, {"tool_call_id", toolCallId}, {"content", R"({"success":true})"}});
            at += MsBetweenTurns;
            continue;
        }
        const Json entry{{"role", toStd(turn.role)}, {"content", toStd(turn.text)}, {"words", words(turn.text, at)}};
        transcriptObject.push_back(entry);
        withTools.push_back(entry);
        transcriptLines << (turn.role == "agent"_L1 ? u"Agent: "_s : u"User: "_s) + turn.text;
        at += turn.text.count(u' ') * MsPerWord + MsPerWord + MsBetweenTurns;
    }
    const bool connected = o.scenario != CallScenario::Hangup;
    const qint64 durationMs = connected ? at : 0;
    const double cents = std::round(double(durationMs) / 60000.0 * CentsPerMinute * 100.0) / 100.0;
    const char *reason = o.scenario == CallScenario::Voicemail ? "voicemail_reached" : "user_hangup";
    const char *sentiment = o.scenario == CallScenario::Book ? "Positive" : connected ? "Neutral" : "Unknown";

    Json call{{"call_type", "phone_call"},
              {"call_id", toStd(callId)},
              {"agent_id", agentId},
              {"agent_version", 0},
              {"call_status", connected ? "ended" : "not_connected"},
              {"direction", "inbound"},
              {"from_number", toStd(o.fromNumber)},
              {"to_number", toStd(o.toNumber)},
              {"start_timestamp", o.startMs.value_or(endMs - durationMs)},
              {"end_timestamp", o.startMs ? *o.startMs + durationMs : endMs},
              {"duration_ms", durationMs},
              {"transcript", toStd(transcriptLines.join(u'\n'))},
              {"transcript_object", transcriptObject},
              {"transcript_with_tool_calls", withTools},
              {"recording_url", connected ? Json(toStd(u"https://recordings.sandbox.invalid/%1/recording.wav"_s.arg(callId))) : Json()},
              {"disconnection_reason", reason},
              {"metadata", fromQtJson(QJsonDocument(o.metadata))},
              {"retell_llm_dynamic_variables", Json::object()},
              {"opt_out_sensitive_data_storage", false},
              {"latency", {{"e2e", {{"p50", 820}, {"p90", 1140}, {"min", 610}, {"max", 1490}}}}},
              {"call_cost", {{"product_costs", Json::array({{{"product", "retell_platform"},
                                                              {"unit_price", CentsPerMinute / 60.0},
                                                              {"cost", cents}}})},
                             {"total_duration_seconds", durationMs / 1000},
                             {"total_duration_unit_price", CentsPerMinute / 60.0},
                             {"combined_cost", cents}}},
              {"call_analysis", {{"call_summary", toStd(summaryFor(o))},
                                 {"in_voicemail", o.scenario == CallScenario::Voicemail},
                                 {"user_sentiment", sentiment},
                                 {"call_successful", o.scenario == CallScenario::Book || o.scenario == CallScenario::NoRequest},
                                 {"custom_analysis_data", extracted}}}};
    return call;
}

} // namespace askpro::sandbox
