// askpro-sandbox: one QHttpServer for all three provider stand-ins, fault injection in front of
// them, deferred answers for latency, and the /sandbox control endpoints.
#include "sandbox.h"

#include "calcomapi.h"
#include "democallfeed.h"
#include "retellapi.h"
#include "signatures.h"
#include "stripeapi.h"
#include "twilioapi.h"
#include "webhooksender.h"

#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

constexpr std::array<Provider, 4> Providers{Provider::Retell, Provider::Calcom, Provider::Stripe, Provider::Twilio};

QString providerName(Provider provider)
{
    switch (provider) {
    case Provider::Retell: return u"retell"_s;
    case Provider::Calcom: return u"calcom"_s;
    case Provider::Stripe: return u"stripe"_s;
    case Provider::Twilio: return u"twilio"_s;
    }
    return {};
}

std::optional<Provider> providerFrom(const QString &name)
{
    for (const Provider p : Providers) {
        if (providerName(p) == name)
            return p;
    }
    return std::nullopt;
}

Json faultsJson(const FaultSettings &f)
{
    return Json{{"latency_ms", f.latencyMs},         {"error_rate", f.errorRate},
                {"rate_limit_rate", f.rateLimitRate}, {"timeout_rate", f.timeoutRate},
                {"answer_lost_rate", f.answerLostRate}, {"answer_late_rate", f.answerLateRate},
                {"writes_only", f.writesOnly}};
}

ApiReply controlError(int status, const QString &message)
{
    return ApiReply::json(status, Json{{"error", toStd(message)}});
}

} // namespace

Sandbox::Sandbox(SandboxConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_sender(std::make_unique<WebhookSender>()),
      m_retell(std::make_unique<RetellApi>(m_config.retellApiKey, m_config.retellWebhookUrl, *m_sender)),
      m_calcom(std::make_unique<CalcomApi>(m_config.calcomApiKey, *m_sender)),
      m_stripe(std::make_unique<StripeApi>(m_config.stripeApiKey, m_config.stripeWebhookSecret, m_config.stripeWebhookUrl, *m_sender)),
      m_twilio(std::make_unique<TwilioApi>(m_config.twilioAccountSid, m_config.twilioAuthToken, *m_sender))
{
    m_sender->setRetryDelayMs(m_config.webhookRetryDelayMs);
    connect(m_sender.get(), &WebhookSender::finished, this, &Sandbox::webhookFinished);
    setFaults(Provider::Retell, m_config.retellFaults);
    setFaults(Provider::Calcom, m_config.calcomFaults);
    setFaults(Provider::Stripe, m_config.stripeFaults);
    setFaults(Provider::Twilio, m_config.twilioFaults);
    setFaultSeed(m_config.faultSeed);
    // Qt 6.4's path patterns cannot say "everything under /retell", so every request reaches one
    // handler and the providers route by themselves.
    m_server.setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        onRequest(request, std::move(responder));
    });
}

Sandbox::~Sandbox() = default;

quint16 Sandbox::listen(const QHostAddress &address, quint16 port)
{
    m_port = m_server.listen(address, port);
    const bool any = address == QHostAddress::Any || address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6;
    m_host = any ? u"127.0.0.1"_s : address.toString();
    return m_port;
}

QUrl Sandbox::baseUrl(Provider provider) const
{
    if (m_port == 0)
        return {};
    static const QString paths[] = {u"/retell"_s, u"/calcom/v2"_s, u"/stripe/v1"_s, u"/twilio"_s};
    return QUrl(u"http://%1:%2%3"_s.arg(m_host).arg(m_port).arg(paths[int(provider)]));
}

QString Sandbox::loadSeed(const QJsonObject &seed)
{
    const Json json = fromQtJson(QJsonDocument(seed));
    m_demoBranches = seed.value(u"branches"_s).toArray();
    try {
        return m_calcom->loadSeed(json.value("calcom", Json::object()));
    } catch (const Json::exception &e) {
        return u"unexpected value in the seed: %1"_s.arg(QString::fromUtf8(e.what()));
    }
}

void Sandbox::reset()
{
    m_retell->reset();
    m_calcom->reset();
    m_stripe->reset();
    m_twilio->reset();
    m_sender->resetCounts();
}

void Sandbox::setFaults(Provider provider, const FaultSettings &settings)
{
    m_faults[std::size_t(provider)].setSettings(settings);
}

FaultSettings Sandbox::faults(Provider provider) const
{
    return m_faults[std::size_t(provider)].settings();
}

void Sandbox::setFaultSeed(quint64 seed)
{
    for (std::size_t i = 0; i < m_faults.size(); ++i)
        m_faults[i].reseed(seed + i);
}

