// The call flow: a stored Retell event becomes a call, a customer, an availability check, a booking
// and a queued confirmation. Every step is written to the call's timeline; every end is a visible state.
#pragma once

#include "config/serverconfig.h"
#include "integrations/jsonreply.h"
#include "jobs/joboutcome.h"

#include <QCoreApplication>
#include <QObject>

#include <memory>

class QNetworkAccessManager;

namespace askpro {

class CredentialStore;
class Database;

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

    // How long a reservation protects a booking under way from a second path.
    static constexpr qint64 reservationLeaseMs = 30 * 1000;

private:
    struct Run;
    void book(const std::shared_ptr<Run> &run);
    void findEarlierBooking(const std::shared_ptr<Run> &run, int skip = 0);
    [[nodiscard]] static QString attendeeName(const std::shared_ptr<Run> &run);
    void loadSlots(const std::shared_ptr<Run> &run);
    void choose(const std::shared_ptr<Run> &run, QList<QDateTime> free);
    void createBooking(const std::shared_ptr<Run> &run);
    void confirm(const std::shared_ptr<Run> &run, const Json &booking);
    void needsCallback(const std::shared_ptr<Run> &run, const QList<QDateTime> &alternatives, const QString &reason);
    void fail(const std::shared_ptr<Run> &run, const Error &error);
    void retryLater(const std::shared_ptr<Run> &run, const Error &error);
    void finish(const std::shared_ptr<Run> &run, const JobOutcome &outcome);
    void step(const std::shared_ptr<Run> &run, const QString &name, const QString &status, const QString &message);
    [[nodiscard]] Status flushEvents(const std::shared_ptr<Run> &run);

    Database &m_db;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    ProviderEndpoints m_endpoints;
    qint64 m_slotTtlMs;
};

} // namespace askpro
