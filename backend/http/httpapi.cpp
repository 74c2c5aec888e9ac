// Routes. Webhooks: size, signature, JSON, then the inbox and a 2xx; no provider is called on that path.
#include "http/httpapi.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "domain/openinghours.h"
#include "domain/phonenumbers.h"
#include "flow/callstore.h"
#include "flow/inboundcall.h"
#include "flow/slotcache.h"
#include "flow/twilioeventprocessor.h"
#include "health/metrics.h"
#include "intake/refusedrequests.h"
#include "intake/signatures.h"
#include "intake/webhookinbox.h"
#include "integrations/calcomclient.h"
#include "integrations/twilioclient.h"
#include "jobs/jobqueue.h"
#include "jobs/workerpool.h"
#include "security/credentialstore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QTcpSocket>
#include <QThread>
#include <QTimeZone>
#include <QTimer>
#include <QUrlQuery>

#include <sodium.h>

using namespace Qt::StringLiterals;
using Status_ = QHttpServerResponder::StatusCode;

namespace askpro {

namespace {

QByteArray header(const QHttpServerRequest &request, const QByteArray &name)
{
    for (const auto &[key, value] : request.headers())
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

QHttpServerResponse jsonResponse(const Json &body, Status_ status = Status_::Ok)
{
    return QHttpServerResponse(QByteArrayLiteral("application/json"), QByteArray::fromStdString(body.dump()), status);
}

QHttpServerResponse errorResponse(Status_ status, const QString &message)
{
    QHttpServerResponse response = jsonResponse(Json{{"status", "error"}, {"message", message.toStdString()}}, status);
    if (status == Status_::ServiceUnavailable)
        response.setHeader("Retry-After", "5"); // the provider's retry comes after the moment of overload or outage
    return response;
}

// A response sent later, once; dropped when the client has gone meanwhile.
class DeferredResponse final
{
public:
    explicit DeferredResponse(QHttpServerResponder &&responder)
        : m_socket(responder.socket())
        , m_responder(std::make_shared<QHttpServerResponder>(std::move(responder)))
        , m_sent(std::make_shared<bool>(false))
    {
    }
    [[nodiscard]] bool sent() const { return *m_sent; }
    void send(const QHttpServerResponse &response) const
    {
        if (*m_sent)
            return;
        *m_sent = true;
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
            response.write(std::move(*m_responder));
    }

private:
    QPointer<QTcpSocket> m_socket;
    std::shared_ptr<QHttpServerResponder> m_responder;
    std::shared_ptr<bool> m_sent;
};

} // namespace

HttpApi::HttpApi(Database &db, CredentialStore &credentials, WorkerPool *pool, RefusedRequests &refused, ServerConfig config,
                 QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_refused(refused)
    , m_pool(pool)
    , m_config(std::move(config))
    , m_network(new QNetworkAccessManager(this))
{
}

HttpApi::~HttpApi()
{
    if (m_intakeThread) {
        m_intakeThread->quit();
        m_intakeThread->wait();
        delete m_intakeContext;
    }
}

void HttpApi::install(QHttpServer &server)
{
    using Method = QHttpServerRequest::Method;
    server.route(u"/webhooks/retell"_s, Method::Post,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) { retellWebhook(r, std::move(responder)); });
    server.route(u"/webhooks/calcom"_s, Method::Post,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) { calcomWebhook(r, std::move(responder)); });
    server.route(u"/webhooks/stripe"_s, Method::Post, [this](const QHttpServerRequest &r) { return stripeWebhook(r); });
    server.route(u"/webhooks/retell-inbound"_s, Method::Post, [this](const QHttpServerRequest &r) { return retellInbound(r); });
    server.route(u"/webhooks/twilio/status"_s, Method::Post,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) { twilioWebhook(r, std::move(responder), false); });
    server.route(u"/webhooks/twilio/inbound"_s, Method::Post,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) { twilioWebhook(r, std::move(responder), true); });
    server.route(u"/functions/book-appointment"_s, Method::Post,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) { bookAppointment(r, std::move(responder)); });
    server.route(u"/functions/check-availability"_s, Method::Post,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) { checkAvailability(r, std::move(responder)); });
    // The agent's collect_appointment_data tool: its arguments reach us inside the call's transcript, so
    // the live request only needs a signed acknowledgement.
    server.route(u"/functions/collect-appointment-data"_s, Method::Post, [this](const QHttpServerRequest &r) {
        if (auto refused = refuseRetell(r))
            return std::move(*refused);
        return jsonResponse(Json{{"status", "ok"}, {"message", "noted"}});
    });
    server.route(u"/metrics"_s, Method::Get, [this](const QHttpServerRequest &request) {
        if (!monitoringAllowed(request))
            return errorResponse(Status_::Unauthorized, u"The metrics need the monitoring token"_s);
        return QHttpServerResponse(QByteArrayLiteral("text/plain; version=0.0.4"), Metrics::render(m_db, m_requestCounts, m_refused.counts()));
    });
    server.afterRequest([this](QHttpServerResponse &&response, const QHttpServerRequest &request) {
        countRequest(request.url().path(), int(response.statusCode()));
        return std::move(response);
    });
    server.route(u"/health"_s, Method::Get, [this](const QHttpServerRequest &request) { return health(monitoringAllowed(request)); });
}

