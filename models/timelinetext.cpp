// One sentence per timeline code. The switch has no default, so a code added to the backend without its
// wording here fails the build (-Wswitch under -Werror).
#include "timelinetext.h"

#include "core/clock.h"
#include "flow/timeline.h"
#include "labels.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString argText(const QJsonObject &args, const char *name)
{
    return args.value(QLatin1String(name)).toString();
}

QString when(qint64 ms, const QTimeZone &zone)
{
    return QLocale().toString(fromMs(ms).toTimeZone(zone), QLocale::ShortFormat);
}

} // namespace

QString TimelineText::error(const QJsonObject &args)
{
    // Provider failures are coded "<provider>.<kind>" by the provider transport (backend/integrations).
    const QString code = argText(args, TimelineArg::ErrorCode);
    const qsizetype dot = code.lastIndexOf(u'.');
    const QString provider = dot > 0 ? code.left(dot) : QString();
    const QString kind = code.mid(dot + 1);
    const int http = args.value(QLatin1String(TimelineArg::HttpStatus)).toInt();
    QString worded;
    if (provider == u"Twilio"_s && kind == u"undelivered"_s)
        worded = tr("Twilio could not deliver it to the phone");
    else if (provider == u"Twilio"_s && (kind == u"failed"_s || kind == u"canceled"_s))
        worded = tr("Twilio could not send it");
    else if (provider == u"Cal.com"_s || provider == u"Retell"_s || provider == u"Stripe"_s || provider == u"Twilio"_s) {
        if (kind == u"timeout"_s)
            worded = tr("%1 did not answer in time").arg(provider);
        else if (kind == u"unreachable"_s)
            worded = tr("%1 cannot be reached").arg(provider);
        else if (kind == u"unauthorized"_s)
            worded = tr("%1 refused our credentials").arg(provider);
        else if (kind == u"rate_limited"_s)
            worded = tr("%1 asks us to slow down").arg(provider);
        else if (kind == u"unavailable"_s)
            worded = tr("%1 is failing (HTTP %2)").arg(provider).arg(http);
        else if (kind == u"not_found"_s)
            worded = tr("%1 does not know this object").arg(provider);
        else if (kind == u"rejected"_s)
            worded = tr("%1 refused the request (HTTP %2)").arg(provider).arg(http);
    }
    if (worded.isEmpty())
        return argText(args, TimelineArg::ErrorText);
    const QString providerText = argText(args, TimelineArg::ProviderText);
    return providerText.isEmpty() ? worded : tr("%1 (%2)", "an error and the provider's own words").arg(worded, providerText);
}

