// Benchmark (prints figures, never fails for being slow): a flood of unsigned 60 KB webhooks from one address,
// with correctly signed webhooks from the same address in between. Prints the database's growth, the signed
// webhooks' answer times and how many of them were answered 429 (must be 0: signed traffic is never limited).
// The server runs in this process with the default limit of refusals (ASKPRO_REFUSED_PER_MINUTE, 60) and no
// workers (intake only); the load comes from two driver processes, one flooding and one signing, as from two
// clients behind one address.
#include "percentile.h"
#include "core/clock.h"
#include "db/database.h"
#include "http/askproserver.h"
#include "intake/signatures.h"
#include "security/credentialstore.h"
#include "testdatabase.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;
using namespace askpro;

using askpro::test::percentile;

namespace {

const QByteArray retellKey = "key_bench_refused_0001";

qint64 databaseBytes(Database &db)
{
    if (db.engine() == Engine::Sqlite)
        return db.scalar(u"PRAGMA page_count"_s)->toLongLong() * db.scalar(u"PRAGMA page_size"_s)->toLongLong();
    return db.scalar(u"SELECT pg_database_size(current_database())"_s)->toLongLong();
}

QNetworkReply *post(QNetworkAccessManager &network, const QUrl &url, const QByteArray &body, const QByteArray &signature)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!signature.isEmpty())
        request.setRawHeader("X-Retell-Signature", signature);
    return network.post(request, body);
}

// A driver process (two run at once, so that neither one's event loop delays the other's answers):
// "flood" posts `rate` unsigned 60 KB bodies a second for `seconds` (paced every millisecond, at most 256 in
// flight over 8 client connection pools of 6) and prints: flood, sent, 401, 429, other, seconds.
// "signed" sends one signed webhook every 20 ms for `seconds` and prints: signed, sent, 200, 429, p50, p99.
int driveMain(const QString &mode, const QUrl &base, int rate, int seconds)
{
    const QUrl url = base.resolved(QUrl(u"/webhooks/retell"_s));
    QElapsedTimer clock;
    clock.start();
    const qint64 endNs = qint64(seconds) * 1000'000'000;
    QEventLoop loop;
    int pending = 0; // replies not yet finished
    bool ended = false;
    const auto maybeQuit = [&] {
        if (ended && pending == 0)
            loop.quit();
    };
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);

    if (mode == u"flood"_s) {
        const QByteArray flood = "{\"event\":\"call_ended\",\"pad\":\"" + QByteArray(60 * 1024 - 32, 'x') + "\"}";
        std::vector<std::unique_ptr<QNetworkAccessManager>> pools;
        for (int i = 0; i < 8; ++i)
            pools.push_back(std::make_unique<QNetworkAccessManager>());
        qint64 sent = 0, got401 = 0, got429 = 0, other = 0;
        tick.setInterval(1);
        QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
            const qint64 now = clock.nsecsElapsed();
            if (now >= endNs) {
                tick.stop();
                ended = true;
                maybeQuit();
                return;
            }
            const qint64 due = qint64(double(rate) * double(now) / 1e9);
            while (sent < due && pending < 256) {
                QNetworkReply *reply = post(*pools[std::size_t(sent % 8)], url, flood, {});
                ++sent;
                ++pending;
                QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply] {
                    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                    (status == 401 ? got401 : status == 429 ? got429 : other) += 1;
                    --pending;
                    reply->deleteLater();
                    maybeQuit();
                });
            }
        });
        tick.start();
        loop.exec();
        std::printf("flood %lld %lld %lld %lld %.2f\n", sent, got401, got429, other, double(clock.nsecsElapsed()) / 1e9);
        return 0;
    }

    QNetworkAccessManager network;
    qint64 sent = 0, got200 = 0, got429 = 0;
    std::vector<double> millis;
    tick.setInterval(20);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (clock.nsecsElapsed() >= endNs) {
            tick.stop();
            ended = true;
            maybeQuit();
            return;
        }
        const QByteArray body = R"({"event":"call_ended","call":{"call_id":"call_bench_signed_)" + QByteArray::number(sent)
            + R"(","to_number":"+4930123456","call_status":"ended"}})";
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        QNetworkReply *reply = post(network, url, body, WebhookSignatures::signRetell(body, retellKey, nowMs()));
        ++sent;
        ++pending;
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, timer] {
            millis.push_back(double(timer->nsecsElapsed()) / 1e6);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            got200 += status == 200 ? 1 : 0;
            got429 += status == 429 ? 1 : 0;
            --pending;
            reply->deleteLater();
            maybeQuit();
        });
    });
    tick.start();
    loop.exec();
    std::printf("signed %lld %lld %lld %.3f %.3f\n", sent, got200, got429, percentile(millis, 50), percentile(millis, 99));
    return 0;
}

