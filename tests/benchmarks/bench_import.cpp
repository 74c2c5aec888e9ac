// Benchmark (prints figures, never fails for being slow): 100,000 customers from a German CSV export through
// `askpro-server import customers`, dry run, apply and a second apply (which changes nothing), on SQLite and
// PostgreSQL. Each run is its own server process: wall seconds and that process's peak RSS (wait4).
#include "core/clock.h"
#include "db/migrator.h"
#include "testdatabase.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

extern char **environ;

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

struct Figure
{
    double seconds = 0;
    double rssMb = 0;
    QJsonObject report;
};

// Runs the server command with its output in a file; the child's own peak RSS comes from wait4.
Figure runServer(const QStringList &arguments, const QString &outputPath)
{
    std::vector<QByteArray> args{QByteArray(ASKPRO_SERVER)};
    for (const QString &a : arguments)
        args.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, outputPath.toLocal8Bit().constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    QElapsedTimer timer;
    timer.start();
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
        qFatal("cannot start %s", ASKPRO_SERVER);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    Figure f;
    f.seconds = timer.elapsed() / 1000.0;
    f.rssMb = usage.ru_maxrss / 1024.0;
    QFile output(outputPath);
    if (output.open(QIODevice::ReadOnly))
        f.report = QJsonDocument::fromJson(output.readAll()).object();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        std::fprintf(stderr, "askpro-server %s failed (status %d)\n", qPrintable(arguments.join(u' ')), status);
    return f;
}

// A practice's export: Windows-1252, semicolons, a note over two lines now and then, every 50th number invalid.
void writeCsv(const QString &path, int customers)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write("Kundennummer;Vorname;Nachname;Telefon;E-Mail;Notiz\r\n");
    for (int i = 1; i <= customers; ++i) {
        const QString phone = i % 50 == 0 ? u"12"_s : u"030 %1"_s.arg(2000000 + i);
        const QString notes = i % 10 == 0 ? u"\"Rückruf bitte\r\nnur vormittags\""_s : QString();
        file.write(u"K%1;Jörg;Müller-%1;%2;kunde%1@example.de;%3\r\n"_s.arg(i).arg(phone, notes).toLatin1());
    }
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

QString spread(const std::vector<double> &v)
{
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return v.empty() ? QString() : u"%1–%2"_s.arg(*lo, 0, 'f', 2).arg(*hi, 0, 'f', 2);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({{u"customers"_s, u"Rows in the file (default 100000)."_s, u"n"_s, u"100000"_s},
                       {u"runs"_s, u"Repetitions per engine (default 3)."_s, u"n"_s, u"3"_s},
                       {u"engine"_s, u"sqlite, postgresql or both (default)."_s, u"name"_s, u"both"_s}});
    parser.addHelpOption();
    parser.process(app);
    const int customers = parser.value(u"customers"_s).toInt();
    const int runs = std::max(1, parser.value(u"runs"_s).toInt());
    QTemporaryDir dir;
    const QString csv = dir.filePath(u"kunden.csv"_s);
    writeCsv(csv, customers);
    std::printf("bench_import: %d customers, %.1f MB CSV (Windows-1252, semicolons), %d runs per engine\n", customers,
                QFile(csv).size() / 1048576.0, runs);
    QStringList engines{u"sqlite"_s, u"postgresql"_s};
    if (parser.value(u"engine"_s) != u"both"_s)
        engines = {parser.value(u"engine"_s)};
    for (const QString &engine : engines) {
        if (engine == u"postgresql"_s && !test::postgresAvailable()) {
            std::printf("%s: no PostgreSQL test cluster (set ASKPRO_TEST_PG_URL)\n", qPrintable(engine));
            continue;
        }
        std::vector<double> drySec, dryRss, applySec, applyRss, againSec, againRss, longest;
        for (int run = 0; run < runs; ++run) {
            const QString url = test::freshDatabaseUrl(engine);
            qint64 company = 0;
            {
                auto db = Database::open(url);
                if (!db)
                    qFatal("%s", qPrintable(db.error().describe()));
                if (auto migrated = Migrator(**db).migrate(); !migrated)
                    qFatal("%s", qPrintable(migrated.error().describe()));
                company = test::plantCompanyAndBranch(**db, u"+49309990000"_s).first;
            }
            const QStringList common{u"import"_s, u"customers"_s, u"--db"_s, url, u"--company"_s, QString::number(company),
                                     u"--file"_s, csv, u"--json"_s};
            const QString out = dir.filePath(u"out.json"_s);
            const Figure dry = runServer(common, out);
            const Figure apply = runServer(common + QStringList{u"--apply"_s}, out);
            const Figure again = runServer(common + QStringList{u"--apply"_s}, out);
            drySec.push_back(dry.seconds);
            dryRss.push_back(dry.rssMb);
            applySec.push_back(apply.seconds);
            applyRss.push_back(apply.rssMb);
            againSec.push_back(again.seconds);
            againRss.push_back(again.rssMb);
            longest.push_back(apply.report.value(u"longest_transaction_ms"_s).toDouble());
            std::printf("  %s run %d: dry run %.2f s %.0f MB (%lld would be created, %lld skipped); apply %.2f s %.0f MB (%lld created, "
                        "longest transaction %lld ms, %d batches); second apply %.2f s %.0f MB (%lld created, %lld updated, %lld "
                        "unchanged)\n",
                        qPrintable(engine), run + 1, dry.seconds, dry.rssMb, qint64(dry.report.value(u"created"_s).toDouble()),
                        qint64(dry.report.value(u"skipped"_s).toDouble()), apply.seconds, apply.rssMb,
                        qint64(apply.report.value(u"created"_s).toDouble()), qint64(apply.report.value(u"longest_transaction_ms"_s).toDouble()),
                        apply.report.value(u"batches"_s).toInt(), again.seconds, again.rssMb, qint64(again.report.value(u"created"_s).toDouble()),
                        qint64(again.report.value(u"updated"_s).toDouble()), qint64(again.report.value(u"unchanged"_s).toDouble()));
            std::fflush(stdout);
        }
        std::printf("%s: dry run median %.2f s (%s), peak RSS median %.0f MB (%s); apply median %.2f s (%s), peak RSS median %.0f MB "
                    "(%s), longest transaction median %.0f ms (%s); second apply median %.2f s (%s), peak RSS median %.0f MB (%s)\n",
                    qPrintable(engine), median(drySec), qPrintable(spread(drySec)), median(dryRss), qPrintable(spread(dryRss)),
                    median(applySec), qPrintable(spread(applySec)), median(applyRss), qPrintable(spread(applyRss)), median(longest),
                    qPrintable(spread(longest)), median(againSec), qPrintable(spread(againSec)), median(againRss), qPrintable(spread(againRss)));
        std::fflush(stdout);
    }
    return 0;
}
