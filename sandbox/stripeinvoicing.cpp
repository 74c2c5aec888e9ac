// Invoicing of the Stripe stand-in: invoice items, invoice totals with tax, and the invoice life
// cycle (draft, open, paid, void) with its events.
#include "stripeinvoicing.h"

#include "formbody.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

ApiReply missingParam(const char *param)
{
    return stripeError(400, "invalid_request_error", u"Missing required param: %1."_s.arg(QLatin1String(param)), u"parameter_missing"_s,
                       QLatin1String(param));
}

ApiReply notEditable(const Json &invoice, const QString &what)
{
    return stripeError(400, "invalid_request_error",
                       u"You can only %1 %2 invoices; this one is %3."_s.arg(what, what == "void"_L1 ? u"open"_s : u"draft"_s,
                                                                              jsonString(invoice, "status")),
                       u"invoice_not_editable"_s);
}

void applyMetadata(Json &object, const Json &params)
{
    if (params.value("metadata", Json()).is_object()) {
        for (auto it = params["metadata"].begin(); it != params["metadata"].end(); ++it) {
            if (it->is_string() && it->get<std::string>().empty())
                object["metadata"].erase(it.key());
            else
                object["metadata"][it.key()] = *it;
        }
    }
}

} // namespace

void StripeInvoicing::addRoutes(RouteTable &routes)
{
    using A = const ApiRequest &;
    using C = const QStringList &;
    const auto params = [](A r) { return FormBody::decode(r.body); };
    const auto get = [this](const char *objectName, const char *kind) {
        return [this, objectName, kind](A, C c) {
            const Json *object = m_store.find(c.at(0), objectName);
            return object ? ApiReply::json(200, *object) : resourceMissing(QLatin1String(kind), c.at(0), u"id"_s);
        };
    };
    routes.add("POST"_ba, u"/v1/invoiceitems"_s, [this, params](A r, C) { return createItem(params(r)); });
    routes.add("GET"_ba, u"/v1/invoiceitems"_s, [this](A r, C) {
        const QString customer = r.query.queryItemValue(u"customer"_s);
        const QString invoice = r.query.queryItemValue(u"invoice"_s);
        const bool pendingOnly = r.query.queryItemValue(u"pending"_s) == "true"_L1;
        const auto items = m_store.all("invoiceitem", [&](const Json &i) {
            return (customer.isEmpty() || jsonString(i, "customer") == customer) && (invoice.isEmpty() || jsonString(i, "invoice") == invoice)
                   && (!pendingOnly || i["invoice"].is_null());
        });
        return ApiReply::json(200, StripeStore::list(items, r.query, u"/v1/invoiceitems"_s));
    });
    routes.add("GET"_ba, u"/v1/invoiceitems/*"_s, get("invoiceitem", "invoiceitem"));
    routes.add("DELETE"_ba, u"/v1/invoiceitems/*"_s, [this](A, C c) { return deleteItem(c.at(0)); });

    routes.add("POST"_ba, u"/v1/invoices"_s, [this, params](A r, C) { return createInvoice(params(r)); });
    routes.add("GET"_ba, u"/v1/invoices"_s, [this](A r, C) {
        const QString customer = r.query.queryItemValue(u"customer"_s);
        const QString status = r.query.queryItemValue(u"status"_s);
        const auto items = m_store.all("invoice", [&](const Json &i) {
            return (customer.isEmpty() || jsonString(i, "customer") == customer) && (status.isEmpty() || jsonString(i, "status") == status);
        });
        return ApiReply::json(200, StripeStore::list(items, r.query, u"/v1/invoices"_s));
    });
    routes.add("GET"_ba, u"/v1/invoices/*"_s, get("invoice", "invoice"));
    routes.add("POST"_ba, u"/v1/invoices/*"_s, [this, params](A r, C c) { return updateInvoice(c.at(0), params(r)); });
    routes.add("DELETE"_ba, u"/v1/invoices/*"_s, [this](A, C c) { return deleteInvoice(c.at(0)); });
    routes.add("POST"_ba, u"/v1/invoices/*/finalize"_s, [this](A, C c) { return finalize(c.at(0)); });
    routes.add("POST"_ba, u"/v1/invoices/*/send"_s, [this](A, C c) { return send(c.at(0)); });
    routes.add("POST"_ba, u"/v1/invoices/*/pay"_s, [this, params](A r, C c) { return pay(c.at(0), params(r)); });
    routes.add("POST"_ba, u"/v1/invoices/*/void"_s, [this](A, C c) { return voidInvoice(c.at(0)); });

    routes.add("POST"_ba, u"/v1/credit_notes"_s, [this, params](A r, C) { return createCreditNote(params(r)); });
    routes.add("GET"_ba, u"/v1/credit_notes"_s, [this](A r, C) {
        const QString invoice = r.query.queryItemValue(u"invoice"_s);
        const QString customer = r.query.queryItemValue(u"customer"_s);
        const auto notes = m_store.all("credit_note", [&](const Json &n) {
            return (invoice.isEmpty() || jsonString(n, "invoice") == invoice) && (customer.isEmpty() || jsonString(n, "customer") == customer);
        });
        return ApiReply::json(200, StripeStore::list(notes, r.query, u"/v1/credit_notes"_s));
    });
    routes.add("GET"_ba, u"/v1/credit_notes/*"_s, get("credit_note", "credit_note"));
}