void run(const QString &engine, int rate, int seconds)
{
    auto db = test::freshDatabase(engine);
    if (!db) {
        std::printf("refused flood (%s): no database\n", qPrintable(engine));
        return;
    }
    AskProServer server(db, SecretBox(SecretBox::newKey()), ServerConfig::fromEnvironment(), false);
    if (!server.credentials().put({std::nullopt, u"retell"_s, {}, retellKey, {}}).ok()) {
        std::printf("refused flood (%s): cannot store the key\n", qPrintable(engine));
        return;
    }
    auto port = server.start(QHostAddress::LocalHost, 0);
    if (!port) {
        std::printf("refused flood (%s): %s\n", qPrintable(engine), qPrintable(port.error().describe()));
        return;
    }
    const qint64 before = databaseBytes(*db);
    const QString base = u"http://127.0.0.1:%1"_s.arg(*port);
    QProcess flood;
    QProcess signer;
    int running = 2;
    QEventLoop loop;
    for (QProcess *driver : {&flood, &signer}) {
        driver->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(driver, &QProcess::finished, &loop, [&] {
            if (--running == 0)
                loop.quit();
        });
    }
    const QStringList common{u"--drive"_s, base, u"--rate"_s, QString::number(rate), u"--seconds"_s, QString::number(seconds)};
    flood.start(QCoreApplication::applicationFilePath(), QStringList{u"--mode"_s, u"flood"_s} + common);
    signer.start(QCoreApplication::applicationFilePath(), QStringList{u"--mode"_s, u"signed"_s} + common);
    loop.exec(); // the server answers from this loop meanwhile
    const QList<QByteArray> f = flood.readAllStandardOutput().trimmed().split(' ');
    const QList<QByteArray> g = signer.readAllStandardOutput().trimmed().split(' ');
    if (f.size() < 6 || f.first() != "flood" || g.size() < 6 || g.first() != "signed") {
        std::printf("refused flood (%s): a driver process failed\n", qPrintable(engine));
        return;
    }
    const qint64 grown = databaseBytes(*db) - before;
    const qint64 stored = db->scalar(u"SELECT COUNT(*) FROM webhook_inbox"_s)->toLongLong();
    const double duration = f.at(5).toDouble();
    std::printf("refused flood, %s, one address, %d s, limit %d refusals/min:\n", qPrintable(engine), seconds, ServerConfig::fromEnvironment().refusedPerMinute);
    std::printf("  unsigned 60 KB: %lld sent (%.0f/s), %lld answered 401, %lld answered 429, %lld other\n", f.at(1).toLongLong(),
                f.at(1).toDouble() / duration, f.at(2).toLongLong(), f.at(3).toLongLong(), f.at(4).toLongLong());
    std::printf("  signed: %lld sent, %lld answered 200, %lld answered 429; answer p50 %.2f ms p99 %.2f ms; %lld stored in the inbox\n",
                g.at(1).toLongLong(), g.at(2).toLongLong(), g.at(3).toLongLong(), g.at(4).toDouble(), g.at(5).toDouble(), stored);
    std::printf("  database growth: %lld bytes (%.3f MiB)\n", grown, double(grown) / (1024.0 * 1024.0));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Refused-request flood benchmark: database growth and signed webhook latency."_s);
    parser.addHelpOption();
    const QCommandLineOption engines(u"engine"_s, u"sqlite or postgresql (repeatable; default: both when a cluster is up)."_s, u"name"_s);
    const QCommandLineOption rate(u"rate"_s, u"Unsigned posts per second (default 1000)."_s, u"n"_s, u"1000"_s);
    const QCommandLineOption seconds(u"seconds"_s, u"Length of the flood (default 10)."_s, u"n"_s, u"10"_s);
    // Internal: the driver process the benchmark starts.
    const QCommandLineOption drive(u"drive"_s, u"Drive the server at this base URL and print the counts."_s, u"url"_s);
    const QCommandLineOption mode(u"mode"_s, u"The driver's part: flood or signed."_s, u"part"_s, u"flood"_s);
    parser.addOptions({engines, rate, seconds, drive, mode});
    parser.process(app);
    if (parser.isSet(drive))
        return driveMain(parser.value(mode), QUrl(parser.value(drive)), parser.value(rate).toInt(), parser.value(seconds).toInt());
    QStringList list = parser.values(engines);
    if (list.isEmpty())
        list = test::postgresAvailable() ? QStringList{u"sqlite"_s, u"postgresql"_s} : QStringList{u"sqlite"_s};
    qputenv("QT_LOGGING_RULES", "askpro.*.info=false;askpro.*.warning=false;qt.*=false");
    for (const QString &engine : std::as_const(list))
        run(engine, parser.value(rate).toInt(), parser.value(seconds).toInt());
    return 0;
}
