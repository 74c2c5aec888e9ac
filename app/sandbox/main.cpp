// askpro-sandbox: local Retell, Cal.com, Stripe and Twilio on one port for the demo, tests and benchmarks.
// Parses the command line, loads the seed, starts the server and the demo call feed.
#include "democallfeed.h"
#include "sandbox.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QTextStream>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace askpro::sandbox;

namespace {

int fail(const QString &message)
{
    QTextStream(stderr) << "askpro-sandbox: " << message << Qt::endl;
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"askpro-sandbox"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(ASKPRO_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Local stand-ins for Retell, Cal.com, Stripe and Twilio that speak their real HTTP APIs."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const SandboxConfig defaults;
    const QCommandLineOption listen(u"listen"_s, u"Address and port to listen on."_s, u"HOST:PORT"_s, u"127.0.0.1:8090"_s);
    const QCommandLineOption retellKey(u"retell-api-key"_s, u"Retell API key (bearer token, webhook signing key)."_s, u"KEY"_s,
                                       defaults.retellApiKey);
    const QCommandLineOption calcomKey(u"calcom-api-key"_s, u"Cal.com API key."_s, u"KEY"_s, defaults.calcomApiKey);
    const QCommandLineOption stripeKey(u"stripe-api-key"_s, u"Stripe secret key."_s, u"KEY"_s, defaults.stripeApiKey);
    const QCommandLineOption stripeSecret(u"stripe-webhook-secret"_s, u"Stripe webhook endpoint secret."_s, u"SECRET"_s,
                                          defaults.stripeWebhookSecret);
    const QCommandLineOption twilioSid(u"twilio-account-sid"_s, u"Twilio account SID (basic auth user)."_s, u"SID"_s, defaults.twilioAccountSid);
    const QCommandLineOption twilioToken(u"twilio-auth-token"_s, u"Twilio auth token (basic auth password, signs status callbacks)."_s,
                                         u"TOKEN"_s, defaults.twilioAuthToken);
    const QCommandLineOption retellHook(u"retell-webhook-url"_s, u"Account-level Retell webhook URL (an agent's webhook_url wins)."_s, u"URL"_s);
    const QCommandLineOption stripeHook(u"stripe-webhook-url"_s, u"Where Stripe events are posted."_s, u"URL"_s);
    const QCommandLineOption seed(u"seed"_s, u"JSON file with Cal.com users, schedules, teams and event types to create."_s, u"FILE"_s);
    const QCommandLineOption latency(u"latency-ms"_s, u"Latency added to every answer."_s, u"N"_s, u"0"_s);
    const QCommandLineOption errorRate(u"error-rate"_s, u"Share of requests answered 500/502/503."_s, u"F"_s, u"0"_s);
    const QCommandLineOption rateLimit(u"rate-limit-rate"_s, u"Share of requests answered 429."_s, u"F"_s, u"0"_s);
    const QCommandLineOption timeoutRate(u"timeout-rate"_s, u"Share of requests answered only after 60 s."_s, u"F"_s, u"0"_s);
    const QCommandLineOption faultsFor(u"faults-for"_s, u"Providers the fault options apply to: retell,calcom,stripe,twilio or all."_s,
                                       u"LIST"_s, u"all"_s);
    const QCommandLineOption faultSeed(u"fault-seed"_s, u"Seed of the fault draws."_s, u"N"_s, u"1"_s);
    const QCommandLineOption callsPerMinute(u"simulate-calls-per-minute"_s, u"Keep simulated inbound calls coming (demo)."_s, u"N"_s, u"0"_s);
    const QCommandLineOption simulateTo(u"simulate-to"_s, u"Numbers the simulated calls go to; switch them with POST /sandbox/simulation."_s,
                                        u"NUMBER[,NUMBER...]"_s);
    const QCommandLineOption failureShare(u"simulate-failure-share"_s,
                                          u"Share of simulated appointment requests that fail on purpose (a service the branch does not offer)."_s,
                                          u"0-1"_s, u"0.05"_s);
    parser.addOptions({listen, retellKey, calcomKey, stripeKey, stripeSecret, twilioSid, twilioToken, retellHook, stripeHook, seed, latency, errorRate, rateLimit,
                       timeoutRate, faultsFor, faultSeed, callsPerMinute, simulateTo, failureShare});
    parser.process(app);

    SandboxConfig config;
    config.retellApiKey = parser.value(retellKey);
    config.calcomApiKey = parser.value(calcomKey);
    config.stripeApiKey = parser.value(stripeKey);
    config.stripeWebhookSecret = parser.value(stripeSecret);
    config.twilioAccountSid = parser.value(twilioSid);
    config.twilioAuthToken = parser.value(twilioToken);
    config.retellWebhookUrl = QUrl(parser.value(retellHook));
    config.stripeWebhookUrl = QUrl(parser.value(stripeHook));
    config.faultSeed = parser.value(faultSeed).toULongLong();
    FaultSettings faults;
    faults.latencyMs = parser.value(latency).toInt();
    faults.errorRate = parser.value(errorRate).toDouble();
    faults.rateLimitRate = parser.value(rateLimit).toDouble();
    faults.timeoutRate = parser.value(timeoutRate).toDouble();
    const QStringList targets = parser.value(faultsFor).split(u',', Qt::SkipEmptyParts);
    for (const QString &target : targets) {
        const bool all = target == "all"_L1;
        if (!all && target != "retell"_L1 && target != "calcom"_L1 && target != "stripe"_L1 && target != "twilio"_L1)
            return fail(u"--faults-for takes retell, calcom, stripe, twilio or all, not %1"_s.arg(target));
        if (all || target == "retell"_L1)
            config.retellFaults = faults;
        if (all || target == "calcom"_L1)
            config.calcomFaults = faults;
        if (all || target == "stripe"_L1)
            config.stripeFaults = faults;
        if (all || target == "twilio"_L1)
            config.twilioFaults = faults;
    }

    const QString listenText = parser.value(listen);
    const qsizetype colon = listenText.lastIndexOf(u':');
    bool portOk = false;
    const quint16 port = colon < 0 ? 0 : listenText.mid(colon + 1).toUShort(&portOk);
    const QHostAddress host(colon <= 0 ? u"127.0.0.1"_s : listenText.left(colon));
    if (!portOk || host.isNull())
        return fail(u"--listen needs HOST:PORT, not %1"_s.arg(listenText));

    Sandbox sandbox(config);
    if (parser.isSet(seed)) {
        QFile file(parser.value(seed));
        if (!file.open(QIODevice::ReadOnly))
            return fail(u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString()));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
        if (!document.isObject())
            return fail(u"%1 is not a JSON object: %2"_s.arg(file.fileName(), error.errorString()));
        if (const QString problem = sandbox.loadSeed(document.object()); !problem.isEmpty())
            return fail(u"seed %1: %2"_s.arg(file.fileName(), problem));
    }
    if (sandbox.listen(host, port) == 0)
        return fail(u"cannot listen on %1"_s.arg(listenText));

    QTextStream out(stdout);
    out << "Retell:  " << sandbox.baseUrl(Provider::Retell).toString() << Qt::endl
        << "Cal.com: " << sandbox.baseUrl(Provider::Calcom).toString() << Qt::endl
        << "Stripe:  " << sandbox.baseUrl(Provider::Stripe).toString() << Qt::endl
        << "Twilio:  " << sandbox.baseUrl(Provider::Twilio).toString() << Qt::endl
        << "Control: " << sandbox.baseUrl(Provider::Retell).resolved(QUrl(u"/sandbox/state"_s)).toString() << Qt::endl;

    // With --simulate-to the feed can be switched on and off later (POST /sandbox/simulation); with a rate
    // it starts at once.
    DemoCallFeed feed(sandbox, std::max(1, parser.value(callsPerMinute).toInt()), parser.value(simulateTo).split(u',', Qt::SkipEmptyParts));
    feed.setDeliberateFailureShare(parser.value(failureShare).toDouble());
    sandbox.setDemoFeed(&feed);
    if (parser.value(callsPerMinute).toInt() > 0) {
        if (!parser.isSet(simulateTo))
            return fail(u"--simulate-calls-per-minute needs --simulate-to"_s);
        feed.start();
    }
    const int code = QCoreApplication::exec();
    sandbox.setDemoFeed(nullptr);
    return code;
}