QString Sandbox::simulateCall(const SimulatedCallOptions &options)
{
    return m_retell->simulateCall(options);
}

void Sandbox::setRetellSoldOutAreaCodes(const QSet<qint64> &codes)
{
    m_retell->setSoldOutAreaCodes(codes);
}

QByteArray Sandbox::retellSignature(const QByteArray &body) const
{
    return m_retell->sign(body);
}

QJsonObject Sandbox::retellCall(const QString &callId) const
{
    const auto call = m_retell->call(callId);
    return call ? toQtJson(*call).object() : QJsonObject();
}

QJsonArray Sandbox::retellCalls() const
{
    return toQtJson(Json(m_retell->calls())).array();
}

QString Sandbox::bookElsewhere(const ExternalBooking &booking, QString *error)
{
    const Json body{{"eventTypeId", booking.eventTypeId},
                    {"start", toStd(booking.start.toUTC().toString(Qt::ISODateWithMs))},
                    {"attendee", {{"name", toStd(booking.attendeeName)}, {"email", toStd(booking.attendeeEmail)},
                                  {"timeZone", toStd(booking.attendeeTimeZone)}}},
                    {"metadata", fromQtJson(QJsonDocument(booking.metadata))}};
    const ApiReply reply = m_calcom->bookElsewhere(body);
    const Json answer = Json::parse(reply.body.toStdString(), nullptr, false);
    if (reply.status >= 300) {
        if (error)
            *error = QString::fromStdString(answer["error"].value("message", std::string()));
        return {};
    }
    return QString::fromStdString(answer["data"].value("uid", std::string()));
}

QJsonArray Sandbox::calcomBookings() const
{
    return toQtJson(Json(m_calcom->bookings())).array();
}

QJsonArray Sandbox::calcomEventTypes() const
{
    return toQtJson(Json(m_calcom->eventTypes())).array();
}

QJsonObject Sandbox::stripeObject(const QString &id) const
{
    const Json *object = m_stripe->store().find(id);
    return object ? toQtJson(*object).object() : QJsonObject();
}

QJsonArray Sandbox::stripeObjects(const QString &objectName) const
{
    return toQtJson(Json(m_stripe->store().all(toStd(objectName).c_str()))).array();
}

void Sandbox::setCardDeclined(const QString &customerId, bool declined)
{
    m_stripe->store().setCardDeclined(customerId, declined);
}

QByteArray Sandbox::stripeSignature(const QByteArray &body) const
{
    return signatures::stripe(body, m_stripe->webhookSecret(), unixNow());
}

QJsonArray Sandbox::twilioMessages() const
{
    return toQtJson(Json(m_twilio->messages())).array();
}

void Sandbox::setTwilioStopped(const QString &e164, bool stopped)
{
    m_twilio->setStopped(e164, stopped);
}

void Sandbox::setTwilioAnswerWithoutSid(bool on)
{
    m_twilio->setAnswerWithoutSid(on);
}

void Sandbox::setTwilioCallbacksDropped(bool on)
{
    m_twilio->setCallbacksDropped(on);
}

void Sandbox::setTwilioCallbackSpacingMs(int ms)
{
    m_twilio->setCallbackSpacingMs(ms);
}

SandboxCounts Sandbox::counts() const
{
    SandboxCounts c;
    c.bookings = int(m_calcom->bookings().size());
    c.calls = m_retell->callCount();
    c.customers = m_stripe->store().count("customer");
    c.invoices = m_stripe->store().count("invoice");
    c.agents = m_retell->agentCount();
    c.phoneNumbers = m_retell->phoneNumberCount();
    c.eventTypes = m_calcom->eventTypeCount();
    c.webhooksDelivered = m_sender->delivered();
    c.webhooksFailed = m_sender->failed();
    c.webhooksPending = m_sender->pending();
    return c;
}

ProviderApi &Sandbox::providerApi(Provider provider) const
{
    switch (provider) {
    case Provider::Retell: return *m_retell;
    case Provider::Calcom: return *m_calcom;
    case Provider::Stripe: return *m_stripe;
    case Provider::Twilio: return *m_twilio;
    }
    Q_UNREACHABLE();
}

QList<std::pair<QByteArray, QString>> Sandbox::routes(Provider provider) const
{
    return providerApi(provider).routes().patterns();
}

