// Stand-in for the Stripe API: auth, idempotency, customers, products, prices, subscriptions,
// tax rates and events.
#include "stripeapi.h"

#include "formbody.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

Json paramsOf(const ApiRequest &request)
{
    return FormBody::decode(request.body);
}

// Stripe's metadata rules: metadata[key]= (empty) removes a key, metadata= (empty) removes all.
void applyMetadata(Json &object, const Json &params)
{
    if (!params.contains("metadata"))
        return;
    Json &metadata = object["metadata"];
    if (!metadata.is_object() || (params["metadata"].is_string() && params["metadata"].get<std::string>().empty()))
        metadata = Json::object();
    if (!params["metadata"].is_object())
        return;
    for (auto it = params["metadata"].begin(); it != params["metadata"].end(); ++it) {
        if (it->is_string() && it->get<std::string>().empty())
            metadata.erase(it.key());
        else
            metadata[it.key()] = *it;
    }
}

void copyStrings(Json &object, const Json &params, std::initializer_list<const char *> keys)
{
    for (const char *key : keys) {
        if (params.contains(key))
            object[key] = params[key];
    }
}

Json deletedStub(const QString &id, const char *objectName)
{
    return Json{{"id", toStd(id)}, {"object", objectName}, {"deleted", true}};
}

qint64 periodSeconds(const Json &price)
{
    const Json recurring = price.value("recurring", Json());
    const QString interval = jsonString(recurring, "interval");
    const qint64 count = jsonInt(recurring, "interval_count").value_or(1);
    const qint64 day = 86400;
    const qint64 unit = interval == "year"_L1 ? 365 * day : interval == "week"_L1 ? 7 * day : interval == "day"_L1 ? day : 30 * day;
    return unit * count;
}

} // namespace

