// Stand-in for the Retell AI API: LLMs, agents, phone numbers and calls under the real paths,
// bearer-key auth, Retell's error shape, and simulated inbound calls with signed webhooks.
#pragma once

#include "callsimulator.h"
#include "providerapi.h"

#include <QHash>
#include <QRandomGenerator>
#include <QSet>
#include <QUrl>

namespace askpro::sandbox {

class WebhookSender;

class RetellApi final : public ProviderApi
{
    Q_DISABLE_COPY_MOVE(RetellApi)
public:
    // The sender must outlive this object.
    RetellApi(QString apiKey, QUrl defaultWebhookUrl, WebhookSender &sender);

    [[nodiscard]] ApiReply handle(const ApiRequest &request) override;
    [[nodiscard]] ApiReply errorReply(int status, const QString &message) const override;
    void reset() override;
    [[nodiscard]] const RouteTable &routes() const override { return m_routes; }

    // Stores an ended inbound call and delivers its webhooks as the options say. Returns the call id.
    QString simulateCall(const SimulatedCallOptions &options);
    // "v=<now ms>,d=<hex>" for body, with this sandbox's API key.
    [[nodiscard]] QByteArray sign(const QByteArray &body) const;

    [[nodiscard]] const QString &apiKey() const { return m_apiKey; }
    [[nodiscard]] int callCount() const { return int(m_calls.size()); }
    [[nodiscard]] int agentCount() const { return int(m_agents.size()); }
    [[nodiscard]] int phoneNumberCount() const { return int(m_numbers.size()); }
    [[nodiscard]] std::optional<Json> call(const QString &callId) const;
    [[nodiscard]] QList<Json> calls() const;
    // Every inbound call webhook this sandbox asked since the last reset, in order.
    [[nodiscard]] const QList<Json> &inboundAnswers() const { return m_inboundAnswers; }
    // Area codes with no number left to buy: create-phone-number refuses them as Retell does.
    void setSoldOutAreaCodes(QSet<qint64> codes) { m_soldOut = std::move(codes); }

private:
    static constexpr int OutboundCallMs = 1000;

    ApiReply createLlm(const ApiRequest &request);
    ApiReply updateLlm(const ApiRequest &request, const QString &id);
    ApiReply createAgent(const ApiRequest &request);
    ApiReply updateAgent(const ApiRequest &request, const QString &id);
    ApiReply createPhoneNumber(const ApiRequest &request, bool import);
    ApiReply updatePhoneNumber(const ApiRequest &request, const QString &number);
    ApiReply createPhoneCall(const ApiRequest &request);
    // An outbound call is answered and ends as a short conversation after OutboundCallMs.
    void finishOutboundCall(const QString &callId);
    ApiReply createWebCall(const ApiRequest &request);
    ApiReply listCalls(const ApiRequest &request) const;

    // Retell's refusal of an agent's field of the wrong type or an unknown response engine.
    [[nodiscard]] std::optional<ApiReply> agentProblem(const Json &body) const;
    // Validates inbound_agents / outbound_agents (known agents, weights summing to 1).
    [[nodiscard]] QString checkAgentWeights(const Json &body, const char *key) const;
    [[nodiscard]] Json pickAgent(const Json &number, const char *key);
    void deliverCallEvents(const Json &call, const WebhookCopies &copies, int spacingMs);
    // Puts the inbound webhook's dynamic variables, metadata and agent override into the call.
    void applyInboundAnswer(Json &call, int status, const QByteArray &body);

    QString m_apiKey;
    QUrl m_defaultWebhookUrl;
    WebhookSender &m_sender;
    RouteTable m_routes;
    QRandomGenerator m_random{7};
    QList<Json> m_llms;
    QList<Json> m_agents;
    QList<Json> m_numbers;
    QHash<QString, Json> m_calls;
    QList<Json> m_inboundAnswers; // one {http_status, dynamic_variables (count)} per inbound webhook asked
    QSet<qint64> m_soldOut;
};

} // namespace askpro::sandbox
