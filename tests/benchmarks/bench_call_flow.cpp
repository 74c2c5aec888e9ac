// Benchmark (prints figures, never fails for being slow): webhook-to-booked latency of the core flow with
// the sandbox at zero latency, and durable intake throughput beside the same database's raw commit rate.
// The intake is driven twice: by a client in its own process (the fair figure: the server has its event
// loop to itself, as in production) and, for comparison with earlier runs, from the server's own loop.
#include "percentile.h"
#include "core/clock.h"
#include "db/database.h"
#include "flowfixture.h"
#include "jobs/workerpool.h"
#include "security/sessionstore.h"
#include "security/userstore.h"
#include "signatures.h"
#include "testdatabase.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSocketNotifier>
#include <QTemporaryFile>
#include <QTimeZone>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace askpro;

using askpro::test::percentile;

namespace {

// Slot starts of 15 minutes, 09:00 to 16:45 on weekdays: one free slot for every call.
QList<QDateTime> slotsFor(int count)
{
    QList<QDateTime> result;
    QDateTime t = test::nextWorkdayAt(9);
    while (result.size() < count) {
        result.append(t);
        t = t.addSecs(15 * 60);
        if (t.time() >= QTime(17, 0)) {
            QDate next = t.date().addDays(1);
            while (next.dayOfWeek() > 5)
                next = next.addDays(1);
            t = QDateTime(next, QTime(9, 0), t.timeZone());
        }
    }
    return result;
}

QByteArray analyzedCall(const QString &callId, const QDateTime &start)
{
    const Json data = {{"appointment_requested", true},
                       {"service", "Beratung"},
                       {"date", start.date().toString(Qt::ISODate).toStdString()},
                       {"time", start.time().toString(u"HH:mm"_s).toStdString()},
                       {"customer_name", "Benchmark Kundin"}};
    const qint64 end = nowMs();
    const Json call = {{"call_id", callId.toStdString()}, {"to_number", test::branchNumber.toStdString()},
                       {"from_number", "+491701234567"}, {"call_status", "ended"}, {"start_timestamp", end - 90000},
                       {"end_timestamp", end}, {"call_analysis", {{"custom_analysis_data", data}, {"call_summary", "Termin gewünscht"}}}};
    return jsonText(Json{{"event", "call_analyzed"}, {"call", call}});
}

QNetworkReply *post(QNetworkAccessManager &network, const QUrl &url, const QByteArray &body, const QByteArray &signature)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("x-retell-signature", signature);
    return network.post(request, body);
}

// The raw commit rate of a fresh database of this engine right now: one prepared single-row insert per
// transaction. On a disk shared with others it moves by an order of magnitude from minute to minute, so
// every figure is printed beside the rate measured with it.
double rawCommitRate(const QString &engine, int commits, const QByteArray &payload)
{
    auto db = test::freshDatabase(engine);
    if (!db || !db->control(u"CREATE TABLE bench_commits (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)"_s))
        return 0;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < commits; ++i) {
        if (!db->exec(u"INSERT INTO bench_commits (id, payload) VALUES (?, ?)"_s, {i, QString::fromUtf8(payload)}))
            return 0;
    }
    return commits / (double(timer.nsecsElapsed()) / 1e9);
}

// Signed-in desktops polling the server while calls are booked: sessions sessions of one support user, each
// asking GET /changes every intervalMs (staggered) and loading the first page of calls when calls moved, as
// the call browser does without its live socket. They run in a process of their own, like real desktops.
class Pollers
{
public:
    Pollers(test::FlowFixture &f, int sessions, int intervalMs)
    {
        if (sessions <= 0)
            return;
        auto admin = UserStore(*f.db).createFirstAdmin({u"bench-admin"_s, u"Bench Admin"_s, u"bench-passwort-lang"_s, Role::Admin, u"de"_s});
        if (!admin)
            qFatal("%s", qPrintable(admin.error().describe()));
        SessionStore store(*f.db);
        m_tokens.open();
        for (int i = 0; i < sessions; ++i) {
            auto opened = store.open(*admin, u"bench desktop %1"_s.arg(i), u"127.0.0.1"_s);
            if (!opened)
                qFatal("%s", qPrintable(opened.error().describe()));
            m_tokens.write(opened->token.toLatin1() + '\n');
        }
        m_tokens.flush();
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QCoreApplication::applicationFilePath(),
                        {u"--drive-polling"_s, u"http://127.0.0.1:%1"_s.arg(f.port), u"--tokens"_s, m_tokens.fileName(), u"--interval-ms"_s,
                         QString::number(intervalMs)});
        m_process.waitForStarted();
    }
    // Stops the pollers; their line of figures ("polls N errors E p50 X p99 Y pages P"), empty without them.
    QString stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return {};
        m_process.closeWriteChannel(); // the driver stops at the end of its standard input
        QEventLoop loop;
        QObject::connect(&m_process, &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        loop.exec(); // the server answers the last polls from this loop meanwhile
        return QString::fromLatin1(m_process.readAllStandardOutput().trimmed());
    }
    ~Pollers()
    {
        m_process.kill();
        m_process.waitForFinished();
    }

