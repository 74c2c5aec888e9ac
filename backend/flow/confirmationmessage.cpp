// Fills a template's placeholders and writes the VEVENT.
#include "flow/confirmationmessage.h"

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
                                d.cancelled ? u"METHOD:CANCEL"_s : u"METHOD:PUBLISH"_s, u"BEGIN:VEVENT"_s,
                                u"UID:"_s + icsEscape(d.uid) + u"@askproai"_s, u"SEQUENCE:"_s + QString::number(d.sequence),
                                u"DTSTAMP:"_s + stamp(QDateTime::currentDateTimeUtc()), u"DTSTART:"_s + stamp(d.start),
                                u"DTEND:"_s + stamp(d.start.addSecs(qint64(d.minutes) * 60)), u"SUMMARY:"_s + icsEscape(summary),
                                u"LOCATION:"_s + icsEscape(d.branchName + u", "_s + d.branchAddress),
                                d.cancelled ? u"STATUS:CANCELLED"_s : u"STATUS:CONFIRMED"_s,
                                u"END:VEVENT"_s, u"END:VCALENDAR"_s};
    for (const QString &line : lines)
        ics += folded(line);
    return ics;
}

ConfirmationMessage ConfirmationMessage::fill(const MessageTemplate &text, const ConfirmationDetails &d)
{
    const bool english = text.language == u"en"_s;
    const bool sms = text.channel == u"sms"_s;
    const QLocale locale(english ? QLocale::English : QLocale::German, english ? QLocale::UnitedKingdom : QLocale::Germany);
    const QDateTime local = d.start.toTimeZone(QTimeZone(d.timeZone.toUtf8()));
    const QList<std::pair<QString, QString>> values{
        {u"{{name}}"_s, d.customerName.isEmpty() ? (english ? u"there"_s : u"liebe Kundin, lieber Kunde"_s) : d.customerName},
        {u"{{service}}"_s, d.serviceName},
        {u"{{date}}"_s, sms ? locale.toString(local.date(), u"ddd dd.MM.yyyy"_s) : locale.toString(local.date(), QLocale::LongFormat)},
        {u"{{time}}"_s, local.time().toString(u"HH:mm"_s)},
        {u"{{minutes}}"_s, QString::number(d.minutes)},
        {u"{{branch}}"_s, d.branchName},
        {u"{{address}}"_s, d.branchAddress},
        {u"{{phone}}"_s, d.branchPhone},
        {u"{{company}}"_s, d.companyName},
    };
    ConfirmationMessage m;
    m.subject = text.subject;
    m.body = text.body;
    for (const auto &[key, value] : values) {
        m.subject.replace(key, value);
        m.body.replace(key, value);
    }
    if (!sms && (text.kind == u"confirmation"_s || text.kind == u"moved"_s || text.kind == u"cancelled"_s))
        m.ics = icsFor(d);
    return m;
}

} // namespace askpro
