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

void DemoCallFeed::placeCall()
{
    QStringList services;
    for (const auto &type : m_sandbox.calcomEventTypes())
        services.append(type.toObject().value(u"title"_s).toString());
    if (services.isEmpty())
        services = FallbackServices;

    SimulatedCallOptions call;
    call.toNumber = m_toNumbers.at(m_random.bounded(int(m_toNumbers.size())));
    call.fromNumber = u"+49151%1"_s.arg(m_random.bounded(10'000'000, 99'999'999));
    call.language = m_random.bounded(10) < 7 ? u"de"_s : u"en"_s;
    const int roll = m_random.bounded(10);
    call.scenario = roll < 6 ? CallScenario::Book : roll < 8 ? CallScenario::NoRequest : roll < 9 ? CallScenario::Hangup : CallScenario::Voicemail;

    AppointmentWish &wish = call.appointment;
    wish.service = services.at(m_random.bounded(int(services.size())));
    wish.customerName = FirstNames.at(m_random.bounded(int(FirstNames.size()))) + u' ' + LastNames.at(m_random.bounded(int(LastNames.size())));
    wish.customerEmail = asciiMail(wish.customerName);
    QDate day = QDate::currentDate().addDays(1 + m_random.bounded(5));
    while (day.dayOfWeek() > 5)
        day = day.addDays(1);
    wish.start = QDateTime(day, QTime(9 + m_random.bounded(8), m_random.bounded(2) * 30), QTimeZone("Europe/Berlin"));
    wish.agreedToAlternatives = m_random.bounded(2) == 1;
    m_sandbox.simulateCall(call);
    ++m_placed;
}

} // namespace askpro::sandbox