StripeApi::StripeApi(QString apiKey, QString webhookSecret, QUrl webhookUrl, WebhookSender &sender)
    : m_apiKey(std::move(apiKey)), m_webhookSecret(webhookSecret), m_store(std::move(webhookSecret), std::move(webhookUrl), sender),
      m_invoicing(m_store)
{
    using A = const ApiRequest &;
    using C = const QStringList &;
    const auto get = [this](const char *objectName, const char *kind) {
        return [this, objectName, kind](A, C c) {
            const Json *object = m_store.find(c.at(0));
            if (object && object->value("deleted", false))
                return ApiReply::json(200, *object);
            object = m_store.find(c.at(0), objectName);
            return object ? ApiReply::json(200, *object) : resourceMissing(QLatin1String(kind), c.at(0), u"id"_s);
        };
    };

    m_routes.add("POST"_ba, u"/v1/customers"_s, [this](A r, C) { return createCustomer(paramsOf(r)); });
    m_routes.add("GET"_ba, u"/v1/customers/search"_s, [this](A r, C) { return searchCustomers(r); });
    m_routes.add("GET"_ba, u"/v1/customers"_s, [this](A r, C) {
        const QString email = r.query.queryItemValue(u"email"_s, QUrl::FullyDecoded);
        const auto items = m_store.all("customer", [&](const Json &c) { return email.isEmpty() || jsonString(c, "email") == email; });
        return ApiReply::json(200, StripeStore::list(items, r.query, u"/v1/customers"_s));
    });
    m_routes.add("GET"_ba, u"/v1/customers/*"_s, get("customer", "customer"));
    m_routes.add("POST"_ba, u"/v1/customers/*"_s, [this](A r, C c) { return updateCustomer(c.at(0), paramsOf(r)); });
    m_routes.add("DELETE"_ba, u"/v1/customers/*"_s, [this](A, C c) {
        Json *customer = m_store.find(c.at(0), "customer");
        if (!customer)
            return resourceMissing(u"customer"_s, c.at(0), u"id"_s);
        *customer = deletedStub(c.at(0), "customer");
        return ApiReply::json(200, *customer);
    });

    m_routes.add("POST"_ba, u"/v1/products"_s, [this](A r, C) {
        const Json params = paramsOf(r);
        if (jsonString(params, "name").isEmpty())
            return stripeError(400, "invalid_request_error", u"Missing required param: name."_s, u"parameter_missing"_s, u"name"_s);
        Json product{{"active", true}, {"name", params["name"]}, {"description", params.value("description", Json())},
                     {"metadata", Json::object()}};
        applyMetadata(product, params);
        return ApiReply::json(200, m_store.create("prod", "product", product));
    });
    m_routes.add("GET"_ba, u"/v1/products/*"_s, get("product", "product"));
    m_routes.add("POST"_ba, u"/v1/prices"_s, [this](A r, C) { return createPrice(paramsOf(r)); });
    m_routes.add("GET"_ba, u"/v1/prices/*"_s, get("price", "price"));

    m_routes.add("POST"_ba, u"/v1/subscriptions"_s, [this](A r, C) { return createSubscription(paramsOf(r)); });
    m_routes.add("GET"_ba, u"/v1/subscriptions"_s, [this](A r, C) {
        const QString customer = r.query.queryItemValue(u"customer"_s);
        const QString status = r.query.queryItemValue(u"status"_s);
        const auto items = m_store.all("subscription", [&](const Json &s) {
            return (customer.isEmpty() || jsonString(s, "customer") == customer)
                   && (status.isEmpty() ? jsonString(s, "status") != "canceled"_L1 : status == "all"_L1 || jsonString(s, "status") == status);
        });
        return ApiReply::json(200, StripeStore::list(items, r.query, u"/v1/subscriptions"_s));
    });
    m_routes.add("GET"_ba, u"/v1/subscriptions/*"_s, get("subscription", "subscription"));
    m_routes.add("POST"_ba, u"/v1/subscriptions/*"_s, [this](A r, C c) { return updateSubscription(c.at(0), paramsOf(r)); });
    m_routes.add("DELETE"_ba, u"/v1/subscriptions/*"_s, [this](A, C c) { return cancelSubscription(c.at(0)); });

    m_routes.add("POST"_ba, u"/v1/tax_rates"_s, [this](A r, C) { return createTaxRate(paramsOf(r)); });
    m_routes.add("GET"_ba, u"/v1/tax_rates"_s, [this](A r, C) {
        const QString active = r.query.queryItemValue(u"active"_s);
        const auto items = m_store.all("tax_rate", [&](const Json &t) {
            return active.isEmpty() || jsonBool(t, "active", true) == (active == "true"_L1);
        });
        return ApiReply::json(200, StripeStore::list(items, r.query, u"/v1/tax_rates"_s));
    });
    m_routes.add("GET"_ba, u"/v1/tax_rates/*"_s, get("tax_rate", "tax_rate"));

    m_routes.add("GET"_ba, u"/v1/events"_s, [this](A r, C) {
        const QString type = r.query.queryItemValue(u"type"_s);
        const auto items = m_store.all("event", [&](const Json &e) { return type.isEmpty() || jsonString(e, "type") == type; });
        return ApiReply::json(200, StripeStore::list(items, r.query, u"/v1/events"_s));
    });
    m_routes.add("GET"_ba, u"/v1/events/*"_s, get("event", "event"));

    m_invoicing.addRoutes(m_routes);
}

ApiReply StripeApi::handle(const ApiRequest &request)
{
    ApiReply reply = dispatch(request);
    reply.headers.append({"Request-Id"_ba, "req_"_ba + randomAlnum(14).toLatin1()});
    return reply;
}

ApiReply StripeApi::dispatch(const ApiRequest &request)
{
    QString key = request.bearerToken();
    if (const QByteArray auth = request.header("authorization"_ba); key.isEmpty() && auth.startsWith("Basic "_ba))
        key = QString::fromUtf8(QByteArray::fromBase64(auth.mid(6))).section(u':', 0, 0);
    if (key.isEmpty())
        return stripeError(401, "invalid_request_error",
                           u"You did not provide an API key. You need to provide your API key in the Authorization header, "
                           "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."_s);
    if (key != m_apiKey)
        return stripeError(401, "invalid_request_error", u"Invalid API Key provided: %1****%2"_s.arg(key.left(8), key.right(4)));

    const QString idempotencyKey = QString::fromUtf8(request.header("idempotency-key"_ba));
    const bool idempotent = request.method == "POST" && !idempotencyKey.isEmpty();
    const QByteArray fingerprint = request.method + ' ' + request.path().toUtf8() + '\n' + FormBody::fingerprint(request.body);
    if (idempotent) {
        if (idempotencyKey.size() > 255)
            return stripeError(400, "invalid_request_error", u"Idempotency keys can be at most 255 characters long."_s);
        if (const auto it = m_idempotent.constFind(idempotencyKey); it != m_idempotent.constEnd()) {
            if (it->fingerprint != fingerprint)
                return stripeError(400, "idempotency_error",
                                   u"Keys for idempotent requests can only be used with the same parameters they were first used with. "
                                   "Try using a key other than '%1' if you meant to execute a different request."_s.arg(idempotencyKey));
            ApiReply replay = it->reply;
            replay.headers.append({"Idempotent-Replayed"_ba, "true"_ba});
            return replay;
        }
    }
    std::optional<ApiReply> reply = m_routes.dispatch(request);
    if (!reply)
        return stripeError(404, "invalid_request_error",
                           u"Unrecognized request URL (%1: %2). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."_s
                               .arg(QString::fromLatin1(request.method), request.path()));
    // Stripe saves the result once the endpoint ran; requests refused by validation are not saved.
    if (idempotent && reply->status != 400 && reply->status != 404)
        m_idempotent.insert(idempotencyKey, StoredReply{fingerprint, *reply});
    return *reply;
}

