// What a job handler reports back: finished, try again later, or failed for good; optionally with its
// last writes still open, so the job's end is recorded in the same commit.
#pragma once

#include "core/result.h"

#include <functional>
#include <memory>

namespace askpro {

class Transaction;

struct JobOutcome
{
    enum class Kind { Done, Retry, Failed };
    Kind kind = Kind::Done;
    Error error;
    qint64 retryAfterMs = 0; // at least this long before the next attempt (Retry-After)
    // false: the attempt only waited for something else (another attempt's lease) and did no work;
    // it does not use up one of the job's attempts and runs again after exactly retryAfterMs.
    bool countsAsAttempt = true;
    // The handler's last writes, not yet committed, in this thread's open transaction. The receiver
    // records what it must inside it and commits it before returning to the event loop (JobWorker
    // does); a handler commits it itself if it is still open once the callback returns.
    std::shared_ptr<Transaction> unitOfWork;

    [[nodiscard]] static JobOutcome done() { return {}; }
    [[nodiscard]] static JobOutcome retry(Error e)
    {
        const qint64 after = e.retryAfter.count();
        return {Kind::Retry, std::move(e), after, true, nullptr};
    }
    [[nodiscard]] static JobOutcome waitFor(Error e, qint64 ms) { return {Kind::Retry, std::move(e), ms, false, nullptr}; }
    [[nodiscard]] static JobOutcome failed(Error e) { return {Kind::Failed, std::move(e), 0, true, nullptr}; }
};

using JobDone = std::function<void(const JobOutcome &)>;

} // namespace askpro
