// Stand-in for the Stripe API: bearer-key auth, form-encoded bodies, Idempotency-Key replay,
// customers, products, prices, subscriptions, tax rates and events; invoices live in StripeInvoicing.
#pragma once

#include "providerapi.h"
#include "stripeinvoicing.h"
#include "stripestore.h"

namespace askpro::sandbox {

class StripeApi final : public ProviderApi
{
    Q_DISABLE_COPY_MOVE(StripeApi)
public:
    // The sender must outlive this object.
    StripeApi(QString apiKey, QString webhookSecret, QUrl webhookUrl, WebhookSender &sender);

    [[nodiscard]] ApiReply handle(const ApiRequest &request) override;
    [[nodiscard]] ApiReply errorReply(int status, const QString &message) const override;
    void reset() override;
    [[nodiscard]] const RouteTable &routes() const override { return m_routes; }

    [[nodiscard]] StripeStore &store() { return m_store; }
    [[nodiscard]] const QString &webhookSecret() const { return m_webhookSecret; }

private:
    struct StoredReply
    {
        QByteArray fingerprint;
        ApiReply reply;
    };

    ApiReply dispatch(const ApiRequest &request);
    ApiReply createCustomer(const Json &params);
    ApiReply updateCustomer(const QString &id, const Json &params);
    ApiReply searchCustomers(const ApiRequest &request);
    ApiReply createPrice(const Json &params);
    ApiReply createSubscription(const Json &params);
    ApiReply updateSubscription(const QString &id, const Json &params);
    ApiReply cancelSubscription(const QString &id);
    ApiReply createTaxRate(const Json &params);

    QString m_apiKey;
    QString m_webhookSecret;
    StripeStore m_store;
    StripeInvoicing m_invoicing;
    RouteTable m_routes;
    QHash<QString, StoredReply> m_idempotent;
};

} // namespace askpro::sandbox
