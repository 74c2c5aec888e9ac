// Unknown codes are shown as stored, so a new state never disappears from a screen.
#include "labels.h"

using namespace Qt::StringLiterals;

namespace askpro {

QString Labels::outcome(const QString &code)
{
    if (code == u"booked"_s) return tr("Booked");
    if (code == u"no_request"_s) return tr("No request");
    if (code == u"needs_callback"_s) return tr("Needs callback");
    if (code == u"failed"_s) return tr("Failed");
    if (code == u"pending"_s) return tr("In progress");
    return code;
}

QString Labels::appointmentStatus(const QString &code)
{
    if (code == u"booked"_s) return tr("Booked");
    if (code == u"cancelled"_s) return tr("Cancelled");
    if (code == u"rescheduled"_s) return tr("Rescheduled");
    if (code == u"no_show"_s) return tr("No-show");
    if (code == u"completed"_s) return tr("Completed");
    if (code == u"pending"_s) return tr("Booking under way");
    return code;
}

QString Labels::syncState(const QString &code)
{
    if (code == u"synced"_s) return tr("Synced");
    if (code == u"pending"_s) return tr("Pending");
    if (code == u"failed"_s) return tr("Sync failed");
    return code;
}

QString Labels::inboxStatus(const QString &code)
{
    if (code == u"pending"_s) return tr("Pending");
    if (code == u"processed"_s) return tr("Processed");
    if (code == u"failed"_s) return tr("Failed");
    if (code == u"ignored"_s) return tr("Ignored");
    if (code == u"rejected"_s) return tr("Rejected");
    if (code == u"not_ours"_s) return tr("Another company's");
    if (code == u"stale"_s) return tr("Too old, not applied");
    return code;
}

QString Labels::requestSource(const QString &code)
{
    // Provider names are names, not words: the same in every language.
    if (code == u"retell"_s) return u"Retell"_s;
    if (code == u"calcom"_s) return u"Cal.com"_s;
    if (code == u"stripe"_s) return u"Stripe"_s;
    if (code == u"twilio"_s) return u"Twilio"_s;
    if (code == u"admin"_s) return tr("Admin sign-in");
    return code;
}

QString Labels::refusalReason(const QString &code)
{
    if (code == u"missing"_s) return tr("signature missing");
    if (code == u"malformed"_s) return tr("signature malformed");
    if (code == u"stale"_s) return tr("signature too old");
    if (code == u"wrong"_s) return tr("signature wrong");
    if (code == u"too_large"_s) return tr("body over 1 MiB");
    if (code == u"sign_in"_s) return tr("wrong user or password");
    if (code == u"rate_limited"_s) return tr("answered 429 (too many refusals from one address)");
    if (code == u"other"_s) return tr("other reason");
    return code;
}

QString Labels::triageCategory(const QString &code)
{
    if (code == u"configuration"_s) return tr("Configuration error");
    if (code == u"transient"_s) return tr("Provider unavailable");
    if (code == u"rejected"_s) return tr("Refused by Cal.com");
    if (code == u"failed"_s) return tr("Failed");
    if (code == u"needs_callback"_s) return tr("Needs callback");
    if (code == u"requested_unbooked"_s) return tr("Requested, not booked");
    return code;
}

QString Labels::eventStep(const QString &code)
{
    if (code == u"received"_s) return tr("Received");
    if (code == u"branch"_s) return tr("Branch");
    if (code == u"customer"_s) return tr("Customer");
    if (code == u"request"_s) return tr("Request");
    if (code == u"availability"_s) return tr("Availability");
    if (code == u"booking"_s) return tr("Booking");
    if (code == u"confirmation"_s || code == u"notification"_s) return tr("Confirmation"); // "notification": older demo rows
    if (code == u"recovery"_s) return tr("Recovery");
    if (code == u"retry"_s) return tr("Retry");
    if (code == u"failed"_s) return tr("Failed");
    if (code == u"callback"_s) return tr("Callback");
    if (code == u"support"_s) return tr("Support");
    return code;
}

QString Labels::messageState(const QString &code)
{
    if (code == u"queued"_s) return tr("Queued");
    if (code == u"sending"_s) return tr("Sending");
    if (code == u"sent"_s) return tr("Sent");
    if (code == u"delivered"_s) return tr("Delivered");
    if (code == u"undelivered"_s) return tr("Not delivered");
    if (code == u"failed"_s) return tr("Failed");
    if (code == u"skipped"_s) return tr("Not sent");
    return code;
}

QString Labels::channel(const QString &code)
{
    if (code == u"email"_s) return tr("E-mail");
    if (code == u"sms"_s) return tr("SMS");
    if (code == u"whatsapp"_s) return u"WhatsApp"_s; // a name
    return code;
}

QString Labels::messageKind(const QString &code)
{
    if (code == u"confirmation"_s) return tr("Booking confirmation");
    if (code == u"reminder"_s) return tr("Appointment reminder");
    if (code == u"cancellation"_s) return tr("Cancellation notice");
    if (code == u"reschedule"_s) return tr("New time notice");
    if (code == u"callback"_s) return tr("We will call you back");
    if (code == u"invoice"_s) return tr("Invoice");
    if (code == u"alert"_s) return tr("Health alert");
    return code;
}

QString Labels::messageReason(const QString &code)
{
    if (code == u"landline"_s) return tr("Landline: no SMS");
    if (code == u"opted_out"_s) return tr("Opted out of SMS");
    if (code == u"no_number"_s) return tr("No number for messages");
    if (code == u"no_credentials"_s) return tr("No messaging account set up");
    if (code == u"preference"_s) return tr("The customer prefers another channel");
    if (code == u"appointment_cancelled"_s) return tr("The appointment was cancelled");
    if (code == u"appointment_moved"_s) return tr("The appointment was moved: a reminder for the new time follows");
    if (code == u"call_booked"_s) return tr("The call was booked meanwhile");
    if (code == u"call_resolved"_s) return tr("Support resolved the call before the message went");
    if (code == u"standby"_s) return tr("Kept back: the customer prefers SMS; sent if the SMS fails");
    // The provider's error codes that support meets most, with the code kept for looking up the rest.
    if (code == u"21211"_s) return tr("Invalid number (21211)");
    if (code == u"21408"_s) return tr("Country not enabled for SMS (21408)");
    if (code == u"21610"_s) return tr("Recipient replied STOP (21610)");
    if (code == u"30003"_s) return tr("Phone unreachable (30003)");
    if (code == u"30005"_s) return tr("Unknown number (30005)");
    if (code == u"30006"_s) return tr("Landline or unreachable carrier (30006)");
    if (code == u"30007"_s) return tr("Filtered by the carrier (30007)");
    // Stable codes of the SMS path's last error. Rows written before there were codes hold an English sentence,
    // and any code not known here is shown as it is.
    static const QString twilio = u"twilio."_s;
    if (code.startsWith(twilio)) {
        const QString rest = code.mid(twilio.size());
        bool numeric = false;
        rest.toInt(&numeric);
        if (numeric) {
            const QString known = messageReason(rest);
            return known != rest ? known : tr("Twilio error %1").arg(rest);
        }
        if (rest == u"undelivered"_s) return tr("Twilio reported it undelivered");
        if (rest == u"failed"_s) return tr("Twilio reported it failed");
        if (rest == u"canceled"_s) return tr("Cancelled at Twilio");
        if (rest == u"timeout"_s) return tr("Twilio did not answer in time");
        if (rest == u"unreachable"_s) return tr("Twilio cannot be reached");
        if (rest == u"unauthorized"_s) return tr("Twilio refused our credentials");
        if (rest == u"rate_limited"_s) return tr("Twilio asked us to slow down");
        if (rest == u"unavailable"_s) return tr("Twilio is failing");
        if (rest == u"credentials"_s) return tr("The Twilio credential is incomplete");
    }
    if (code == u"sms.answer_lost"_s) return tr("Twilio's answer was lost: waiting for its status report");
    if (code == u"sms.quiet_hours"_s) return tr("Waiting for 08:00 at the branch: no SMS at night");
    if (code == u"sms.no_sid"_s) return tr("Twilio accepted it without naming a message id");
    if (code == u"sms.failed"_s) return tr("Not sent");
    if (code.startsWith(u"secrets."_s)) return tr("The stored messaging credential cannot be read");
    return code;
}

} // namespace askpro
