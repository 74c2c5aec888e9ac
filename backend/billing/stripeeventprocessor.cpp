// Stripe event handling: one transaction per event; the event id is the payment row's unique key.
#include "billing/stripeeventprocessor.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "intake/webhookinbox.h"
#include "integrations/jsonreply.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// Our invoice for a Stripe invoice object: by its Stripe id, else by the metadata we set.
Result<qint64> ourInvoice(Database &db, const Json &invoice)
{
    auto id = db.scalar(u"SELECT id FROM invoices WHERE stripe_invoice_id = ?"_s, {jsonString(invoice, "id")});
    if (!id)
        return id.error();
    if (id->isValid())
        return id->toLongLong();
    const qint64 byMetadata = jsonString(invoice.value("metadata", Json::object()), "askpro_invoice_id").toLongLong();
    if (byMetadata <= 0)
        return qint64(0);
    auto exists = db.scalar(u"SELECT id FROM invoices WHERE id = ? AND (stripe_invoice_id IS NULL OR stripe_invoice_id = ?)"_s,
                            {byMetadata, jsonString(invoice, "id")});
    if (!exists)
        return exists.error();
    return exists->isValid() ? exists->toLongLong() : qint64(0);
}

} // namespace

StripeEventProcessor::StripeEventProcessor(Database &db) : m_db(db) {}

JobOutcome StripeEventProcessor::process(qint64 inboxId)
{
    WebhookInbox inbox(m_db);
    auto body = inbox.body(inboxId);
    if (!body)
        return JobOutcome::retry(body.error());
    auto event = parseJson(*body, u"The Stripe event"_s);
    if (!event) {
        auto marked = inbox.markFailed(inboxId, event.error().message);
        Q_UNUSED(marked);
        return JobOutcome::failed(event.error());
    }
    const QString type = jsonString(*event, "type");
    const QString eventId = jsonString(*event, "id");
    const Json object = event->value("data", Json::object()).value("object", Json::object());
    const qint64 at = jsonInt(*event, "created", nowMs() / 1000) * 1000;

    Transaction tx(m_db);
    if (!tx.started().ok())
        return JobOutcome::retry(tx.started().error());
    Status applied;
    if (type == u"invoice.finalized"_s || type == u"invoice.paid"_s || type == u"invoice.payment_failed"_s) {
        auto invoiceId = ourInvoice(m_db, object);
        if (!invoiceId)
            return JobOutcome::retry(invoiceId.error());
        if (*invoiceId == 0) {
            qCInfo(lcBilling) << "Stripe event" << eventId << "names an invoice we do not know:" << jsonString(object, "id");
        } else if (type == u"invoice.finalized"_s) {
            auto q = m_db.exec(u"UPDATE invoices SET stripe_invoice_id = COALESCE(stripe_invoice_id, ?), stripe_total_cents = ? "
                               "WHERE id = ?"_s,
                               {jsonString(object, "id"), jsonInt(object, "total"), *invoiceId});
            if (!q)
                applied = q.error();
        } else {
            const bool paid = type == u"invoice.paid"_s;
            auto payment = m_db.exec(u"INSERT INTO payments (invoice_id, at, kind, amount_cents, reason, stripe_event_id) "
                                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (stripe_event_id) DO NOTHING"_s,
                                     {*invoiceId, at, paid ? u"paid"_s : u"failed"_s,
                                      paid ? jsonInt(object, "amount_paid") : jsonInt(object, "amount_due"),
                                      paid ? QString() : u"Stripe: payment failed (attempt %1)"_s.arg(jsonInt(object, "attempt_count")),
                                      eventId});
            if (!payment) {
                applied = payment.error();
            } else {
                // paid is final; failed never overrides paid; a late finalized changes nothing.
                auto q = paid ? m_db.exec(u"UPDATE invoices SET status = 'paid', paid_at = COALESCE(paid_at, ?) WHERE id = ?"_s,
                                          {at, *invoiceId})
                              : m_db.exec(u"UPDATE invoices SET status = 'failed' WHERE id = ? AND status IN ('open', 'draft')"_s,
                                          {*invoiceId});
                if (!q)
                    applied = q.error();
            }
        }
    } else if (type == u"customer.subscription.updated"_s || type == u"customer.subscription.deleted"_s) {
        const bool deleted = type == u"customer.subscription.deleted"_s;
        const QString status = deleted ? u"canceled"_s : jsonString(object, "status");
        auto q = deleted ? m_db.exec(u"UPDATE subscriptions SET status = 'canceled', ended_at = COALESCE(ended_at, ?) "
                                     "WHERE stripe_subscription_id = ?"_s,
                                     {at, jsonString(object, "id")})
                         : m_db.exec(u"UPDATE subscriptions SET status = ? WHERE stripe_subscription_id = ? AND status <> 'canceled'"_s,
                                     {status, jsonString(object, "id")});
        if (!q)
            applied = q.error();
    } else {
        qCDebug(lcBilling) << "ignoring Stripe event" << type;
    }
    if (!applied)
        return JobOutcome::retry(applied.error());
    auto marked = inbox.markProcessed(inboxId);
    if (!marked)
        return JobOutcome::retry(marked.error());
    auto committed = tx.commit();
    if (!committed)
        return JobOutcome::retry(committed.error());
    return JobOutcome::done();
}

} // namespace askpro
