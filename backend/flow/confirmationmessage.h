// The confirmation e-mail in the branch's language, with an iCalendar invitation attached, and the other messages
// to the customer about an appointment.
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
    QString uid; // the booking uid, so calendar programs update rather than duplicate
};

struct ConfirmationMessage
{
    QString subject;
    QString body;
    QByteArray ics;

    [[nodiscard]] static ConfirmationMessage build(const ConfirmationDetails &details);
    // An e-mail without attachment from resources/templates/<name>_<language>.txt (subject, "---", body):
    // "reminder", "cancelled", "moved" (details.start: the new time).
    [[nodiscard]] static ConfirmationMessage fromTemplate(const QString &name, const ConfirmationDetails &details);
    // The SMS: date, time, branch and its number (calling it again cancels or moves the appointment), short
    // enough for one or two segments.
    [[nodiscard]] static QString smsText(const ConfirmationDetails &details);
    // The reminder SMS the day before, with the same hint.
    [[nodiscard]] static QString reminderSmsText(const ConfirmationDetails &details);
    // The notices that an appointment was cancelled, or moved (details.start: the new time).
    [[nodiscard]] static QString cancelledSmsText(const ConfirmationDetails &details);
    [[nodiscard]] static QString movedSmsText(const ConfirmationDetails &details);
    // "We will call you back" to a caller whose appointment could not be booked on the phone, with the branch's
    // number to call again.
    [[nodiscard]] static QString callbackSmsText(const QString &language, const QString &companyName, const QString &branchName,
                                                 const QString &branchPhone);
    // RFC 5545 text: escaped values, CRLF line ends, lines folded at 75 octets.
    [[nodiscard]] static QByteArray icsFor(const ConfirmationDetails &details);
};

} // namespace askpro
