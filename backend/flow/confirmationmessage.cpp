// Fills the per-language templates from resources/templates and writes the VEVENT.
#include "flow/confirmationmessage.h"

#include <QFile>
#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString icsEscape(QString text)
{
    return text.replace(u"\\"_s, u"\\\\"_s).replace(u";"_s, u"\\;"_s).replace(u","_s, u"\\,"_s).replace(u"\n"_s, u"\\n"_s);
}

QByteArray folded(const QString &line)
{
    const QByteArray utf8 = line.toUtf8();
    QByteArray out;
    int taken = 0;
    while (utf8.size() - taken > 75) {
        int cut = 75;
        // Never split a UTF-8 sequence: step back over continuation bytes.
        while (cut > 0 && (quint8(utf8.at(taken + cut)) & 0xC0) == 0x80)
            --cut;
        out += utf8.mid(taken, cut) + "\r\n ";
        taken += cut;
    }
    return out + utf8.mid(taken) + "\r\n";
}

} // namespace

QByteArray ConfirmationMessage::icsFor(const ConfirmationDetails &d)
{
    const auto stamp = [](const QDateTime &t) { return t.toUTC().toString(u"yyyyMMddTHHmmssZ"_s); };
    const QString summary = d.serviceName + u" – "_s + d.companyName;
    QByteArray ics;
    const QStringList lines{u"BEGIN:VCALENDAR"_s, u"VERSION:2.0"_s, u"PRODID:-//AskProAI//AskPro Admin//DE"_s,
                                u"METHOD:PUBLISH"_s, u"BEGIN:VEVENT"_s, u"UID:"_s + icsEscape(d.uid) + u"@askproai"_s,
                                u"DTSTAMP:"_s + stamp(QDateTime::currentDateTimeUtc()), u"DTSTART:"_s + stamp(d.start),
                                u"DTEND:"_s + stamp(d.start.addSecs(qint64(d.minutes) * 60)), u"SUMMARY:"_s + icsEscape(summary),
                                u"LOCATION:"_s + icsEscape(d.branchName + u", "_s + d.branchAddress), u"STATUS:CONFIRMED"_s,
                                u"END:VEVENT"_s, u"END:VCALENDAR"_s};
    for (const QString &line : lines)
        ics += folded(line);
    return ics;
}

ConfirmationMessage ConfirmationMessage::fromTemplate(const QString &name, const ConfirmationDetails &d)
{
    const QString language = d.language == u"en"_s ? u"en"_s : u"de"_s;
    QFile file(u":/askpro/templates/"_s + name + u'_' + language + u".txt"_s);
    QString text = file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    const QLocale locale(language == u"en"_s ? QLocale::English : QLocale::German,
                         language == u"en"_s ? QLocale::UnitedKingdom : QLocale::Germany);
    const QDateTime local = d.start.toTimeZone(QTimeZone(d.timeZone.toUtf8()));
    const QList<std::pair<QString, QString>> values{
        {u"{{name}}"_s, d.customerName.isEmpty() ? (language == u"en"_s ? u"there"_s : u"liebe Kundin, lieber Kunde"_s) : d.customerName},
        {u"{{service}}"_s, d.serviceName},
        {u"{{date}}"_s, locale.toString(local.date(), QLocale::LongFormat)},
        {u"{{time}}"_s, local.time().toString(u"HH:mm"_s)},
        {u"{{minutes}}"_s, QString::number(d.minutes)},
        {u"{{branch}}"_s, d.branchName},
        {u"{{address}}"_s, d.branchAddress},
        {u"{{phone}}"_s, d.branchPhone},
        {u"{{company}}"_s, d.companyName},
    };
    for (const auto &[key, value] : values)
        text.replace(key, value);
    ConfirmationMessage m;
    const qsizetype split = text.indexOf(u"\n---\n"_s);
    m.subject = text.left(split).trimmed();
    m.body = text.mid(split + 5);
    return m;
}

