// Stripe billing steps, chained through JsonReply callbacks. Each step first looks at what Stripe
// already holds, so a push interrupted anywhere (even after Stripe's 24 h idempotency window) resumes.
#include "billing/stripebilling.h"

#include "billing/invoicedocument.h"
#include "config/serverconfig.h"
#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "security/credentialstore.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

template<typename F>
void onReply(JsonReply *reply, QObject *context, F &&f)
{
    QObject::connect(reply, &JsonReply::finished, context, std::forward<F>(f));
}

} // namespace

StripeBilling::StripeBilling(Database &db, StripeClient client, QObject *parent) : QObject(parent), m_db(db), m_client(std::move(client)) {}

Result<std::unique_ptr<StripeBilling>> StripeBilling::create(Database &db, CredentialStore &credentials, QNetworkAccessManager *network,
                                                             const ProviderEndpoints &endpoints)
{
    auto credential = credentials.get(std::nullopt, u"stripe"_s);
    if (!credential)
        return credential.error();
    const QUrl base = credential->baseUrl.isEmpty() ? endpoints.stripe : QUrl(credential->baseUrl);
    return std::make_unique<StripeBilling>(db, StripeClient(network, base, credential->secret, endpoints.timeoutMs));
}

void StripeBilling::ensureCustomer(qint64 companyId, IdDone done)
{
    auto q = m_db.exec(u"SELECT COALESCE(stripe_customer_id, ''), name, billing_email FROM companies WHERE id = ?"_s, {companyId});
    if (!q)
        return done(q.error());
    if (!q->next())
        return done(makeError(ErrorKind::NotFound, u"billing.no_company"_s, u"There is no company %1"_s.arg(companyId)));
    const QString known = q->value(0).toString();
    const QString name = q->value(1).toString();
    const QString email = q->value(2).toString();
    q->finish();
    if (!known.isEmpty())
        return done(known);
    auto remember = [this, companyId, done](const QString &customerId) {
        auto saved = m_db.exec(u"UPDATE companies SET stripe_customer_id = ?, updated_at = ? WHERE id = ?"_s, {customerId, nowMs(), companyId});
        if (!saved)
            return done(saved.error());
        done(customerId);
    };
    onReply(m_client.findCustomer(companyId), this, [this, companyId, name, email, remember, done](const JsonResult &found) {
        if (!found)
            return done(found.error());
        const Json data = found->value("data", Json::array());
        if (data.is_array() && !data.empty())
            return remember(jsonString(data.front(), "id"));
        onReply(m_client.createCustomer(companyId, name, email), this, [remember, done](const JsonResult &created) {
            if (!created)
                return done(created.error());
            remember(jsonString(*created, "id"));
        });
    });
}

void StripeBilling::ensureSubscription(qint64 companyId, IdDone done)
{
    auto q = m_db.exec(u"SELECT COALESCE(s.stripe_subscription_id, ''), c.base_fee_cents FROM companies c "
                       "LEFT JOIN subscriptions s ON s.company_id = c.id WHERE c.id = ?"_s,
                       {companyId});
    if (!q)
        return done(q.error());
    if (!q->next())
        return done(makeError(ErrorKind::NotFound, u"billing.no_company"_s, u"There is no company %1"_s.arg(companyId)));
    const QString known = q->value(0).toString();
    const qint64 fee = q->value(1).toLongLong();
    q->finish();
    if (!known.isEmpty())
        return done(known);
    ensureCustomer(companyId, [this, companyId, fee, done](const Result<QString> &customer) {
        if (!customer)
            return done(customer.error());
        const QString customerId = *customer;
        auto record = [this, companyId, fee, done](const Json &subscription) {
            const QString id = jsonString(subscription, "id");
            const qint64 started = jsonInt(subscription, "start_date", nowMs() / 1000) * 1000;
            auto saved = m_db.exec(u"INSERT INTO subscriptions (company_id, stripe_subscription_id, status, base_fee_cents, started_at) "
                                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (company_id) DO UPDATE SET stripe_subscription_id = excluded.stripe_subscription_id"_s,
                                   {companyId, id, jsonString(subscription, "status"), fee, started});
            if (!saved)
                return done(saved.error());
            done(id);
        };
        onReply(m_client.subscriptionsOf(customerId), this, [this, companyId, fee, customerId, record, done](const JsonResult &list) {
            if (!list)
                return done(list.error());
            for (const Json &s : list->value("data", Json::array()))
                if (jsonString(s.value("metadata", Json::object()), "askpro_company_id") == QString::number(companyId))
                    return record(s);
            onReply(m_client.createPrice(u"AskPro base fee"_s, fee, u"price:company:%1:base:%2"_s.arg(companyId).arg(fee)), this,
                    [this, companyId, customerId, record, done](const JsonResult &price) {
                        if (!price)
                            return done(price.error());
                        onReply(m_client.createSubscription(customerId, jsonString(*price, "id"), companyId), this,
                                [this, companyId, record, done](const JsonResult &subscription) {
                                    if (!subscription)
                                        return done(subscription.error());
                                    const Json created = *subscription;
                                    onReply(m_client.voidSubscriptionInvoices(jsonString(created, "id"), companyId), this,
                                            [record, created, done](const JsonResult &paused) {
                                                if (!paused)
                                                    return done(paused.error());
                                                record(created);
                                            });
                                });
                    });
        });
    });
}

