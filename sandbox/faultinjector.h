// Fault injection for one provider: added latency, server errors, rate limiting, requests that never
// get a timely answer, and requests carried out whose answer is lost, drawn from a seeded generator so
// a run can be repeated.
#pragma once

#include <QRandomGenerator64>

namespace askpro::sandbox {

struct FaultSettings
{
    int latencyMs = 0;         // added before every answer
    double errorRate = 0.0;    // share of requests answered 500, 502 or 503
    double rateLimitRate = 0.0; // share answered 429 with Retry-After: 1
    double timeoutRate = 0.0;  // share answered only after 60 s (a 504), when clients gave up long ago
    // Requests carried out (a booking is made) whose answer is lost on the way back:
    double answerLostRate = 0.0; // share answered 502 instead of their result, as by a proxy that lost it
    double answerLateRate = 0.0; // share whose answer comes only after 60 s (a 504), when clients gave up
    // Reads (GET) pass untouched: a fault lands on the write a client must not repeat blindly.
    bool writesOnly = false;
};

enum class FaultKind {
    None,
    ServerError,
    RateLimited,
    Timeout,
    AnswerLost, // carried out, answered 502
    AnswerLate, // carried out, answered 504 after TimeoutDelayMs
};

struct FaultDraw
{
    FaultKind kind = FaultKind::None;
    int status = 200; // the HTTP status the fault answers with
};

class FaultInjector final
{
public:
    explicit FaultInjector(quint64 seed = 1) : m_random(seed) {}

    void setSettings(const FaultSettings &settings) { m_settings = settings; }
    [[nodiscard]] const FaultSettings &settings() const { return m_settings; }
    void reseed(quint64 seed) { m_random.seed(seed); }

    // One draw per request; the rates share one uniform draw, so they add up (capped at 1).
    [[nodiscard]] FaultDraw draw();

    static constexpr int TimeoutDelayMs = 60'000;

private:
    FaultSettings m_settings;
    QRandomGenerator64 m_random;
};

} // namespace askpro::sandbox