ApiReply StripeApi::errorReply(int status, const QString &message) const
{
    if (status == 429)
        return stripeError(429, "invalid_request_error", message, u"rate_limit"_s);
    return stripeError(status, status >= 500 ? "api_error" : "invalid_request_error", message);
}

void StripeApi::reset()
{
    m_store.reset();
    m_idempotent.clear();
}

ApiReply StripeApi::createCustomer(const Json &params)
{
    Json customer{{"email", params.value("email", Json())}, {"name", params.value("name", Json())},
                  {"description", params.value("description", Json())}, {"phone", params.value("phone", Json())},
                  {"address", params.value("address", Json())}, {"balance", 0}, {"currency", Json()}, {"delinquent", false},
                  {"invoice_prefix", toStd(randomAlnum(8).toUpper())}, {"next_invoice_sequence", 1},
                  {"invoice_settings", {{"default_payment_method", Json()}, {"footer", Json()}}},
                  {"preferred_locales", params.value("preferred_locales", Json::array())}, {"tax_exempt", "none"},
                  {"metadata", Json::object()}};
    applyMetadata(customer, params);
    return ApiReply::json(200, m_store.create("cus", "customer", customer));
}

ApiReply StripeApi::updateCustomer(const QString &id, const Json &params)
{
    Json *customer = m_store.find(id, "customer");
    if (!customer || customer->value("deleted", false))
        return resourceMissing(u"customer"_s, id, u"id"_s);
    copyStrings(*customer, params, {"email", "name", "description", "phone", "address", "preferred_locales"});
    applyMetadata(*customer, params);
    return ApiReply::json(200, *customer);
}

ApiReply StripeApi::searchCustomers(const ApiRequest &request)
{
    const QString query = request.query.queryItemValue(u"query"_s, QUrl::FullyDecoded);
    if (query.isEmpty())
        return stripeError(400, "invalid_request_error", u"Missing required param: query."_s, u"parameter_missing"_s, u"query"_s);
    // Clauses like email:'a@b.de' or metadata['company_id']:'42', joined by AND.
    static const QRegularExpression clause(u"^\\s*(email|name|phone|metadata\\[['\"]([^'\"]+)['\"]\\])\\s*:\\s*['\"]([^'\"]*)['\"]\\s*$"_s);
    QList<std::pair<QString, QString>> conditions; // field (or metadata key prefixed "metadata."), value
    for (const QString &part : query.split(u" AND "_s)) {
        const QRegularExpressionMatch m = clause.match(part);
        if (!m.hasMatch())
            return stripeError(400, "invalid_request_error", u"The search query is not supported here: %1"_s.arg(part), {}, u"query"_s);
        conditions.append({m.captured(2).isEmpty() ? m.captured(1) : u"metadata."_s + m.captured(2), m.captured(3)});
    }
    const auto items = m_store.all("customer", [&](const Json &c) {
        return std::all_of(conditions.begin(), conditions.end(), [&](const auto &cond) {
            if (cond.first.startsWith(u"metadata."_s))
                return jsonString(c.value("metadata", Json::object()), toStd(cond.first.mid(9)).c_str()) == cond.second;
            return jsonString(c, toStd(cond.first).c_str()).compare(cond.second, Qt::CaseInsensitive) == 0;
        });
    });
    return ApiReply::json(200, Json{{"object", "search_result"}, {"data", Json(items.mid(0, 100))}, {"has_more", items.size() > 100},
                                    {"next_page", Json()}, {"url", "/v1/customers/search"}});
}

