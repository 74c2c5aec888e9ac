// What a job handler reports back: finished, try again later, or failed for good.
#pragma once

#include "core/result.h"

#include <functional>

namespace askpro {

struct JobOutcome
{
    enum class Kind { Done, Retry, Failed };
    Kind kind = Kind::Done;
    Error error;
    qint64 retryAfterMs = 0; // at least this long before the next attempt (Retry-After)

    [[nodiscard]] static JobOutcome done() { return {}; }
    [[nodiscard]] static JobOutcome retry(Error e)
    {
        const qint64 after = e.retryAfter.count();
        return {Kind::Retry, std::move(e), after};
    }
    [[nodiscard]] static JobOutcome failed(Error e) { return {Kind::Failed, std::move(e), 0}; }
};

using JobDone = std::function<void(const JobOutcome &)>;

} // namespace askpro