private:
    QTemporaryFile m_tokens;
    QProcess m_process;
};

struct LatencyFigures
{
    double p50 = 0;
    double p99 = 0;
};

LatencyFigures latency(const QString &engine, int calls, int sessions = 0)
{
    test::FlowOptions options;
    options.serviceMinutes = 15;
    options.smtp = false;
    auto f = test::FlowFixture::create(engine, options);
    if (!f) {
        std::printf("latency (%s): setup failed\n", qPrintable(engine));
        return {};
    }
    const QUrl url(u"http://127.0.0.1:%1/webhooks/retell"_s.arg(f->port));
    Pollers pollers(*f, sessions, 2000);
    const QList<QDateTime> starts = slotsFor(calls);
    QNetworkAccessManager network;
    std::vector<double> millis;
    millis.reserve(std::size_t(calls));
    std::vector<double> acknowledged; // send to the webhook's 2xx: the durable intake's share
    acknowledged.reserve(std::size_t(calls));
    int finished = 0;
    QEventLoop loop;
    // Only the calls' own jobs count: the sandbox's booking webhooks make jobs of their own.
    QObject::connect(f->server->workers(), &WorkerPool::jobFinished, &loop, [&](qint64, const QString &kind, bool) {
        if (kind != u"retell.event"_s)
            return;
        ++finished;
        loop.quit();
    });
    const double before = rawCommitRate(engine, 500, analyzedCall(u"call_bench_raw"_s, starts.first()));
    QElapsedTimer total;
    total.start();
    for (int i = 0; i < calls; ++i) {
        const QByteArray body = analyzedCall(u"call_bench_%1"_s.arg(i, 6, 10, QLatin1Char('0')), starts.at(i));
        const int before = finished;
        // Shared: the job may finish before the acknowledgement arrives, and the reply outlives this turn.
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        QNetworkReply *reply = post(network, url, body, f->providers->retellSignature(body));
        QObject::connect(reply, &QNetworkReply::finished, reply, [reply, &acknowledged, timer] {
            acknowledged.push_back(double(timer->nsecsElapsed()) / 1e6);
            reply->deleteLater();
        });
        while (finished == before)
            loop.exec();
        millis.push_back(double(timer->nsecsElapsed()) / 1e6);
    }
    const double seconds = double(total.elapsed()) / 1000.0;
    const QString polled = pollers.stop();
    const double after = rawCommitRate(engine, 500, analyzedCall(u"call_bench_raw"_s, starts.first()));
    const int booked = f->count(u"SELECT COUNT(*) FROM calls WHERE outcome = 'booked'"_s);
    auto outcomes = f->db->exec(u"SELECT outcome, failure_reason, COUNT(*) FROM calls WHERE outcome <> 'booked' GROUP BY outcome, failure_reason"_s);
    while (outcomes && outcomes->next())
        std::printf("  not booked: %s %s x%d\n", qPrintable(outcomes->value(0).toString()), qPrintable(outcomes->value(1).toString()),
                    outcomes->value(2).toInt());
    // Where the slowest calls spent their time, from the server's own timestamps.
    auto slow = f->db->exec(u"SELECT c.retell_call_id, i.received_at, c.outcome FROM calls c JOIN webhook_inbox i ON i.call_id = c.id "
                            "ORDER BY (SELECT MAX(at) FROM call_events e WHERE e.call_id = c.id) - i.received_at DESC LIMIT 3"_s);
    // Read first: PostgreSQL drops a forward-only result when another statement runs meanwhile.
    QList<std::tuple<QString, qint64, QString>> slowest;
    while (slow && slow->next())
        slowest.append({slow->value(0).toString(), slow->value(1).toLongLong(), slow->value(2).toString()});
    for (const auto &[callId, received, outcome] : std::as_const(slowest)) {
        std::printf("  slow call %s (%s):", qPrintable(callId), qPrintable(outcome));
        auto steps = f->db->exec(u"SELECT e.step, e.status, e.at FROM call_events e JOIN calls c ON c.id = e.call_id "
                                 "WHERE c.retell_call_id = ? ORDER BY e.id"_s, {callId});
        while (steps && steps->next())
            std::printf(" %s/%s +%lld ms", qPrintable(steps->value(0).toString()), qPrintable(steps->value(1).toString()),
                        steps->value(2).toLongLong() - received);
        std::printf("\n");
    }
    // Median split of the server-side time: up to the availability answer, then the booking.
    auto split = f->db->exec(u"SELECT (SELECT MAX(at) FROM call_events e WHERE e.call_id = c.id AND e.step = 'availability') - i.received_at, "
                             "(SELECT MAX(at) FROM call_events e WHERE e.call_id = c.id AND e.step = 'booking') - "
                             "(SELECT MAX(at) FROM call_events e WHERE e.call_id = c.id AND e.step = 'availability') "
                             "FROM calls c JOIN webhook_inbox i ON i.call_id = c.id WHERE c.outcome = 'booked'"_s);
    std::vector<double> toAvailability;
    std::vector<double> toBooked;
    while (split && split->next()) {
        toAvailability.push_back(split->value(0).toDouble());
        toBooked.push_back(split->value(1).toDouble());
    }
    std::printf("  server side, median: received to availability %.0f ms, availability to booked %.0f ms (ms resolution)\n",
                percentile(toAvailability, 50), percentile(toBooked, 50));
    auto retries = f->db->exec(u"SELECT message, COUNT(*) FROM call_events WHERE status IN ('retry', 'error') GROUP BY message ORDER BY 2 DESC"_s);
    while (retries && retries->next())
        std::printf("  retry/error: %s x%d\n", qPrintable(retries->value(0).toString().left(160)), retries->value(1).toInt());
    if (sessions > 0)
        std::printf("  %d signed-in sessions polling every 2 s meanwhile: %s\n", sessions, qPrintable(polled));
    std::printf("webhook-to-booked latency, %d calls, %s, sandbox at zero latency%s:\n"
                "  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  (%d booked, %d Cal.com bookings, %.1f s)\n"
                "  of which the webhook's 2xx (stored durably): p50 %.2f ms  p99 %.2f ms\n"
                "  raw commit rate of the same engine just before and after: %.0f and %.0f commits/s\n",
                calls, qPrintable(engine), sessions > 0 ? qPrintable(u", %1 sessions polling"_s.arg(sessions)) : "", percentile(millis, 50), percentile(millis, 90), percentile(millis, 99),
                percentile(millis, 100), booked, int(f->providers->calcomBookings().size()), seconds, percentile(acknowledged, 50),
                percentile(acknowledged, 99), before, after);
    return {percentile(millis, 50), percentile(millis, 99)};
}

