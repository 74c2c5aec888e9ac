// The objects of the Stripe stand-in, Stripe-style lists and errors, and signed event webhooks.
#include "stripestore.h"

#include "signatures.h"
#include "webhooksender.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {
constexpr auto ApiVersion = "2024-06-20";
}

ApiReply stripeError(int status, const char *type, const QString &message, const QString &code, const QString &param)
{
    Json error{{"type", type}, {"message", toStd(message)}};
    if (!code.isEmpty())
        error["code"] = toStd(code);
    if (!param.isEmpty())
        error["param"] = toStd(param);
    if (!code.isEmpty())
        error["doc_url"] = toStd(u"https://stripe.com/docs/error-codes/"_s + QString(code).replace(u'_', u'-'));
    return ApiReply::json(status, Json{{"error", error}});
}

ApiReply resourceMissing(const QString &kind, const QString &id, const QString &param)
{
    return stripeError(404, "invalid_request_error", u"No such %1: '%2'"_s.arg(kind, id), u"resource_missing"_s, param);
}

qint64 unixNow()
{
    return QDateTime::currentSecsSinceEpoch();
}

StripeStore::StripeStore(QString webhookSecret, QUrl webhookUrl, WebhookSender &sender)
    : m_webhookSecret(std::move(webhookSecret)), m_webhookUrl(std::move(webhookUrl)), m_sender(sender)
{
}

void StripeStore::reset()
{
    m_objects.clear();
    m_order.clear();
    m_decliningCustomers.clear();
}

Json &StripeStore::create(const char *prefix, const char *objectName, Json fields)
{
    const QString id = QLatin1String(prefix) + u'_' + randomAlnum(24);
    Json object{{"id", toStd(id)}, {"object", objectName}, {"created", unixNow()}, {"livemode", false}};
    object.update(fields);
    m_order.append(id);
    return m_objects.insert_or_assign(id, std::move(object)).first->second;
}

Json *StripeStore::find(const QString &id)
{
    const auto it = m_objects.find(id);
    return it == m_objects.end() ? nullptr : &it->second;
}

Json *StripeStore::find(const QString &id, const char *objectName)
{
    Json *object = find(id);
    return object && object->value("object", std::string()) == objectName ? object : nullptr;
}

void StripeStore::remove(const QString &id)
{
    m_objects.erase(id);
    m_order.removeOne(id);
}

QList<Json> StripeStore::all(const char *objectName, const std::function<bool(const Json &)> &filter) const
{
    QList<Json> result;
    for (auto it = m_order.crbegin(); it != m_order.crend(); ++it) {
        const Json &object = m_objects.at(*it);
        if (object.value("object", std::string()) == objectName && (!filter || filter(object)))
            result.append(object);
    }
    return result;
}

Json StripeStore::list(const QList<Json> &items, const QUrlQuery &query, const QString &url)
{
    const qsizetype limit = query.hasQueryItem(u"limit"_s) ? std::clamp(query.queryItemValue(u"limit"_s).toLongLong(), 1LL, 100LL) : 10;
    qsizetype start = 0;
    if (const QString after = query.queryItemValue(u"starting_after"_s); !after.isEmpty()) {
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (jsonString(items.at(i), "id") == after)
                start = i + 1;
        }
    }
    return Json{{"object", "list"}, {"data", Json(items.mid(start, limit))}, {"has_more", start + limit < items.size()},
                {"url", toStd(url)}};
}

int StripeStore::count(const char *objectName) const
{
    int n = 0;
    for (const auto &[id, object] : m_objects)
        n += object.value("object", std::string()) == objectName && !object.value("deleted", false) ? 1 : 0;
    return n;
}

void StripeStore::emitEvent(const char *type, const Json &object, const Json &previousAttributes)
{
    Json data{{"object", object}};
    if (!previousAttributes.is_null())
        data["previous_attributes"] = previousAttributes;
    const Json &event = create("evt", "event", {{"api_version", ApiVersion}, {"data", data}, {"pending_webhooks", m_webhookUrl.isEmpty() ? 0 : 1},
                                                {"request", {{"id", Json()}, {"idempotency_key", Json()}}}, {"type", type}});
    m_sender.send({u"stripe"_s, QString::fromLatin1(type), m_webhookUrl, QByteArray::fromStdString(event.dump()),
                   [secret = m_webhookSecret](const QByteArray &raw) {
                       return HeaderList{{"Stripe-Signature"_ba, signatures::stripe(raw, secret, unixNow())}};
                   }});
}

void StripeStore::setCardDeclined(const QString &customerId, bool declined)
{
    if (declined)
        m_decliningCustomers.insert(customerId);
    else
        m_decliningCustomers.remove(customerId);
}

bool StripeStore::cardDeclines(const QString &customerId)
{
    if (m_decliningCustomers.contains(customerId))
        return true;
    const Json *customer = find(customerId, "customer");
    return customer && jsonString(customer->value("metadata", Json::object()), "sandbox_card") == "declined"_L1;
}

} // namespace askpro::sandbox
