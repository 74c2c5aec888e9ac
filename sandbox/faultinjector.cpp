// Fault injection for one provider: one seeded uniform draw per request picks the fault.
#include "faultinjector.h"

namespace askpro::sandbox {

FaultDraw FaultInjector::draw()
{
    const double u = m_random.generateDouble();
    double threshold = m_settings.timeoutRate;
    if (u < threshold)
        return {FaultKind::Timeout, 504};
    threshold += m_settings.rateLimitRate;
    if (u < threshold)
        return {FaultKind::RateLimited, 429};
    threshold += m_settings.errorRate;
    if (u < threshold) {
        static constexpr int statuses[] = {500, 502, 503};
        return {FaultKind::ServerError, statuses[m_random.bounded(3)]};
    }
    threshold += m_settings.answerLostRate;
    if (u < threshold)
        return {FaultKind::AnswerLost, 502};
    threshold += m_settings.answerLateRate;
    if (u < threshold)
        return {FaultKind::AnswerLate, 504};
    return {};
}

} // namespace askpro::sandbox
