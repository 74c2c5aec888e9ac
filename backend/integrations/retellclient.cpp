// Retell endpoints as the official SDK calls them (v2/v3 paths where Retell moved them).
#include "integrations/retellclient.h"

#include "core/logging.h"

using namespace Qt::StringLiterals;

namespace askpro {

RetellClient::RetellClient(QNetworkAccessManager *network, QUrl baseUrl, QByteArray apiKey, int timeoutMs)
    : m_transport(network, u"Retell"_s, lcRetell(), [](const Json &body) { return jsonString(body, "message"); }, timeoutMs)
    , m_baseUrl(std::move(baseUrl))
    , m_apiKey(std::move(apiKey))
{
}

JsonReply *RetellClient::send(const QByteArray &method, const QString &path, const Json &body, const QUrlQuery &query) const
{
    ProviderRequest request;
    request.method = method;
    request.url = m_baseUrl;
    // Path arguments arrive percent-encoded (a "+" in a phone number as %2B): keep them so.
    request.url.setPath(m_baseUrl.path() + path, QUrl::TolerantMode);
    if (!query.isEmpty())
        request.url.setQuery(query);
    request.headers = {{"Authorization", "Bearer " + m_apiKey}};
    if (!body.is_null())
        request.body = jsonText(body);
    return m_transport.send(request);
}

JsonReply *RetellClient::call(const QString &callId) const
{
    return send("GET", u"/v2/get-call/"_s + QString::fromUtf8(QUrl::toPercentEncoding(callId)));
}

JsonReply *RetellClient::listCalls(const QStringList &agentIds, qint64 fromMs, qint64 toMs, int limit,
                                   const QString &paginationKey) const
{
    // The filters of /v3/list-calls: agents as objects, the start as a range (its description has no agent_id filter).
    Json agents = Json::array();
    for (const QString &id : agentIds)
        agents.push_back({{"agent_id", id.toStdString()}});
    Json body = {{"filter_criteria",
                  {{"agent", agents}, {"start_timestamp", {{"type", "range"}, {"op", "bt"}, {"value", {fromMs, toMs}}}}}},
                 {"sort_order", "descending"},
                 {"limit", limit}};
    if (!paginationKey.isEmpty())
        body["pagination_key"] = paginationKey.toStdString();
    return send("POST", u"/v3/list-calls"_s, body);
}

JsonReply *RetellClient::createPhoneCall(const QString &fromNumber, const QString &toNumber, const QString &agentId,
                                         const Json &metadata) const
{
    return send("POST", u"/v2/create-phone-call"_s,
                Json{{"from_number", fromNumber.toStdString()}, {"to_number", toNumber.toStdString()},
                     {"override_agent_id", agentId.toStdString()}, {"metadata", metadata}});
}

JsonReply *RetellClient::createLlm(const Json &llm) const
{
    return send("POST", u"/create-retell-llm"_s, llm);
}

JsonReply *RetellClient::updateLlm(const QString &llmId, const Json &changes) const
{
    return send("PATCH", u"/update-retell-llm/"_s + llmId, changes);
}

JsonReply *RetellClient::listAll(const QByteArray &method, const QString &path) const
{
    auto *all = new JsonReply;
    auto items = std::make_shared<Json>(Json::array());
    // Each page's handler asks for the next one; the copy of this client keeps the transport alive meanwhile.
    auto nextPage = std::make_shared<std::function<void(const QString &)>>();
    *nextPage = [client = *this, method, path, all, items, nextPage](const QString &after) {
        QUrlQuery query;
        query.addQueryItem(u"limit"_s, u"1000"_s);
        if (!after.isEmpty())
            query.addQueryItem(u"pagination_key"_s, after);
        JsonReply *reply = client.send(method, path, method == "POST" ? Json::object() : Json(), query);
        QObject::connect(reply, &JsonReply::finished, all, [all, items, nextPage](const JsonResult &page) {
            if (!page) {
                *nextPage = nullptr;
                all->finish(page.error());
                return;
            }
            const bool paged = page->is_object();
            const Json pageItems = paged ? page->value("items", Json::array()) : page->is_array() ? *page : Json::array();
            for (const Json &item : pageItems)
                items->push_back(item);
            const QString key = paged ? jsonString(*page, "pagination_key") : QString();
            if (paged && jsonBool(*page, "has_more") && !key.isEmpty() && !pageItems.empty()) {
                (*nextPage)(key);
                return;
            }
            *nextPage = nullptr;
            all->finish(Json{{"items", std::move(*items)}});
        });
    };
    (*nextPage)(QString());
    return all;
}

JsonReply *RetellClient::probe() const
{
    return send("GET", u"/v2/list-retell-llms"_s, Json(), QUrlQuery{{u"limit"_s, u"1"_s}});
}

JsonReply *RetellClient::listLlms() const
{
    return listAll("GET", u"/v2/list-retell-llms"_s);
}

JsonReply *RetellClient::deleteLlm(const QString &llmId) const
{
    return send("DELETE", u"/delete-retell-llm/"_s + llmId);
}

JsonReply *RetellClient::createAgent(const Json &agent) const
{
    return send("POST", u"/create-agent"_s, agent);
}

JsonReply *RetellClient::updateAgent(const QString &agentId, const Json &changes) const
{
    return send("PATCH", u"/update-agent/"_s + agentId, changes);
}

JsonReply *RetellClient::listAgents() const
{
    return listAll("POST", u"/v2/list-agents"_s);
}

JsonReply *RetellClient::deleteAgent(const QString &agentId) const
{
    return send("DELETE", u"/delete-agent/"_s + agentId);
}

JsonReply *RetellClient::phoneNumber(const QString &e164) const
{
    return send("GET", u"/get-phone-number/"_s + QString::fromUtf8(QUrl::toPercentEncoding(e164)));
}

JsonReply *RetellClient::importPhoneNumber(const QString &e164, const QString &terminationUri, const QString &sipUser,
                                           const QByteArray &sipPassword) const
{
    Json body{{"phone_number", e164.toStdString()}, {"termination_uri", terminationUri.toStdString()}};
    if (!sipUser.isEmpty())
        body["sip_trunk_auth_username"] = sipUser.toStdString();
    if (!sipPassword.isEmpty())
        body["sip_trunk_auth_password"] = sipPassword.toStdString();
    return send("POST", u"/import-phone-number"_s, body);
}

JsonReply *RetellClient::listPhoneNumbers() const
{
    return listAll("GET", u"/v2/list-phone-numbers"_s);
}

JsonReply *RetellClient::createPhoneNumber(const QString &countryCode, int areaCode, const QString &e164, const QString &nickname) const
{
    Json body{{"country_code", countryCode.toStdString()}};
    if (!nickname.isEmpty())
        body["nickname"] = nickname.toStdString();
    if (!e164.isEmpty())
        body["phone_number"] = e164.toStdString();
    else
        body["area_code"] = areaCode; // an integer, as Retell takes it
    return send("POST", u"/create-phone-number"_s, body);
}

JsonReply *RetellClient::deletePhoneNumber(const QString &e164) const
{
    return send("DELETE", u"/delete-phone-number/"_s + QString::fromUtf8(QUrl::toPercentEncoding(e164)));
}

JsonReply *RetellClient::bindPhoneNumber(const QString &e164, const QString &agentId, const QString &inboundWebhookUrl) const
{
    Json body{{"inbound_agents", Json::array({{{"agent_id", agentId.toStdString()}, {"weight", 1}}})}};
    if (!inboundWebhookUrl.isEmpty())
        body["inbound_webhook_url"] = inboundWebhookUrl.toStdString();
    return send("PATCH", u"/update-phone-number/"_s + QString::fromUtf8(QUrl::toPercentEncoding(e164)), body);
}

} // namespace askpro
