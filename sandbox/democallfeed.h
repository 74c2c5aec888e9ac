// A steady stream of simulated inbound calls for the demo: random callers, mostly appointment
// requests for the called branch's own services at times it is open (from the seed's branches), some
// questions, hang-ups and voicemails, and a small, stated share that fails on purpose. It can be switched
// on and off while the sandbox runs (POST /sandbox/simulation, the admin app's Demo menu).
#pragma once

#include "callsimulator.h"

#include <QDate>
#include <QObject>
#include <QRandomGenerator>
#include <QStringList>
#include <QTimer>

namespace askpro::sandbox {

class Sandbox;

class DemoCallFeed final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoCallFeed)
public:
    // Calls one of toNumbers callsPerMinute times a minute. The sandbox must outlive the feed.
    DemoCallFeed(Sandbox &sandbox, int callsPerMinute, QStringList toNumbers, QObject *parent = nullptr);

    // Starts placing calls; does nothing without numbers to call (isAvailable() false).
    void start();
    void stop();
    [[nodiscard]] bool isRunning() const { return m_timer.isActive(); }
    [[nodiscard]] bool isAvailable() const { return !m_toNumbers.isEmpty(); }
    // 1 to 600; applies at once, also while running.
    void setCallsPerMinute(int callsPerMinute);
    [[nodiscard]] int callsPerMinute() const { return m_callsPerMinute; }
    [[nodiscard]] const QStringList &toNumbers() const { return m_toNumbers; }
    [[nodiscard]] int callsPlaced() const { return m_placed; }
    // The share of appointment requests that ask for a service the branch does not offer (0 to 1).
    void setDeliberateFailureShare(double share);
    [[nodiscard]] double deliberateFailureShare() const { return m_failureShare; }
    [[nodiscard]] int deliberateFailuresPlaced() const { return m_deliberate; }

    // The next call the feed would place, with its wish on a day after today; counts deliberate failures.
    [[nodiscard]] SimulatedCallOptions nextCall(const QDate &today);
    // The service every deliberate failure asks for: no demo business offers it.
    static constexpr const char *deliberateService = "Hausbesuch am Wochenende";

private:
    void placeCall();

    Sandbox &m_sandbox;
    QStringList m_toNumbers;
    QTimer m_timer;
    int m_callsPerMinute = 1;
    int m_placed = 0;
    double m_failureShare = 0.05;
    int m_deliberate = 0;
    QRandomGenerator m_random{42};
};

} // namespace askpro::sandbox
