// What the caller asked for, read from whichever source brought it: analysis data, a tool call, a live function.
#pragma once

#include "integrations/jsonreply.h"

#include <QDate>
#include <QTime>

#include <optional>

namespace askpro {

struct AppointmentRequest
{
    QString service;
    QDate date;
    QTime time;
    QString customerName;
    QString customerEmail;
    QString staffPreference;
    QString notes;
    bool agreedToAlternatives = false;

    [[nodiscard]] bool hasSlot() const { return date.isValid() && time.isValid(); }
    [[nodiscard]] Json toJson() const;

    // Reads the agent's fields (service, date, time or datetime_iso, customer_name, customer_email,
    // staff_preference, notes, agreed_to_alternatives). Empty when the caller asked for no appointment.
    [[nodiscard]] static std::optional<AppointmentRequest> fromFields(const Json &fields);
    // Looks in the call object: call_analysis.custom_analysis_data first, then the last
    // collect_appointment_data or book_appointment tool call in transcript_with_tool_calls.
    [[nodiscard]] static std::optional<AppointmentRequest> fromCall(const Json &call);
};

} // namespace askpro
