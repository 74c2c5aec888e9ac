// Our invoices in Stripe: per company a customer (found by metadata before one is made) and the base
// subscription; each finalized invoice pushed as invoice items + invoice with the VAT tax rate,
// finalized and sent. Every POST carries an Idempotency-Key naming its logical operation.
#pragma once

#include "billing/invoicedocument.h"
#include "core/result.h"
#include "integrations/stripeclient.h"

#include <QCoreApplication>
#include <QObject>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace askpro {

class CredentialStore;
class Database;
struct ProviderEndpoints;

class StripeBilling final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StripeBilling)
public:
    using Done = std::function<void(const Status &)>;
    using IdDone = std::function<void(const Result<QString> &)>;

    // db must outlive this object; the client carries the platform's Stripe key.
    StripeBilling(Database &db, StripeClient client, QObject *parent = nullptr);
    // With the platform's Stripe credential (company NULL, provider "stripe"); Configuration error without one.
    [[nodiscard]] static Result<std::unique_ptr<StripeBilling>> create(Database &db, CredentialStore &credentials,
                                                                       QNetworkAccessManager *network, const ProviderEndpoints &endpoints);

    // The company's Stripe customer id: stored, else found by metadata askpro_company_id, else created.
    void ensureCustomer(qint64 companyId, IdDone done);
    // The company's base subscription (a monthly price of its base fee), recorded in subscriptions.
    // Its own invoices are voided (pause_collection): the base fee is on our monthly invoice.
    void ensureSubscription(qint64 companyId, IdDone done);
    // Our "USt." tax rate at this rate: reused when Stripe has it, created once otherwise.
    void ensureTaxRate(int vatRateBp, IdDone done);
    // Pushes a finalized invoice: customer, tax rate, invoice, one item per line (items already in
    // Stripe are not added again), finalize, send; records Stripe's invoice id and total.
    // Done at once when the invoice was pushed before. A credit note becomes a Stripe credit note of
    // the invoice it corrects (pushCreditNote).
    void pushInvoice(qint64 invoiceId, Done done);

    [[nodiscard]] const StripeClient &client() const { return m_client; }

private:
    void pushWithCustomer(qint64 companyId, qint64 invoiceId, int rate, const QString &stripeId, Done done);
    void pushItems(qint64 invoiceId, const QString &customerId, const QString &stripeInvoiceId, Done done);
    void pushLines(qint64 invoiceId, const QString &customerId, const QString &stripeInvoiceId, QList<InvoiceLine> pending, Done done);
    void finalizeAndSend(qint64 invoiceId, const QString &stripeInvoiceId, Done done);
    // What is still due on the corrected invoice is reduced first; the rest of the credit goes to the
    // customer's Stripe balance and is set off against the next invoice. Waits (a transient error) while
    // the corrected invoice is not in Stripe yet; nothing to do when it was voided there.
    void pushCreditNote(const InvoiceDocument &note, Done done);

    Database &m_db;
    StripeClient m_client;
};

} // namespace askpro