ConfirmationMessage ConfirmationMessage::build(const ConfirmationDetails &d)
{
    ConfirmationMessage m = fromTemplate(u"confirmation"_s, d);
    m.ics = icsFor(d);
    return m;
}

QString ConfirmationMessage::smsText(const ConfirmationDetails &d)
{
    const bool english = d.language == u"en"_s;
    const QLocale locale(english ? QLocale::English : QLocale::German, english ? QLocale::UnitedKingdom : QLocale::Germany);
    const QDateTime local = d.start.toTimeZone(QTimeZone(d.timeZone.toUtf8()));
    const QString date = locale.toString(local.date(), u"ddd dd.MM.yyyy"_s);
    const QString time = local.time().toString(u"HH:mm"_s);
    return english ? u"Your appointment (%1) at %2 is booked: %3 at %4. To cancel or reschedule, call %5."_s.arg(d.serviceName, d.branchName, date, time, d.branchPhone)
                   : u"Ihr Termin (%1) bei %2 ist gebucht: %3 um %4 Uhr. Absagen oder verschieben: %5 anrufen."_s.arg(d.serviceName, d.branchName, date, time, d.branchPhone);
}

QString ConfirmationMessage::callbackSmsText(const QString &language, const QString &companyName, const QString &branchName,
                                             const QString &branchPhone)
{
    return language == u"en"_s
        ? u"%1 (%2) could not book your appointment on the phone and will call you back. You can also call %3."_s.arg(companyName, branchName, branchPhone)
        : u"%1 (%2) konnte Ihren Termin am Telefon nicht buchen und ruft Sie zurück. Sie erreichen uns auch unter %3."_s.arg(companyName, branchName, branchPhone);
}

namespace {

// The appointment's date and time as the customer reads them, in their language and the branch's zone.
std::pair<QString, QString> localWhen(const ConfirmationDetails &d)
{
    const bool english = d.language == u"en"_s;
    const QLocale locale(english ? QLocale::English : QLocale::German, english ? QLocale::UnitedKingdom : QLocale::Germany);
    const QDateTime local = d.start.toTimeZone(QTimeZone(d.timeZone.toUtf8()));
    return {locale.toString(local.date(), u"ddd dd.MM.yyyy"_s), local.time().toString(u"HH:mm"_s)};
}

} // namespace

QString ConfirmationMessage::reminderSmsText(const ConfirmationDetails &d)
{
    const auto [date, time] = localWhen(d);
    return d.language == u"en"_s
        ? u"Reminder: your appointment (%1) at %2 is tomorrow, %3 at %4. To cancel or reschedule, call %5."_s.arg(d.serviceName, d.branchName, date, time, d.branchPhone)
        : u"Erinnerung: Ihr Termin (%1) bei %2 ist morgen, %3 um %4 Uhr. Absagen oder verschieben: %5 anrufen."_s.arg(d.serviceName, d.branchName, date, time, d.branchPhone);
}

QString ConfirmationMessage::cancelledSmsText(const ConfirmationDetails &d)
{
    const auto [date, time] = localWhen(d);
    return d.language == u"en"_s
        ? u"Your appointment (%1) at %2 on %3 at %4 is cancelled. For a new one, call %5."_s.arg(d.serviceName, d.branchName, date, time, d.branchPhone)
        : u"Ihr Termin (%1) bei %2 am %3 um %4 Uhr ist abgesagt. Für einen neuen Termin: %5 anrufen."_s.arg(d.serviceName, d.branchName, date, time, d.branchPhone);
}

QString ConfirmationMessage::movedSmsText(const ConfirmationDetails &d)
{
    const auto [date, time] = localWhen(d);
    return d.language == u"en"_s
        ? u"Your appointment (%1) at %2 is moved to %3 at %4. To cancel or reschedule, call %5."_s.arg(d.serviceName, d.branchName, date, time, d.branchPhone)
        : u"Ihr Termin (%1) bei %2 ist verschoben auf %3 um %4 Uhr. Absagen oder verschieben: %5 anrufen."_s.arg(d.serviceName, d.branchName, date, time, d.branchPhone);
}

} // namespace askpro