bool HttpApi::monitoringAllowed(const QHttpServerRequest &request) const
{
    if (!m_config.monitoringToken.isEmpty()) {
        const QByteArray expected = "Bearer " + m_config.monitoringToken.toUtf8();
        const QByteArray given = header(request, "authorization");
        return given.size() == expected.size() && sodium_memcmp(given.constData(), expected.constData(), size_t(given.size())) == 0;
    }
    // A proxy on this machine makes every client look local; the X-Forwarded-For it adds gives it away.
    return request.remoteAddress().isLoopback() && header(request, "x-forwarded-for").isEmpty();
}

void HttpApi::countRequest(const QString &path, int status)
{
    static const QStringList routes{u"/webhooks/retell"_s,
                                    u"/webhooks/retell-inbound"_s,
                                    u"/webhooks/calcom"_s,
                                    u"/webhooks/stripe"_s,
                                    u"/webhooks/twilio/status"_s,
                                    u"/webhooks/twilio/inbound"_s,
                                    u"/functions/book-appointment"_s,
                                    u"/functions/check-availability"_s,
                                    u"/functions/collect-appointment-data"_s,
                                    u"/metrics"_s,
                                    u"/health"_s};
    QString route = u"other"_s;
    if (routes.contains(path))
        route = path;
    else if (path.startsWith(u"/api/v1/"_s))
        route = u"/api/v1"_s;
    ++m_requestCounts[{route, status}];
}

Result<QList<SigningKey>> HttpApi::signingKeys(const QString &provider)
{
    const qint64 now = nowMs();
    auto it = m_keys.find(provider);
    if (it != m_keys.end() && now - it->loadedAt < keyCacheMs)
        return it->keys;
    auto keys = m_credentials.signingKeys(provider);
    if (!keys)
        return keys.error();
    m_keys.insert(provider, {*keys, now});
    return *keys;
}

QHttpServerResponse HttpApi::refuse(const QHttpServerRequest &request, const QString &provider, const QString &reason, Status_ status,
                                    const QString &message)
{
    const QString address = RefusedRequests::clientAddress(request, m_config.trustedProxies);
    if (m_refused.limited(address)) {
        // Neither logged nor sampled: an address over its limit costs a counter increment and this answer.
        m_refused.recordLimited(provider);
        QHttpServerResponse limited = errorResponse(Status_::TooManyRequests, u"Too many refused requests from this address"_s);
        limited.setHeader("Retry-After", QByteArray::number(m_refused.retryAfterSeconds()));
        return limited;
    }
    qCWarning(lcIntake) << "refused" << request.url().path() << "from" << address << ":" << reason << message;
    m_refused.record(provider, reason, address, request.body());
    return errorResponse(status, message);
}

std::optional<QHttpServerResponse> HttpApi::refuseRetell(const QHttpServerRequest &request, Signer *signer)
{
    const QByteArray body = request.body();
    if (body.size() > maxBodyBytes)
        return refuse(request, u"retell"_s, u"too_large"_s, Status_::PayloadTooLarge, u"The body is larger than 1 MiB"_s);
    auto keys = signingKeys(u"retell"_s);
    if (!keys) {
        qCWarning(lcIntake) << "cannot read Retell keys:" << keys.error().describe();
        return errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to verify signatures"_s);
    }
    const auto verified = WebhookSignatures::verifyRetell(body, header(request, "x-retell-signature"), *keys, nowMs());
    if (!verified) // not stored: only what is signed reaches the inbox (see RefusedRequests)
        return refuse(request, u"retell"_s, RefusedRequests::reasonOf(verified.error().code), Status_::Unauthorized,
                      verified.error().message);
    if (signer)
        *signer = *verified;
    return std::nullopt;
}

