// A steady stream of simulated inbound calls for the demo.
#include "democallfeed.h"

#include "sandbox.h"

#include <QJsonArray>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

const QStringList FirstNames{u"Anna"_s, u"Jonas"_s, u"Lea"_s, u"Lukas"_s, u"Marie"_s, u"Felix"_s, u"Sophie"_s, u"Paul"_s, u"Emma"_s, u"Ben"_s};
const QStringList LastNames{u"Müller"_s, u"Schmidt"_s, u"Schneider"_s, u"Fischer"_s, u"Weber"_s, u"Meyer"_s, u"Wagner"_s, u"Becker"_s};
const QStringList FallbackServices{u"Beratung"_s, u"Haarschnitt"_s, u"Kontrolltermin"_s};

QString asciiMail(QString name)
{
    name.replace(u"ü"_s, u"ue"_s).replace(u"ö"_s, u"oe"_s).replace(u"ä"_s, u"ae"_s);
    return name.toLower().replace(u' ', u'.') + u"@example.com"_s;
}

} // namespace

DemoCallFeed::DemoCallFeed(Sandbox &sandbox, int callsPerMinute, QStringList toNumbers, QObject *parent)
    : QObject(parent), m_sandbox(sandbox), m_toNumbers(std::move(toNumbers))
{
    setCallsPerMinute(callsPerMinute);
    connect(&m_timer, &QTimer::timeout, this, &DemoCallFeed::placeCall);
}

void DemoCallFeed::start()
{
    if (isAvailable())
        m_timer.start();
}

void DemoCallFeed::stop()
{
    m_timer.stop();
}

void DemoCallFeed::setCallsPerMinute(int callsPerMinute)
{
    m_callsPerMinute = std::clamp(callsPerMinute, 1, 600);
    m_timer.setInterval(60'000 / m_callsPerMinute); // a running timer restarts with the new interval
}

void DemoCallFeed::setDeliberateFailureShare(double share)
{
    m_failureShare = std::clamp(share, 0.0, 1.0);
}

SimulatedCallOptions DemoCallFeed::nextCall(const QDate &today)
{
    SimulatedCallOptions call;
    call.toNumber = m_toNumbers.at(m_random.bounded(int(m_toNumbers.size())));
    call.fromNumber = u"+49151%1"_s.arg(m_random.bounded(10'000'000, 99'999'999));
    call.language = m_random.bounded(10) < 7 ? u"de"_s : u"en"_s;
    const int roll = m_random.bounded(10);
    call.scenario = roll < 6 ? CallScenario::Book : roll < 8 ? CallScenario::NoRequest : roll < 9 ? CallScenario::Hangup : CallScenario::Voicemail;

    // What this number's branch offers and when it is open; without a seeded branch, any event type on
    // weekdays from 9 to 17 (the sandbox's default schedule).
    QJsonObject branch;
    for (const auto &b : m_sandbox.demoBranches()) {
        if (b.toObject().value(u"phone"_s).toString() == call.toNumber)
            branch = b.toObject();
    }
    QList<std::pair<QString, int>> services;
    for (const auto &s : branch.value(u"services"_s).toArray())
        services.append({s.toObject().value(u"title"_s).toString(), s.toObject().value(u"lengthInMinutes"_s).toInt()});
    if (services.isEmpty()) {
        for (const auto &type : m_sandbox.calcomEventTypes())
            services.append({type.toObject().value(u"title"_s).toString(), type.toObject().value(u"lengthInMinutes"_s).toInt()});
    }
    if (services.isEmpty()) {
        for (const QString &name : FallbackServices)
            services.append({name, 30});
    }
    QJsonArray hours = branch.value(u"hours"_s).toArray();
    if (hours.isEmpty())
        hours = {QJsonObject{{u"days"_s, QJsonArray{u"Monday"_s, u"Tuesday"_s, u"Wednesday"_s, u"Thursday"_s, u"Friday"_s}},
                             {u"startTime"_s, u"09:00"_s}, {u"endTime"_s, u"17:00"_s}}};
    const QTimeZone zone(branch.value(u"timeZone"_s).toString(u"Europe/Berlin"_s).toUtf8());

    AppointmentWish &wish = call.appointment;
    const auto &[service, minutes] = services.at(m_random.bounded(int(services.size())));
    wish.service = service;
    wish.customerName = FirstNames.at(m_random.bounded(int(FirstNames.size()))) + u' ' + LastNames.at(m_random.bounded(int(LastNames.size())));
    wish.customerEmail = asciiMail(wish.customerName);
    wish.agreedToAlternatives = m_random.bounded(2) == 1;
    // A day in the next week on which the branch is open, at a quarter hour the whole appointment fits in.
    const QLocale english(QLocale::English);
    for (int attempt = 0; attempt < 14; ++attempt) {
        const QDate day = today.addDays(1 + m_random.bounded(attempt < 7 ? 5 : 14));
        for (const auto &w : hours) {
            const QJsonObject window = w.toObject();
            if (!window.value(u"days"_s).toArray().contains(english.dayName(day.dayOfWeek())))
                continue;
            const QTime open = QTime::fromString(window.value(u"startTime"_s).toString(), u"HH:mm"_s);
            const QTime close = QTime::fromString(window.value(u"endTime"_s).toString(), u"HH:mm"_s);
            const int quarters = (open.secsTo(close) / 60 - std::max(minutes, 15)) / 15;
            if (quarters < 0)
                continue;
            wish.start = QDateTime(day, open.addSecs(qint64(15 * m_random.bounded(quarters + 1)) * 60), zone);
            break;
        }
        if (wish.start.isValid())
            break;
    }
    if (!wish.start.isValid())
        wish.start = QDateTime(today.addDays(1), QTime(10, 0), zone);
    if (call.scenario == CallScenario::Book && m_random.generateDouble() < m_failureShare) {
        wish.service = QString::fromUtf8(deliberateService);
        ++m_deliberate;
    }
    return call;
}

void DemoCallFeed::placeCall()
{
    m_sandbox.simulateCall(nextCall(QDate::currentDate()));
    ++m_placed;
}

} // namespace askpro::sandbox
