// Benchmark (prints figures, never fails for being slow): a flood of unsigned 60 KB webhooks from one address,
// with correctly signed webhooks from the same address in between. Prints the database's growth, the signed
// webhooks' answer times and how many of them were answered 429 (must be 0: signed traffic is never limited).
// The server runs in this process with the default limit of refusals (ASKPRO_REFUSED_PER_MINUTE, 60) and no
// workers (intake only); the load comes from a driver process of its own, as in production.
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

namespace {

const QByteArray retellKey = "key_bench_refused_0001";

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = std::min(values.size() - 1, std::size_t(p / 100.0 * double(values.size())));
    return values[index];
}

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

// The driver process: floods `rate` unsigned 60 KB posts a second for `seconds` (paced every millisecond, at
// most 256 in flight over 8 client connection pools of 6), and sends one signed webhook every 20 ms beside
// them on a pool of its own. Prints one line: drive, flood sent, 401, 429, other, signed sent, 200, 429, p50, p99.
int driveMain(const QUrl &base, int rate, int seconds)
{
    const QUrl url = base.resolved(QUrl(u"/webhooks/retell"_s));
    const QByteArray flood = "{\"event\":\"call_ended\",\"pad\":\"" + QByteArray(60 * 1024 - 32, 'x') + "\"}";
    std::vector<std::unique_ptr<QNetworkAccessManager>> floodPools;
    for (int i = 0; i < 8; ++i)
        floodPools.push_back(std::make_unique<QNetworkAccessManager>());
    QNetworkAccessManager signedPool;
    qint64 floodSent = 0, flood401 = 0, flood429 = 0, floodOther = 0, inFlight = 0;
    qint64 signedSent = 0, signed200 = 0, signed429 = 0;
    std::vector<double> signedMillis;
    QElapsedTimer clock;
    clock.start();
    const qint64 endNs = qint64(seconds) * 1000'000'000;
    QEventLoop loop;
    int pending = 0; // replies not yet finished after the end
    bool ended = false;
    const auto maybeQuit = [&] {
        if (ended && pending == 0)
            loop.quit();
    };

    QTimer pace;
    pace.setTimerType(Qt::PreciseTimer);
    pace.setInterval(1);
    QObject::connect(&pace, &QTimer::timeout, &loop, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (now >= endNs) {
            pace.stop();
            ended = true;
            maybeQuit();
            return;
        }
        const qint64 due = qint64(double(rate) * double(now) / 1e9);
        while (floodSent < due && inFlight < 256) {
            QNetworkReply *reply = post(*floodPools[std::size_t(floodSent % 8)], url, flood, {});
            ++floodSent;
            ++inFlight;
            ++pending;
            QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply] {
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                (status == 401 ? flood401 : status == 429 ? flood429 : floodOther) += 1;
                --inFlight;
                --pending;
                reply->deleteLater();
                maybeQuit();
            });
        }
    });
    QTimer signedTick;
    signedTick.setTimerType(Qt::PreciseTimer);
    signedTick.setInterval(20);
    QObject::connect(&signedTick, &QTimer::timeout, &loop, [&] {
        if (clock.nsecsElapsed() >= endNs) {
            signedTick.stop();
            return;
        }
        const QByteArray body = R"({"event":"call_ended","call":{"call_id":"call_bench_signed_)" + QByteArray::number(signedSent)
            + R"(","to_number":"+4930123456","call_status":"ended"}})";
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        QNetworkReply *reply = post(signedPool, url, body, WebhookSignatures::signRetell(body, retellKey, nowMs()));
        ++signedSent;
        ++pending;
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, timer] {
            signedMillis.push_back(double(timer->nsecsElapsed()) / 1e6);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            signed200 += status == 200 ? 1 : 0;
            signed429 += status == 429 ? 1 : 0;
            --pending;
            reply->deleteLater();
            maybeQuit();
        });
    });
    pace.start();
    signedTick.start();
    loop.exec();
    std::printf("drive %lld %lld %lld %lld %lld %lld %lld %.3f %.3f %.2f\n", floodSent, flood401, flood429, floodOther, signedSent,
                signed200, signed429, percentile(signedMillis, 50), percentile(signedMillis, 99), double(clock.nsecsElapsed()) / 1e9);
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
    QProcess driver;
    driver.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QEventLoop loop;
    QObject::connect(&driver, &QProcess::finished, &loop, &QEventLoop::quit);
    driver.start(QCoreApplication::applicationFilePath(), {u"--drive"_s, u"http://127.0.0.1:%1"_s.arg(*port), u"--rate"_s,
                                                           QString::number(rate), u"--seconds"_s, QString::number(seconds)});
    loop.exec(); // the server answers from this loop meanwhile
    const QList<QByteArray> f = driver.readAllStandardOutput().trimmed().split(' ');
    if (f.size() < 11 || f.first() != "drive") {
        std::printf("refused flood (%s): the driver process failed\n", qPrintable(engine));
        return;
    }
    const qint64 grown = databaseBytes(*db) - before;
    const qint64 stored = db->scalar(u"SELECT COUNT(*) FROM webhook_inbox"_s)->toLongLong();
    const double duration = f.at(10).toDouble();
    std::printf("refused flood, %s, one address, %d s, limit %d refusals/min:\n", qPrintable(engine), seconds, ServerConfig::fromEnvironment().refusedPerMinute);
    std::printf("  unsigned 60 KB: %lld sent (%.0f/s), %lld answered 401, %lld answered 429, %lld other\n", f.at(1).toLongLong(),
                f.at(1).toDouble() / duration, f.at(2).toLongLong(), f.at(3).toLongLong(), f.at(4).toLongLong());
    std::printf("  signed: %lld sent, %lld answered 200, %lld answered 429; answer p50 %.2f ms p99 %.2f ms; %lld stored in the inbox\n",
                f.at(5).toLongLong(), f.at(6).toLongLong(), f.at(7).toLongLong(), f.at(8).toDouble(), f.at(9).toDouble(), stored);
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
    parser.addOptions({engines, rate, seconds, drive});
    parser.process(app);
    if (parser.isSet(drive))
        return driveMain(QUrl(parser.value(drive)), parser.value(rate).toInt(), parser.value(seconds).toInt());
    QStringList list = parser.values(engines);
    if (list.isEmpty())
        list = test::postgresAvailable() ? QStringList{u"sqlite"_s, u"postgresql"_s} : QStringList{u"sqlite"_s};
    qputenv("QT_LOGGING_RULES", "askpro.*.info=false;askpro.*.warning=false;qt.*=false");
    for (const QString &engine : std::as_const(list))
        run(engine, parser.value(rate).toInt(), parser.value(seconds).toInt());
    return 0;
}
