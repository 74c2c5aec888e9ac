// Timeline entries: the code names and the English message each entry keeps beside its code. The message is
// not translated on purpose: it serves logs and exports, while clients word the code in their own language.
#include "flow/timeline.h"

#include "domain/phonenumbers.h"

using namespace Qt::StringLiterals;

namespace askpro {

QString timelineCodeName(TimelineCode code)
{
    switch (code) {
    case TimelineCode::EventReceived:
        return u"call.event_received"_s;
    case TimelineCode::LiveRequest:
        return u"call.live_request"_s;
    case TimelineCode::BranchNotFound:
        return u"branch.not_found"_s;
    case TimelineCode::NoBranch:
        return u"call.no_branch"_s;
    case TimelineCode::RequestReceived:
        return u"request.received"_s;
    case TimelineCode::AwaitingAnalysis:
        return u"request.awaiting_analysis"_s;
    case TimelineCode::NoRequest:
        return u"request.none"_s;
    case TimelineCode::RequestMissing:
        return u"request.missing"_s;
    case TimelineCode::ServiceNotFound:
        return u"service.not_found"_s;
    case TimelineCode::NoEventType:
        return u"service.no_event_type"_s;
    case TimelineCode::Failed:
        return u"call.failed"_s;
    case TimelineCode::Retry:
        return u"call.retry"_s;
    case TimelineCode::BookingInProgress:
        return u"booking.in_progress"_s;
    case TimelineCode::BookingRetried:
        return u"booking.retried"_s;
    case TimelineCode::AlreadyBooked:
        return u"booking.already_booked"_s;
    case TimelineCode::FoundEarlierBooking:
        return u"booking.found_earlier"_s;
    case TimelineCode::SlotsFromCache:
        return u"availability.cached"_s;
    case TimelineCode::SlotsFetched:
        return u"availability.fetched"_s;
    case TimelineCode::AlternativeAgreed:
        return u"availability.alternative_agreed"_s;
    case TimelineCode::CalcomRefused:
        return u"calcom.refused"_s;
    case TimelineCode::CalcomBadAnswer:
        return u"calcom.bad_booking"_s;
    case TimelineCode::CalcomBooked:
        return u"calcom.booked"_s;
    case TimelineCode::NoFreeSlot:
        return u"callback.no_free_slot"_s;
    case TimelineCode::AlternativesDeclined:
        return u"callback.alternatives_declined"_s;
    case TimelineCode::SlotTaken:
        return u"slot.taken"_s;
    case TimelineCode::NoTimeNamed:
        return u"callback.no_time"_s;
    case TimelineCode::ConfirmationQueued:
        return u"confirmation.queued"_s;
    case TimelineCode::ConfirmationSent:
        return u"confirmation.sent"_s;
    case TimelineCode::ConfirmationFailed:
        return u"confirmation.failed"_s;
    case TimelineCode::RecoveryQueued:
        return u"recovery.retry_queued"_s;
    case TimelineCode::SupportRetry:
        return u"support.retry_queued"_s;
    case TimelineCode::SupportCorrected:
        return u"support.request_corrected"_s;
    case TimelineCode::SupportResolved:
        return u"support.resolved"_s;
    case TimelineCode::SmsSent:
        return u"sms.sent"_s;
    case TimelineCode::SmsDelivered:
        return u"sms.delivered"_s;
    case TimelineCode::SmsFailed:
        return u"sms.failed"_s;
    case TimelineCode::EmailInstead:
        return u"confirmation.email_instead"_s;
    case TimelineCode::SupportResent:
        return u"support.message_resent"_s;
    }
    return {};
}

std::optional<TimelineCode> timelineCodeFromName(QStringView name)
{
    if (name.isEmpty())
        return std::nullopt;
    for (int i = 0; i <= int(lastTimelineCode); ++i) {
        const auto code = TimelineCode(i);
        if (timelineCodeName(code) == name)
            return code;
    }
    return std::nullopt;
}

QString TimelineEntry::argsText() const
{
    // Replaces broken UTF-8 instead of throwing: nothing may throw across the event loop.
    return QString::fromStdString(args.dump(-1, ' ', false, Json::error_handler_t::replace));
}

namespace timeline {

namespace {

TimelineEntry make(TimelineCode code, const QString &step, const QString &status, const QString &message,
                   Json args = Json::object())
{
    return TimelineEntry { code, step, status, std::move(args), message, 0 };
}

Json errorArgs(const Error &error)
{
    return Json { { TimelineArg::ErrorCode, error.code.toStdString() },
                  { TimelineArg::ErrorText, error.describe().toStdString() },
                  { TimelineArg::HttpStatus, error.httpStatus },
                  { TimelineArg::ProviderText, error.providerText.toStdString() } };
}

QString shortTime(const QDateTime &t, const QTimeZone &zone)
{
    return t.toTimeZone(zone).toString(u"dd.MM. HH:mm"_s);
}

} // namespace

TimelineEntry eventReceived(const QString &eventType)
{
    return make(TimelineCode::EventReceived, u"received"_s, u"ok"_s, u"Retell event %1 received"_s.arg(eventType),
                { { TimelineArg::Event, eventType.toStdString() } });
}

TimelineEntry liveRequest()
{
    return make(TimelineCode::LiveRequest, u"received"_s, u"ok"_s, u"Live booking request from the voice agent"_s);
}

TimelineEntry branchNotFound(const QString &calledNumber)
{
    return make(TimelineCode::BranchNotFound, u"branch"_s, u"error"_s,
                u"The called number %1 belongs to no active branch"_s.arg(calledNumber.isEmpty() ? u"(none)"_s : calledNumber),
                { { TimelineArg::Number, calledNumber.toStdString() } });
}

TimelineEntry noBranch()
{
    return make(TimelineCode::NoBranch, u"failed"_s, u"error"_s, u"The call belongs to no active branch"_s);
}

TimelineEntry requestReceived(const QString &service, const QDate &date, const QTime &time)
{
    const QString day = date.toString(Qt::ISODate);
    const QString clock = time.toString(u"HH:mm"_s);
    return make(TimelineCode::RequestReceived, u"request"_s, u"ok"_s,
                u"Appointment requested: %1 on %2 at %3"_s.arg(service.isEmpty() ? u"(no service named)"_s : service, day, clock),
                { { TimelineArg::Service, service.toStdString() },
                  { TimelineArg::Date, day.toStdString() },
                  { TimelineArg::Time, clock.toStdString() } });
}

TimelineEntry awaitingAnalysis()
{
    return make(TimelineCode::AwaitingAnalysis, u"request"_s, u"info"_s,
                u"No appointment data yet; waiting for the call analysis"_s);
}

TimelineEntry noRequest()
{
    return make(TimelineCode::NoRequest, u"request"_s, u"ok"_s, u"The caller did not ask for an appointment"_s);
}

TimelineEntry requestMissing()
{
    return make(TimelineCode::RequestMissing, u"failed"_s, u"error"_s, u"The call holds no appointment request to book"_s);
}

TimelineEntry serviceNotFound(const QString &service)
{
    return make(TimelineCode::ServiceNotFound, u"failed"_s, u"error"_s,
                u"No service of this company matches \"%1\""_s.arg(service), { { TimelineArg::Service, service.toStdString() } });
}

TimelineEntry noEventType(const QString &service, const QString &branch)
{
    return make(TimelineCode::NoEventType, u"failed"_s, u"error"_s,
                u"No Cal.com event type is mapped to \"%1\" at branch %2"_s.arg(service, branch),
                { { TimelineArg::Service, service.toStdString() }, { TimelineArg::Branch, branch.toStdString() } });
}

TimelineEntry failed(const Error &error)
{
    return make(TimelineCode::Failed, u"failed"_s, u"error"_s, error.describe(), errorArgs(error));
}

TimelineEntry retry(const Error &error)
{
    return make(TimelineCode::Retry, u"retry"_s, u"retry"_s, u"Will try again: %1"_s.arg(error.describe()), errorArgs(error));
}

TimelineEntry bookingInProgress()
{
    return make(TimelineCode::BookingInProgress, u"retry"_s, u"retry"_s,
                u"Will try again: Another attempt is booking this call right now"_s);
}

TimelineEntry bookingRetried()
{
    return make(TimelineCode::BookingRetried, u"retry"_s, u"info"_s, u"Booking retried"_s);
}

TimelineEntry alreadyBooked()
{
    return make(TimelineCode::AlreadyBooked, u"booking"_s, u"ok"_s, u"Already booked; nothing to add"_s);
}

TimelineEntry foundEarlierBooking()
{
    return make(TimelineCode::FoundEarlierBooking, u"booking"_s, u"ok"_s, u"Found the booking an earlier attempt made"_s);
}

TimelineEntry slotsFromCache()
{
    return make(TimelineCode::SlotsFromCache, u"availability"_s, u"ok"_s, u"Availability read from the slot cache"_s);
}

TimelineEntry slotsFetched(int free)
{
    return make(TimelineCode::SlotsFetched, u"availability"_s, u"ok"_s,
                u"Availability fetched from Cal.com: %1 free slots"_s.arg(free), { { TimelineArg::Free, free } });
}

TimelineEntry alternativeAgreed()
{
    return make(TimelineCode::AlternativeAgreed, u"availability"_s, u"info"_s,
                u"The requested time is not free; the caller agreed to the nearest free slot"_s);
}

TimelineEntry calcomRefused(const QDateTime &start, const Error &error, const QTimeZone &zone)
{
    Json args = errorArgs(error);
    args[TimelineArg::Start] = start.toMSecsSinceEpoch();
    return make(TimelineCode::CalcomRefused, u"booking"_s, u"error"_s,
                u"Cal.com refused %1: %2"_s.arg(shortTime(start, zone), error.describe()), std::move(args));
}

TimelineEntry calcomBadAnswer()
{
    return make(TimelineCode::CalcomBadAnswer, u"failed"_s, u"error"_s, u"Cal.com answered the booking without uid or start"_s);
}

TimelineEntry calcomBooked(const QDateTime &start, const QString &uid, const QTimeZone &zone)
{
    return make(TimelineCode::CalcomBooked, u"booking"_s, u"ok"_s,
                u"Booked in Cal.com for %1 (uid %2)"_s.arg(start.toTimeZone(zone).toString(u"dd.MM.yyyy HH:mm"_s), uid),
                { { TimelineArg::Start, start.toMSecsSinceEpoch() }, { TimelineArg::Uid, uid.toStdString() } });
}

TimelineEntry needsCallback(TimelineCode reason, const QList<QDateTime> &alternatives, const QTimeZone &zone)
{
    Q_ASSERT(reason == TimelineCode::NoFreeSlot || reason == TimelineCode::AlternativesDeclined
             || reason == TimelineCode::SlotTaken || reason == TimelineCode::NoTimeNamed);
    const QString why = reason == TimelineCode::NoFreeSlot ? u"No free slot in the 7 days from the requested date"_s
        : reason == TimelineCode::AlternativesDeclined
        ? u"The requested time is not free and the caller did not agree to another"_s
        : reason == TimelineCode::SlotTaken ? u"The slot was taken before it could be booked"_s
                                            : u"The caller named no date and time"_s;
    Json starts = Json::array();
    QStringList shown;
    for (const QDateTime &a : alternatives) {
        starts.push_back(a.toMSecsSinceEpoch());
        shown << shortTime(a, zone);
    }
    return make(reason, u"availability"_s, u"info"_s,
                shown.isEmpty() ? u"Needs a callback: %1"_s.arg(why)
                                : u"Needs a callback: %1. Free instead: %2"_s.arg(why, shown.join(u", "_s)),
                { { TimelineArg::Alternatives, std::move(starts) } });
}

TimelineEntry confirmationQueued(const QString &email)
{
    return make(TimelineCode::ConfirmationQueued, u"confirmation"_s, u"info"_s, u"Confirmation e-mail queued for %1"_s.arg(email),
                { { TimelineArg::Email, email.toStdString() } });
}

TimelineEntry confirmationSent(const QString &email)
{
    return make(TimelineCode::ConfirmationSent, u"confirmation"_s, u"ok"_s, u"Confirmation e-mail sent to %1"_s.arg(email),
                { { TimelineArg::Email, email.toStdString() } });
}

TimelineEntry confirmationFailed(const QString &email, const Error &error, bool final)
{
    Json args = errorArgs(error);
    args[TimelineArg::Email] = email.toStdString();
    return make(TimelineCode::ConfirmationFailed, u"confirmation"_s, final ? u"error"_s : u"retry"_s,
                u"Confirmation e-mail not sent: %1"_s.arg(error.describe()), std::move(args));
}

TimelineEntry smsSent(const QString &e164)
{
    const QString number = PhoneNumbers::masked(e164);
    return make(TimelineCode::SmsSent, u"confirmation"_s, u"ok"_s, u"Confirmation SMS sent to %1"_s.arg(number),
                { { TimelineArg::Number, number.toStdString() } });
}

TimelineEntry smsDelivered(const QString &e164)
{
    const QString number = PhoneNumbers::masked(e164);
    return make(TimelineCode::SmsDelivered, u"confirmation"_s, u"ok"_s, u"Confirmation SMS delivered to %1"_s.arg(number),
                { { TimelineArg::Number, number.toStdString() } });
}

TimelineEntry smsFailed(const QString &e164, const Error &error, bool final)
{
    const QString number = PhoneNumbers::masked(e164);
    Json args = errorArgs(error);
    args[TimelineArg::Number] = number.toStdString();
    return make(TimelineCode::SmsFailed, u"confirmation"_s, final ? u"error"_s : u"retry"_s,
                u"Confirmation SMS to %1 failed: %2"_s.arg(number, error.describe()), std::move(args));
}

TimelineEntry emailInstead(const QString &email)
{
    return make(TimelineCode::EmailInstead, u"confirmation"_s, u"info"_s,
                u"The SMS could not be delivered: confirmation e-mail queued for %1 instead"_s.arg(email),
                { { TimelineArg::Email, email.toStdString() } });
}

TimelineEntry supportResent(const QString &user, const QString &channel)
{
    return make(TimelineCode::SupportResent, u"support"_s, u"info"_s, u"Message (%1) sent again by %2"_s.arg(channel, user),
                { { TimelineArg::User, user.toStdString() }, { TimelineArg::Channel, channel.toStdString() } });
}

TimelineEntry recoveryQueued()
{
    return make(TimelineCode::RecoveryQueued, u"recovery"_s, u"info"_s, u"Recovery queued another booking attempt"_s);
}

TimelineEntry supportRetry(const QString &user)
{
    return make(TimelineCode::SupportRetry, u"support"_s, u"info"_s, u"Retry queued by %1"_s.arg(user),
                { { TimelineArg::User, user.toStdString() } });
}

TimelineEntry supportCorrected(const QString &user)
{
    return make(TimelineCode::SupportCorrected, u"support"_s, u"info"_s, u"Appointment data corrected by %1"_s.arg(user),
                { { TimelineArg::User, user.toStdString() } });
}

TimelineEntry supportResolved(const QString &user, const QString &comment)
{
    return make(TimelineCode::SupportResolved, u"support"_s, u"info"_s,
                comment.isEmpty() ? u"Marked resolved by %1"_s.arg(user) : u"Marked resolved by %1: %2"_s.arg(user, comment),
                { { TimelineArg::User, user.toStdString() }, { TimelineArg::Comment, comment.toStdString() } });
}

} // namespace timeline

} // namespace askpro