std::pair<Json, QString> StripeInvoicing::taxRates(const Json &ids)
{
    Json rates = Json::array();
    if (!ids.is_array())
        return {rates, {}};
    for (const Json &id : ids) {
        const QString rateId = id.is_string() ? QString::fromStdString(id.get<std::string>()) : QString();
        const Json *rate = m_store.find(rateId, "tax_rate");
        if (!rate)
            return {Json::array(), rateId};
        rates.push_back(*rate);
    }
    return {rates, {}};
}

ApiReply StripeInvoicing::createItem(const Json &params)
{
    const QString customerId = jsonString(params, "customer");
    if (customerId.isEmpty())
        return missingParam("customer");
    const Json *customer = m_store.find(customerId, "customer");
    if (!customer || customer->value("deleted", false))
        return resourceMissing(u"customer"_s, customerId, u"customer"_s);
    const qint64 quantity = jsonInt(params, "quantity").value_or(1);
    std::optional<qint64> amount = jsonInt(params, "amount");
    QString currency = jsonString(params, "currency");
    Json price;
    if (const QString priceId = jsonString(params.value("pricing", Json::object()), "price").isEmpty() ? jsonString(params, "price")
                                                                                                        : jsonString(params["pricing"], "price");
        !priceId.isEmpty()) {
        const Json *found = m_store.find(priceId, "price");
        if (!found)
            return resourceMissing(u"price"_s, priceId, u"pricing[price]"_s);
        price = *found;
        amount = (*found)["unit_amount"].get<qint64>() * quantity;
        currency = jsonString(*found, "currency");
    } else if (const auto unitAmount = jsonInt(params, "unit_amount"); unitAmount && !amount) {
        amount = *unitAmount * quantity;
    }
    if (!amount)
        return missingParam("amount");
    if (currency.isEmpty())
        return missingParam("currency");
    const auto [rates, missingRate] = taxRates(params.value("tax_rates", Json::array()));
    if (!missingRate.isEmpty())
        return resourceMissing(u"tax rate"_s, missingRate, u"tax_rates"_s);
    Json *invoice = nullptr;
    if (const QString invoiceId = jsonString(params, "invoice"); !invoiceId.isEmpty()) {
        invoice = m_store.find(invoiceId, "invoice");
        if (!invoice)
            return resourceMissing(u"invoice"_s, invoiceId, u"invoice"_s);
        if (jsonString(*invoice, "status") != "draft"_L1)
            return notEditable(*invoice, u"add items to"_s);
        if (jsonString(*invoice, "customer") != customerId)
            return stripeError(400, "invalid_request_error", u"The invoice belongs to another customer."_s, {}, u"invoice"_s);
    }
    const qint64 now = unixNow();
    Json item{{"amount", *amount}, {"currency", toStd(currency.toLower())}, {"customer", toStd(customerId)}, {"date", now},
              {"description", params.value("description", Json())}, {"discountable", true},
              {"invoice", invoice ? (*invoice)["id"] : Json()}, {"period", {{"start", now}, {"end", now}}}, {"price", price},
              {"proration", false}, {"quantity", quantity}, {"tax_rates", rates},
              {"unit_amount", quantity ? *amount / quantity : *amount}, {"metadata", Json::object()}};
    applyMetadata(item, params);
    const Json &stored = m_store.create("ii", "invoiceitem", item);
    if (invoice)
        recompute(*invoice);
    return ApiReply::json(200, stored);
}