ApiReply StripeApi::createPrice(const Json &params)
{
    if (jsonString(params, "currency").isEmpty())
        return stripeError(400, "invalid_request_error", u"Missing required param: currency."_s, u"parameter_missing"_s, u"currency"_s);
    const auto amount = jsonInt(params, "unit_amount");
    if (!amount)
        return stripeError(400, "invalid_request_error", u"Missing required param: unit_amount."_s, u"parameter_missing"_s, u"unit_amount"_s);
    QString productId = jsonString(params, "product");
    if (productId.isEmpty() && params.contains("product_data")) {
        const Json productData = params["product_data"];
        productId = jsonString(m_store.create("prod", "product", {{"active", true}, {"name", productData.value("name", Json())},
                                                                  {"metadata", Json::object()}}),
                               "id");
    }
    if (productId.isEmpty())
        return stripeError(400, "invalid_request_error", u"Missing required param: product."_s, u"parameter_missing"_s, u"product"_s);
    if (!m_store.find(productId, "product"))
        return resourceMissing(u"product"_s, productId, u"product"_s);
    Json recurring;
    if (params.contains("recurring"))
        recurring = {{"interval", params["recurring"].value("interval", "month")},
                     {"interval_count", jsonInt(params["recurring"], "interval_count").value_or(1)}, {"usage_type", "licensed"}};
    Json price{{"active", true}, {"currency", params["currency"]}, {"nickname", params.value("nickname", Json())},
               {"product", toStd(productId)}, {"recurring", recurring}, {"type", recurring.is_null() ? "one_time" : "recurring"},
               {"unit_amount", *amount}, {"tax_behavior", params.value("tax_behavior", "unspecified")}, {"metadata", Json::object()}};
    applyMetadata(price, params);
    return ApiReply::json(200, m_store.create("price", "price", price));
}

ApiReply StripeApi::createSubscription(const Json &params)
{
    const QString customerId = jsonString(params, "customer");
    const Json *customer = m_store.find(customerId, "customer");
    if (customerId.isEmpty())
        return stripeError(400, "invalid_request_error", u"Missing required param: customer."_s, u"parameter_missing"_s, u"customer"_s);
    if (!customer || customer->value("deleted", false))
        return resourceMissing(u"customer"_s, customerId, u"customer"_s);
    const Json items = params.value("items", Json());
    if (!items.is_array() || items.empty())
        return stripeError(400, "invalid_request_error", u"Missing required param: items."_s, u"parameter_missing"_s, u"items"_s);
    const auto [rates, missingRate] = m_invoicing.taxRates(params.value("default_tax_rates", Json::array()));
    if (!missingRate.isEmpty())
        return resourceMissing(u"tax rate"_s, missingRate, u"default_tax_rates"_s);
    Json data = Json::array();
    qint64 period = 30 * 86400;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const QString priceId = jsonString(items[i], "price");
        const Json *price = m_store.find(priceId, "price");
        if (!price)
            return resourceMissing(u"price"_s, priceId, u"items[%1][price]"_s.arg(i));
        if (jsonString(*price, "type") != "recurring"_L1)
            return stripeError(400, "invalid_request_error",
                               u"The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`."_s,
                               {}, u"items[%1][price]"_s.arg(i));
        period = periodSeconds(*price);
        data.push_back({{"id", toStd(u"si_"_s + randomAlnum(14))}, {"object", "subscription_item"}, {"created", unixNow()},
                        {"price", *price}, {"quantity", jsonInt(items[i], "quantity").value_or(1)}});
    }
    const qint64 now = unixNow();
    Json subscription{{"customer", toStd(customerId)}, {"status", "active"},
                      {"items", {{"object", "list"}, {"data", data}, {"has_more", false}, {"url", "/v1/subscription_items"}}},
                      {"billing_cycle_anchor", now}, {"start_date", now}, {"current_period_start", now}, {"current_period_end", now + period},
                      {"cancel_at_period_end", false}, {"canceled_at", Json()}, {"ended_at", Json()},
                      {"collection_method", params.value("collection_method", "charge_automatically")},
                      {"days_until_due", jsonInt(params, "days_until_due") ? Json(*jsonInt(params, "days_until_due")) : Json()},
                      {"default_tax_rates", rates}, {"latest_invoice", Json()}, {"metadata", Json::object()}};
    applyMetadata(subscription, params);
    Json &stored = m_store.create("sub", "subscription", subscription);
    for (Json &item : stored["items"]["data"])
        item["subscription"] = stored["id"];
    m_store.emitEvent("customer.subscription.created", stored);
    return ApiReply::json(200, stored);
}