// The polling process: bench_call_flow --drive-polling SERVER --tokens FILE --interval-ms N. Runs until its
// standard input ends, then prints one line of figures.
int pollingMain(const QUrl &server, const QString &tokensFile, int intervalMs)
{
    QFile file(tokensFile);
    if (!file.open(QIODevice::ReadOnly))
        return 1;
    const QList<QByteArray> tokens = file.readAll().trimmed().split('\n');
    QNetworkAccessManager network;
    std::vector<double> millis;
    int polls = 0;
    int errors = 0;
    int pages = 0;
    std::vector<QString> seen(std::size_t(tokens.size()));
    const auto get = [&](const QByteArray &token, const QString &path, std::function<void(const QByteArray &)> then) {
        QNetworkRequest request(server.resolved(QUrl(path)));
        request.setRawHeader("Authorization", "Bearer " + token);
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        QNetworkReply *reply = network.get(request);
        QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply, timer, then] {
            millis.push_back(double(timer->nsecsElapsed()) / 1e6);
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
                ++errors;
            else if (then)
                then(reply->readAll());
            reply->deleteLater();
        });
    };
    std::vector<std::unique_ptr<QTimer>> timers;
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        auto timer = std::make_unique<QTimer>();
        timer->setInterval(intervalMs);
        QObject::connect(timer.get(), &QTimer::timeout, [&, i] {
            ++polls;
            get(tokens.at(i), u"/api/v1/changes?tables=calls"_s, [&, i](const QByteArray &body) {
                const QString stamp = QString::fromUtf8(body);
                if (stamp == seen[std::size_t(i)])
                    return;
                seen[std::size_t(i)] = stamp;
                ++pages;
                get(tokens.at(i), u"/api/v1/calls?limit=256"_s, {});
            });
        });
        QTimer::singleShot(int(i * intervalMs / tokens.size()), timer.get(), qOverload<>(&QTimer::start));
        timers.push_back(std::move(timer));
    }
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, [&] {
        char buffer[64];
        if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0)
            QCoreApplication::quit();
    });
    QCoreApplication::exec();
    std::printf("%d polls (%d first pages of calls), %d errors; answers p50 %.2f ms p99 %.2f ms\n", polls, pages, errors,
                percentile(millis, 50), percentile(millis, 99));
    return 0;
}

