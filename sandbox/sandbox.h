// askpro-sandbox: local stand-ins for Retell, Cal.com, Stripe and Twilio on one port (under /retell,
// /calcom/v2, /stripe/v1 and /twilio), with fault injection, simulated calls and /sandbox control endpoints.
#pragma once

#include "callsimulator.h"
#include "faultinjector.h"

#include <QDateTime>
#include <QHostAddress>
#include <QHttpServer>
#include <QSet>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QUrl>

#include <array>
#include <memory>

class QHttpServerResponder;

namespace askpro::sandbox {

class CalcomApi;
class DemoCallFeed;
class ProviderApi;
class RetellApi;
class StripeApi;
class TwilioApi;
class WebhookSender;
struct ApiReply;
struct ApiRequest;

enum class Provider {
    Retell,
    Calcom,
    Stripe,
    Twilio,
};

struct SandboxConfig
{
    QString retellApiKey = QStringLiteral("key_sandbox_retell");
    QString calcomApiKey = QStringLiteral("cal_test_sandbox");
    QString stripeApiKey = QStringLiteral("sk_test_sandbox");
    QString stripeWebhookSecret = QStringLiteral("whsec_sandbox");
    QUrl retellWebhookUrl; // account default; an agent's own webhook_url wins
    QUrl stripeWebhookUrl;
    QString twilioAccountSid = QStringLiteral("AC000000000000000000000000005a4db0");
    QString twilioAuthToken = QStringLiteral("twilio_sandbox_token");
    FaultSettings retellFaults;
    FaultSettings calcomFaults;
    FaultSettings stripeFaults;
    FaultSettings twilioFaults;
    quint64 faultSeed = 1;
    int webhookRetryDelayMs = 250; // first retry; doubles for each further one
};

struct SandboxCounts
{
    int bookings = 0;
    int calls = 0;
    int customers = 0;
    int invoices = 0;
    int agents = 0;
    int phoneNumbers = 0;
    int eventTypes = 0;
    int webhooksDelivered = 0;
    int webhooksFailed = 0;
    int webhooksPending = 0;
};

// A booking made in Cal.com's own booking page rather than through the API.
struct ExternalBooking
{
    qint64 eventTypeId = 0;
    QDateTime start;
    QString attendeeName;
    QString attendeeEmail;
    QString attendeeTimeZone = QStringLiteral("Europe/Berlin");
    QJsonObject metadata;
};

// Lives in the thread that created it and answers from its event loop (latency is a timer, never a
// sleep), so its state needs no lock; call it from that thread only.
class Sandbox final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Sandbox)
public:
    explicit Sandbox(SandboxConfig config, QObject *parent = nullptr);
    ~Sandbox() override;

    // Listens on address:port (0 picks a free port). Returns the port, or 0 when it cannot listen.
    [[nodiscard]] quint16 listen(const QHostAddress &address, quint16 port);
    // http://host:port/retell, .../calcom/v2, .../stripe/v1 or .../twilio; empty before listen().
    [[nodiscard]] QUrl baseUrl(Provider provider) const;

    // Creates Cal.com users, schedules, teams, event types and bookings from {"calcom": {...}}, and keeps
    // {"branches": [{"phone", "timeZone", "services": [{"title", "lengthInMinutes"}], "hours": [...]}]} for the
    // demo's callers. Returns an error or "".
    [[nodiscard]] QString loadSeed(const QJsonObject &seed);
    // Forgets every object of every provider (Cal.com keeps its owner user and default schedule).
    void reset();

    void setFaults(Provider provider, const FaultSettings &settings);
    [[nodiscard]] FaultSettings faults(Provider provider) const;
    // Restarts the fault draws of all providers from seed.
    void setFaultSeed(quint64 seed);

    // Retell: stores an ended inbound call and delivers its webhooks. Returns the call id.
    QString simulateCall(const SimulatedCallOptions &options);
    // "v=<now ms>,d=<hex>" as Retell signs body with this sandbox's API key.
    [[nodiscard]] QByteArray retellSignature(const QByteArray &body) const;
    // Retell: area codes with no number left to buy (create-phone-number refuses them).
    void setRetellSoldOutAreaCodes(const QSet<qint64> &codes);
    [[nodiscard]] QJsonObject retellCall(const QString &callId) const; // empty when unknown
    [[nodiscard]] QJsonArray retellCalls() const;                      // oldest first

    // Cal.com: books as if in Cal.com's own UI (webhooks fire). Returns the uid, or "" with error set.
    QString bookElsewhere(const ExternalBooking &booking, QString *error = nullptr);
    [[nodiscard]] QJsonArray calcomBookings() const;
    [[nodiscard]] QJsonArray calcomEventTypes() const;
    // The seed's branches: what the demo's callers of each number ask for, and when.
    [[nodiscard]] const QJsonArray &demoBranches() const { return m_demoBranches; }

    // Stripe: objects by id ("cus_...", "in_...", "evt_...") or all of one kind ("invoice"), newest first.
    [[nodiscard]] QJsonObject stripeObject(const QString &id) const;
    [[nodiscard]] QJsonArray stripeObjects(const QString &objectName) const;
    // Payments of this customer fail with card_declined until set back.
    void setCardDeclined(const QString &customerId, bool declined);
    // "t=<now s>,v1=<hex>" as Stripe signs body with this sandbox's webhook secret.
    [[nodiscard]] QByteArray stripeSignature(const QByteArray &body) const;

    // Twilio: every accepted message, oldest first; a number that replied STOP is refused with 21610.
    [[nodiscard]] QJsonArray twilioMessages() const;
    void setTwilioStopped(const QString &e164, bool stopped);
    // Twilio takes each message but answers without its sid (the callbacks still name it).
    void setTwilioAnswerWithoutSid(bool on);
    // Messages are accepted but no status callback is sent.
    void setTwilioCallbacksDropped(bool on);
    // Milliseconds between a message's status callbacks (200 by default).
    void setTwilioCallbackSpacingMs(int ms);
    [[nodiscard]] const SandboxConfig &config() const { return m_config; }

    [[nodiscard]] SandboxCounts counts() const;
    // Method and path pattern ("/get-agent/*") of every route a provider's stand-in serves.
    [[nodiscard]] QList<std::pair<QByteArray, QString>> routes(Provider provider) const;

    // The demo's stream of simulated calls, switched through GET/POST /sandbox/simulation (not owned; it
    // must outlive the sandbox or be detached with nullptr). Without one, the endpoint answers 409.
    void setDemoFeed(DemoCallFeed *feed) { m_demoFeed = feed; }

Q_SIGNALS:
    // A webhook delivery ended (after retries); httpStatus 0 means no HTTP answer.
    void webhookFinished(const QString &provider, const QString &event, const QUrl &url, int httpStatus, int attempts);

private:
    [[nodiscard]] ProviderApi &providerApi(Provider provider) const;
    void onRequest(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    [[nodiscard]] ApiReply control(const ApiRequest &request);
    [[nodiscard]] ApiReply setFaultsFromJson(const ApiRequest &request);
    [[nodiscard]] ApiReply simulation(const ApiRequest &request);
    void respond(QHttpServerResponder &&responder, const ApiReply &reply, int delayMs);

    SandboxConfig m_config;
    std::unique_ptr<WebhookSender> m_sender;
    std::unique_ptr<RetellApi> m_retell;
    std::unique_ptr<CalcomApi> m_calcom;
    std::unique_ptr<StripeApi> m_stripe;
    std::unique_ptr<TwilioApi> m_twilio;
    std::array<FaultInjector, 4> m_faults;
    QHttpServer m_server;
    QString m_host;
    quint16 m_port = 0;
    DemoCallFeed *m_demoFeed = nullptr;
    QJsonArray m_demoBranches;
};

} // namespace askpro::sandbox
