// Stripe requests. Errors: {"error": {"type", "code", "message", "param"}}; card errors are Rejected.
#include "integrations/stripeclient.h"

#include "core/logging.h"

#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
QString stripeErrorText(const Json &body)
{
    const Json error = body.value("error", Json::object());
    const QString code = jsonString(error, "code");
    const QString message = jsonString(error, "message");
    return code.isEmpty() ? message : code + u": "_s + message;
}
} // namespace

StripeClient::StripeClient(QNetworkAccessManager *network, QUrl baseUrl, QByteArray secretKey, int timeoutMs)
    : m_transport(network, u"Stripe"_s, lcStripe(), stripeErrorText, timeoutMs)
    , m_baseUrl(std::move(baseUrl))
    , m_secretKey(std::move(secretKey))
{
}

QByteArray StripeClient::encode(const StripeForm &form)
{
    QByteArray body;
    for (const auto &[key, value] : form) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

JsonReply *StripeClient::post(const QString &path, const StripeForm &form, const QString &idempotencyKey) const
{
    ProviderRequest request;
    request.method = "POST";
    request.url = m_baseUrl;
    request.url.setPath(m_baseUrl.path() + path, QUrl::TolerantMode);
    request.contentType = "application/x-www-form-urlencoded";
    request.body = encode(form);
    request.headers = {{"Authorization", "Bearer " + m_secretKey},
                       {"Stripe-Version", apiVersion},
                       {"Idempotency-Key", idempotencyKey.left(255).toUtf8()}};
    return m_transport.send(request);
}

JsonReply *StripeClient::get(const QString &path, const StripeForm &query) const
{
    ProviderRequest request;
    request.url = m_baseUrl;
    request.url.setPath(m_baseUrl.path() + path, QUrl::TolerantMode);
    if (!query.isEmpty()) {
        QUrlQuery q;
        for (const auto &[key, value] : query)
            q.addQueryItem(key, QString::fromUtf8(QUrl::toPercentEncoding(value)));
        request.url.setQuery(q);
    }
    request.headers = {{"Authorization", "Bearer " + m_secretKey}, {"Stripe-Version", apiVersion}};
    return m_transport.send(request);
}

JsonReply *StripeClient::remove(const QString &path) const
{
    ProviderRequest request;
    request.method = "DELETE";
    request.url = m_baseUrl;
    request.url.setPath(m_baseUrl.path() + path, QUrl::TolerantMode);
    request.headers = {{"Authorization", "Bearer " + m_secretKey}, {"Stripe-Version", apiVersion}};
    return m_transport.send(request);
}

JsonReply *StripeClient::createCustomer(qint64 companyId, const QString &name, const QString &email) const
{
    return post(u"/customers"_s,
                {{u"name"_s, name}, {u"email"_s, email}, {u"metadata[askpro_company_id]"_s, QString::number(companyId)}},
                u"customer:company:%1"_s.arg(companyId));
}

JsonReply *StripeClient::findCustomer(qint64 companyId) const
{
    return get(u"/customers/search"_s, {{u"query"_s, u"metadata['askpro_company_id']:'%1'"_s.arg(companyId)}});
}

JsonReply *StripeClient::createPrice(const QString &productName, qint64 unitAmountCents, const QString &idempotencyKey) const
{
    return post(u"/prices"_s,
                {{u"currency"_s, u"eur"_s},
                 {u"unit_amount"_s, QString::number(unitAmountCents)},
                 {u"recurring[interval]"_s, u"month"_s},
                 {u"product_data[name]"_s, productName}},
                idempotencyKey);
}

JsonReply *StripeClient::createSubscription(const QString &customerId, const QString &priceId, qint64 companyId) const
{
    return post(u"/subscriptions"_s,
                {{u"customer"_s, customerId},
                 {u"items[0][price]"_s, priceId},
                 {u"collection_method"_s, u"send_invoice"_s},
                 {u"days_until_due"_s, u"14"_s},
                 {u"metadata[askpro_company_id]"_s, QString::number(companyId)}},
                u"subscription:company:%1"_s.arg(companyId));
}

JsonReply *StripeClient::createTaxRate(int percentBasisPoints, const QString &idempotencyKey) const
{
    return post(u"/tax_rates"_s,
                {{u"percentage"_s, QString::number(percentBasisPoints / 100.0, 'f', 2)},
                 {u"inclusive"_s, u"false"_s},
                 {u"display_name"_s, u"USt."_s},
                 {u"country"_s, u"DE"_s}},
                idempotencyKey);
}

JsonReply *StripeClient::createInvoice(const QString &customerId, qint64 invoiceId, int daysUntilDue, const QString &taxRateId) const
{
    StripeForm form{{u"customer"_s, customerId},
                    {u"collection_method"_s, u"send_invoice"_s},
                    {u"days_until_due"_s, QString::number(daysUntilDue)},
                    {u"auto_advance"_s, u"false"_s},
                    {u"metadata[askpro_invoice_id]"_s, QString::number(invoiceId)}};
    if (!taxRateId.isEmpty())
        form.append({u"default_tax_rates[0]"_s, taxRateId});
    return post(u"/invoices"_s, form, u"invoice:%1:create"_s.arg(invoiceId));
}

JsonReply *StripeClient::createInvoiceItem(const QString &customerId, const QString &stripeInvoiceId, qint64 amountCents,
                                           const QString &description, const QString &idempotencyKey) const
{
    return post(u"/invoiceitems"_s,
                {{u"customer"_s, customerId},
                 {u"invoice"_s, stripeInvoiceId},
                 {u"amount"_s, QString::number(amountCents)},
                 {u"currency"_s, u"eur"_s},
                 {u"description"_s, description}},
                idempotencyKey);
}

JsonReply *StripeClient::finalizeInvoice(const QString &stripeInvoiceId) const
{
    return post(u"/invoices/%1/finalize"_s.arg(stripeInvoiceId), {}, u"%1:finalize"_s.arg(stripeInvoiceId));
}

JsonReply *StripeClient::sendInvoice(const QString &stripeInvoiceId) const
{
    return post(u"/invoices/%1/send"_s.arg(stripeInvoiceId), {}, u"%1:send"_s.arg(stripeInvoiceId));
}

JsonReply *StripeClient::invoice(const QString &stripeInvoiceId) const
{
    return get(u"/invoices/"_s + stripeInvoiceId);
}

JsonReply *StripeClient::listTaxRates() const
{
    return get(u"/tax_rates"_s, {{u"active"_s, u"true"_s}, {u"limit"_s, u"100"_s}});
}

JsonReply *StripeClient::subscriptionsOf(const QString &customerId) const
{
    return get(u"/subscriptions"_s, {{u"customer"_s, customerId}, {u"status"_s, u"all"_s}, {u"limit"_s, u"100"_s}});
}

JsonReply *StripeClient::voidSubscriptionInvoices(const QString &subscriptionId, qint64 companyId) const
{
    return post(u"/subscriptions/%1"_s.arg(subscriptionId), {{u"pause_collection[behavior]"_s, u"void"_s}},
                u"subscription:company:%1:pause"_s.arg(companyId));
}

JsonReply *StripeClient::payInvoice(const QString &stripeInvoiceId, const QString &idempotencyKey) const
{
    return post(u"/invoices/%1/pay"_s.arg(stripeInvoiceId), {}, idempotencyKey);
}

JsonReply *StripeClient::createCreditNote(const QString &stripeInvoiceId, qint64 amountCents, qint64 toBalanceCents, const QString &memo,
                                          qint64 creditNoteId) const
{
    StripeForm form{{u"invoice"_s, stripeInvoiceId},
                    {u"amount"_s, QString::number(amountCents)},
                    {u"reason"_s, u"order_change"_s},
                    {u"memo"_s, memo.left(500)},
                    {u"metadata[askpro_credit_note_id]"_s, QString::number(creditNoteId)}};
    if (toBalanceCents > 0)
        form.append({u"credit_amount"_s, QString::number(toBalanceCents)});
    return post(u"/credit_notes"_s, form, u"credit_note:%1:create"_s.arg(creditNoteId));
}

} // namespace askpro