ApiReply StripeInvoicing::deleteItem(const QString &id)
{
    const Json *item = m_store.find(id, "invoiceitem");
    if (!item)
        return resourceMissing(u"invoiceitem"_s, id, u"id"_s);
    Json *invoice = m_store.find(jsonString(*item, "invoice"), "invoice");
    if (invoice && jsonString(*invoice, "status") != "draft"_L1)
        return notEditable(*invoice, u"remove items from"_s);
    m_store.remove(id);
    if (invoice)
        recompute(*invoice);
    return ApiReply::json(200, Json{{"id", toStd(id)}, {"object", "invoiceitem"}, {"deleted", true}});
}

ApiReply StripeInvoicing::createInvoice(const Json &params)
{
    const QString customerId = jsonString(params, "customer");
    if (customerId.isEmpty())
        return missingParam("customer");
    const Json *customer = m_store.find(customerId, "customer");
    if (!customer || customer->value("deleted", false))
        return resourceMissing(u"customer"_s, customerId, u"customer"_s);
    const QString method = params.contains("collection_method") ? jsonString(params, "collection_method") : u"charge_automatically"_s;
    if (method != "charge_automatically"_L1 && method != "send_invoice"_L1)
        return stripeError(400, "invalid_request_error", u"Invalid collection_method: %1"_s.arg(method), u"parameter_invalid"_s,
                           u"collection_method"_s);
    const auto daysUntilDue = jsonInt(params, "days_until_due");
    if (method == "send_invoice"_L1 && !daysUntilDue)
        return missingParam("days_until_due");
    const auto [rates, missingRate] = taxRates(params.value("default_tax_rates", Json::array()));
    if (!missingRate.isEmpty())
        return resourceMissing(u"tax rate"_s, missingRate, u"default_tax_rates"_s);
    const qint64 now = unixNow();
    Json invoice{{"account_country", "DE"}, {"account_name", "AskPro Sandbox"}, {"amount_due", 0}, {"amount_paid", 0},
                 {"amount_remaining", 0}, {"attempt_count", 0}, {"attempted", false},
                 {"auto_advance", params.contains("auto_advance") ? jsonBool(params, "auto_advance", false) : method == "charge_automatically"_L1},
                 {"charge", Json()}, {"collection_method", toStd(method)}, {"currency", params.value("currency", "eur")},
                 {"customer", toStd(customerId)}, {"customer_email", (*customer)["email"]}, {"customer_name", (*customer)["name"]},
                 {"days_until_due", daysUntilDue ? Json(*daysUntilDue) : Json()}, {"default_tax_rates", rates},
                 {"description", params.value("description", Json())}, {"due_date", Json()}, {"hosted_invoice_url", Json()},
                 {"invoice_pdf", Json()}, {"lines", Json::object()}, {"metadata", Json::object()}, {"number", Json()},
                 {"paid", false}, {"paid_out_of_band", false}, {"payment_intent", Json()}, {"period_start", now}, {"period_end", now},
                 {"status", "draft"},
                 {"status_transitions",
                  {{"finalized_at", Json()}, {"marked_uncollectible_at", Json()}, {"paid_at", Json()}, {"voided_at", Json()}}},
                 {"subscription", Json()}, {"subtotal", 0}, {"subtotal_excluding_tax", 0}, {"tax", 0}, {"total", 0},
                 {"total_excluding_tax", 0}, {"total_tax_amounts", Json::array()}};
    applyMetadata(invoice, params);
    Json &stored = m_store.create("in", "invoice", invoice);
    if (jsonString(params, "pending_invoice_items_behavior") == "include"_L1) {
        const auto pending = [&](const Json &i) { return i["invoice"].is_null() && jsonString(i, "customer") == customerId; };
        for (const Json &item : m_store.all("invoiceitem", pending))
            (*m_store.find(jsonString(item, "id")))["invoice"] = stored["id"];
    }
    recompute(stored);
    return ApiReply::json(200, stored);
}

