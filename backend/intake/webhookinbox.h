// The durable inbox: every acknowledged webhook is stored raw, with its job, before the 2xx goes out.
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

namespace askpro {

class Database;

struct Delivery
{
    QString provider;  // retell | calcom | stripe
    QString eventType; // the provider's event name
    QString dedupeKey; // e.g. "<call_id>:call_ended"
    QByteArray body;   // raw, exactly as signed
    QString jobKind;   // empty: stored only (an event we do not act on)
};

struct Accepted
{
    qint64 inboxId = 0;
    qint64 jobId = 0;       // the job that processes it (also for a duplicate, when there is one)
    bool duplicate = false; // seen before: acknowledged again, not processed twice
};

class WebhookInbox final
{
public:
    explicit WebhookInbox(Database &db);

    // Stores the delivery and queues its job in one transaction. A duplicate only counts the delivery.
    [[nodiscard]] Result<Accepted> accept(const Delivery &delivery);
    // Group commit: stores several deliveries in one durable transaction, so concurrent webhooks share
    // one flush. One result per delivery, in order; when the shared transaction fails, each delivery is
    // tried again on its own, so one bad delivery never fails the others.
    [[nodiscard]] QList<Result<Accepted>> acceptAll(const QList<Delivery> &deliveries);
    // Keeps a refused delivery (bad signature, malformed body) visible to support with its reason.
    // The stored body is cut at 64 KiB: refused senders do not get to fill the disk.
    [[nodiscard]] Status recordRejected(const QString &provider, const QString &eventType, const QByteArray &body,
                                        bool signatureOk, const QString &reason);
    [[nodiscard]] Status markProcessed(qint64 inboxId, qint64 callId = 0);
    [[nodiscard]] Status markFailed(qint64 inboxId, const QString &error, qint64 callId = 0);
    [[nodiscard]] Result<QByteArray> body(qint64 inboxId);

private:
    // The statements of accept(), inside the caller's transaction.
    [[nodiscard]] Result<Accepted> store(const Delivery &delivery);
    // The same for many: the new rows and their jobs in a few multi-row statements (a round trip each on
    // PostgreSQL), duplicates one by one.
    [[nodiscard]] Result<QList<Accepted>> storeAll(const QList<Delivery> &deliveries);
    Database &m_db;
};

} // namespace askpro