struct Drive
{
    double rate = 0; // acknowledged webhooks per second, first request to last answer
    int ok = 0;
    std::vector<double> millis;
};

// Sends deliveries signed webhooks to url, inFlight at a time, from this process's event loop.
// sign: the body's x-retell-signature.
Drive drive(const QUrl &url, int deliveries, int inFlight, const std::function<QByteArray(const QByteArray &)> &sign)
{
    QNetworkAccessManager network;
    QList<QByteArray> bodies;
    for (int i = 0; i < deliveries; ++i)
        bodies.append(analyzedCall(u"call_intake_%1"_s.arg(i, 6, 10, QLatin1Char('0')), test::nextWorkdayAt(10)));
    Drive result;
    result.millis.reserve(std::size_t(deliveries));
    int sent = 0;
    int answered = 0;
    QEventLoop loop;
    std::function<void()> sendNext = [&] {
        if (sent >= deliveries)
            return;
        const QByteArray &body = bodies.at(sent++);
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        QNetworkReply *reply = post(network, url, body, sign(body));
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, timer] {
            result.millis.push_back(double(timer->nsecsElapsed()) / 1e6);
            result.ok += reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200 ? 1 : 0;
            reply->deleteLater();
            if (++answered == deliveries)
                loop.quit();
            else
                sendNext();
        });
    };
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < inFlight; ++i)
        sendNext();
    loop.exec();
    result.rate = deliveries / (double(timer.nsecsElapsed()) / 1e9);
    return result;
}

// The driver process: bench_call_flow --drive-intake URL --deliveries N --in-flight K; prints one line.
int driveMain(const QUrl &url, int deliveries, int inFlight)
{
    const QString key = sandbox::SandboxConfig{}.retellApiKey;
    const Drive d = drive(url, deliveries, inFlight, [&key](const QByteArray &body) { return sandbox::signatures::retell(body, key, nowMs()); });
    std::printf("drive %.1f %d %.3f %.3f\n", d.rate, d.ok, percentile(d.millis, 50), percentile(d.millis, 99));
    return 0;
}

