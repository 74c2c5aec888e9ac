// Invoicing of the Stripe stand-in: invoice items and invoices (draft, finalize with numbering and
// tax, send, pay with card declines, void) and the invoice events Stripe sends.
#pragma once

#include "stripestore.h"

namespace askpro::sandbox {

class StripeInvoicing final
{
    Q_DISABLE_COPY_MOVE(StripeInvoicing)
public:
    // The store must outlive this object.
    explicit StripeInvoicing(StripeStore &store) : m_store(store) {}

    // Registers /v1/invoiceitems, /v1/invoices and /v1/credit_notes routes.
    void addRoutes(RouteTable &routes);
    // Tax rate objects for "txr_..." ids, or the id that does not exist.
    [[nodiscard]] std::pair<Json, QString> taxRates(const Json &ids);

private:
    ApiReply createItem(const Json &params);
    ApiReply deleteItem(const QString &id);
    ApiReply createInvoice(const Json &params);
    ApiReply updateInvoice(const QString &id, const Json &params);
    ApiReply deleteInvoice(const QString &id);
    ApiReply finalize(const QString &id);
    ApiReply send(const QString &id);
    ApiReply pay(const QString &id, const Json &params);
    ApiReply voidInvoice(const QString &id);
    // A credit note for an amount of an open or paid invoice: first off what is still due, the rest
    // to the customer's balance, refunded or credited outside (which must add up to it).
    ApiReply createCreditNote(const Json &params);

    // Lines, subtotal, taxes and amounts from the invoice's items and tax rates.
    void recompute(Json &invoice);
    // Draft to open: number, due date, finalized_at; a zero total is paid at once.
    void finalizeDraft(Json &invoice);
    void markPaid(Json &invoice, bool outOfBand);

    StripeStore &m_store;
};

} // namespace askpro::sandbox