void Sandbox::onRequest(const QHttpServerRequest &httpRequest, QHttpServerResponder &&responder)
{
    ApiRequest request = ApiRequest::from(httpRequest);
    const QString prefix = request.segments.value(0);
    if (!request.segments.isEmpty())
        request.segments.removeFirst();
    if (prefix == "sandbox"_L1) {
        respond(std::move(responder), control(request), 0);
        return;
    }
    const auto provider = providerFrom(prefix);
    if (!provider) {
        respond(std::move(responder), controlError(404, u"Unknown path: use /retell, /calcom/v2, /stripe/v1, /twilio or /sandbox"_s), 0);
        return;
    }
    ProviderApi &api = providerApi(*provider);
    FaultInjector &faults = m_faults[std::size_t(*provider)];
    int delay = faults.settings().latencyMs;
    ApiReply reply;
    const bool spared = faults.settings().writesOnly && request.method == "GET";
    switch (const FaultDraw draw = spared ? FaultDraw{} : faults.draw(); draw.kind) {
    case FaultKind::Timeout:
        delay += FaultInjector::TimeoutDelayMs;
        reply = api.errorReply(draw.status, u"Gateway Timeout"_s);
        break;
    case FaultKind::RateLimited:
        reply = api.errorReply(draw.status, u"Too many requests, slow down"_s);
        reply.headers.append({"Retry-After"_ba, "1"_ba});
        break;
    case FaultKind::ServerError:
        reply = api.errorReply(draw.status, u"Internal server error (injected by the sandbox)"_s);
        break;
    case FaultKind::AnswerLost:
    case FaultKind::AnswerLate:
        // Carried out for real (a booking is made, its webhook fires); only the answer goes missing.
        try {
            const ApiReply carriedOut = api.handle(request);
            Q_UNUSED(carriedOut);
        } catch (const Json::exception &) {
            // A malformed request changes nothing; its answer is lost all the same.
        }
        if (draw.kind == FaultKind::AnswerLate)
            delay += FaultInjector::TimeoutDelayMs;
        reply = api.errorReply(draw.status, draw.kind == FaultKind::AnswerLate ? u"Gateway Timeout"_s
                                                                              : u"Bad gateway: the answer was lost (injected by the sandbox)"_s);
        break;
    case FaultKind::None:
        try {
            reply = api.handle(request);
        } catch (const Json::exception &e) {
            reply = api.errorReply(400, u"Invalid request: %1"_s.arg(QString::fromUtf8(e.what())));
        }
        break;
    }
    respond(std::move(responder), reply, delay);
}

void Sandbox::respond(QHttpServerResponder &&responder, const ApiReply &reply, int delayMs)
{
    const auto write = [](QHttpServerResponder &r, const ApiReply &answer) {
        r.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(answer.status));
        if (!answer.contentType.isEmpty())
            r.writeHeader("Content-Type"_ba, answer.contentType);
        for (const auto &[name, value] : answer.headers)
            r.writeHeader(name, value);
        r.writeHeader("Content-Length"_ba, QByteArray::number(answer.body.size()));
        r.writeBody(answer.body);
    };
    if (delayMs <= 0) {
        write(responder, reply);
        return;
    }
    // The answer waits without blocking other requests; it is dropped if the client gave up.
    const QPointer<QTcpSocket> socket(responder.socket());
    auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
    QTimer::singleShot(delayMs, this, [socket, held, reply, write] {
        if (socket && socket->state() == QAbstractSocket::ConnectedState)
            write(*held, reply);
    });
}

ApiReply Sandbox::control(const ApiRequest &request)
{
    const QString path = request.path();
    if (request.method == "GET" && path == "/state"_L1) {
        const SandboxCounts c = counts();
        return ApiReply::json(200, Json{{"bookings", c.bookings}, {"calls", c.calls}, {"customers", c.customers}, {"invoices", c.invoices},
                                        {"agents", c.agents}, {"phone_numbers", c.phoneNumbers}, {"event_types", c.eventTypes},
                                        {"webhooks", {{"delivered", c.webhooksDelivered}, {"failed", c.webhooksFailed},
                                                      {"pending", c.webhooksPending}}}});
    }
    if (request.method == "POST" && path == "/reset"_L1) {
        reset();
        return ApiReply::json(200, Json{{"reset", true}});
    }
    if (path == "/simulation"_L1 && (request.method == "GET" || request.method == "POST"))
        return simulation(request);
    if (path == "/faults"_L1 && (request.method == "GET" || request.method == "POST")) {
        if (request.method == "POST")
            return setFaultsFromJson(request);
        Json all = Json::object();
        for (const Provider p : Providers)
            all[toStd(providerName(p))] = faultsJson(faults(p));
        return ApiReply::json(200, all);
    }
    const auto body = parseJsonObject(request.body);
    if (request.method != "POST" || !body)
        return controlError(body ? 404 : 400, body ? u"Unknown control endpoint %1"_s.arg(path) : u"The body must be a JSON object"_s);
    if (path == "/retell/simulate-call"_L1) {
        QString error;
        const auto options = CallSimulator::fromJson(*body, &error);
        if (!options)
            return controlError(400, error);
        const QString callId = simulateCall(*options);
        return ApiReply::json(201, Json{{"call_id", toStd(callId)}, {"call", *m_retell->call(callId)}});
    }
    if (path == "/twilio/stop"_L1) {
        // {"number": "+49…", "stopped": true}: the number replied STOP (false: START).
        const QString number = jsonString(*body, "number");
        if (number.isEmpty())
            return controlError(400, u"number is required"_s);
        setTwilioStopped(number, jsonBool(*body, "stopped", true));
        return ApiReply::json(200, Json{{"number", toStd(number)}, {"stopped", jsonBool(*body, "stopped", true)}});
    }
    if (path == "/calcom/bookings"_L1)
        return m_calcom->bookElsewhere(*body);
    if (path == "/stripe/card"_L1) {
        const QString customer = jsonString(*body, "customer");
        if (customer.isEmpty())
            return controlError(400, u"customer is required"_s);
        setCardDeclined(customer, jsonBool(*body, "declined", true));
        return ApiReply::json(200, Json{{"customer", toStd(customer)}, {"declined", jsonBool(*body, "declined", true)}});
    }
    return controlError(404, u"Unknown control endpoint %1"_s.arg(path));
}