QString TimelineText::text(const QString &codeName, const QJsonObject &args, const QString &message, const QTimeZone &zone)
{
    const std::optional<TimelineCode> code = timelineCodeFromName(codeName);
    if (!code)
        return message;
    const auto arg = [&args](const char *name) { return argText(args, name); };
    const auto callback = [&](const QString &reason) {
        QStringList offered;
        const QJsonArray alternatives = args.value(QLatin1String(TimelineArg::Alternatives)).toArray();
        for (const QJsonValue &a : alternatives)
            offered << when(a.toInteger(), zone);
        return offered.isEmpty()
            ? tr("Needs a callback: %1").arg(reason)
            : tr("Needs a callback: %1. Free instead: %2").arg(reason, QLocale().createSeparatedList(offered));
    };
    switch (*code) {
    case TimelineCode::EventReceived:
        return tr("Retell event %1 received").arg(arg(TimelineArg::Event));
    case TimelineCode::LiveRequest:
        return tr("Live booking request from the voice agent");
    case TimelineCode::BranchNotFound: {
        const QString number = arg(TimelineArg::Number);
        return tr("The called number %1 belongs to no active branch").arg(number.isEmpty() ? tr("(none)") : number);
    }
    case TimelineCode::NoBranch:
        return tr("The call belongs to no active branch");
    case TimelineCode::RequestReceived: {
        const QString service = arg(TimelineArg::Service);
        const QDate date = QDate::fromString(arg(TimelineArg::Date), Qt::ISODate);
        const QTime time = QTime::fromString(arg(TimelineArg::Time), u"HH:mm"_s);
        return tr("Appointment requested: %1 on %2 at %3")
            .arg(service.isEmpty() ? tr("(no service named)") : service,
                 date.isValid() ? QLocale().toString(date, QLocale::ShortFormat) : arg(TimelineArg::Date),
                 time.isValid() ? QLocale().toString(time, QLocale::ShortFormat) : arg(TimelineArg::Time));
    }
    case TimelineCode::AwaitingAnalysis:
        return tr("No appointment data yet; waiting for the call analysis");
    case TimelineCode::NoRequest:
        return tr("The caller did not ask for an appointment");
    case TimelineCode::RequestMissing:
        return tr("The call holds no appointment request to book");
    case TimelineCode::ServiceNotFound:
        return tr("No service of this company matches \"%1\"").arg(arg(TimelineArg::Service));
    case TimelineCode::NoEventType:
        return tr("No Cal.com event type is mapped to \"%1\" at branch %2")
            .arg(arg(TimelineArg::Service), arg(TimelineArg::Branch));
    case TimelineCode::Failed:
        return error(args);
    case TimelineCode::Retry:
        return tr("Will try again: %1").arg(error(args));
    case TimelineCode::BookingInProgress:
        return tr("Will try again: another attempt is booking this call right now");
    case TimelineCode::BookingRetried:
        return tr("Booking retried");
    case TimelineCode::AlreadyBooked:
        return tr("Already booked; nothing to add");
    case TimelineCode::FoundEarlierBooking:
        return tr("Found the booking an earlier attempt made");
    case TimelineCode::SlotsFromCache:
        return tr("Availability read from the slot cache");
    case TimelineCode::SlotsFetched:
        return tr("Availability fetched from Cal.com: %n free slot(s)", nullptr,
                  args.value(QLatin1String(TimelineArg::Free)).toInt());
    case TimelineCode::AlternativeAgreed:
        return tr("The requested time is not free; the caller agreed to the nearest free slot");
    case TimelineCode::CalcomRefused:
        return tr("Cal.com refused %1: %2")
            .arg(when(args.value(QLatin1String(TimelineArg::Start)).toInteger(), zone), error(args));
    case TimelineCode::CalcomBadAnswer:
        return tr("Cal.com answered the booking without uid or start");
    case TimelineCode::CalcomBooked:
        return tr("Booked in Cal.com for %1 (uid %2)")
            .arg(when(args.value(QLatin1String(TimelineArg::Start)).toInteger(), zone), arg(TimelineArg::Uid));
    case TimelineCode::NoFreeSlot:
        return callback(tr("No free slot in the 7 days from the requested date"));
    case TimelineCode::AlternativesDeclined:
        return callback(tr("The requested time is not free and the caller did not agree to another"));
    case TimelineCode::SlotTaken:
        return callback(tr("The slot was taken before it could be booked"));
    case TimelineCode::NoTimeNamed:
        return callback(tr("The caller named no date and time"));
    case TimelineCode::ConfirmationQueued:
        return tr("Confirmation e-mail queued for %1").arg(arg(TimelineArg::Email));
    case TimelineCode::ConfirmationSent:
        return tr("Confirmation e-mail sent to %1").arg(arg(TimelineArg::Email));
    case TimelineCode::ConfirmationFailed:
        return tr("Confirmation e-mail to %1 not sent: %2").arg(arg(TimelineArg::Email), error(args));
    case TimelineCode::SmsSent:
        return tr("Confirmation SMS sent to %1").arg(arg(TimelineArg::Number));
    case TimelineCode::SmsDelivered:
        return tr("Confirmation SMS delivered to %1").arg(arg(TimelineArg::Number));
    case TimelineCode::SmsFailed:
        return tr("Confirmation SMS to %1 failed: %2").arg(arg(TimelineArg::Number), error(args));
    case TimelineCode::EmailInstead:
        return tr("The SMS could not be delivered: confirmation e-mail queued for %1 instead").arg(arg(TimelineArg::Email));
    case TimelineCode::SupportResent:
        return tr("%1 sent again by %2").arg(Labels::channel(arg(TimelineArg::Channel)), arg(TimelineArg::User));
    case TimelineCode::RecoveryQueued:
        return tr("Recovery queued another booking attempt");
    case TimelineCode::SupportRetry:
        return tr("Retry queued by %1").arg(arg(TimelineArg::User));
    case TimelineCode::SupportCorrected:
        return tr("Appointment data corrected by %1").arg(arg(TimelineArg::User));
    case TimelineCode::SupportResolved: {
        const QString comment = arg(TimelineArg::Comment);
        return comment.isEmpty() ? tr("Marked resolved by %1").arg(arg(TimelineArg::User))
                                 : tr("Marked resolved by %1: %2").arg(arg(TimelineArg::User), comment);
    }
    }
    return message;
}

} // namespace askpro
