// The one Retell AI client: calls (for reconciliation and test calls), LLMs, agents and phone numbers.
#pragma once

#include "integrations/providertransport.h"

namespace askpro {

class RetellClient final
{
public:
    // baseUrl like https://api.retellai.com; the API key also signs Retell's webhooks.
    RetellClient(QNetworkAccessManager *network, QUrl baseUrl, QByteArray apiKey, int timeoutMs = 10000);

    [[nodiscard]] JsonReply *call(const QString &callId) const;
    // Calls of these agents that started in [fromMs, toMs), newest first; paginationKey from the previous page.
    [[nodiscard]] JsonReply *listCalls(const QStringList &agentIds, qint64 fromMs, qint64 toMs, int limit,
                                       const QString &paginationKey = {}) const;
    [[nodiscard]] JsonReply *createPhoneCall(const QString &fromNumber, const QString &toNumber, const QString &agentId,
                                             const Json &metadata) const;

    [[nodiscard]] JsonReply *createLlm(const Json &llm) const;
    [[nodiscard]] JsonReply *updateLlm(const QString &llmId, const Json &changes) const;
    [[nodiscard]] JsonReply *listLlms() const;
    [[nodiscard]] JsonReply *deleteLlm(const QString &llmId) const;
    [[nodiscard]] JsonReply *createAgent(const Json &agent) const;
    [[nodiscard]] JsonReply *updateAgent(const QString &agentId, const Json &changes) const;
    [[nodiscard]] JsonReply *listAgents() const;
    [[nodiscard]] JsonReply *deleteAgent(const QString &agentId) const;
    [[nodiscard]] JsonReply *phoneNumber(const QString &e164) const;
    // Over SIP: terminationUri is the carrier trunk's host; user and password authenticate Retell at the trunk.
    [[nodiscard]] JsonReply *importPhoneNumber(const QString &e164, const QString &terminationUri, const QString &sipUser = {},
                                               const QByteArray &sipPassword = {}) const;
    // Buys a number (US or CA): the given E.164 number, or any free one of the area code. The reply names the
    // number bought (phone_number).
    [[nodiscard]] JsonReply *createPhoneNumber(const QString &countryCode, int areaCode, const QString &e164 = {}) const;
    // Removes the number from the account (undoes an import; a bought number is released).
    [[nodiscard]] JsonReply *deletePhoneNumber(const QString &e164) const;
    // Binds the number to one inbound agent (weight 1).
    // With an inbound webhook URL, Retell asks it before every inbound call (the agent's dynamic variables).
    [[nodiscard]] JsonReply *bindPhoneNumber(const QString &e164, const QString &agentId, const QString &inboundWebhookUrl = {}) const;

private:
    [[nodiscard]] JsonReply *send(const QByteArray &method, const QString &path, const Json &body = Json()) const;

    ProviderTransport m_transport;
    QUrl m_baseUrl;
    QByteArray m_apiKey;
};

} // namespace askpro