ApiReply StripeInvoicing::updateInvoice(const QString &id, const Json &params)
{
    Json *invoice = m_store.find(id, "invoice");
    if (!invoice)
        return resourceMissing(u"invoice"_s, id, u"id"_s);
    const bool draft = jsonString(*invoice, "status") == "draft"_L1;
    for (const char *key : {"collection_method", "days_until_due", "default_tax_rates", "auto_advance"}) {
        if (params.contains(key) && !draft)
            return notEditable(*invoice, u"change %1 of"_s.arg(QLatin1String(key)));
    }
    if (params.contains("default_tax_rates")) {
        const auto [rates, missingRate] = taxRates(params["default_tax_rates"]);
        if (!missingRate.isEmpty())
            return resourceMissing(u"tax rate"_s, missingRate, u"default_tax_rates"_s);
        (*invoice)["default_tax_rates"] = rates;
    }
    if (params.contains("days_until_due"))
        (*invoice)["days_until_due"] = jsonInt(params, "days_until_due").value_or(0);
    if (params.contains("collection_method"))
        (*invoice)["collection_method"] = params["collection_method"];
    if (params.contains("auto_advance"))
        (*invoice)["auto_advance"] = jsonBool(params, "auto_advance", false);
    if (params.contains("description"))
        (*invoice)["description"] = params["description"];
    applyMetadata(*invoice, params);
    recompute(*invoice);
    return ApiReply::json(200, *invoice);
}

ApiReply StripeInvoicing::deleteInvoice(const QString &id)
{
    const Json *invoice = m_store.find(id, "invoice");
    if (!invoice)
        return resourceMissing(u"invoice"_s, id, u"id"_s);
    if (jsonString(*invoice, "status") != "draft"_L1)
        return notEditable(*invoice, u"delete"_s);
    for (const Json &item : m_store.all("invoiceitem", [&](const Json &i) { return jsonString(i, "invoice") == id; }))
        m_store.remove(jsonString(item, "id"));
    m_store.remove(id);
    return ApiReply::json(200, Json{{"id", toStd(id)}, {"object", "invoice"}, {"deleted", true}});
}