void intake(const QString &engine, int deliveries)
{
    constexpr int inFlight = 16;
    // One fresh server per driver, so neither run finds the other's rows.
    const auto serve = [&](bool ownProcess) -> std::optional<std::pair<Drive, int>> {
        test::FlowOptions options;
        options.workers = false; // intake only: what is measured is store-and-acknowledge
        options.smtp = false;
        auto f = test::FlowFixture::create(engine, options);
        if (!f) {
            std::printf("intake (%s): setup failed\n", qPrintable(engine));
            return std::nullopt;
        }
        const QUrl url(u"http://127.0.0.1:%1/webhooks/retell"_s.arg(f->port));
        Drive d;
        if (ownProcess) {
            QProcess driver;
            driver.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            QEventLoop loop;
            QObject::connect(&driver, &QProcess::finished, &loop, &QEventLoop::quit);
            driver.start(QCoreApplication::applicationFilePath(),
                         {u"--drive-intake"_s, url.toString(), u"--deliveries"_s, QString::number(deliveries), u"--in-flight"_s,
                          QString::number(inFlight)});
            loop.exec(); // the server answers from this loop meanwhile
            const QList<QByteArray> fields = driver.readAllStandardOutput().trimmed().split(' ');
            if (fields.size() < 5 || fields.first() != "drive") {
                std::printf("intake (%s): the driver process failed\n", qPrintable(engine));
                return std::nullopt;
            }
            d.rate = fields.at(1).toDouble();
            d.ok = fields.at(2).toInt();
            d.millis = {fields.at(3).toDouble(), fields.at(4).toDouble()}; // p50, p99 as measured there
        } else {
            d = drive(url, deliveries, inFlight, [&f](const QByteArray &body) { return f->providers->retellSignature(body); });
            d.millis = {percentile(d.millis, 50), percentile(d.millis, 99)};
        }
        const int stored = f->count(u"SELECT COUNT(*) FROM webhook_inbox"_s);
        return std::pair<Drive, int>{d, stored};
    };
    const auto separate = serve(true);
    const auto shared = serve(false);
    if (!separate || !shared)
        return;

    // The same engine's raw commit rate: one prepared single-row insert per transaction.
    const double commitRate = rawCommitRate(engine, deliveries, analyzedCall(u"call_intake_raw"_s, test::nextWorkdayAt(10)));
    if (commitRate <= 0)
        return;
    std::printf("durable intake, %d signed webhooks, %d in flight, %s:\n", deliveries, inFlight, qPrintable(engine));
    for (const auto &[label, run] : {std::pair{"driver in its own process", *separate}, std::pair{"driver in the server's event loop", *shared}}) {
        const auto &[d, stored] = run;
        std::printf("  %s: %.0f webhooks/s acknowledged, answer p50 %.2f ms p99 %.2f ms (%d answered 200, %d stored with their job); "
                    "%.0f %% of the raw commit rate\n",
                    label, d.rate, d.millis.at(0), d.millis.at(1), d.ok, stored, 100.0 * d.rate / commitRate);
    }
    std::printf("  raw commit rate of the same database: %.0f commits/s\n", commitRate);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Core-flow benchmark: latency and intake throughput."_s);
    parser.addHelpOption();
    const QCommandLineOption engines(u"engine"_s, u"sqlite or postgresql (repeatable; default: both when a cluster is up)."_s, u"name"_s);
    const QCommandLineOption calls(u"calls"_s, u"Calls for the latency run (default 2000)."_s, u"n"_s, u"2000"_s);
    const QCommandLineOption deliveries(u"deliveries"_s, u"Webhooks for the intake run (default 5000)."_s, u"n"_s, u"5000"_s);
    const QCommandLineOption only(u"only"_s, u"latency or intake (default both)."_s, u"part"_s);
    // Internal: the intake driver process the benchmark starts.
    const QCommandLineOption driveIntake(u"drive-intake"_s, u"Drive the intake at this URL and print the rate."_s, u"url"_s);
    const QCommandLineOption inFlight(u"in-flight"_s, u"Requests in flight for --drive-intake."_s, u"n"_s, u"16"_s);
    const QCommandLineOption sessions(u"sessions"_s,
                                      u"Also measure the latency with this many signed-in sessions polling every 2 s (default 50; 0: not)."_s,
                                      u"n"_s, u"50"_s);
    // Internal: the polling process the latency run starts.
    const QCommandLineOption drivePolling(u"drive-polling"_s, u"Poll the server at this URL until standard input ends."_s, u"url"_s);
    const QCommandLineOption tokens(u"tokens"_s, u"File of session tokens for --drive-polling."_s, u"file"_s);
    const QCommandLineOption intervalMs(u"interval-ms"_s, u"Poll interval for --drive-polling."_s, u"ms"_s, u"2000"_s);
    parser.addOptions({engines, calls, deliveries, only, driveIntake, inFlight, sessions, drivePolling, tokens, intervalMs});
    parser.process(app);
    if (parser.isSet(drivePolling))
        return pollingMain(QUrl(parser.value(drivePolling)), parser.value(tokens), parser.value(intervalMs).toInt());
    if (parser.isSet(driveIntake))
        return driveMain(QUrl(parser.value(driveIntake)), parser.value(deliveries).toInt(), parser.value(inFlight).toInt());
    QStringList list = parser.values(engines);
    if (list.isEmpty())
        list = test::postgresAvailable() ? QStringList{u"sqlite"_s, u"postgresql"_s} : QStringList{u"sqlite"_s};
    qputenv("QT_LOGGING_RULES", "askpro.*.info=false;qt.*=false");
    for (const QString &engine : std::as_const(list)) {
        if (parser.value(only) != u"intake"_s) {
            const LatencyFigures alone = latency(engine, parser.value(calls).toInt());
            if (const int polling = parser.value(sessions).toInt(); polling > 0) {
                const LatencyFigures polled = latency(engine, parser.value(calls).toInt(), polling);
                if (alone.p99 > 0)
                    std::printf("  %d sessions polling moved webhook-to-booked p50 by %+.0f %% and p99 by %+.0f %% (target: p99 under +20 %%)\n",
                                polling, 100.0 * (polled.p50 / alone.p50 - 1), 100.0 * (polled.p99 / alone.p99 - 1));
            }
        }
        if (parser.value(only) != u"latency"_s)
            intake(engine, parser.value(deliveries).toInt());
    }
    return 0;
}
