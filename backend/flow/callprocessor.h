// The call flow: a stored Retell event becomes a call, a customer, an availability check, a booking
// and a queued confirmation. Every step is written to the call's timeline; every end is a visible state.
// The writes between two provider requests form one unit of work (one commit); only a unit that holds a
// new reservation is committed with Durability::Full, before the booking request it protects.
#pragma once

#include "config/serverconfig.h"
#include "db/database.h"
#include "flow/timeline.h"
#include "integrations/jsonreply.h"
#include "jobs/joboutcome.h"

#include <QCoreApplication>
#include <QObject>

#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace askpro {

class CredentialStore;

class CallProcessor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallProcessor)
public:
    // Lives in one worker thread with that thread's network manager; db and credentials outlive it.
    CallProcessor(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints,
                  qint64 slotTtlMs, QObject *parent = nullptr);
    ~CallProcessor() override;

    // Processes a stored Retell webhook (call_started, call_ended, call_analyzed) or a live
    // book_appointment function call. done() is called exactly once, possibly later.
    void processInboxEvent(qint64 inboxId, bool lastAttempt, JobDone done);
    // Books the call's stored request again: support's retry and the recovery sweep.
    void retryBooking(qint64 callId, bool lastAttempt, JobDone done);

    // How long a reservation protects a booking under way from a second path; also how long an
    // unanswered booking request is given to land before the next attempt looks for it in Cal.com:
    // three provider timeouts (30 s at the default 10 s), so a request given up on has long landed or failed.
    [[nodiscard]] static qint64 reservationLeaseMs(const ProviderEndpoints &endpoints)
    {
        return 3 * qint64(endpoints.timeoutMs);
    }
    // How often an attempt waiting for another one's lease looks again (waiting uses up no attempt).
    static constexpr qint64 leaseCheckMs = 2000;

private:
    struct Run;
    class Segment;
    [[nodiscard]] Status openUnit(const std::shared_ptr<Run> &run, Durability durability);
    [[nodiscard]] Status commitUnit(const std::shared_ptr<Run> &run);
    void hand(const std::shared_ptr<Run> &run, JobOutcome outcome);
    void leave(const std::shared_ptr<Run> &run, const Error &error);
    void waitForLease(const std::shared_ptr<Run> &run, qint64 waitMs);
    void book(const std::shared_ptr<Run> &run);
    void findEarlierBooking(const std::shared_ptr<Run> &run, int skip = 0);
    [[nodiscard]] static QString attendeeName(const std::shared_ptr<Run> &run);
    void loadSlots(const std::shared_ptr<Run> &run);
    void choose(const std::shared_ptr<Run> &run, QList<QDateTime> free);
    void createBooking(const std::shared_ptr<Run> &run);
    void confirm(const std::shared_ptr<Run> &run, const Json &booking);
    struct SmsRecipient
    {
        QString number;     // E.164; may be empty (skipReason says why)
        QString skipReason; // empty: it is sent
        QString language;   // de | en
        QString companyName;
        QString address;
        QString branchPhone;
        QString email;            // the caller's address (said on this call, else on record); may be empty
        bool wantsNothing = false; // preference 'none': no message on any channel
    };
    [[nodiscard]] Result<SmsRecipient> smsRecipient(const std::shared_ptr<Run> &run);
    [[nodiscard]] Result<bool> recordSms(const std::shared_ptr<Run> &run, const SmsRecipient &to, const QString &kind, const QString &dedupeKey,
                                         const QString &text, qint64 appointmentId);
    [[nodiscard]] Status queueCallbackNotice(const std::shared_ptr<Run> &run);
    [[nodiscard]] Status queueSmsConfirmation(const std::shared_ptr<Run> &run, const QDateTime &start, const QDateTime &end,
                                              const QString &uid);
    // why: one of the callback codes (timeline::needsCallback); reason: the call's failure reason.
    void needsCallback(const std::shared_ptr<Run> &run, const QList<QDateTime> &alternatives, TimelineCode why,
                       const QString &reason);
    // entry: what the timeline says, when the flow knows more than the error (else timeline::failed(error)).
    void fail(const std::shared_ptr<Run> &run, const Error &error, std::optional<TimelineEntry> entry = std::nullopt);
    void retryLater(const std::shared_ptr<Run> &run, const Error &error);
    void finish(const std::shared_ptr<Run> &run, const JobOutcome &outcome);
    void step(const std::shared_ptr<Run> &run, TimelineEntry entry);
    [[nodiscard]] Status flushEvents(const std::shared_ptr<Run> &run);

    Database &m_db;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    ProviderEndpoints m_endpoints;
    qint64 m_slotTtlMs;
};

} // namespace askpro
