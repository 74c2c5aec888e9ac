// Simulated inbound Retell calls: the options a test or the demo gives, and the realistic call
// object (transcript in German or English, analysis, tool call, cost) built from them.
#pragma once

#include "apimessage.h"

#include <QDateTime>
#include <QJsonObject>

#include <optional>

namespace askpro::sandbox {

enum class CallScenario {
    Book,      // the caller wants an appointment
    NoRequest, // the caller only asks a question
    Hangup,    // the caller hangs up before the call connects
    Voicemail, // the call ends in a voicemail box
};

struct AppointmentWish
{
    QString service;
    QDateTime start; // with its time zone; date and time are reported in that zone
    QString customerName;
    QString customerEmail;
    QString staffPreference;
    QString notes;
    bool agreedToAlternatives = false;
};

// How many times each webhook is delivered: 0 loses it, 2 or more duplicates it.
struct WebhookCopies
{
    int callStarted = 1;
    int callEnded = 1;
    int callAnalyzed = 1;
};

struct SimulatedCallOptions
{
    QString toNumber;   // E.164; picks the agent through the number's inbound_agents
    QString fromNumber; // E.164
    QString language = QStringLiteral("de"); // "de" or "en"
    CallScenario scenario = CallScenario::Book;
    AppointmentWish appointment;
    // Replaces the derived custom_analysis_data (and the collect_appointment_data arguments).
    std::optional<QJsonObject> extractedData;
    QJsonObject metadata; // the call's metadata, as Retell keeps it (a test call carries askpro_test_call)
    WebhookCopies webhooks;
    int eventSpacingMs = 50; // delay between call_started, call_ended and call_analyzed
    // When the call began (UTC ms); by default it ends the moment it is simulated.
    std::optional<qint64> startMs;
};

class CallSimulator final
{
public:
    // Reads the JSON of POST /sandbox/retell/simulate-call; on failure fills error and returns nothing.
    [[nodiscard]] static std::optional<SimulatedCallOptions> fromJson(const Json &body, QString *error);
    // The complete ended call (with call_analysis) as get-call returns it.
    [[nodiscard]] static Json buildCall(const SimulatedCallOptions &options, const QString &callId,
                                        const Json &agentId, qint64 endMs);
    // The data the agent extracted, in the shape of custom_analysis_data.
    [[nodiscard]] static Json extractedData(const SimulatedCallOptions &options);
};

} // namespace askpro::sandbox
