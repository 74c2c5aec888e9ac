// A steady stream of simulated inbound calls for the demo: random callers, mostly appointment
// requests for the seeded Cal.com services, some questions, hang-ups and voicemails.
#pragma once

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

    void start();

private:
    void placeCall();

    Sandbox &m_sandbox;
    QStringList m_toNumbers;
    QTimer m_timer;
    QRandomGenerator m_random{42};
};

} // namespace askpro::sandbox
