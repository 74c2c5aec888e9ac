// The one Retell AI client: calls (for reconciliation and test calls), LLMs, agents and phone numbers.
#pragma once

#include "integrations/providertransport.h"

#include <QUrlQuery>

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
    // One small authenticated read: whether Retell answers and takes the key.
    [[nodiscard]] JsonReply *probe() const;
    // Every LLM of the account, read page by page: {"items": [...]}.
    [[nodiscard]] JsonReply *listLlms() const;
    [[nodiscard]] JsonReply *deleteLlm(const QString &llmId) const;
    [[nodiscard]] JsonReply *createAgent(const Json &agent) const;
    [[nodiscard]] JsonReply *updateAgent(const QString &agentId, const Json &changes) const;
    // Every agent of the account, read page by page: {"items": [...]}.
    [[nodiscard]] JsonReply *listAgents() const;
    [[nodiscard]] JsonReply *deleteAgent(const QString &agentId) const;
    [[nodiscard]] JsonReply *phoneNumber(const QString &e164) const;
    // Every number of the account, read page by page: {"items": [...]}.
    [[nodiscard]] JsonReply *listPhoneNumbers() const;
    // Over SIP: terminationUri is the carrier trunk's host; user and password authenticate Retell at the trunk.
    [[nodiscard]] JsonReply *importPhoneNumber(const QString &e164, const QString &terminationUri, const QString &sipUser = {},
                                               const QByteArray &sipPassword = {}) const;
    // Buys a number (US or CA): the given E.164 number, or any free one of the area code. The reply names the
    // number bought (phone_number).
    // The nickname marks the number as ours, so a purchase whose answer was lost can be found again.
    [[nodiscard]] JsonReply *createPhoneNumber(const QString &countryCode, int areaCode, const QString &e164 = {},
                                               const QString &nickname = {}) const;
    // Removes the number from the account (undoes an import; a bought number is released).
    [[nodiscard]] JsonReply *deletePhoneNumber(const QString &e164) const;
    // Binds the number to one inbound agent (weight 1).
    // With an inbound webhook URL, Retell asks it before every inbound call (the agent's dynamic variables).
    [[nodiscard]] JsonReply *bindPhoneNumber(const QString &e164, const QString &agentId, const QString &inboundWebhookUrl = {}) const;

private:
    [[nodiscard]] JsonReply *send(const QByteArray &method, const QString &path, const Json &body = Json(),
                                  const QUrlQuery &query = {}) const;
    // A /v2/list-* endpoint followed through its pages (Retell answers 50 items unless asked for more).
    [[nodiscard]] JsonReply *listAll(const QByteArray &method, const QString &path) const;

    ProviderTransport m_transport;
    QUrl m_baseUrl;
    QByteArray m_apiKey;
};

} // namespace askpro
