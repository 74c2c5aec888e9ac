// Invoice e-mail: a queued notification to the company's billing address with the PDF attached,
// sent by the existing NotificationSender; and the jobs that follow a new invoice (Stripe, mail).
#pragma once

#include "billing/invoicedocument.h"
#include "core/result.h"

#include <QList>

namespace askpro {

class Database;

class InvoiceMailer final
{
public:
    explicit InvoiceMailer(Database &db);

    // Queues the mail (and its notification.send job) in one transaction; returns the notification id.
    // Once per invoice unless resend is true. Invalid when the company has no billing address.
    [[nodiscard]] Result<qint64> queue(const InvoiceDocument &invoice, const QByteArray &pdf, bool resend);
    // Queues "invoice.push" (Stripe) and "invoice.mail" for new invoices, once each.
    [[nodiscard]] static Status queueFollowUps(Database &db, const QList<qint64> &invoiceIds);

    [[nodiscard]] static QString subject(const InvoiceDocument &invoice);
    [[nodiscard]] static QString body(const InvoiceDocument &invoice);
    [[nodiscard]] static QString fileName(const InvoiceDocument &invoice, const QString &suffix);

private:
    Database &m_db;
};

} // namespace askpro