void HttpApi::queueIntake(Delivery delivery, std::function<void(const Result<Accepted> &)> stored)
{
    if (m_intake.size() >= m_config.intakeQueueCap) {
        // Not acknowledged, so not lost: the provider sends it again after Retry-After.
        qCWarning(lcIntake) << "intake queue full (" << m_intake.size() << "deliveries waiting): refused" << delivery.provider;
        stored(makeError(ErrorKind::Transient, u"intake.full"_s, u"The intake queue is full"_s));
        return;
    }
    m_intake.append({std::move(delivery), std::move(stored)});
    if (!m_intakeThread) {
        m_intakeThread = new QThread(this);
        m_intakeThread->setObjectName(u"askpro-intake"_s);
        m_intakeContext = new QObject;
        m_intakeContext->moveToThread(m_intakeThread);
        m_intakeThread->start();
    }
    if (m_committing.isEmpty())
        startIntakeCommit();
}

void HttpApi::startIntakeCommit()
{
    m_committing = m_intake.mid(0, maxIntakeBatch);
    m_intake.remove(0, m_committing.size());
    QList<Delivery> deliveries;
    deliveries.reserve(m_committing.size());
    for (const PendingIntake &p : std::as_const(m_committing))
        deliveries.append(p.delivery);
    // The intake thread has its own database connection (Database keeps one per thread).
    QMetaObject::invokeMethod(m_intakeContext, [this, deliveries] {
        const QList<Result<Accepted>> results = WebhookInbox(m_db).acceptAll(deliveries);
        QMetaObject::invokeMethod(this, [this, results] { intakeCommitted(results); }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void HttpApi::intakeCommitted(const QList<Result<Accepted>> &results)
{
    const QList<PendingIntake> batch = std::exchange(m_committing, {});
    qCDebug(lcIntake) << "stored" << batch.size() << "deliveries in one commit";
    if (!m_intake.isEmpty())
        startIntakeCommit(); // first, so the next commit runs while these are answered
    for (qsizetype i = 0; i < batch.size(); ++i)
        batch.at(i).stored(results.at(i));
}

void HttpApi::retellWebhook(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const DeferredResponse reply(std::move(responder));
    const QString path = request.url().path();
    const auto send = [this, reply, path](const QHttpServerResponse &response) {
        countRequest(path, int(response.statusCode()));
        reply.send(response);
    };
    Signer signer;
    if (auto refused = refuseRetell(request, &signer))
        return send(*refused);
    const QByteArray body = request.body();
    WebhookInbox inbox(m_db);
    auto parsed = parseJson(body, u"The webhook body"_s);
    QString event;
    QString callId;
    if (parsed) {
        event = jsonString(*parsed, "event");
        if (event.isEmpty())
            event = jsonString(*parsed, "event_type");
        callId = jsonString(parsed->value("call", Json::object()), "call_id");
    }
    if (!parsed || event.isEmpty() || callId.isEmpty()) {
        const QString reason = !parsed ? parsed.error().message : u"The webhook names no event or no call_id"_s;
        qCWarning(lcIntake) << "refused Retell webhook:" << reason;
        auto recorded = inbox.recordRejected(u"retell"_s, event.isEmpty() ? u"unknown"_s : event, body, true, reason);
        Q_UNUSED(recorded);
        return send(errorResponse(Status_::BadRequest, reason));
    }
    const bool handled = event == u"call_started"_s || event == u"call_ended"_s || event == u"call_analyzed"_s;
    queueIntake({u"retell"_s, event, callId + u":"_s + event, body, handled ? u"retell.event"_s : QString(), signer},
                [this, send](const Result<Accepted> &accepted) {
                    if (!accepted) {
                        qCWarning(lcIntake) << "could not store Retell webhook:" << accepted.error().describe();
                        return send(errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to store the event; please retry"_s));
                    }
                    if (!accepted->duplicate && m_pool)
                        m_pool->wakeOne();
                    send(jsonResponse(Json{{"status", "ok"}, {"duplicate", accepted->duplicate}}));
                });
}

void HttpApi::calcomWebhook(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const DeferredResponse reply(std::move(responder));
    const QString path = request.url().path();
    const auto send = [this, reply, path](const QHttpServerResponse &response) {
        countRequest(path, int(response.statusCode()));
        reply.send(response);
    };
    WebhookInbox inbox(m_db);
    const QByteArray body = request.body();
    if (body.size() > maxBodyBytes)
        return send(refuse(request, u"calcom"_s, u"too_large"_s, Status_::PayloadTooLarge, u"The body is larger than 1 MiB"_s));
    auto secrets = signingKeys(u"calcom"_s);
    if (!secrets)
        return send(errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to verify signatures"_s));
    const auto verified = WebhookSignatures::verifyCalcom(body, header(request, "x-cal-signature-256"), *secrets);
    if (!verified)
        return send(refuse(request, u"calcom"_s, RefusedRequests::reasonOf(verified.error().code), Status_::Unauthorized,
                           verified.error().message));
    auto parsed = parseJson(body, u"The webhook body"_s);
    const QString trigger = parsed ? jsonString(*parsed, "triggerEvent") : QString();
    if (!parsed || trigger.isEmpty()) {
        const QString reason = !parsed ? parsed.error().message : u"The webhook names no triggerEvent"_s;
        auto recorded = inbox.recordRejected(u"calcom"_s, u"unknown"_s, body, true, reason);
        Q_UNUSED(recorded);
        return send(errorResponse(Status_::BadRequest, reason));
    }
    // No timestamp in Cal.com's signature: the body's own hash is the dedupe key, so a replay is a duplicate.
    const QString key = trigger + u":"_s + QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    // The creation of one of our own bookings needs no work: the call flow stored it from Cal.com's answer,
    // or finds it by its metadata when that answer was lost. Stored like every delivery, but no job.
    const Json payload = parsed->value("payload", Json::object());
    const bool ours = trigger == u"BOOKING_CREATED"_s && payload.is_object()
        && !jsonString(payload.value("metadata", Json::object()), "askpro_call_id").isEmpty();
    queueIntake({u"calcom"_s, trigger, key, body, ours ? QString() : u"calcom.event"_s, *verified}, [this, send, ours](const Result<Accepted> &accepted) {
        if (!accepted)
            return send(errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to store the event; please retry"_s));
        if (!accepted->duplicate && !ours && m_pool)
            m_pool->wakeOne(); // one job: one worker
        send(jsonResponse(Json{{"status", "ok"}, {"duplicate", accepted->duplicate}}));
    });
}

// Retell asks before the call is connected and waits up to 10 s (then retries): the answer comes from a few
// indexed reads on this thread. Only the signing company's branches answer; a number we cannot serve gets 200
// with no variables (the call still goes to the number's agent) and an inbox row for support.
QHttpServerResponse HttpApi::retellInbound(const QHttpServerRequest &request)
{
    Signer signer;
    if (auto refused = refuseRetell(request, &signer))
        return std::move(*refused);
    const QByteArray body = request.body();
    auto parsed = parseJson(body, u"The inbound webhook body"_s);
    const Json inbound = parsed ? parsed->value("call_inbound", Json::object()) : Json();
    if (!parsed || !inbound.is_object() || jsonString(inbound, "to_number").isEmpty()) {
        const QString reason = !parsed ? parsed.error().message : u"The inbound webhook names no call_inbound.to_number"_s;
        auto recorded = WebhookInbox(m_db).recordRejected(u"retell"_s, u"call_inbound"_s, body, true, reason);
        Q_UNUSED(recorded);
        return errorResponse(Status_::BadRequest, reason);
    }
    const InboundRequest call{jsonString(inbound, "from_number"), jsonString(inbound, "to_number"), jsonString(inbound, "agent_id")};
    const QDateTime now = fromMs(m_config.agentClock ? m_config.agentClock() : nowMs());
    auto answer = InboundCall(m_db).answer(call, SignerScope::of(signer, u"retell"_s, u"b.company_id"_s), now);
    if (!answer) {
        // Retell retries; meanwhile the call goes to the number's agent without variables.
        qCWarning(lcIntake) << "inbound call to" << call.toNumber << ": cannot read the branch:" << answer.error().describe();
        return errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to read the branch; please retry"_s);
    }
    if (answer->kind == InboundAnswer::Kind::UnknownNumber || answer->kind == InboundAnswer::Kind::NotOurs) {
        const bool foreign = answer->kind == InboundAnswer::Kind::NotOurs;
        qCWarning(lcIntake) << "inbound call from" << call.fromNumber << "to" << call.toNumber << "answered without variables:" << answer->reason;
        auto recorded = WebhookInbox(m_db).recordIgnored({u"retell"_s, u"call_inbound"_s, u"inbound:"_s + call.toNumber, body, {}, signer},
                                                        foreign ? u"not_ours"_s : u"ignored"_s, answer->reason);
        if (!recorded)
            qCWarning(lcIntake) << "cannot keep the inbound call for support:" << recorded.error().describe();
    }
    return jsonResponse(answer->toJson());
}

// Stripe: the platform's webhook secret, 300 s tolerance; the event id is the dedupe key.
QHttpServerResponse HttpApi::stripeWebhook(const QHttpServerRequest &request)
{
    WebhookInbox inbox(m_db);
    const QByteArray body = request.body();
    if (body.size() > maxBodyBytes)
        return refuse(request, u"stripe"_s, u"too_large"_s, Status_::PayloadTooLarge, u"The body is larger than 1 MiB"_s);
    auto platform = m_credentials.get(std::nullopt, u"stripe"_s);
    if (!platform || platform->webhookSecret.isEmpty())
        return errorResponse(Status_::ServiceUnavailable, u"No Stripe webhook secret is configured"_s);
    const Status verified = WebhookSignatures::verifyStripe(body, header(request, "stripe-signature"), platform->webhookSecret, nowMs() / 1000);
    if (!verified) // 400, as Stripe's own libraries answer a signature they cannot verify
        return refuse(request, u"stripe"_s, RefusedRequests::reasonOf(verified.error().code), Status_::BadRequest,
                      verified.error().message);
    auto parsed = parseJson(body, u"The webhook body"_s);
    const QString type = parsed ? jsonString(*parsed, "type") : QString();
    const QString eventId = parsed ? jsonString(*parsed, "id") : QString();
    if (!parsed || type.isEmpty() || eventId.isEmpty()) {
        const QString reason = !parsed ? parsed.error().message : u"The event has no id or no type"_s;
        auto recorded = inbox.recordRejected(u"stripe"_s, u"unknown"_s, body, true, reason);
        Q_UNUSED(recorded);
        return errorResponse(Status_::BadRequest, reason);
    }
    static const QStringList handled{u"invoice.finalized"_s, u"invoice.paid"_s, u"invoice.payment_failed"_s,
                                     u"customer.subscription.updated"_s, u"customer.subscription.deleted"_s};
    auto accepted = inbox.accept({u"stripe"_s, type, eventId, body, handled.contains(type) ? u"stripe.event"_s : QString(), Signer{true, {}}});
    if (!accepted)
        return errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to store the event; please retry"_s);
    if (!accepted->duplicate && m_pool)
        m_pool->wakeOne();
    return jsonResponse(Json{{"received", true}, {"duplicate", accepted->duplicate}});
}

QHttpServerResponse HttpApi::bookingAnswer(const QString &retellCallId, const Signer &signer)
{
    const SignerScope scope = SignerScope::of(signer, u"retell"_s, u"c.company_id"_s);
    auto q = m_db.exec(u"SELECT c.outcome, c.failure_reason, c.alternatives_json, a.starts_at, COALESCE(b.time_zone, 'Europe/Berlin'), "
                       "COALESCE(b.language, 'de') FROM calls c LEFT JOIN appointments a ON a.call_id = c.id AND a.status = 'booked' "
                       "LEFT JOIN branches b ON b.id = c.branch_id WHERE c.retell_call_id = ? AND "_s
                           + scope.sql,
                       QVariantList{retellCallId} + scope.params);
    if (!q || !q->next())
        return jsonResponse(Json{{"booked", false}, {"message", "Die Buchung läuft noch. Wir rufen Sie zurück."}});
    const QString outcome = q->value(0).toString();
    const bool english = q->value(5).toString() == u"en"_s;
    const QLocale locale(english ? QLocale::English : QLocale::German);
    const QTimeZone zone(q->value(4).toString().toUtf8());
    Json answer{{"outcome", outcome.toStdString()}};
    if (outcome == u"booked"_s && !q->value(3).isNull()) {
        const QDateTime start = fromMs(q->value(3).toLongLong()).toTimeZone(zone);
        answer["booked"] = true;
        answer["start"] = start.toString(Qt::ISODate).toStdString();
        answer["message"] = (english ? u"The appointment is booked for %1 at %2."_s : u"Der Termin ist gebucht: %1 um %2 Uhr."_s)
                                .arg(locale.toString(start.date(), QLocale::LongFormat), start.time().toString(u"HH:mm"_s))
                                .toStdString();
        return jsonResponse(answer);
    }
    answer["booked"] = false;
    const Json alternatives = Json::parse(q->value(2).toString().toStdString(), nullptr, false);
    if (alternatives.is_array())
        answer["alternatives"] = alternatives;
    if (outcome == u"needs_callback"_s)
        answer["message"] = english ? "That time is not free. Offer the caller one of the alternatives, or a callback."
                                    : "Dieser Termin ist nicht frei. Bieten Sie eine der Alternativen oder einen Rückruf an.";
    else if (outcome == u"failed"_s)
        answer["message"] = english ? "The booking could not be made right now; we will call back."
                                    : "Die Buchung ist gerade nicht möglich; wir rufen zurück.";
    else
        answer["message"] = english ? "The booking is still in progress; we will confirm by e-mail."
                                    : "Die Buchung läuft noch; wir bestätigen per E-Mail.";
    return jsonResponse(answer);
}

void HttpApi::bookAppointment(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const DeferredResponse reply(std::move(responder));
    Signer signer;
    if (auto refused = refuseRetell(request, &signer))
        return reply.send(std::move(*refused));
    const QByteArray body = request.body();
    WebhookInbox inbox(m_db);
    auto parsed = parseJson(body, u"The function call"_s);
    const QString callId = parsed ? jsonString(parsed->value("call", Json::object()), "call_id") : QString();
    if (!parsed || callId.isEmpty() || !parsed->contains("args")) {
        const QString reason = !parsed ? parsed.error().message : u"The function call names no call or no args"_s;
        auto recorded = inbox.recordRejected(u"retell"_s, u"function:book_appointment"_s, body, true, reason);
        Q_UNUSED(recorded);
        return reply.send(errorResponse(Status_::BadRequest, reason));
    }
    // Retell retries a slow tool call: the same arguments join the first attempt instead of booking again.
    const QString argsHash = QString::fromLatin1(
        QCryptographicHash::hash(QByteArray::fromStdString((*parsed)["args"].dump()), QCryptographicHash::Sha1).toHex());
    auto accepted = inbox.accept({u"retell"_s, u"function:book_appointment"_s, callId + u":book:"_s + argsHash, body, u"retell.event"_s, signer});
    if (!accepted)
        return reply.send(errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to store the request; please retry"_s));
    if (!m_pool)
        return reply.send(bookingAnswer(callId, signer));
    auto state = m_db.scalar(u"SELECT status FROM jobs WHERE id = ?"_s, {accepted->jobId});
    if (state && (state->toString() == u"done"_s || state->toString() == u"failed"_s))
        return reply.send(bookingAnswer(callId, signer));

    auto connection = std::make_shared<QMetaObject::Connection>();
    const qint64 jobId = accepted->jobId;
    auto answer = [this, reply, connection, callId, signer] {
        if (reply.sent())
            return;
        disconnect(*connection);
        reply.send(bookingAnswer(callId, signer));
    };
    *connection = connect(m_pool, &WorkerPool::jobFinished, this, [jobId, answer](qint64 finishedId, const QString &, bool) {
        if (finishedId == jobId)
            answer();
    });
    QTimer::singleShot(liveBookingWaitMs, this, answer);
    if (!accepted->duplicate)
        m_pool->wakeOne();
}

void HttpApi::checkAvailability(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const DeferredResponse reply(std::move(responder));
    Signer signer;
    if (auto refused = refuseRetell(request, &signer))
        return reply.send(std::move(*refused));
    auto parsed = parseJson(request.body(), u"The function call"_s);
    if (!parsed)
        return reply.send(errorResponse(Status_::BadRequest, parsed.error().message));
    const Json call = parsed->value("call", Json::object());
    const Json args = parsed->value("args", Json::object());
    CallStore store(m_db);
    auto to = PhoneNumbers::toE164(CallStore::ourNumber(call)); // from_number when Retell placed the call
    auto branch = to ? store.activeBranchForNumber(*to, SignerScope::of(signer, u"retell"_s, u"company_id"_s))
                     : Result<std::optional<BranchInfo>>(to.error());
    if (!branch || !*branch) {
        if (branch && to)
            qCWarning(lcIntake) << "check_availability for" << *to << ": no active branch of the signing company has that number";
        return reply.send(errorResponse(Status_::BadRequest, u"The called number belongs to no active branch"_s));
    }
    auto service = store.findService((*branch)->companyId, jsonString(args, "service"));
    if (!service || !*service)
        return reply.send(jsonResponse(Json{{"available", false}, {"message", "Unknown service"}}));
    auto eventType = store.eventTypeFor((*branch)->id, (*service)->id);
    if (!eventType || !*eventType)
        return reply.send(jsonResponse(Json{{"available", false}, {"message", "This service cannot be booked by phone"}}));
    const QTimeZone zone((*branch)->timeZone.toUtf8());
    const QDate date = QDate::fromString(jsonString(args, "date"), Qt::ISODate);
    if (!date.isValid())
        return reply.send(errorResponse(Status_::BadRequest, u"args.date must be YYYY-MM-DD"_s));
    const QTime time = QTime::fromString(jsonString(args, "time"), u"HH:mm"_s);
    const qint64 eventTypeId = **eventType;
    // Only times within the branch's opening hours (and not on a closure day) are offered.
    auto hours = OpeningHours::load(m_db, (*branch)->id, zone, date);
    if (!hours)
        return reply.send(jsonResponse(Json{{"available", false}, {"message", "Availability cannot be checked right now"}}));
    const int minutes = (*service)->durationMinutes;

    auto respond = [zone, date, time, hours = *hours, minutes](const QList<QDateTime> &free) {
        Json times = Json::array();
        bool available = false;
        for (const QDateTime &s : free) {
            const QDateTime local = s.toTimeZone(zone);
            if (local.date() != date || s < QDateTime::currentDateTimeUtc() || !hours.fits(s, minutes))
                continue;
            times.push_back(local.time().toString(u"HH:mm"_s).toStdString());
            if (time.isValid() && local.time() == time)
                available = true;
        }
        Json answer{{"date", date.toString(Qt::ISODate).toStdString()}, {"free_times", times}};
        if (time.isValid())
            answer["available"] = available;
        return jsonResponse(answer);
    };
    auto cached = SlotCache(m_db, m_config.slotTtlMs).freeSlots(eventTypeId, date);
    if (cached && *cached)
        return reply.send(respond(**cached));

    auto credential = m_credentials.get((*branch)->companyId, u"calcom"_s);
    if (!credential)
        return reply.send(jsonResponse(Json{{"available", false}, {"message", "Availability cannot be checked right now"}}));
    const QUrl base = credential->baseUrl.isEmpty() ? m_config.endpoints.calcom : QUrl(credential->baseUrl);
    CalcomClient calcom(m_network, base, credential->secret, qMin(m_config.endpoints.timeoutMs, 5000));
    JsonReply *slotsReply = calcom.freeSlots(eventTypeId, date, date.addDays(1), QString::fromUtf8(zone.id()));
    connect(slotsReply, &JsonReply::finished, this, [this, reply, respond, eventTypeId, date, zone](const JsonResult &result) {
        if (!result) {
            reply.send(jsonResponse(Json{{"available", false}, {"message", "Availability cannot be checked right now"}}));
            return;
        }
        QList<QDateTime> free;
        for (const QDateTime &t : CalcomClient::freeSlotStarts(*result))
            if (t.toTimeZone(zone).date() == date)
                free.append(t);
        auto stored = SlotCache(m_db, m_config.slotTtlMs).store(eventTypeId, date, free);
        Q_UNUSED(stored);
        reply.send(respond(free));
    });
}

QHttpServerResponse HttpApi::health(bool detail)
{
    QElapsedTimer timer;
    timer.start();
    auto workers = m_db.scalar(u"SELECT COUNT(*) FROM workers WHERE heartbeat_at > ?"_s, {nowMs() - 20000});
    const qint64 dbLatency = timer.elapsed();
    if (!workers) {
        // The driver's words name hosts and users: they go to the log, never into an answer.
        qCWarning(lcIntake) << "health: database unavailable:" << workers.error().describe();
        return jsonResponse(detail ? Json{{"status", "down"}, {"database", {{"ok", false}, {"error", "unavailable"}}}} : Json{{"status", "down"}},
                            Status_::ServiceUnavailable);
    }
    auto backlog = JobQueue(m_db).backlog();
    const qint64 alive = workers->toLongLong();
    const bool degraded = (m_pool && alive == 0) || (backlog && backlog->oldestQueuedAgeMs > 60000);
    Json body{{"status", degraded ? "degraded" : "ok"},
              {"database", {{"ok", true}, {"latency_ms", dbLatency}, {"engine", m_db.engine() == Engine::Sqlite ? "sqlite" : "postgresql"}}},
              {"workers", {{"alive", alive}, {"local", m_pool ? m_pool->size() : 0}}}};
    if (backlog)
        body["backlog"] = {{"queued", backlog->queued}, {"running", backlog->running}, {"failed", backlog->failed},
                           {"oldest_queued_age_ms", backlog->oldestQueuedAgeMs}};
    if (!detail)
        return jsonResponse(Json{{"status", body["status"]}});
    return jsonResponse(body);
}

// Twilio signs the URL it was given (our configured public URL with its query) followed by the sorted form
// parameters; the address this server saw behind a proxy differs, so it is never used. The auth token that
// verifies names the account: the platform's (companies without their own) or one company's, and the
// delivery acts for those alone. Deduplicated on the message sid and status (or the inbound message sid).
void HttpApi::twilioWebhook(const QHttpServerRequest &request, QHttpServerResponder &&responder, bool inbound)
{
    const DeferredResponse reply(std::move(responder));
    const QString path = request.url().path();
    const auto send = [this, reply, path](const QHttpServerResponse &response) {
        countRequest(path, int(response.statusCode()));
        reply.send(response);
    };
    const QByteArray body = request.body();
    if (body.size() > maxBodyBytes)
        return send(refuse(request, u"twilio"_s, u"too_large"_s, Status_::PayloadTooLarge, u"The body is larger than 1 MiB"_s));
    auto keys = signingKeys(u"twilio"_s);
    if (!keys)
        return send(errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to verify signatures"_s));
    QString base = m_config.publicUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    const QString query = request.url().query(QUrl::FullyEncoded);
    const QString url = base + request.url().path() + (query.isEmpty() ? QString() : QString(u"?"_s + query));
    const QMultiMap<QString, QString> params = TwilioClient::formParams(body);
    const QByteArray signature = header(request, "x-twilio-signature");
    Signer signer;
    for (const SigningKey &key : std::as_const(*keys)) {
        if (!TwilioClient::verify(key.key, url, params, signature))
            continue;
        if (!key.companyId)
            signer.platform = true;
        else if (!signer.companies.contains(*key.companyId))
            signer.companies.append(*key.companyId);
    }
    std::sort(signer.companies.begin(), signer.companies.end());
    if (!signer.platform && signer.companies.isEmpty())
        return send(refuse(request, u"twilio"_s, signature.isEmpty() ? u"missing"_s : u"wrong"_s, Status_::Forbidden,
                           u"The X-Twilio-Signature does not match"_s));

    const QString sid = params.value(u"MessageSid"_s, params.value(u"SmsSid"_s));
    const QString status = params.value(u"MessageStatus"_s, params.value(u"SmsStatus"_s));
    if (sid.isEmpty() || (!inbound && status.isEmpty())) {
        auto recorded = WebhookInbox(m_db).recordRejected(u"twilio"_s, inbound ? u"inbound"_s : u"status"_s, body, true,
                                                          u"No MessageSid or MessageStatus"_s);
        Q_UNUSED(recorded);
        return send(errorResponse(Status_::BadRequest, u"No MessageSid or MessageStatus"_s));
    }
    // Stored with its job in the group commit, then acknowledged: the job applies it (TwilioEventProcessor), so
    // a failure stays on the inbox row with its reason for support, who can replay it. Not stored: 503, and
    // Twilio sends it again. The reference from the signed query goes into the key (the body lacks it).
    const qint64 ref = query.isEmpty() ? 0 : QUrlQuery(request.url()).queryItemValue(u"ref"_s).toLongLong();
    const QString key = inbound ? TwilioEventProcessor::inboundKey(sid) : TwilioEventProcessor::statusKey(sid, status, ref);
    queueIntake({u"twilio"_s, inbound ? u"inbound"_s : status, key, body, u"twilio.event"_s, signer},
                [this, send, inbound](const Result<Accepted> &accepted) {
                    if (!accepted) {
                        qCWarning(lcIntake) << "could not store Twilio webhook:" << accepted.error().describe();
                        return send(errorResponse(Status_::ServiceUnavailable, u"Temporarily unable to store the event; please retry"_s));
                    }
                    if (!accepted->duplicate && m_pool)
                        m_pool->wakeOne();
                    // Twilio reads the answer to an inbound message as TwiML: an empty Response sends no reply.
                    send(inbound ? QHttpServerResponse(QByteArrayLiteral("text/xml"), QByteArrayLiteral("<Response/>"))
                                 : QHttpServerResponse(QHttpServerResponse::StatusCode::NoContent));
                });
}

} // namespace askpro
