#include "flow/appointmentnotice.h"

#include "db/database.h"
#include "domain/phonenumbers.h"
#include "flow/messagetemplates.h"
#include "jobs/notificationqueue.h"

#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

AppointmentNotice::AppointmentNotice(Database &db) : m_db(db)
{
}

QString AppointmentNotice::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Reminder:
        return u"reminder"_s;
    case Kind::Cancelled:
        return u"cancellation"_s;
    case Kind::Moved:
        return u"reschedule"_s;
    }
    return {};
}

Result<std::optional<qint64>> AppointmentNotice::record(qint64 appointmentId, Kind kind, qint64 nowMs)
{
    auto q = m_db.exec(u"SELECT a.company_id, a.starts_at, a.ends_at, COALESCE(a.call_id, 0), b.time_zone, b.language, b.name, b.address, "
                       "b.phone_e164, c.name, COALESCE(s.name, ''), COALESCE(cu.name, ''), COALESCE(cu.phone_e164, ''), "
                       "COALESCE(cu.message_phone_e164, ''), COALESCE(cu.sms_opt_out, 0), COALESCE(cu.preferred_channel, 'auto'), "
                       "COALESCE(cu.language, ''), COALESCE(cu.email, ''), "
                       "(SELECT COUNT(*) FROM api_credentials k WHERE k.provider = 'twilio' AND (k.company_id IS NULL OR k.company_id = a.company_id)) "
                       "FROM appointments a JOIN branches b ON b.id = a.branch_id JOIN companies c ON c.id = a.company_id "
                       "LEFT JOIN services s ON s.id = a.service_id LEFT JOIN customers cu ON cu.id = a.customer_id WHERE a.id = ?"_s,
                       {appointmentId});
    if (!q)
        return q.error();
    if (!q->next() || q->value(1).toLongLong() <= nowMs)
        return std::optional<qint64>();
    const qint64 companyId = q->value(0).toLongLong();
    const qint64 startsAt = q->value(1).toLongLong();
    const qint64 callId = q->value(3).toLongLong();
    const QString messageNumber = q->value(13).toString();
    const QString number = messageNumber.isEmpty() ? q->value(12).toString() : messageNumber;
    const QString preference = q->value(15).toString();
    QString reason;
    if (preference == u"email"_s || preference == u"none"_s)
        reason = u"preference"_s;
    else if (number.isEmpty())
        reason = u"no_number"_s;
    else if (!PhoneNumbers::canReceiveSms(number))
        reason = u"landline"_s;
    else if (q->value(14).toInt() != 0)
        reason = u"opted_out"_s;
    else if (q->value(18).toLongLong() == 0)
        reason = u"no_credentials"_s;
    const QString customerLanguage = q->value(16).toString();
    const QString email = q->value(17).toString();
    const QString language = customerLanguage == u"en"_s || customerLanguage == u"de"_s ? customerLanguage : q->value(5).toString();
    const ConfirmationDetails details{language,
                                      q->value(11).toString(),
                                      q->value(10).toString(),
                                      q->value(9).toString(),
                                      q->value(6).toString(),
                                      q->value(7).toString(),
                                      PhoneNumbers::display(q->value(8).toString()),
                                      q->value(4).toString(),
                                      QDateTime::fromMSecsSinceEpoch(startsAt, QTimeZone::utc()),
                                      int((q->value(2).toLongLong() - startsAt) / 60000),
                                      u"appointment-%1"_s.arg(appointmentId)};
    q->finish();
    QString name;   // of the templates, and the dedupe key's start
    QString suffix; // of the dedupe key
    switch (kind) {
    case Kind::Reminder:
        // The key names the start, so a moved appointment gets a reminder of its own (NotificationSender reads it back).
        name = u"reminder"_s;
        suffix = u"%1:%2"_s.arg(appointmentId).arg(startsAt);
        break;
    case Kind::Cancelled:
        name = u"cancelled"_s;
        suffix = QString::number(appointmentId);
        break;
    case Kind::Moved:
        name = u"moved"_s;
        suffix = u"%1:%2"_s.arg(appointmentId).arg(startsAt);
        break;
    }
    MessageTemplates texts(m_db);
    auto text = texts.compose(companyId, name, u"sms"_s, details);
    if (!text)
        return text.error();
    const auto key = [&name, &suffix](const QString &channel) { return u"%1-%2:%3"_s.arg(name, channel, suffix); };
    NotificationQueue outbox(m_db);
    Notification message;
    message.companyId = companyId;
    message.callId = callId;
    message.appointmentId = appointmentId;
    message.kind = kindName(kind);
    message.channel = u"sms"_s;
    message.dedupeKey = key(message.channel);
    message.recipient = number;
    message.language = language;
    message.body = text->body;
    message.skipReason = reason;
    auto sms = outbox.record(message, nowMs);
    if (!sms || !sms->has_value() || reason.isEmpty())
        return sms;
    // The SMS cannot go: an address the customer gave gets the message by e-mail instead (unless they want none).
    // E-mail keeps no quiet hours: it waits in the inbox.
    if (email.isEmpty() || preference == u"none"_s)
        return sms;
    // The invitation of the confirmation is updated (a move) or withdrawn (a cancellation): the same UID, its
    // SEQUENCE raised with each change the customer was told of by e-mail.
    ConfirmationDetails invitation = details;
    if (kind != Kind::Reminder) {
        auto told = m_db.scalar(u"SELECT COUNT(*) FROM notifications WHERE appointment_id = ? AND channel = 'email' "
                                "AND kind IN ('reschedule', 'cancellation') AND resend_of IS NULL"_s,
                                {appointmentId});
        if (!told)
            return told.error();
        invitation.sequence = told->toInt() + 1;
        invitation.cancelled = kind == Kind::Cancelled;
    }
    auto mail = texts.compose(companyId, name, u"email"_s, invitation);
    if (!mail)
        return mail.error();
    if (!mail->ics.isEmpty()) {
        message.attachmentName = u"termin.ics"_s;
        message.attachmentType = kind == Kind::Cancelled ? u"text/calendar; method=CANCEL"_s : u"text/calendar; method=PUBLISH"_s;
        message.attachment = mail->ics;
    }
    message.channel = u"email"_s;
    message.dedupeKey = key(message.channel);
    message.recipient = email;
    message.subject = mail->subject;
    message.body = mail->body;
    message.skipReason.clear();
    auto byMail = outbox.record(message, nowMs);
    if (!byMail)
        return byMail.error();
    return sms;
}

} // namespace askpro
