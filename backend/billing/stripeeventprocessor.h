// Stripe's signed webhooks, from the inbox: invoice.finalized / paid / payment_failed move our
// invoice's status and add payments rows; customer.subscription.updated / deleted follow the plan.
#pragma once

#include "jobs/joboutcome.h"

#include <QCoreApplication>

namespace askpro {

class Database;

class StripeEventProcessor final
{
    Q_DECLARE_TR_FUNCTIONS(StripeEventProcessor)
public:
    explicit StripeEventProcessor(Database &db);

    // Processes one stored delivery (job kind "stripe.event"). Events may come twice and out of
    // order: a payment row per event id at most, and a status never moves back (paid is final;
    // failed only after open; a deleted subscription stays canceled). Other event types are ignored.
    [[nodiscard]] JobOutcome process(qint64 inboxId);

private:
    Database &m_db;
};

} // namespace askpro
