// The one Stripe client: form-encoded requests with bracketed keys, an Idempotency-Key on every POST,
// a pinned API version, and Stripe's error shape mapped to typed errors.
#pragma once

#include "integrations/providertransport.h"

#include <QList>
#include <QPair>

namespace askpro {

// Ordered form fields; keys may be bracketed ("metadata[company_id]", "items[0][price]").
using StripeForm = QList<QPair<QString, QString>>;

class StripeClient final
{
public:
    static constexpr const char *apiVersion = "2024-06-20";

    // baseUrl like https://api.stripe.com/v1; secretKey sk_test_... or sk_live_....
    StripeClient(QNetworkAccessManager *network, QUrl baseUrl, QByteArray secretKey, int timeoutMs = 15000);

    // POST with an idempotency key that names the logical operation (e.g. "invoice:42:finalize"), so a
    // retry replays Stripe's first answer instead of acting twice. At most 255 characters.
    [[nodiscard]] JsonReply *post(const QString &path, const StripeForm &form, const QString &idempotencyKey) const;
    [[nodiscard]] JsonReply *get(const QString &path, const StripeForm &query = {}) const;
    [[nodiscard]] JsonReply *remove(const QString &path) const;

    // The operations billing and setup use.
    [[nodiscard]] JsonReply *createCustomer(qint64 companyId, const QString &name, const QString &email) const;
    // Search by our company id in metadata; result: {"data": [...]}.
    [[nodiscard]] JsonReply *findCustomer(qint64 companyId) const;
    [[nodiscard]] JsonReply *createPrice(const QString &productName, qint64 unitAmountCents, const QString &idempotencyKey) const;
    [[nodiscard]] JsonReply *createSubscription(const QString &customerId, const QString &priceId, qint64 companyId) const;
    [[nodiscard]] JsonReply *createTaxRate(int percentBasisPoints, const QString &idempotencyKey) const;
    [[nodiscard]] JsonReply *createInvoice(const QString &customerId, qint64 invoiceId, int daysUntilDue, const QString &taxRateId) const;
    [[nodiscard]] JsonReply *createInvoiceItem(const QString &customerId, const QString &stripeInvoiceId, qint64 amountCents,
                                               const QString &description, const QString &idempotencyKey) const;
    [[nodiscard]] JsonReply *finalizeInvoice(const QString &stripeInvoiceId) const;
    [[nodiscard]] JsonReply *sendInvoice(const QString &stripeInvoiceId) const;
    [[nodiscard]] JsonReply *invoice(const QString &stripeInvoiceId) const;
    // Billing (issue 6): active tax rates (to reuse ours), a customer's subscriptions, pausing a
    // subscription's own invoices (ours carry the base fee), and charging an open invoice.
    [[nodiscard]] JsonReply *listTaxRates() const;
    [[nodiscard]] JsonReply *subscriptionsOf(const QString &customerId) const;
    [[nodiscard]] JsonReply *voidSubscriptionInvoices(const QString &subscriptionId, qint64 companyId) const;
    [[nodiscard]] JsonReply *payInvoice(const QString &stripeInvoiceId, const QString &idempotencyKey) const;
    // A credit note over amountCents of a finalized invoice; toBalanceCents of it (the part beyond what
    // is still due) goes to the customer's balance, to be set off against the next invoice.
    [[nodiscard]] JsonReply *createCreditNote(const QString &stripeInvoiceId, qint64 amountCents, qint64 toBalanceCents, const QString &memo,
                                              qint64 creditNoteId) const;

    // application/x-www-form-urlencoded body from ordered fields (brackets percent-encoded as Stripe's SDKs do).
    [[nodiscard]] static QByteArray encode(const StripeForm &form);

private:
    ProviderTransport m_transport;
    QUrl m_baseUrl;
    QByteArray m_secretKey;
};

} // namespace askpro
