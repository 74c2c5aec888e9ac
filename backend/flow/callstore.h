// The call flow's reads and writes: branches, calls, customers, timeline, appointments, usage, mail queue.
#pragma once

#include "core/result.h"
#include "flow/appointmentrequest.h"
#include "flow/timeline.h"
#include "intake/webhookinbox.h"

#include <QDateTime>

#include <optional>

namespace askpro {

class Database;

struct BranchInfo
{
    qint64 id = 0;
    qint64 companyId = 0;
    QString name;
    QString timeZone;
    QString language;
};

struct ServiceInfo
{
    qint64 id = 0;
    QString name;
    int durationMinutes = 0;
    std::optional<qint64> eventTypeId; // the Cal.com event type at the branch asked about, if mapped
};

struct StoredCall
{
    qint64 id = 0;
    int appointments = 0; // appointments (or reservations) of this call, as the upsert saw them
    bool testCall = false; // marked as a test call: never billed
};

struct AppointmentState
{
    qint64 id = 0;
    QString status; // pending (reserved, not booked yet) | booked | cancelled | ...
    // For a pending reservation: "pending" while an attempt holds it (or its last booking request got
    // no answer and may still land), "failed" once the last attempt ended with an answer.
    QString syncState;
    qint64 updatedAt = 0; // for a pending reservation: when its lease began
    qint64 startsAt = 0;
};

class CallStore final
{
public:
    explicit CallStore(Database &db);

    // Our side of a Retell call object: the called number (to_number) of an inbound call, the calling
    // number (from_number) of an outbound one, which Retell places from our number to the other party.
    [[nodiscard]] static QString ourNumber(const Json &call);
    // The other party: the caller of an inbound call, the called person of an outbound one.
    [[nodiscard]] static QString otherNumber(const Json &call);
    [[nodiscard]] static bool outbound(const Json &call);
    // The same in SQL: CallParties (db/callparties.h).

    // With a scope, only a branch of a company the scope allows (SignerScope over the branch's company_id).
    [[nodiscard]] Result<std::optional<BranchInfo>> activeBranchForNumber(const QString &e164,
                                                                         const std::optional<SignerScope> &scope = std::nullopt);
    // What a signed call names that belongs to a company outside `scope` (over company_id): "call" (a call
    // of that id is another company's), "agent" (another company's agent) or "number" (another company's
    // active number); empty when nothing does.
    [[nodiscard]] Result<QString> foreignToScope(const QString &retellCallId, const QString &agentId, const QString &numberE164,
                                                 const SignerScope &scope);
    [[nodiscard]] Result<std::optional<BranchInfo>> branchOfCall(qint64 callId);
    // A test call: metadata.askpro_test_call holds the nonce of an open test-call window of its branch, or the
    // other party is the number an open window (without nonce) of its branch waits for at atMs (the call's
    // start) or now. The first such call consumes the window (audited); a forged or reused marker is an
    // ordinary, billed call (audited too).
    [[nodiscard]] Result<bool> isTestCall(const Json &call, const std::optional<BranchInfo> &branch, qint64 atMs);
    // Inserts or merges the Retell call object; later events fill in, never blank out. The customer and
    // the appointment request (when known) are stored with it, in the same statement.
    [[nodiscard]] Result<StoredCall> upsertCall(const Json &call, const std::optional<BranchInfo> &branch,
                                                std::optional<qint64> customerId = {},
                                                const std::optional<AppointmentRequest> &request = {});
    [[nodiscard]] Result<qint64> upsertCustomer(qint64 companyId, const QString &phoneE164, const QString &name,
                                                const QString &email, const QString &language);
    [[nodiscard]] Result<std::optional<AppointmentRequest>> storedRequest(qint64 callId);
    // Sets the call's outcome; never turns a booked call into anything else.
    [[nodiscard]] Status setOutcome(qint64 callId, const QString &outcome, const QString &failureKind = {},
                                    const QString &reason = {}, const Json &alternatives = Json());
    [[nodiscard]] Result<QString> outcome(qint64 callId);
    [[nodiscard]] Status addEvent(qint64 callId, const TimelineEntry &entry);
    // Several timeline entries of one call in one statement (one round trip on PostgreSQL).
    [[nodiscard]] Status addEvents(qint64 callId, const QList<TimelineEntry> &entries);
    // Exactly one usage row per call and per appointment, priced from the company's plan at that moment.
    [[nodiscard]] Status recordCallUsage(qint64 callId, qint64 companyId, qint64 branchId, qint64 atMs);
    [[nodiscard]] Status recordAppointmentUsage(qint64 appointmentId, qint64 companyId, qint64 branchId, qint64 atMs);

    // With a branch, the service's event type there comes along (ServiceInfo::eventTypeId).
    [[nodiscard]] Result<std::optional<ServiceInfo>> findService(qint64 companyId, const QString &name, qint64 branchId = 0);
    [[nodiscard]] Result<std::optional<qint64>> eventTypeFor(qint64 branchId, qint64 serviceId);
    [[nodiscard]] Result<std::optional<qint64>> staffByPreference(qint64 companyId, const QString &preference);

    [[nodiscard]] Result<std::optional<AppointmentState>> appointmentForCall(qint64 callId);
    // Claims the call's one appointment row before Cal.com is asked, so two paths never both book.
    // Returns std::nullopt when another path holds it.
    [[nodiscard]] Result<std::optional<qint64>> reserveAppointment(qint64 callId, const BranchInfo &branch, qint64 customerId,
                                                                   qint64 serviceId, std::optional<qint64> staffId,
                                                                   const QDateTime &start, int minutes, const QString &notes);
    // A new attempt takes over a reservation no attempt works on: its last attempt ended with an answer
    // (sync_state 'failed'), or its lease began before staleBeforeMs (the attempt died, or its last
    // request got no answer long enough ago). False when another attempt holds it or took it first.
    [[nodiscard]] Result<bool> takeOverReservation(qint64 appointmentId, qint64 staleBeforeMs);
    // Starts the lease again before a booking request, for an attempt that has held it a while.
    [[nodiscard]] Status renewLease(qint64 appointmentId);
    // An attempt ends without a booking but keeps the reservation for the next one. requestUnanswered:
    // its booking request got no answer and may still land, so the lease runs on (from now) and the
    // next attempt waits for it; otherwise the next attempt may take over at once.
    [[nodiscard]] Status leaveReservation(qint64 appointmentId, const QString &error, bool requestUnanswered);
    [[nodiscard]] Status confirmAppointment(qint64 appointmentId, const QString &uid, qint64 bookingId, qint64 startsAt,
                                            qint64 endsAt);
    [[nodiscard]] Status releaseReservation(qint64 appointmentId);


private:
    Database &m_db;
};

} // namespace askpro