void StripeBilling::ensureTaxRate(int vatRateBp, IdDone done)
{
    onReply(m_client.listTaxRates(), this, [this, vatRateBp, done](const JsonResult &list) {
        if (!list)
            return done(list.error());
        for (const Json &rate : list->value("data", Json::array())) {
            const double percent = rate.value("percentage", -1.0);
            if (qRound(percent * 100) == vatRateBp && !jsonBool(rate, "inclusive") && jsonString(rate, "display_name") == u"USt."_s)
                return done(jsonString(rate, "id"));
        }
        onReply(m_client.createTaxRate(vatRateBp, u"tax_rate:de:%1"_s.arg(vatRateBp)), this, [done](const JsonResult &created) {
            if (!created)
                return done(created.error());
            done(jsonString(*created, "id"));
        });
    });
}

void StripeBilling::pushInvoice(qint64 invoiceId, Done done)
{
    auto doc = InvoiceDocument::load(m_db, invoiceId);
    if (!doc)
        return done(doc.error());
    if (doc->number.isEmpty())
        return done(makeError(ErrorKind::Invalid, u"billing.not_pushable"_s, u"Only finalized invoices go to Stripe"_s));
    if (doc->isCreditNote())
        return pushCreditNote(*doc, done);
    auto state = m_db.exec(u"SELECT COALESCE(stripe_invoice_id, ''), COALESCE(stripe_pushed_at, 0) FROM invoices WHERE id = ?"_s, {invoiceId});
    if (!state || !state->next())
        return done(state ? makeError(ErrorKind::NotFound, u"billing.no_invoice"_s, u"No invoice %1"_s.arg(invoiceId)) : state.error());
    const QString stripeId = state->value(0).toString();
    const bool pushed = state->value(1).toLongLong() > 0;
    state->finish();
    if (pushed)
        return done({});
    const int rate = doc->vatRateBp;
    const qint64 companyId = doc->companyId;
    ensureSubscription(companyId, [this, companyId, invoiceId, rate, stripeId, done](const Result<QString> &subscription) {
        if (!subscription)
            return done(subscription.error());
        pushWithCustomer(companyId, invoiceId, rate, stripeId, done);
    });
}

void StripeBilling::pushWithCustomer(qint64 companyId, qint64 invoiceId, int rate, const QString &stripeId, Done done)
{
    ensureCustomer(companyId, [this, invoiceId, rate, stripeId, done](const Result<QString> &customer) {
        if (!customer)
            return done(customer.error());
        const QString customerId = *customer;
        auto withTax = [this, invoiceId, customerId, stripeId, done](const QString &taxRateId) {
            if (!stripeId.isEmpty())
                return pushItems(invoiceId, customerId, stripeId, done);
            onReply(m_client.createInvoice(customerId, invoiceId, 14, taxRateId), this,
                    [this, invoiceId, customerId, done](const JsonResult &created) {
                        if (!created)
                            return done(created.error());
                        const QString id = jsonString(*created, "id");
                        auto saved = m_db.exec(u"UPDATE invoices SET stripe_invoice_id = ? WHERE id = ? AND stripe_invoice_id IS NULL"_s,
                                               {id, invoiceId});
                        if (!saved)
                            return done(saved.error());
                        pushItems(invoiceId, customerId, id, done);
                    });
        };
        if (rate == 0)
            return withTax(QString());
        ensureTaxRate(rate, [withTax, done](const Result<QString> &tax) {
            if (!tax)
                return done(tax.error());
            withTax(*tax);
        });
    });
}

void StripeBilling::pushItems(qint64 invoiceId, const QString &customerId, const QString &stripeInvoiceId, Done done)
{
    onReply(m_client.invoice(stripeInvoiceId), this, [this, invoiceId, customerId, stripeInvoiceId, done](const JsonResult &current) {
        if (!current)
            return done(current.error());
        if (jsonString(*current, "status") != u"draft"_s)
            return finalizeAndSend(invoiceId, stripeInvoiceId, done);
        auto doc = InvoiceDocument::load(m_db, invoiceId);
        if (!doc)
            return done(doc.error());
        // Items go in line order, so the lines Stripe lists already are the first ones of ours.
        const qsizetype present = qsizetype(current->value("lines", Json::object()).value("data", Json::array()).size());
        pushLines(invoiceId, customerId, stripeInvoiceId, doc->lines.mid(present), done);
    });
}