void StripeInvoicing::recompute(Json &invoice)
{
    const QString id = jsonString(invoice, "id");
    QList<Json> items = m_store.all("invoiceitem", [&](const Json &i) { return jsonString(i, "invoice") == id; });
    std::reverse(items.begin(), items.end()); // oldest first, as Stripe lists lines
    Json lines = Json::array();
    QList<Json> rateOrder;
    QHash<QString, qint64> taxByRate;
    qint64 subtotal = 0;
    qint64 inclusiveTax = 0;
    qint64 exclusiveTax = 0;
    for (const Json &item : std::as_const(items)) {
        const qint64 amount = item["amount"].get<qint64>();
        const Json rates = item["tax_rates"].empty() ? invoice["default_tax_rates"] : item["tax_rates"];
        Json taxAmounts = Json::array();
        for (const Json &rate : rates) {
            const double percent = rate["percentage"].get<double>();
            const bool inclusive = rate["inclusive"].get<bool>();
            const qint64 tax = inclusive ? amount - std::llround(double(amount) * 100.0 / (100.0 + percent))
                                         : std::llround(double(amount) * percent / 100.0);
            (inclusive ? inclusiveTax : exclusiveTax) += tax;
            const QString rateId = jsonString(rate, "id");
            if (!taxByRate.contains(rateId))
                rateOrder.append(rate);
            taxByRate[rateId] += tax;
            taxAmounts.push_back({{"amount", tax}, {"inclusive", inclusive}, {"tax_rate", rate["id"]}});
        }
        subtotal += amount;
        lines.push_back({{"id", "il_" + item["id"].get<std::string>().substr(3)}, {"object", "line_item"}, {"amount", amount},
                         {"currency", item["currency"]}, {"description", item["description"]}, {"invoice_item", item["id"]},
                         {"metadata", item["metadata"]}, {"period", item["period"]}, {"quantity", item["quantity"]},
                         {"tax_amounts", taxAmounts}, {"tax_rates", item["tax_rates"]}, {"type", "invoiceitem"}});
    }
    Json totalTaxAmounts = Json::array();
    for (const Json &rate : std::as_const(rateOrder))
        totalTaxAmounts.push_back(
            {{"amount", taxByRate.value(jsonString(rate, "id"))}, {"inclusive", rate["inclusive"]}, {"tax_rate", rate["id"]}});
    const qint64 total = subtotal + exclusiveTax;
    invoice["lines"] = {{"object", "list"}, {"data", lines}, {"has_more", false}, {"total_count", lines.size()},
                        {"url", "/v1/invoices/" + invoice["id"].get<std::string>() + "/lines"}};
    if (!items.isEmpty())
        invoice["currency"] = items.first()["currency"];
    invoice["subtotal"] = subtotal;
    invoice["subtotal_excluding_tax"] = subtotal - inclusiveTax;
    invoice["tax"] = inclusiveTax + exclusiveTax;
    invoice["total"] = total;
    invoice["total_excluding_tax"] = subtotal - inclusiveTax;
    invoice["total_tax_amounts"] = totalTaxAmounts;
    invoice["amount_due"] = total;
    invoice["amount_remaining"] = total - invoice["amount_paid"].get<qint64>();
}

void StripeInvoicing::finalizeDraft(Json &invoice)
{
    Json *customer = m_store.find(jsonString(invoice, "customer"), "customer");
    const qint64 sequence = customer ? (*customer)["next_invoice_sequence"].get<qint64>() : 1;
    if (customer)
        (*customer)["next_invoice_sequence"] = sequence + 1;
    const QString prefix = customer ? jsonString(*customer, "invoice_prefix") : u"SANDBOX"_s;
    const qint64 now = unixNow();
    const std::string id = invoice["id"].get<std::string>();
    invoice["number"] = toStd(u"%1-%2"_s.arg(prefix).arg(sequence, 4, 10, QLatin1Char('0')));
    invoice["status"] = "open";
    invoice["status_transitions"]["finalized_at"] = now;
    invoice["hosted_invoice_url"] = "https://invoice.sandbox.invalid/i/" + id;
    invoice["invoice_pdf"] = "https://invoice.sandbox.invalid/i/" + id + "/pdf";
    if (invoice["collection_method"] == "send_invoice")
        invoice["due_date"] = now + invoice.value("days_until_due", qint64(0)) * 86400;
    m_store.emitEvent("invoice.finalized", invoice);
    if (invoice["amount_due"].get<qint64>() == 0)
        markPaid(invoice, false);
}

void StripeInvoicing::markPaid(Json &invoice, bool outOfBand)
{
    invoice["status"] = "paid";
    invoice["paid"] = true;
    invoice["paid_out_of_band"] = outOfBand;
    invoice["amount_paid"] = invoice["amount_due"];
    invoice["amount_remaining"] = 0;
    invoice["status_transitions"]["paid_at"] = unixNow();
    m_store.emitEvent("invoice.paid", invoice);
}

