// The one list of the call timeline entries the backend writes: a code with named arguments per entry, so each
// client words it in its interface language (the desktop: models/timelinetext.cpp).
#pragma once

#include "core/result.h"
#include "integrations/jsonreply.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QTimeZone>

#include <optional>

namespace askpro {

// Stored by name (timelineCodeName) in call_events.code. Rows keep their code for good: never rename one, add
// a new one instead. After the name, the entry's named arguments (TimelineArg); "error..." stands for the
// four error arguments of errorArgs().
enum class TimelineCode {
    EventReceived,        // call.event_received: event (Retell's event type)
    LiveRequest,          // call.live_request
    BranchNotFound,       // branch.not_found: number (the called number, may be empty)
    NoBranch,             // call.no_branch (a retried call whose branch is gone or inactive)
    RequestReceived,      // request.received: service (may be empty), date (ISO date), time (HH:mm), both local
    AwaitingAnalysis,     // request.awaiting_analysis
    NoRequest,            // request.none
    RequestMissing,       // request.missing (a retried call holds no request)
    ServiceNotFound,      // service.not_found: service
    NoEventType,          // service.no_event_type: service, branch
    Failed,               // call.failed: error...
    Retry,                // call.retry: error...
    BookingInProgress,    // booking.in_progress (another attempt holds the reservation)
    BookingRetried,       // booking.retried
    AlreadyBooked,        // booking.already_booked
    FoundEarlierBooking,  // booking.found_earlier
    SlotsFromCache,       // availability.cached
    SlotsFetched,         // availability.fetched: free (number of free slots)
    AlternativeAgreed,    // availability.alternative_agreed
    CalcomRefused,        // calcom.refused: start (UTC ms), error...
    CalcomBadAnswer,      // calcom.bad_booking
    CalcomBooked,         // calcom.booked: start (UTC ms), uid
    NoFreeSlot,           // callback.no_free_slot: alternatives (UTC ms list)
    AlternativesDeclined, // callback.alternatives_declined: alternatives
    SlotTaken,            // slot.taken: alternatives
    NoTimeNamed,          // callback.no_time: alternatives
    ConfirmationQueued,   // confirmation.queued: email
    ConfirmationSent,     // confirmation.sent: email
    ConfirmationFailed,   // confirmation.failed: email, error...
    RecoveryQueued,       // recovery.retry_queued
    SupportRetry,         // support.retry_queued: user
    SupportCorrected,     // support.request_corrected: user
    SupportResolved,      // support.resolved: user, comment (may be empty)
    SmsSent,              // sms.sent: number (masked)
    SmsDelivered,         // sms.delivered: number (masked)
    SmsFailed,            // sms.failed: number (masked), error... (Twilio's code in provider_text)
    EmailInstead,         // confirmation.email_instead: email (the SMS the customer prefers could not be delivered)
    SupportResent,        // support.message_resent: user, channel
};
// The last code above: a new code goes before it, or this moves with it.
inline constexpr TimelineCode lastTimelineCode = TimelineCode::SupportResent;

// The argument names, shared by the writers here and the clients that read them.
namespace TimelineArg {
inline constexpr char Event[] = "event";
inline constexpr char Number[] = "number";
inline constexpr char Service[] = "service";
inline constexpr char Date[] = "date";
inline constexpr char Time[] = "time";
inline constexpr char Branch[] = "branch";
inline constexpr char Free[] = "free";
inline constexpr char Start[] = "start";
inline constexpr char Uid[] = "uid";
inline constexpr char Alternatives[] = "alternatives";
inline constexpr char Email[] = "email";
inline constexpr char User[] = "user";
inline constexpr char Comment[] = "comment";
inline constexpr char Channel[] = "channel";
// An error: its stable code (e.g. "Cal.com.unavailable"), its text as the server worded it, the HTTP status
// (0 without one) and the provider's own words.
inline constexpr char ErrorCode[] = "error_code";
inline constexpr char ErrorText[] = "error";
inline constexpr char HttpStatus[] = "http_status";
inline constexpr char ProviderText[] = "provider_text";
} // namespace TimelineArg

[[nodiscard]] QString timelineCodeName(TimelineCode code);
[[nodiscard]] std::optional<TimelineCode> timelineCodeFromName(QStringView name);

struct TimelineEntry
{
    TimelineCode code = TimelineCode::Failed;
    QString step;   // received | branch | request | availability | booking | confirmation | retry | failed | ...
    QString status; // ok | info | retry | error
    Json args = Json::object();
    // In English whatever the server's language: for logs, exports and clients that do not know the code.
    QString message;
    qint64 atMs = 0; // 0: when it is written