void StripeBilling::pushLines(qint64 invoiceId, const QString &customerId, const QString &stripeInvoiceId, QList<InvoiceLine> pending,
                              Done done)
{
    if (pending.isEmpty())
        return finalizeAndSend(invoiceId, stripeInvoiceId, done);
    const InvoiceLine line = pending.takeFirst();
    const QString text = u"%1 (%2 x %3)"_s.arg(line.description).arg(line.quantity).arg(money::plain(line.unitPriceCents));
    onReply(m_client.createInvoiceItem(customerId, stripeInvoiceId, line.amountCents, text,
                                       u"invoice:%1:line:%2"_s.arg(invoiceId).arg(line.position)),
            this, [this, invoiceId, customerId, stripeInvoiceId, pending, done](const JsonResult &item) {
                if (!item)
                    return done(item.error());
                pushLines(invoiceId, customerId, stripeInvoiceId, pending, done);
            });
}

void StripeBilling::finalizeAndSend(qint64 invoiceId, const QString &stripeInvoiceId, Done done)
{
    auto record = [this, invoiceId, done](const Json &invoice) {
        auto saved = m_db.exec(u"UPDATE invoices SET stripe_total_cents = ?, stripe_pushed_at = ? WHERE id = ?"_s,
                               {jsonInt(invoice, "total"), nowMs(), invoiceId});
        if (!saved)
            return done(saved.error());
        qCInfo(lcBilling) << "invoice" << invoiceId << "is in Stripe as" << jsonString(invoice, "id");
        done({});
    };
    auto send = [this, stripeInvoiceId, record, done](const Json &invoice) {
        if (jsonString(invoice, "status") != u"open"_s)
            return record(invoice); // paid (a zero total) or void: nothing to send
        onReply(m_client.sendInvoice(stripeInvoiceId), this, [record, done](const JsonResult &sent) {
            if (!sent)
                return done(sent.error());
            record(*sent);
        });
    };
    onReply(m_client.invoice(stripeInvoiceId), this, [this, stripeInvoiceId, send, done](const JsonResult &current) {
        if (!current)
            return done(current.error());
        if (jsonString(*current, "status") != u"draft"_s)
            return send(*current);
        onReply(m_client.finalizeInvoice(stripeInvoiceId), this, [send, done](const JsonResult &finalized) {
            if (!finalized)
                return done(finalized.error());
            send(*finalized);
        });
    });
}

void StripeBilling::pushCreditNote(const InvoiceDocument &note, Done done)
{
    auto state = m_db.exec(u"SELECT COALESCE(n.stripe_credit_note_id, ''), COALESCE(o.stripe_invoice_id, ''), o.number FROM invoices n "
                           "JOIN invoices o ON o.id = n.corrects_invoice_id WHERE n.id = ?"_s,
                           {note.id});
    if (!state || !state->next())
        return done(state ? makeError(ErrorKind::NotFound, u"billing.no_corrected_invoice"_s,
                                      u"Credit note %1 corrects no invoice"_s.arg(note.number))
                          : state.error());
    const bool pushed = !state->value(0).toString().isEmpty();
    const QString stripeInvoiceId = state->value(1).toString();
    const QString correctedNumber = state->value(2).toString();
    state->finish();
    if (pushed)
        return done({});
    if (stripeInvoiceId.isEmpty())
        return done(makeError(ErrorKind::Transient, u"billing.corrected_not_in_stripe"_s,
                              u"Invoice %1, which credit note %2 corrects, is not in Stripe yet"_s.arg(correctedNumber, note.number)));
    const qint64 noteId = note.id;
    const qint64 amount = -note.grossCents;
    const QString memo = (note.language == u"en"_s ? u"Credit note %1 for invoice %2: %3"_s : u"Gutschrift %1 zur Rechnung %2: %3"_s)
                             .arg(note.number, correctedNumber, note.note);
    onReply(m_client.invoice(stripeInvoiceId), this, [this, noteId, amount, memo, stripeInvoiceId, done](const JsonResult &invoice) {
        if (!invoice)
            return done(invoice.error());
        const QString status = jsonString(*invoice, "status");
        if (status == u"void"_s || status == u"uncollectible"_s) {
            qCInfo(lcBilling) << "credit note" << noteId << "not pushed: the corrected invoice is" << status << "in Stripe";
            auto saved = m_db.exec(u"UPDATE invoices SET stripe_pushed_at = ? WHERE id = ?"_s, {nowMs(), noteId});
            return done(saved ? Status() : Status(saved.error()));
        }
        const qint64 stillDue = jsonInt(*invoice, "amount_remaining");
        const qint64 toBalance = std::max<qint64>(0, amount - stillDue);
        onReply(m_client.createCreditNote(stripeInvoiceId, amount, toBalance, memo, noteId), this, [this, noteId, done](const JsonResult &created) {
            if (!created)
                return done(created.error());
            auto saved = m_db.exec(u"UPDATE invoices SET stripe_credit_note_id = ?, stripe_total_cents = ?, stripe_pushed_at = ? WHERE id = ?"_s,
                                   {jsonString(*created, "id"), -jsonInt(*created, "total"), nowMs(), noteId});
            if (!saved)
                return done(saved.error());
            qCInfo(lcBilling) << "credit note" << noteId << "is in Stripe as" << jsonString(*created, "id");
            done({});
        });
    });
}

} // namespace askpro
