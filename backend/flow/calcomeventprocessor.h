// Mirrors bookings created, cancelled or rescheduled in Cal.com itself into our appointments, for the
// companies whose key signed the event only, and never with an event older than the appointment's last change.
#pragma once

#include "core/result.h"
#include "jobs/joboutcome.h"

#include <QCoreApplication>

namespace askpro {

class Database;

// What one stored Cal.com event would do, decided by reading only: the job applies it, support previews it.
struct CalcomEventPlan
{
    enum class Verdict {
        Apply,    // changes (or creates) the appointment below
        Nothing,  // names nothing we hold, or a trigger we do not act on
        NotOurs,  // names a booking or event type of a company its signer does not act for
        Stale,    // created longer ago than the configured window
        Older,    // created before the appointment's last change
        Unmapped, // BOOKING_CREATED for an event type no branch uses
    };
    Verdict verdict = Verdict::Nothing;
    QString reason; // translated, for support: why it does not apply
    QString trigger;
    QString uid;
    qint64 eventAtMs = 0;     // the event's createdAt (when missing: when we received it)
    qint64 appointmentId = 0; // the appointment it changes; 0 for a new one or none
    QString statusBefore;     // empty for a new appointment
    QString statusAfter;
    qint64 startsBefore = 0;
    qint64 startsAfter = 0;
    // Where a new appointment goes (BOOKING_CREATED of a booking made in Cal.com).
    qint64 branchId = 0;
    qint64 companyId = 0;
    qint64 serviceId = 0;
};

class CalcomEventProcessor final
{
    Q_DECLARE_TR_FUNCTIONS(CalcomEventProcessor)
public:
    static constexpr qint64 defaultMaxAgeMs = 3600 * 1000;

    // Events created more than maxAgeMs ago are kept as 'stale' instead of being applied.
    explicit CalcomEventProcessor(Database &db, qint64 maxAgeMs = defaultMaxAgeMs);

    // Applies one stored Cal.com webhook; the slot cache of the days it touches is forgotten. A replay
    // (support's decision) is not held to the age window, but still never overrides a newer change.
    [[nodiscard]] JobOutcome process(qint64 inboxId, bool replay = false);
    // What process() would do with the stored event now, changing nothing.
    [[nodiscard]] Result<CalcomEventPlan> plan(qint64 inboxId, bool replay = false);

private:
    Database &m_db;
    qint64 m_maxAgeMs;
};

} // namespace askpro
