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

JsonReply *RetellClient::send(const QByteArray &method, const QString &path, const Json &body) const
{
    ProviderRequest request;
    request.method = method;
    request.url = m_baseUrl;
    // Path arguments arrive percent-encoded (a "+" in a phone number as %2B): keep them so.
    request.url.setPath(m_baseUrl.path() + path, QUrl::TolerantMode);
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
    Json agents = Json::array();
    for (const QString &id : agentIds)
        agents.push_back(id.toStdString());
    Json body = {{"filter_criteria",
                  {{"agent_id", agents}, {"start_timestamp", {{"lower_threshold", fromMs}, {"upper_threshold", toMs}}}}},
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

JsonReply *RetellClient::listLlms() const
{
    return send("GET", u"/v2/list-retell-llms"_s);
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
    return send("POST", u"/v2/list-agents"_s, Json::object());
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

JsonReply *RetellClient::createPhoneNumber(const QString &countryCode, int areaCode, const QString &e164) const
{
    Json body{{"country_code", countryCode.toStdString()}};
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