ApiReply StripeInvoicing::finalize(const QString &id)
{
    Json *invoice = m_store.find(id, "invoice");
    if (!invoice)
        return resourceMissing(u"invoice"_s, id, u"id"_s);
    if (jsonString(*invoice, "status") != "draft"_L1)
        return stripeError(400, "invalid_request_error", u"This invoice is already finalized, you can't re-finalize a non-draft invoice."_s,
                           u"invoice_not_editable"_s);
    finalizeDraft(*invoice);
    return ApiReply::json(200, *invoice);
}

ApiReply StripeInvoicing::send(const QString &id)
{
    Json *invoice = m_store.find(id, "invoice");
    if (!invoice)
        return resourceMissing(u"invoice"_s, id, u"id"_s);
    if (jsonString(*invoice, "collection_method") != "send_invoice"_L1)
        return stripeError(400, "invalid_request_error", u"Invoices with collection_method=charge_automatically cannot be sent."_s);
    if (jsonString(*invoice, "status") == "draft"_L1)
        finalizeDraft(*invoice);
    if (jsonString(*invoice, "status") != "open"_L1 && jsonString(*invoice, "status") != "paid"_L1)
        return stripeError(400, "invalid_request_error", u"You can only send open invoices."_s);
    return ApiReply::json(200, *invoice);
}

ApiReply StripeInvoicing::pay(const QString &id, const Json &params)
{
    Json *invoice = m_store.find(id, "invoice");
    if (!invoice)
        return resourceMissing(u"invoice"_s, id, u"id"_s);
    const QString status = jsonString(*invoice, "status");
    if (status == "paid"_L1)
        return stripeError(400, "invalid_request_error", u"Invoice is already paid"_s, u"invoice_already_paid"_s);
    if (status != "draft"_L1 && status != "open"_L1)
        return stripeError(400, "invalid_request_error", u"You can only pay open invoices; this one is %1."_s.arg(status));
    if (status == "draft"_L1)
        finalizeDraft(*invoice);
    if (jsonString(*invoice, "status") == "paid"_L1)
        return ApiReply::json(200, *invoice);
    if (jsonBool(params, "paid_out_of_band", false)) {
        markPaid(*invoice, true);
        return ApiReply::json(200, *invoice);
    }
    const std::string charge = "ch_" + toStd(randomAlnum(24));
    (*invoice)["attempt_count"] = (*invoice)["attempt_count"].get<qint64>() + 1;
    (*invoice)["attempted"] = true;
    (*invoice)["charge"] = charge;
    (*invoice)["payment_intent"] = "pi_" + toStd(randomAlnum(24));
    if (m_store.cardDeclines(jsonString(*invoice, "customer"))) {
        m_store.emitEvent("invoice.payment_failed", *invoice);
        ApiReply declined = stripeError(402, "card_error", u"Your card was declined."_s, u"card_declined"_s);
        Json body = Json::parse(declined.body.toStdString());
        body["error"]["decline_code"] = "generic_decline";
        body["error"]["charge"] = charge;
        return ApiReply::json(402, body);
    }
    markPaid(*invoice, false);
    return ApiReply::json(200, *invoice);
}

ApiReply StripeInvoicing::voidInvoice(const QString &id)
{
    Json *invoice = m_store.find(id, "invoice");
    if (!invoice)
        return resourceMissing(u"invoice"_s, id, u"id"_s);
    if (jsonString(*invoice, "status") != "open"_L1)
        return notEditable(*invoice, u"void"_s);
    (*invoice)["status"] = "void";
    (*invoice)["status_transitions"]["voided_at"] = unixNow();
    return ApiReply::json(200, *invoice);
}