// {"running": bool, "calls_per_minute": n} switches the demo's call stream; both keys are optional. The
// answer (also of GET) is its state: available, running, calls_per_minute, numbers, placed.
ApiReply Sandbox::simulation(const ApiRequest &request)
{
    if (!m_demoFeed || !m_demoFeed->isAvailable())
        return controlError(409, u"No simulated calls: start the sandbox with --simulate-to NUMBERS"_s);
    if (request.method == "POST") {
        const auto body = parseJsonObject(request.body);
        if (!body)
            return controlError(400, u"The body must be a JSON object"_s);
        if (const auto perMinute = jsonInt(*body, "calls_per_minute")) {
            if (*perMinute < 1 || *perMinute > 600)
                return controlError(400, u"calls_per_minute must be between 1 and 600"_s);
            m_demoFeed->setCallsPerMinute(int(*perMinute));
        }
        if (body->contains("running")) {
            if (jsonBool(*body, "running", false))
                m_demoFeed->start();
            else
                m_demoFeed->stop();
        }
    }
    Json numbers = Json::array();
    for (const QString &n : m_demoFeed->toNumbers())
        numbers.push_back(toStd(n));
    return ApiReply::json(200, Json{{"available", true}, {"running", m_demoFeed->isRunning()},
                                    {"calls_per_minute", m_demoFeed->callsPerMinute()}, {"numbers", numbers},
                                    {"placed", m_demoFeed->callsPlaced()},
                                    // Calls that fail on purpose, so the failed-calls page has something to show.
                                    {"deliberate_failure_share", m_demoFeed->deliberateFailureShare()},
                                    {"deliberate_failure", "the caller asks for a service the branch does not offer"},
                                    {"deliberate_failures_placed", m_demoFeed->deliberateFailuresPlaced()}});
}

ApiReply Sandbox::setFaultsFromJson(const ApiRequest &request)
{
    const auto body = parseJsonObject(request.body);
    if (!body)
        return controlError(400, u"The body must be a JSON object"_s);
    const QString which = body->contains("provider") ? jsonString(*body, "provider") : u"all"_s;
    QList<Provider> targets;
    if (which == "all"_L1)
        targets = {Providers.begin(), Providers.end()};
    else if (const auto p = providerFrom(which))
        targets = {*p};
    else
        return controlError(400, u"provider must be retell, calcom, stripe, twilio or all"_s);
    Json result = Json::object();
    for (const Provider p : std::as_const(targets)) {
        FaultSettings f = faults(p);
        f.latencyMs = int(jsonInt(*body, "latency_ms").value_or(f.latencyMs));
        f.errorRate = jsonNumber(*body, "error_rate").value_or(f.errorRate);
        f.rateLimitRate = jsonNumber(*body, "rate_limit_rate").value_or(f.rateLimitRate);
        f.timeoutRate = jsonNumber(*body, "timeout_rate").value_or(f.timeoutRate);
        f.answerLostRate = jsonNumber(*body, "answer_lost_rate").value_or(f.answerLostRate);
        f.answerLateRate = jsonNumber(*body, "answer_late_rate").value_or(f.answerLateRate);
        if (body->contains("writes_only"))
            f.writesOnly = jsonBool(*body, "writes_only", false);
        setFaults(p, f);
        result[toStd(providerName(p))] = faultsJson(f);
    }
    if (const auto seed = jsonInt(*body, "seed"))
        setFaultSeed(quint64(*seed));
    return ApiReply::json(200, result);
}

} // namespace askpro::sandbox