    [[nodiscard]] QString codeName() const { return timelineCodeName(code); }
    [[nodiscard]] QString argsText() const;
};

// One function per code: its parameters are the code's arguments, so no writer can leave one out.
namespace timeline {
[[nodiscard]] TimelineEntry eventReceived(const QString &eventType);
[[nodiscard]] TimelineEntry liveRequest();
[[nodiscard]] TimelineEntry branchNotFound(const QString &calledNumber);
[[nodiscard]] TimelineEntry noBranch();
[[nodiscard]] TimelineEntry requestReceived(const QString &service, const QDate &date, const QTime &time);
[[nodiscard]] TimelineEntry awaitingAnalysis();
[[nodiscard]] TimelineEntry noRequest();
[[nodiscard]] TimelineEntry requestMissing();
[[nodiscard]] TimelineEntry serviceNotFound(const QString &service);
[[nodiscard]] TimelineEntry noEventType(const QString &service, const QString &branch);
[[nodiscard]] TimelineEntry failed(const Error &error);
[[nodiscard]] TimelineEntry retry(const Error &error);
[[nodiscard]] TimelineEntry bookingInProgress();
[[nodiscard]] TimelineEntry bookingRetried();
[[nodiscard]] TimelineEntry alreadyBooked();
[[nodiscard]] TimelineEntry foundEarlierBooking();
[[nodiscard]] TimelineEntry slotsFromCache();
[[nodiscard]] TimelineEntry slotsFetched(int free);
[[nodiscard]] TimelineEntry alternativeAgreed();
[[nodiscard]] TimelineEntry calcomRefused(const QDateTime &start, const Error &error, const QTimeZone &zone);
[[nodiscard]] TimelineEntry calcomBadAnswer();
[[nodiscard]] TimelineEntry calcomBooked(const QDateTime &start, const QString &uid, const QTimeZone &zone);
// reason: NoFreeSlot, AlternativesDeclined, SlotTaken or NoTimeNamed.
[[nodiscard]] TimelineEntry needsCallback(TimelineCode reason, const QList<QDateTime> &alternatives, const QTimeZone &zone);
[[nodiscard]] TimelineEntry confirmationQueued(const QString &email);
[[nodiscard]] TimelineEntry confirmationSent(const QString &email);
// final: no attempt follows (an error entry); otherwise a retry entry.
[[nodiscard]] TimelineEntry confirmationFailed(const QString &email, const Error &error, bool final);
[[nodiscard]] TimelineEntry recoveryQueued();
[[nodiscard]] TimelineEntry supportRetry(const QString &user);
[[nodiscard]] TimelineEntry supportCorrected(const QString &user);
[[nodiscard]] TimelineEntry supportResolved(const QString &user, const QString &comment);
// The confirmation SMS; the number is masked here (a call's timeline is read more widely than its customer).
[[nodiscard]] TimelineEntry smsSent(const QString &e164);
[[nodiscard]] TimelineEntry smsDelivered(const QString &e164);
// final: no attempt follows (an error entry); otherwise a retry entry.
[[nodiscard]] TimelineEntry smsFailed(const QString &e164, const Error &error, bool final);
// The e-mail kept back for a customer who prefers SMS, queued because the SMS failed for good or could not be sent.
[[nodiscard]] TimelineEntry emailInstead(const QString &email);
// channel: email | sms | whatsapp.
[[nodiscard]] TimelineEntry supportResent(const QString &user, const QString &channel);
} // namespace timeline

} // namespace askpro