ApiReply StripeInvoicing::createCreditNote(const Json &params)
{
    const QString invoiceId = jsonString(params, "invoice");
    if (invoiceId.isEmpty())
        return missingParam("invoice");
    Json *invoice = m_store.find(invoiceId, "invoice");
    if (!invoice)
        return resourceMissing(u"invoice"_s, invoiceId, u"invoice"_s);
    const QString status = jsonString(*invoice, "status");
    if (status != "open"_L1 && status != "paid"_L1)
        return stripeError(400, "invalid_request_error",
                           u"Credit notes can only be issued for open or paid invoices; this one is %1."_s.arg(status), u"invoice_not_editable"_s);
    if (params.contains("lines") || params.contains("shipping_cost"))
        return stripeError(400, "invalid_request_error", u"The sandbox credits amounts only; pass amount."_s, {}, u"lines"_s);
    const auto amount = jsonInt(params, "amount");
    if (!amount)
        return missingParam("amount");
    if (const QString reason = jsonString(params, "reason");
        !reason.isEmpty() && !QStringList{u"duplicate"_s, u"fraudulent"_s, u"order_change"_s, u"product_unsatisfactory"_s}.contains(reason))
        return stripeError(400, "invalid_request_error", u"Invalid reason: %1."_s.arg(reason), {}, u"reason"_s);
    qint64 credited = 0;
    for (const Json &note : m_store.all("credit_note", [&](const Json &n) { return jsonString(n, "invoice") == invoiceId; }))
        if (jsonString(note, "status") != "void"_L1)
            credited += note["amount"].get<qint64>();
    const qint64 total = (*invoice)["total"].get<qint64>();
    if (*amount <= 0 || credited + *amount > total)
        return stripeError(400, "invalid_request_error",
                           u"The credit note amount (%1) must be positive and at most what is left to credit on the invoice (%2)."_s.arg(*amount).arg(
                               total - credited),
                           {}, u"amount"_s);
    const qint64 remaining = (*invoice)["amount_remaining"].get<qint64>();
    const qint64 prePayment = std::min(*amount, remaining);
    const qint64 postPayment = *amount - prePayment;
    const qint64 toBalance = jsonInt(params, "credit_amount").value_or(0);
    const qint64 refund = jsonInt(params, "refund_amount").value_or(0);
    const qint64 outOfBand = jsonInt(params, "out_of_band_amount").value_or(0);
    if (toBalance + refund + outOfBand != postPayment)
        return stripeError(400, "invalid_request_error",
                           u"credit_amount, refund_amount and out_of_band_amount must add up to the part of the credit note beyond what "
                           "is still due on the invoice (%1)."_s.arg(postPayment));
    const QString customerId = jsonString(*invoice, "customer");
    if (toBalance > 0) {
        if (Json *customer = m_store.find(customerId, "customer"))
            (*customer)["balance"] = customer->value("balance", qint64(0)) - toBalance; // negative: owed to the customer
    }
    (*invoice)["amount_remaining"] = remaining - prePayment;
    (*invoice)["amount_due"] = (*invoice)["amount_due"].get<qint64>() - prePayment;
    (*invoice)["pre_payment_credit_notes_amount"] = invoice->value("pre_payment_credit_notes_amount", qint64(0)) + prePayment;
    (*invoice)["post_payment_credit_notes_amount"] = invoice->value("post_payment_credit_notes_amount", qint64(0)) + postPayment;
    const qint64 sequence = qint64(m_store.all("credit_note", [&](const Json &n) { return jsonString(n, "invoice") == invoiceId; }).size()) + 1;
    Json note{{"amount", *amount},
              {"currency", (*invoice)["currency"]},
              {"customer", toStd(customerId)},
              {"invoice", toStd(invoiceId)},
              {"memo", params.value("memo", Json())},
              {"number", toStd(u"%1-CN-%2"_s.arg(jsonString(*invoice, "number")).arg(sequence, 2, 10, QLatin1Char('0')))},
              {"out_of_band_amount", outOfBand},
              {"pre_payment_amount", prePayment},
              {"post_payment_amount", postPayment},
              {"reason", params.value("reason", Json())},
              {"refund", Json()},
              {"status", "issued"},
              {"subtotal", *amount},
              {"total", *amount},
              {"type", postPayment > 0 ? "post_payment" : "pre_payment"},
              {"metadata", Json::object()}};
    applyMetadata(note, params);
    const Json &stored = m_store.create("cn", "credit_note", note);
    m_store.emitEvent("credit_note.created", stored);
    m_store.emitEvent("invoice.updated", *invoice);
    return ApiReply::json(200, stored);
}

} // namespace askpro::sandbox