ApiReply StripeApi::updateSubscription(const QString &id, const Json &params)
{
    Json *subscription = m_store.find(id, "subscription");
    if (!subscription)
        return resourceMissing(u"subscription"_s, id, u"id"_s);
    if (jsonString(*subscription, "status") == "canceled"_L1 && !params.contains("metadata"))
        return stripeError(400, "invalid_request_error", u"A canceled subscription can only update its cancellation_details and metadata."_s);
    Json previous = Json::object();
    if (params.contains("cancel_at_period_end")) {
        previous["cancel_at_period_end"] = (*subscription)["cancel_at_period_end"];
        (*subscription)["cancel_at_period_end"] = jsonBool(params, "cancel_at_period_end", false);
    }
    if (params.contains("metadata")) {
        previous["metadata"] = (*subscription)["metadata"];
        applyMetadata(*subscription, params);
    }
    if (params.value("items", Json()).is_array()) {
        previous["items"] = (*subscription)["items"];
        Json &data = (*subscription)["items"]["data"];
        for (const Json &change : params["items"]) {
            const QString priceId = jsonString(change, "price");
            const Json *price = priceId.isEmpty() ? nullptr : m_store.find(priceId, "price");
            if (!priceId.isEmpty() && !price)
                return resourceMissing(u"price"_s, priceId, u"items"_s);
            const QString itemId = jsonString(change, "id");
            auto target = std::find_if(data.begin(), data.end(), [&](const Json &i) { return jsonString(i, "id") == itemId; });
            if (target == data.end() && !itemId.isEmpty())
                return resourceMissing(u"subscription item"_s, itemId, u"items"_s);
            if (target == data.end()) {
                data.push_back({{"id", toStd(u"si_"_s + randomAlnum(14))}, {"object", "subscription_item"}, {"created", unixNow()},
                                {"price", *price}, {"quantity", 1}, {"subscription", toStd(id)}});
                target = data.end() - 1;
            }
            if (price)
                (*target)["price"] = *price;
            if (const auto quantity = jsonInt(change, "quantity"))
                (*target)["quantity"] = *quantity;
        }
    }
    m_store.emitEvent("customer.subscription.updated", *subscription, previous);
    return ApiReply::json(200, *subscription);
}

ApiReply StripeApi::cancelSubscription(const QString &id)
{
    Json *subscription = m_store.find(id, "subscription");
    if (!subscription)
        return resourceMissing(u"subscription"_s, id, u"id"_s);
    if (jsonString(*subscription, "status") == "canceled"_L1)
        return stripeError(400, "invalid_request_error", u"This subscription is already canceled."_s);
    (*subscription)["status"] = "canceled";
    (*subscription)["canceled_at"] = unixNow();
    (*subscription)["ended_at"] = unixNow();
    m_store.emitEvent("customer.subscription.deleted", *subscription);
    return ApiReply::json(200, *subscription);
}

ApiReply StripeApi::createTaxRate(const Json &params)
{
    for (const char *required : {"display_name", "percentage", "inclusive"}) {
        if (!params.contains(required))
            return stripeError(400, "invalid_request_error", u"Missing required param: %1."_s.arg(QLatin1String(required)),
                               u"parameter_missing"_s, QLatin1String(required));
    }
    const auto percentage = jsonNumber(params, "percentage");
    if (!percentage || *percentage < 0 || *percentage > 100)
        return stripeError(400, "invalid_request_error", u"Invalid percentage: must be between 0 and 100."_s, u"parameter_invalid_decimal"_s,
                           u"percentage"_s);
    Json rate{{"active", params.contains("active") ? jsonBool(params, "active", true) : true}, {"country", params.value("country", Json())},
              {"description", params.value("description", Json())}, {"display_name", params["display_name"]},
              {"effective_percentage", *percentage}, {"inclusive", jsonBool(params, "inclusive", false)},
              {"jurisdiction", params.value("jurisdiction", Json())}, {"percentage", *percentage},
              {"tax_type", params.value("tax_type", Json())}, {"metadata", Json::object()}};
    applyMetadata(rate, params);
    return ApiReply::json(200, m_store.create("txr", "tax_rate", rate));
}

} // namespace askpro::sandbox
