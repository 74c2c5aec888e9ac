// The messages to a customer about an appointment, filled from their templates; the confirmation e-mail with an
// iCalendar invitation attached.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace askpro {

struct ConfirmationDetails
{
    QString language; // de | en (anything else falls back to German)
    QString customerName;
    QString serviceName;
    QString companyName;
    QString branchName;
    QString branchAddress;
    QString branchPhone;
    QString timeZone;
    QDateTime start; // UTC
    int minutes = 30;
    QString uid; // stable for the appointment ("appointment-<id>"), so calendar programs update rather than duplicate
    int sequence = 0;       // raised with each change the customer is told of (RFC 5545 SEQUENCE)
    bool cancelled = false; // the invitation withdraws the event (METHOD:CANCEL)
};

// A text with named placeholders ({{name}}, {{date}}, …): shipped in resources/templates, or edited in the app
// (MessageTemplates). kind: confirmation | reminder | cancelled | moved | callback; channel: email | sms.
struct MessageTemplate
{
    QString kind;
    QString channel;
    QString language;
    QString subject; // e-mail only
    QString body;
};

struct ConfirmationMessage
{
    QString subject;
    QString body;
    QByteArray ics;

    // The template's placeholders filled for these details. An SMS reads the date short ("Di. 03.03.2026"), an
    // e-mail long; the e-mails of a confirmation, a move and a cancellation carry the invitation (its update or
    // withdrawal).
    [[nodiscard]] static ConfirmationMessage fill(const MessageTemplate &text, const ConfirmationDetails &details);
    // RFC 5545 text: escaped values, CRLF line ends, lines folded at 75 octets.
    [[nodiscard]] static QByteArray icsFor(const ConfirmationDetails &details);
};

} // namespace askpro
