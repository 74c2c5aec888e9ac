// Where the providers and the mail server are, and how the server runs: every value configurable.
#pragma once

#include "billing/invoicedocument.h"
#include "integrations/smtpmailer.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrl>

#include <functional>

namespace askpro {

struct ProviderEndpoints
{
    QUrl retell = QUrl(QStringLiteral("https://api.retellai.com"));
    QUrl calcom = QUrl(QStringLiteral("https://api.cal.com/v2"));
    QUrl stripe = QUrl(QStringLiteral("https://api.stripe.com/v1"));
    QUrl twilio = QUrl(QStringLiteral("https://api.twilio.com"));
    int timeoutMs = 10000;
};

struct ServerConfig
{
    ProviderEndpoints endpoints;
    SmtpSettings smtp;
    QString publicUrl = QStringLiteral("http://127.0.0.1:8080"); // how providers reach our webhooks
    QString keyFile;             // secrets key; empty: askpro.key beside the embedded database
    int workers = 2;
    int pollIntervalMs = 1000;   // how often idle workers look for jobs queued by other servers
    int liveIntervalMs = 500;    // how often live sockets' lists are compared (PostgreSQL: NOTIFY first, this × 10)
    int sweepIntervalMs = 5 * 60 * 1000;
    qint64 slotTtlMs = 120 * 1000;
    // AskProAI's own data on every invoice: ASKPRO_SELLER_NAME, _ADDRESS ('\n' or ", " between lines),
    // _VAT_ID, _TAX_NUMBER, _EMAIL, _IBAN override the defaults.
    SellerInfo seller;
    // Renders an invoice PDF where this process has QtGui (askpro-server serve); unset: workers cannot
    // attach PDFs and leave invoice mail to a process that can.
    std::function<Result<QByteArray>(const InvoiceDocument &)> invoicePdf;
    int healthIntervalMs = 5 * 60 * 1000;
    QString alertEmail; // who hears about a check changing state; empty: nobody
    // Reverse proxies whose X-Forwarded-For names the client (per-address limits, session addresses);
    // anyone else's X-Forwarded-For is ignored.
    QList<QHostAddress> trustedProxies;
    // Bearer token for /metrics and /health's detail (ASKPRO_MONITORING_TOKEN). Without one, only requests
    // from this machine that came through no proxy (no X-Forwarded-For) may read them.
    QString monitoringToken;
    // Deliveries waiting for their commit beyond which intake answers 503 with Retry-After (ASKPRO_INTAKE_QUEUE_CAP).
    int intakeQueueCap = 5000;
    // A Cal.com event whose createdAt is older than this is stored but not applied (inbox state 'stale'), so
    // support can look at it (ASKPRO_CALCOM_EVENT_MAX_AGE_S, seconds).
    qint64 calcomEventMaxAgeMs = 3600 * 1000;
    // Refused requests (failed webhook signatures, failed sign-ins) one source address may cause per minute
    // before its further refusals are answered 429 with Retry-After (ASKPRO_REFUSED_PER_MINUTE; 0: no limit).
    // Correctly signed requests are never limited.
    int refusedPerMinute = 60;
    // An SMS whose send request got no answer waits this long for its status callback before it may be sent
    // once more (ASKPRO_SMS_ANSWER_WAIT_S, seconds): Twilio's Messages endpoint has no idempotency key.
    qint64 smsAnswerWaitMs = 10 * 60 * 1000;

    // The wall clock of the inbound call answer's date and time (milliseconds since the epoch); unset: the
    // system's. Tests set a fixed moment such as a DST day; signatures and storage always use the real clock.
    std::function<qint64()> agentClock;
    // Reads ASKPRO_RETELL_URL, ASKPRO_CALCOM_URL, ASKPRO_STRIPE_URL, ASKPRO_TWILIO_URL, ASKPRO_SMS_ANSWER_WAIT_S, ASKPRO_SMTP_URL, ASKPRO_SMTP_USER,
    // ASKPRO_SMTP_PASSWORD, ASKPRO_MAIL_FROM, ASKPRO_PUBLIC_URL, ASKPRO_KEY_FILE, ASKPRO_WORKERS, ASKPRO_ALERT_EMAIL, ASKPRO_HEALTH_INTERVAL_S,
    // ASKPRO_MONITORING_TOKEN, ASKPRO_INTAKE_QUEUE_CAP, ASKPRO_CALCOM_EVENT_MAX_AGE_S, ASKPRO_REFUSED_PER_MINUTE
    // and ASKPRO_TRUSTED_PROXIES (comma-separated addresses) over the defaults.
    [[nodiscard]] static ServerConfig fromEnvironment();
};

} // namespace askpro
