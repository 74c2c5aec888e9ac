// The durable inbox: every acknowledged webhook is stored raw, with its job, before the 2xx goes out.
#pragma once

#include "core/result.h"
#include "intake/signatures.h"

#include <QByteArray>
#include <QString>
#include <QVariantList>

#include <optional>

namespace askpro {

class Database;

struct Delivery
{
    QString provider;  // retell | calcom | stripe | twilio
    QString eventType; // the provider's event name
    QString dedupeKey; // e.g. "<call_id>:call_ended"
    QByteArray body;   // raw, exactly as signed
    QString jobKind;   // empty: stored only (an event we do not act on)
    std::optional<Signer> signer; // whose key verified it; empty: unknown, so it acts for no company
};

// The companies a delivery may act for, as a condition on a company id column, for the delivery's own
// statements: a row of another company then matches nothing.
struct SignerScope
{
    QString sql;          // e.g. "(b.company_id IN (?, ?))"; "(1 = 0)" for an unknown signer
    QVariantList params;  // bound in place of the condition's placeholders

    // The platform's key serves the companies without a key of their own for `provider` (they use the
    // platform's account); a company's key serves that company.
    [[nodiscard]] static SignerScope of(const std::optional<Signer> &signer, const QString &provider, const QString &companyColumn);
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
    // Keeps a correctly signed but malformed delivery visible to support with its reason. The stored body is
    // cut at 64 KiB. Requests whose signature fails never come here (RefusedRequests): whoever can reach the
    // port must not be able to fill the disk.
    // A signed delivery answered without effect, kept for support with why: status 'ignored' (nothing of ours,
    // e.g. an inbound call to a number no branch has) or 'not_ours' (another company's). No job; the dedupe key
    // is made unique, so every such delivery stays visible. The stored body is cut at 64 KiB.
    [[nodiscard]] Status recordIgnored(const Delivery &delivery, const QString &status, const QString &reason);
    [[nodiscard]] Status recordRejected(const QString &provider, const QString &eventType, const QByteArray &body,
                                        bool signatureOk, const QString &reason);
    [[nodiscard]] Status markProcessed(qint64 inboxId, qint64 callId = 0);
    [[nodiscard]] Status markFailed(qint64 inboxId, const QString &error, qint64 callId = 0);
    // Verified, but names objects of a company its signer does not act for: acknowledged without effect.
    [[nodiscard]] Status markNotOurs(qint64 inboxId, const QString &reason, qint64 callId = 0);
    // Verified, but too old to apply (or older than what it would change): kept for support, not applied.
    [[nodiscard]] Status markStale(qint64 inboxId, const QString &reason);
    [[nodiscard]] Result<QByteArray> body(qint64 inboxId);
    // Who signed the stored delivery; std::nullopt for rows stored before signers were recorded.
    [[nodiscard]] Result<std::optional<Signer>> signer(qint64 inboxId);

private:
    // The statements of accept(), inside the caller's transaction.
    [[nodiscard]] Result<Accepted> store(const Delivery &delivery);
    // The same for many: the new rows and their jobs in a few multi-row statements (a round trip each on
    // PostgreSQL), duplicates one by one.
    [[nodiscard]] Result<QList<Accepted>> storeAll(const QList<Delivery> &deliveries);
    Database &m_db;
};

} // namespace askpro
