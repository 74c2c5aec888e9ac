// The objects of the Stripe stand-in (customers, prices, invoices, events, ...) with Stripe-style
// ids, lists and errors, and the signed event webhooks sent when they change.
#pragma once

#include "apimessage.h"

#include <QSet>
#include <QUrl>

#include <map>

namespace askpro::sandbox {

class WebhookSender;

// {"error": {"type", "code", "message", "param"}}; code and param only when given, as Stripe does.
[[nodiscard]] ApiReply stripeError(int status, const char *type, const QString &message, const QString &code = {},
                                   const QString &param = {});
[[nodiscard]] ApiReply resourceMissing(const QString &kind, const QString &id, const QString &param);
[[nodiscard]] qint64 unixNow();

class StripeStore final
{
    Q_DISABLE_COPY_MOVE(StripeStore)
public:
    // The sender must outlive this object.
    StripeStore(QString webhookSecret, QUrl webhookUrl, WebhookSender &sender);

    void reset();

    // Stores a new object: adds "id" (prefix + random), "object", "created" and "livemode".
    // References to stored objects stay valid until the object is removed.
    Json &create(const char *prefix, const char *objectName, Json fields);
    [[nodiscard]] Json *find(const QString &id);
    [[nodiscard]] Json *find(const QString &id, const char *objectName);
    void remove(const QString &id);
    // Objects of one kind, newest first, that pass the filter.
    [[nodiscard]] QList<Json> all(const char *objectName, const std::function<bool(const Json &)> &filter = {}) const;
    // A Stripe list answer: limit (default 10, at most 100) and starting_after from the query.
    [[nodiscard]] static Json list(const QList<Json> &items, const QUrlQuery &query, const QString &url);
    [[nodiscard]] int count(const char *objectName) const;

    // Records an event and posts it, signed, to the webhook URL (if there is one).
    void emitEvent(const char *type, const Json &object, const Json &previousAttributes = Json());

    // A sandbox knob: payments of this customer fail with card_declined (as does metadata sandbox_card=declined).
    void setCardDeclined(const QString &customerId, bool declined);
    [[nodiscard]] bool cardDeclines(const QString &customerId);

private:
    QString m_webhookSecret;
    QUrl m_webhookUrl;
    WebhookSender &m_sender;
    std::map<QString, Json> m_objects; // a node map: references stay valid while objects are added
    QList<QString> m_order;            // creation order
    QSet<QString> m_decliningCustomers;
};

} // namespace askpro::sandbox
