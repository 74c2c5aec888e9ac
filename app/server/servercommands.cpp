// askpro-server subcommands: each opens the database named by --db / ASKPRO_DB and does one job.
#include "servercommands.h"

#include "billing/einvoicexml.h"
#include "billing/invoicegenerator.h"
#include "billing/invoicemailer.h"
#include "billing/stripebilling.h"
#include "core/clock.h"
#include "documents/invoicepdf.h"
#include "db/backup.h"
#include "db/connectionstring.h"
#include "db/database.h"
#include "db/doctor.h"
#include "db/migrator.h"
#include "demo/demoseeder.h"
#include "flow/recoverysweep.h"
#include "health/healthcheck.h"
#include "importer/customerimport.h"
#include "http/askproserver.h"
#include "setup/providerconnector.h"
#include "setup/setuprunner.h"
#include "support/auditlog.h"
#include "security/credentialstore.h"
#include "security/userstore.h"
#include "security/secretbox.h"

#include <csignal>
#include <pwd.h>
#include <functional>
#include <sys/socket.h>
#include <unistd.h>

#include <QNetworkAccessManager>
#include <QSocketNotifier>

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QSaveFile>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

QCommandLineOption dbOption()
{
    return QCommandLineOption(u"db"_s,
                              QCoreApplication::translate("ServerCommands",
                                                          "Database connection string: sqlite:PATH or postgresql://user[:pass]@host:port/db "
                                                          "(default: $ASKPRO_DB, else the embedded SQLite file)."),
                              u"url"_s);
}

// Parses a subcommand's options; prints its help and exits on --help.
void parseOrExit(QCommandLineParser &parser, const QStringList &arguments, const QString &description)
{
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addOption(dbOption());
    parser.process(QStringList{QCoreApplication::applicationName()} + arguments.mid(1));
}

QString dbUrl(const QCommandLineParser &parser)
{
    if (parser.isSet(u"db"_s))
        return parser.value(u"db"_s);
    const QString env = qEnvironmentVariable("ASKPRO_DB");
    return env.isEmpty() ? ConnectionString::defaultUrl() : env;
}

// Opens and migrates the database; prints the reason and returns nullptr when that fails.
std::shared_ptr<Database> openMigrated(const QCommandLineParser &parser)
{
    auto db = Database::open(dbUrl(parser));
    if (!db) {
        err() << db.error().describe() << Qt::endl;
        return nullptr;
    }
    auto applied = Migrator(**db).migrate();
    if (!applied) {
        err() << applied.error().describe() << Qt::endl;
        return nullptr;
    }
    return *db;
}

QString keyFilePath(const QString &configured, const Database &db)
{
    if (!configured.isEmpty())
        return configured;
    if (db.engine() == Engine::Sqlite)
        return QFileInfo(db.connectionString().path).absolutePath() + u"/askpro.key"_s;
    return QFileInfo(ConnectionString::defaultUrl().mid(7)).absolutePath() + u"/askpro.key"_s;
}

// The options of every command that reaches providers or stored secrets; values override ASKPRO_* variables.
void addServiceOptions(QCommandLineParser &parser)
{
    // ServerCommands::tr spelled out: lupdate files a bare tr() here under "askpro", not the runtime context.
    parser.addOptions({
        {u"key-file"_s, ServerCommands::tr("File holding the key that encrypts stored secrets (created 0600 if missing)."), u"path"_s},
        {u"retell-url"_s, ServerCommands::tr("Retell API base URL."), u"url"_s},
        {u"calcom-url"_s, ServerCommands::tr("Cal.com API v2 base URL."), u"url"_s},
        {u"stripe-url"_s, ServerCommands::tr("Stripe API base URL."), u"url"_s},
        {u"smtp-url"_s, ServerCommands::tr("SMTP server, e.g. smtp://mail.example.org:587."), u"url"_s},
        {u"smtp-require-tls"_s, ServerCommands::tr("Refuse to send mail without TLS even to this machine's own relay (TLS is required for every other host).")},
        {u"public-url"_s, ServerCommands::tr("The URL under which Retell and Cal.com reach this server."), u"url"_s},
    });
}

ServerConfig serviceConfig(const QCommandLineParser &parser)
{
    ServerConfig config = ServerConfig::fromEnvironment();
    if (parser.isSet(u"retell-url"_s))
        config.endpoints.retell = QUrl(parser.value(u"retell-url"_s));
    if (parser.isSet(u"calcom-url"_s))
        config.endpoints.calcom = QUrl(parser.value(u"calcom-url"_s));
    if (parser.isSet(u"stripe-url"_s))
        config.endpoints.stripe = QUrl(parser.value(u"stripe-url"_s));
    if (parser.isSet(u"smtp-url"_s))
        config.smtp.url = parser.value(u"smtp-url"_s);
    if (parser.isSet(u"smtp-require-tls"_s))
        config.smtp.requireTls = true;
    if (parser.isSet(u"public-url"_s))
        config.publicUrl = parser.value(u"public-url"_s);
    if (parser.isSet(u"key-file"_s))
        config.keyFile = parser.value(u"key-file"_s);
    if (qobject_cast<QGuiApplication *>(QCoreApplication::instance())) // see main.cpp: invoice PDFs need QtGui
        config.invoicePdf = [](const InvoiceDocument &invoice) { return InvoicePdf::render(invoice); };
    return config;
}

// The key for stored secrets; prints why and returns nothing when it cannot be had.
// A missing key file gets a new key only while nothing is sealed: a new key could open none of the stored
// secrets, and quietly making one would hide a lost file until the first provider call fails.
std::optional<SecretBox> openSecrets(const ServerConfig &config, Database &db)
{
    const QString path = keyFilePath(config.keyFile, db);
    auto sealed = db.scalar(u"SELECT COUNT(*) FROM api_credentials"_s);
    if (!sealed) {
        err() << sealed.error().describe() << Qt::endl;
        return std::nullopt;
    }
    const qint64 count = sealed->toLongLong();
    auto box = SecretBox::fromKeyFile(path, count > 0 ? SecretBox::Missing::Refuse : SecretBox::Missing::Create);
    if (!box) {
        err() << box.error().describe() << Qt::endl;
        if (box.error().code == u"secrets.key_missing"_s) {
            err() << ServerCommands::tr("%n credential(s) are sealed with the missing key, so no new key is made. Restore %1 from a backup; if "
                        "a key rotation stopped half-way, the new key is in %2: move it to %1. Then `askpro-server credentials "
                        "--rotate-key` makes a fresh key when one is wanted.",
                        nullptr, int(count))
                         .arg(path, path + u".next"_s)
                  << Qt::endl;
        }
        return std::nullopt;
    }
    // Keys stored by an older version are sealed with their address now (CredentialStore::get()). A key that
    // does not open them is reported and left to the command, which may be the one that repairs it.
    if (count > 0) {
        auto resealed = CredentialStore(db, *box).sealAddresses();
        if (!resealed)
            err() << resealed.error().describe() << Qt::endl;
        else if (*resealed > 0)
            err() << ServerCommands::tr("Sealed the address of %n stored credential(s) together with its key.", nullptr, *resealed) << Qt::endl;
    }
    return *box;
}

// Who a command acts as in the audit log: the command and the operating system's user that ran it.
Actor commandActor(const QString &command)
{
    const passwd *account = ::getpwuid(::geteuid());
    const QString user = account ? QString::fromLocal8Bit(account->pw_name) : qEnvironmentVariable("USER", u"unknown"_s);
    return Actor::system(u"askpro-server %1 (%2)"_s.arg(command, user));
}

// One audit row for what a command changed (as the command and the machine's user); a failure to write it
// is reported, not fatal: the change itself is done and visible in its own tables.
void auditCommand(Database &db, const QString &command, const QString &action, const QString &entity, qint64 entityId, const QJsonObject &after)
{
    const QString text = QString::fromUtf8(QJsonDocument(after).toJson(QJsonDocument::Compact));
    if (auto logged = AuditLog(db).write(commandActor(command), action, entity, entityId, QString(), text); !logged)
        err() << logged.error().describe() << Qt::endl;
}

// Reads one line from standard input (a password or a key), so it never shows in the process list.
QString readSecretLine()
{
    QTextStream in(stdin);
    return in.readLine();
}

// Runs an asynchronous operation to its end: start receives the callback the operation calls once when it
// is done, which may happen at once, before there is an event loop to leave.
void runToEnd(const std::function<void(const std::function<void()> &finished)> &start)
{
    bool done = false;
    start([&done] {
        done = true;
        QCoreApplication::exit(0);
    });
    if (!done)
        QCoreApplication::exec();
}

// SIGTERM and SIGINT end the event loop through a socket pair, the one async-signal-safe way.
int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

void quitOnSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, QCoreApplication::instance(), [] { QCoreApplication::quit(); });
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
}

} // namespace

int ServerCommands::usage()
{
    err() << tr("Usage: askpro-server COMMAND [options]\n\n"
                "Commands:\n"
                "  migrate   bring the database to the current schema\n"
                "  doctor    report orphans and duplicates; --fix repairs them after a backup\n"
                "  backup    write a consistent copy of the database to a file\n"
                "  health    run the health checks now, print them; exit code 1 when one is down\n"
                "  connect   set up Retell and Cal.com for branches (agents, numbers, event types, webhook)\n"
                "  setup     take a new business live from a JSON file (--from), or --resume / --cancel a setup run\n"
                "  recover   retry requested-but-unbooked calls and fetch calls whose webhooks were lost\n"
                "  serve     receive webhooks and process calls (HTTP server and workers)\n"
                "  credentials  store, list or rotate provider keys (read from standard input), encrypted; rotate the secrets key\n"
                "  users     add, list and change the people who sign in to AskPro Admin\n"
                "  demo-seed fill an empty database with German demo companies, calls and appointments\n"
                "  invoices  generate, preview, credit and export monthly invoices (PDF, XRechnung XML)\n"
                "  import    import customers from a CSV file: a dry run report, or --apply\n\n"
                "Run 'askpro-server COMMAND --help' for a command's options.")
          << Qt::endl;
    return 2;
}

int ServerCommands::run(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    if (command == u"migrate"_s)
        return migrate(arguments);
    if (command == u"doctor"_s)
        return doctor(arguments);
    if (command == u"backup"_s)
        return backup(arguments);
    if (command == u"serve"_s)
        return serve(arguments);
    if (command == u"credentials"_s)
        return credentials(arguments);
    if (command == u"recover"_s)
        return recover(arguments);
    if (command == u"connect"_s)
        return connectProviders(arguments);
    if (command == u"setup"_s)
        return setup(arguments);
    if (command == u"health"_s)
        return health(arguments);
    if (command == u"demo-seed"_s)
        return demoSeed(arguments);
    if (command == u"invoices"_s)
        return invoices(arguments);
    if (command == u"users"_s)
        return users(arguments);
    if (command == u"import"_s)
        return importData(arguments);
    if (command == u"--help"_s || command == u"-h"_s || command == u"help"_s) {
        (void)usage();
        return 0;
    }
    if (!command.isEmpty())
        err() << tr("Unknown command \"%1\".").arg(command) << Qt::endl;
    return usage();
}

int ServerCommands::migrate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parseOrExit(parser, arguments, tr("Brings the database to the schema version of this program."));
    auto db = Database::open(dbUrl(parser));
    if (!db) {
        err() << db.error().describe() << Qt::endl;
        return 1;
    }
    auto applied = Migrator(**db).migrate();
    if (!applied) {
        err() << applied.error().describe() << Qt::endl;
        return 1;
    }
    out() << tr("Database %1 is at schema version %2 (%3 migrations applied).")
                 .arg((*db)->connectionString().redacted())
                 .arg(Migrator::latestVersion())
                 .arg(*applied)
          << Qt::endl;
    return 0;
}

int ServerCommands::doctor(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption fix(u"fix"_s, tr("Repair what was found, in one transaction, after writing a backup."));
    const QCommandLineOption backupPath(u"backup"_s, tr("Where --fix writes its backup (default: beside the database or the current folder)."),
                                        u"path"_s);
    parser.addOption(fix);
    parser.addOption(backupPath);
    parseOrExit(parser, arguments, tr("Reports orphans and duplicates: staff without a company, appointments whose branch is gone, "
                                      "duplicate staff, calls without a branch."));
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    Doctor doctor(*db);
    auto findings = doctor.inspect();
    if (!findings) {
        err() << findings.error().describe() << Qt::endl;
        return 1;
    }
    for (const DoctorFinding &finding : *findings) {
        QStringList ids;
        for (qint64 id : finding.ids.mid(0, 20))
            ids << QString::number(id);
        out() << tr("%1: %2 (ids %3%4)").arg(finding.description).arg(finding.ids.size()).arg(ids.join(u", "_s),
                                                                           finding.ids.size() > 20 ? u", ..."_s : QString())
              << Qt::endl;
    }
    if (findings->isEmpty()) {
        out() << tr("No orphans or duplicates found.") << Qt::endl;
        return 0;
    }
    if (!parser.isSet(fix))
        return 3; // found problems, nothing changed: scripts can tell
    QString path = parser.value(backupPath);
    if (path.isEmpty()) {
        const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd-HHmmss"_s);
        const QString dir = db->engine() == Engine::Sqlite ? QFileInfo(db->connectionString().path).absolutePath() : u"."_s;
        path = dir + u"/askpro-before-doctor-"_s + stamp + (db->engine() == Engine::Sqlite ? u".sqlite"_s : u".dump"_s);
    }
    auto saved = Backup::write(*db, path);
    if (!saved) {
        err() << tr("No repair made: the backup failed: %1").arg(saved.error().describe()) << Qt::endl;
        return 1;
    }
    out() << tr("Backup written to %1").arg(path) << Qt::endl;
    auto repaired = doctor.fix(commandActor(u"doctor --fix"_s).username);
    if (!repaired) {
        err() << tr("Repair failed, nothing was changed: %1").arg(repaired.error().describe()) << Qt::endl;
        return 1;
    }
    out() << tr("Repaired %1 rows.").arg(*repaired) << Qt::endl;
    return 0;
}

int ServerCommands::backup(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"path"_s, tr("The file to write; it must not exist yet."));
    parseOrExit(parser, arguments, tr("Writes a consistent copy of the database (SQLite file or pg_dump archive)."));
    if (parser.positionalArguments().size() != 1) {
        err() << tr("backup needs exactly one PATH") << Qt::endl;
        return 2;
    }
    auto db = Database::open(dbUrl(parser));
    if (!db) {
        err() << db.error().describe() << Qt::endl;
        return 1;
    }
    auto saved = Backup::write(**db, parser.positionalArguments().first());
    if (!saved) {
        err() << saved.error().describe() << Qt::endl;
        return 1;
    }
    out() << tr("Backup written to %1").arg(parser.positionalArguments().first()) << Qt::endl;
    return 0;
}

} // namespace askpro

namespace askpro {

int ServerCommands::serve(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption listen(u"listen"_s, tr("Address and port to listen on (default 127.0.0.1:8080)."), u"host:port"_s,
                                    u"127.0.0.1:8080"_s);
    const QCommandLineOption workers(u"workers"_s, tr("Worker threads (default 2; 0: intake only)."), u"n"_s);
    const QCommandLineOption tlsCert(u"tls-cert"_s, tr("Serve HTTPS with this certificate (PEM; the chain after it)."), u"file"_s);
    const QCommandLineOption tlsKey(u"tls-key"_s, tr("The certificate's private key (PEM, unencrypted; keep it readable by this server only)."),
                                    u"file"_s);
    const QCommandLineOption refusedPerMinute(
        u"refused-per-minute"_s,
        tr("Refused requests (bad webhook signatures, failed sign-ins) one address may cause per minute before it is answered 429 "
           "(default 60; 0: no limit). Correctly signed webhooks are never limited."),
        u"n"_s);
    parser.addOptions({listen, workers, tlsCert, tlsKey, refusedPerMinute});
    addServiceOptions(parser);
    parseOrExit(parser, arguments, tr("Receives Retell and Cal.com webhooks and the voice agent's live functions, stores them durably "
                                      "and processes calls into bookings with worker threads. Settings also come from ASKPRO_* "
                                      "environment variables."));
    ServerConfig config = serviceConfig(parser);
    if (parser.isSet(workers))
        config.workers = parser.value(workers).toInt();
    if (parser.isSet(refusedPerMinute)) {
        bool ok = false;
        config.refusedPerMinute = parser.value(refusedPerMinute).toInt(&ok);
        if (!ok || config.refusedPerMinute < 0) {
            err() << tr("--refused-per-minute needs a count of 0 or more") << Qt::endl;
            return 2;
        }
    }
    const QString address = parser.value(listen);
    const qsizetype colon = address.lastIndexOf(u':');
    bool portOk = false;
    const int port = address.mid(colon + 1).toInt(&portOk);
    const QHostAddress host(address.left(colon));
    if (colon < 0 || !portOk || port < 0 || port > 65535 || host.isNull()) {
        err() << tr("--listen needs HOST:PORT, e.g. 127.0.0.1:8080") << Qt::endl;
        return 2;
    }
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    auto box = openSecrets(config, *db);
    if (!box)
        return 1;
    quitOnSignals();
    if (parser.isSet(tlsCert) != parser.isSet(tlsKey)) {
        err() << tr("--tls-cert and --tls-key go together.") << Qt::endl;
        return 2;
    }
    AskProServer server(db, *box, config, config.workers > 0);
    if (parser.isSet(tlsCert)) {
        if (auto tls = server.useTls(parser.value(tlsCert), parser.value(tlsKey)); !tls) {
            err() << tls.error().describe() << Qt::endl;
            return 1;
        }
    }
    auto bound = server.start(host, quint16(port));
    if (!bound) {
        err() << bound.error().describe() << Qt::endl;
        return 1;
    }
    out() << tr("askpro-server listening on %1:%2 with %3 workers, database %4")
                 .arg(host.toString())
                 .arg(*bound)
                 .arg(config.workers)
                 .arg(db->connectionString().redacted())
          << Qt::endl;
    const int code = QCoreApplication::exec();
    server.stop();
    return code;
}

int ServerCommands::credentials(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption company(u"company"_s, tr("The company the credential belongs to (default: the platform's own account)."),
                                     u"id"_s);
    const QCommandLineOption baseUrl(u"base-url"_s, tr("The provider's base URL for this credential (default: the configured one)."),
                                     u"url"_s);
    const QCommandLineOption grace(u"grace-hours"_s,
                                   tr("Rotate: the replaced key and webhook secret keep verifying webhooks for this many hours."), u"hours"_s);
    const QCommandLineOption list(u"list"_s, tr("List the stored credentials, masked."));
    const QCommandLineOption rotateKeyOption(u"rotate-key"_s, tr("Encrypt every stored secret under a new key and replace the key file."));
    parser.addOptions({company, baseUrl, grace, list, rotateKeyOption});
    addServiceOptions(parser);
    parser.addPositionalArgument(u"provider"_s, tr("retell, calcom, stripe, smtp or twilio"));
    parseOrExit(parser, arguments, tr("Stores a provider credential encrypted. Reads the API key from the first line of standard input "
                                      "and an optional webhook signing secret from the second, so secrets never appear in the "
                                      "process list or the shell history."));
    if (parser.isSet(list))
        return listCredentials(parser);
    if (parser.isSet(rotateKeyOption))
        return rotateKey(parser);
    const QString provider = parser.positionalArguments().value(0);
    if (!QStringList{u"retell"_s, u"calcom"_s, u"stripe"_s, u"smtp"_s, u"twilio"_s}.contains(provider)) {
        err() << tr("credentials needs a provider: retell, calcom, stripe, smtp or twilio") << Qt::endl;
        return 2;
    }
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    auto box = openSecrets(serviceConfig(parser), *db);
    if (!box)
        return 1;
    QTextStream in(stdin);
    Credential credential;
    credential.provider = provider;
    credential.baseUrl = parser.value(baseUrl);
    credential.secret = in.readLine().trimmed().toUtf8();
    credential.webhookSecret = in.readLine().trimmed().toUtf8();
    if (parser.isSet(company))
        credential.companyId = parser.value(company).toLongLong();
    if (credential.secret.isEmpty()) {
        err() << tr("No API key on standard input") << Qt::endl;
        return 2;
    }
    // Twilio: "AccountSid:AuthToken" on the first line, the sender (+E.164 number or MG… messaging service) on the second.
    if (provider == u"twilio"_s && (!credential.secret.startsWith("AC") || !credential.secret.contains(':') || credential.webhookSecret.isEmpty())) {
        err() << tr("Twilio needs \"AccountSid:AuthToken\" on the first line and the sender number or messaging service SID on the second")
              << Qt::endl;
        return 2;
    }
    CredentialStore store(*db, *box);
    const Actor actor = commandActor(u"credentials"_s);
    auto stored = parser.isSet(grace) ? store.rotate(actor, credential, std::chrono::hours(parser.value(grace).toInt()))
                                      : store.put(credential, actor);
    if (!stored) {
        err() << stored.error().describe() << Qt::endl;
        return 1;
    }
    out() << tr("Stored %1 credential %2").arg(provider, CredentialStore::mask(credential.secret)) << Qt::endl;
    return 0;
}

int ServerCommands::listCredentials(const QCommandLineParser &parser)
{
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    auto box = openSecrets(serviceConfig(parser), *db);
    if (!box)
        return 1;
    auto rows = CredentialStore(*db, *box).summaries(commandActor(u"credentials --list"_s));
    if (!rows) {
        err() << rows.error().describe() << Qt::endl;
        return 1;
    }
    for (const CredentialSummary &row : *rows) {
        out() << tr("%1\t%2\tkey %3\twebhook secret %4\t%5")
                     .arg(row.provider, row.companyId ? row.companyName : tr("platform"), row.secretHint,
                          row.webhookSecretHint.isEmpty() ? u"-"_s : row.webhookSecretHint,
                          row.previousValidUntilMs ? tr("previous secret valid until %1")
                                                         .arg(QDateTime::fromMSecsSinceEpoch(*row.previousValidUntilMs, QTimeZone::utc())
                                                                  .toString(Qt::ISODate))
                                                   : QString())
              << Qt::endl;
    }
    return 0;
}

int ServerCommands::rotateKey(const QCommandLineParser &parser)
{
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    const ServerConfig config = serviceConfig(parser);
    auto box = openSecrets(config, *db);
    if (!box)
        return 1;
    // The database is re-sealed first, then the file replaced by a rename; between the two the new key
    // waits in KEYFILE.next, which is where to look should the machine stop right there.
    const QString path = keyFilePath(config.keyFile, *db);
    const QByteArray next = SecretBox::newKey();
    if (auto saved = SecretBox::writeKeyFile(path + u".next"_s, next); !saved) {
        err() << saved.error().describe() << Qt::endl;
        return 1;
    }
    CredentialStore store(*db, *box);
    auto rows = store.reencrypt(commandActor(u"credentials --rotate-key"_s), SecretBox(next));
    if (!rows) {
        QFile::remove(path + u".next"_s);
        err() << rows.error().describe() << Qt::endl;
        return 1;
    }
    if (auto replaced = SecretBox::writeKeyFile(path, next); !replaced) {
        err() << replaced.error().describe() << Qt::endl
              << tr("The secrets are now sealed with the key in %1; move it to %2.").arg(path + u".next"_s, path) << Qt::endl;
        return 1;
    }
    QFile::remove(path + u".next"_s);
    out() << tr("Rotated the secrets key: %n credential(s) sealed again, %1 replaced.", nullptr, *rows).arg(path) << Qt::endl;
    return 0;
}

int ServerCommands::users(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption role(u"role"_s, tr("admin, owner, support or onboarding."), u"role"_s);
    const QCommandLineOption displayName(u"display-name"_s, tr("The name shown in the app and the audit log."), u"name"_s);
    const QCommandLineOption language(u"language"_s, tr("de or en (default: the system's)."), u"lang"_s);
    parser.addOptions({role, displayName, language});
    parser.addPositionalArgument(u"action"_s, tr("list, add, set-role, passwd, deactivate or activate"));
    parser.addPositionalArgument(u"username"_s, tr("The user to act on."));
    parseOrExit(parser, arguments.mid(0),
                tr("Manages the people who sign in to AskPro Admin. add and passwd read the password from standard input."));
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    const QString username = positional.value(1).trimmed().toLower();
    if (!QStringList{u"list"_s, u"add"_s, u"set-role"_s, u"passwd"_s, u"deactivate"_s, u"activate"_s}.contains(action)
        || (action != u"list"_s && username.isEmpty())) {
        err() << tr("users needs an action (list, add, set-role, passwd, deactivate, activate) and, except for list, a user name")
              << Qt::endl;
        return 2;
    }
    std::optional<Role> chosenRole;
    if (parser.isSet(role)) {
        chosenRole = AccessPolicy::roleFromCode(parser.value(role));
        if (!chosenRole) {
            err() << tr("Unknown role \"%1\": use admin, owner, support or onboarding.").arg(parser.value(role)) << Qt::endl;
            return 2;
        }
    }
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    UserStore store(*db);
    const Actor actor = commandActor(u"users "_s + action);
    auto all = store.list(actor);
    if (!all) {
        err() << all.error().describe() << Qt::endl;
        return 1;
    }
    if (action == u"list"_s) {
        for (const UserRecord &user : *all) {
            out() << user.username << '\t' << AccessPolicy::roleCode(user.role) << '\t' << (user.active ? tr("active") : tr("inactive"))
                  << '\t' << user.displayName << Qt::endl;
        }
        return 0;
    }
    Status done;
    if (action == u"add"_s) {
        NewUser user{username, parser.value(displayName), readSecretLine(), chosenRole.value_or(Role::Support), parser.value(language)};
        auto created = store.create(actor, user);
        done = created ? Status() : Status(created.error());
    } else {
        const auto found = std::find_if(all->cbegin(), all->cend(), [&](const UserRecord &u) { return u.username == username; });
        if (found == all->cend()) {
            err() << tr("There is no user %1.").arg(username) << Qt::endl;
            return 1;
        }
        if (action == u"passwd"_s) {
            done = store.setPassword(actor, found->id, readSecretLine());
        } else {
            UserChanges changes;
            if (action == u"set-role"_s) {
                if (!chosenRole) {
                    err() << tr("set-role needs --role.") << Qt::endl;
                    return 2;
                }
                changes.role = chosenRole;
            }
            if (action == u"deactivate"_s || action == u"activate"_s)
                changes.active = action == u"activate"_s;
            if (parser.isSet(displayName))
                changes.displayName = parser.value(displayName);
            if (parser.isSet(language))
                changes.language = parser.value(language);
            done = store.update(actor, found->id, changes);
        }
    }
    if (!done) {
        err() << done.error().describe() << Qt::endl;
        return 1;
    }
    out() << tr("Done: %1 %2.").arg(action, username) << Qt::endl;
    return 0;
}

} // namespace askpro

namespace askpro {

int ServerCommands::recover(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption hours(u"hours"_s, tr("How far back to look (default 24)."), u"n"_s, u"24"_s);
    parser.addOption(hours);
    addServiceOptions(parser);
    parseOrExit(parser, arguments, tr("Queues a booking retry for every call of the recent window that asked for an appointment and "
                                      "got none, marks what cannot be recovered, and lists Retell's calls to store any whose webhooks "
                                      "never arrived. A running server's workers then process them."));
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    const ServerConfig config = serviceConfig(parser);
    auto box = openSecrets(config, *db);
    if (!box)
        return 1;
    CredentialStore credentials(*db, *box);
    QNetworkAccessManager network;
    RecoverySweep sweep(*db, credentials, &network, config.endpoints);
    int code = 0;
    runToEnd([&](const std::function<void()> &finished) {
        sweep.run(parser.value(hours).toLongLong() * 60 * 60 * 1000, [&code, finished](const JobOutcome &outcome) {
            if (outcome.kind != JobOutcome::Kind::Done) {
                err() << outcome.error.describe() << Qt::endl;
                code = 1;
            }
            finished();
        });
    });
    const SweepReport &r = sweep.report();
    auditCommand(*db, u"recover"_s, u"calls.recover"_s, u"call"_s, 0,
                 {{u"retries_queued"_s, r.retriesQueued}, {u"marked_unrecoverable"_s, r.markedUnrecoverable},
                  {u"lost_calls_recovered"_s, r.lostCallsRecovered}});
    out() << tr("Retries queued: %1; marked unrecoverable: %2; Retell calls listed: %3; lost calls recovered: %4")
                 .arg(r.retriesQueued)
                 .arg(r.markedUnrecoverable)
                 .arg(r.callsListed)
                 .arg(r.lostCallsRecovered)
          << Qt::endl;
    return code;
}

int ServerCommands::demoSeed(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption daysOption(u"days"_s, tr("Days of call history to create (default 90)."), u"n"_s, u"90"_s);
    parser.addOption(daysOption);
    const QCommandLineOption calendarOption(u"calendar"_s,
                                            tr("Also write the demo's calendar (staff, hours, event types, upcoming appointments) to "
                                               "FILE for the provider sandbox's --seed, also when no data was added."),
                                            u"FILE"_s);
    parser.addOption(calendarOption);
    parseOrExit(parser, arguments, tr("Fills an empty database with demo data; does nothing when companies exist."));
    bool ok = false;
    const int days = parser.value(daysOption).toInt(&ok);
    if (!ok || days < 1 || days > 3650) {
        err() << tr("--days must be a number from 1 to 3650") << Qt::endl;
        return 2;
    }
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    QElapsedTimer timer;
    timer.start();
    auto seeded = DemoSeeder(*db).seed(days);
    if (!seeded) {
        err() << seeded.error().describe() << Qt::endl;
        return 1;
    }
    if (parser.isSet(calendarOption)) {
        auto calendar = DemoSeeder::sandboxCalendar(*db);
        QSaveFile file(parser.value(calendarOption));
        if (!calendar || !file.open(QIODevice::WriteOnly) || file.write(*calendar) != calendar->size() || !file.commit()) {
            err() << tr("Cannot write the demo calendar to %1: %2")
                         .arg(parser.value(calendarOption), calendar ? file.errorString() : calendar.error().describe())
                  << Qt::endl;
            return 1;
        }
    }
    if (seeded->skipped) {
        out() << tr("The database already holds companies; no demo data added.") << Qt::endl;
        return 0;
    }
    out() << tr("Demo data added in %1 ms: %2 companies, %3 branches, %4 customers, %5 calls, %6 appointments, %7 webhook deliveries, "
                "%8 messages.")
                 .arg(timer.elapsed())
                 .arg(seeded->companies)
                 .arg(seeded->branches)
                 .arg(seeded->customers)
                 .arg(seeded->calls)
                 .arg(seeded->appointments)
                 .arg(seeded->inboxRows)
                 .arg(seeded->messages)
          << Qt::endl;
    auditCommand(*db, u"demo-seed"_s, u"demo.seed"_s, u"company"_s, 0,
                 {{u"companies"_s, seeded->companies}, {u"calls"_s, seeded->calls}, {u"users"_s, seeded->users}});
    if (seeded->users > 0)
        out() << tr("Demo sign-in: %1, password %2.")
                     .arg(DemoSeeder::demoUsernames().join(u", "_s), QString::fromLatin1(DemoSeeder::demoPassword))
              << Qt::endl;
    return 0;
}

} // namespace askpro

namespace askpro {

int ServerCommands::connectProviders(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption branch(u"branch"_s, tr("The branch to connect (repeatable)."), u"id"_s);
    const QCommandLineOption all(u"all"_s, tr("Connect every active branch."));
    const QCommandLineOption sipHost(u"sip-host"_s, tr("The carrier SIP trunk's termination host, for numbers Retell does not hold yet."), u"host"_s);
    const QCommandLineOption sipUser(u"sip-user"_s, tr("The SIP trunk's user name."), u"user"_s);
    parser.addOptions({branch, all, sipHost, sipUser});
    addServiceOptions(parser);
    parseOrExit(parser, arguments, tr("Creates or reuses, for each branch: a Cal.com event type per service and the booking webhook, "
                                      "the Retell LLM with the booking tools, the voice agent, and the phone number bound to it. "
                                      "Safe to run again: what exists is found and reused."));
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    const ServerConfig config = serviceConfig(parser);
    auto box = openSecrets(config, *db);
    if (!box)
        return 1;
    QList<qint64> branches;
    for (const QString &id : parser.values(branch))
        branches << id.toLongLong();
    if (parser.isSet(all)) {
        auto active = ProviderConnector::activeBranchIds(*db);
        if (!active) {
            err() << active.error().describe() << Qt::endl;
            return 1;
        }
        branches << *active;
    }
    if (branches.isEmpty()) {
        err() << tr("Name a branch with --branch ID, or use --all") << Qt::endl;
        return 2;
    }
    CredentialStore credentials(*db, *box);
    QNetworkAccessManager network;
    ProviderConnector connector(*db, credentials, &network, config.endpoints, config.publicUrl);
    if (parser.isSet(sipHost)) {
        if (!SetupInput::isSipHost(parser.value(sipHost))) {
            err() << tr("%1 is not a SIP host name (the trunk's host alone, without sip:, port or path)").arg(parser.value(sipHost)) << Qt::endl;
            return 2;
        }
        // The password from the environment, never the command line (where every user sees it).
        connector.setSipTrunk(parser.value(sipHost), parser.value(sipUser), qgetenv("ASKPRO_SIP_PASSWORD"));
    }
    QObject::connect(&connector, &ProviderConnector::progress, &connector, [](const QString &step, const QString &state, const QString &message) {
        if (state != u"running"_s)
            out() << u"  [%1] %2: %3"_s.arg(state, step, message) << Qt::endl;
    });
    int failures = 0;
    for (qint64 id : std::as_const(branches)) {
        out() << tr("Branch %1:").arg(id) << Qt::endl;
        runToEnd([&](const std::function<void()> &finished) {
            connector.connectBranch(id, [&, finished](const Status &status) {
                if (!status) {
                    err() << tr("Branch %1 not connected: %2").arg(id).arg(status.error().describe()) << Qt::endl;
                    ++failures;
                } else {
                    auditCommand(*db, u"connect"_s, u"branch.connect"_s, u"branch"_s, id, {{u"connected"_s, true}});
                }
                finished();
            });
        });
    }
    return failures == 0 ? 0 : 1;
}

} // namespace askpro

namespace askpro {

int ServerCommands::health(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption noRecord(u"no-record"_s, tr("Only print; do not store the results or send alerts."));
    parser.addOption(noRecord);
    addServiceOptions(parser);
    parseOrExit(parser, arguments, tr("Checks the database, Retell, Cal.com, Stripe, the mail server, the workers' heartbeats, the job "
                                      "backlog and the webhook failure rate; prints ok / degraded / down with latency and the problem in "
                                      "plain words; stores the results and alerts on changes. Exit code 1 when a check is down."));
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    const ServerConfig config = serviceConfig(parser);
    auto box = openSecrets(config, *db);
    if (!box)
        return 1;
    CredentialStore credentials(*db, *box);
    QNetworkAccessManager network;
    HealthChecker checker(*db, credentials, &network, config);
    QList<CheckResult> results;
    runToEnd([&](const std::function<void()> &finished) {
        checker.runAll([&results, finished](const QList<CheckResult> &r) {
            results = r;
            finished();
        });
    });
    bool down = false;
    for (const CheckResult &r : std::as_const(results)) {
        down = down || r.state == u"down"_s;
        out() << u"%1 %2 %3 ms  %4"_s.arg(r.name, -10).arg(r.state, -9).arg(r.latencyMs, 6).arg(r.message) << Qt::endl;
    }
    if (!parser.isSet(noRecord)) {
        auto recorded = checker.record(results, config.alertEmail);
        if (!recorded)
            err() << recorded.error().describe() << Qt::endl;
    }
    return down ? 1 : 0;
}

} // namespace askpro

namespace askpro {

// Billing (issue 6): generate, preview, credit, and export invoices; queue their Stripe push and mail.
int ServerCommands::invoices(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption month(u"month"_s, tr("The month to invoice, YYYY-MM."), u"month"_s);
    const QCommandLineOption company(u"company"_s, tr("Only this company."), u"id"_s, u"0"_s);
    const QCommandLineOption issued(u"issued"_s, tr("Issue date YYYY-MM-DD (default: today)."), u"date"_s);
    const QCommandLineOption reason(u"reason"_s, tr("Why a credit note is issued."), u"text"_s);
    const QCommandLineOption noFollowUp(u"no-follow-up"_s, tr("Do not queue the Stripe push and the e-mail of new invoices."));
    parser.addOptions({month, company, issued, reason, noFollowUp});
    addServiceOptions(parser);
    parser.addPositionalArgument(u"action"_s, tr("generate | preview | credit NUMBER | pdf NUMBER FILE | xml NUMBER FILE | push NUMBER | "
                                                 "send NUMBER"));
    parseOrExit(parser, arguments, tr("Monthly invoices: 'generate --month YYYY-MM' finalizes one invoice per active company (running "
                                      "a month again creates nothing new) and queues its Stripe push and e-mail for a running "
                                      "server; 'preview' shows the next invoices without writing; 'credit' reverses an invoice; "
                                      "'pdf' and 'xml' write its documents."));
    const QStringList args = parser.positionalArguments();
    const QString action = args.value(0);
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    const ServerConfig config = serviceConfig(parser);
    InvoiceGenerator generator(*db, config.seller);
    qint64 issuedAt = 0;
    if (parser.isSet(issued)) {
        const QDate date = QDate::fromString(parser.value(issued), u"yyyy-MM-dd"_s);
        if (!date.isValid()) {
            err() << tr("--issued needs YYYY-MM-DD") << Qt::endl;
            return 2;
        }
        issuedAt = QDateTime(date, QTime(9, 0), QTimeZone(money::billingZone)).toMSecsSinceEpoch();
    }
    if (action == u"generate"_s || action == u"preview"_s) {
        const QDate first = InvoiceGenerator::parseMonth(parser.value(month));
        if (!first.isValid()) {
            err() << tr("%1 needs --month YYYY-MM").arg(action) << Qt::endl;
            return 2;
        }
        if (action == u"preview"_s) {
            auto plans = generator.previewMonth(first);
            if (!plans) {
                err() << plans.error().describe() << Qt::endl;
                return 1;
            }
            for (const InvoicePlan &p : std::as_const(*plans)) {
                if (parser.value(company).toLongLong() > 0 && p.companyId != parser.value(company).toLongLong())
                    continue;
                out() << tr("%1 (company %2): net %3, VAT %4, total %5").arg(p.companyName).arg(p.companyId)
                             .arg(money::plain(p.netCents), money::plain(p.vatCents), money::plain(p.grossCents))
                      << Qt::endl;
                for (const InvoiceLine &l : p.lines)
                    out() << u"    %1 x %2 = %3  %4"_s.arg(l.quantity).arg(money::plain(l.unitPriceCents), money::plain(l.amountCents),
                                                           l.description)
                          << Qt::endl;
            }
            return 0;
        }
        QElapsedTimer timer;
        timer.start();
        auto report = generator.generateMonth(first, issuedAt, parser.value(company).toLongLong());
        if (!report) {
            err() << report.error().describe() << Qt::endl;
            return 1;
        }
        QJsonArray ids;
        for (qint64 id : std::as_const(report->invoiceIds))
            ids.append(double(id));
        auditCommand(*db, u"invoices generate"_s, u"invoice.generate"_s, u"invoice"_s, 0,
                     {{u"month"_s, parser.value(month)}, {u"invoice_ids"_s, ids}});
        if (!parser.isSet(noFollowUp)) {
            auto queued = InvoiceMailer::queueFollowUps(*db, report->invoiceIds);
            if (!queued)
                err() << tr("Invoices made, but their Stripe push and e-mail were not queued: %1").arg(queued.error().describe())
                      << Qt::endl;
        }
        out() << tr("%1: %2 invoices created (%3), %4 invoiced before, %5 with nothing to bill, in %6 ms.")
                     .arg(first.toString(u"yyyy-MM"_s))
                     .arg(report->created)
                     .arg(report->numbers.isEmpty() ? u"-"_s
                                                   : report->numbers.first()
                                                         + (report->numbers.size() > 1 ? u" .. "_s + report->numbers.last() : QString()))
                     .arg(report->alreadyInvoiced)
                     .arg(report->nothingToBill)
                     .arg(timer.elapsed())
              << Qt::endl;
        for (const QString &failure : std::as_const(report->failures))
            err() << tr("No invoice: %1").arg(failure) << Qt::endl;
        return report->failures.isEmpty() ? 0 : 1;
    }
    if (args.size() < 2) {
        err() << tr("%1 needs an invoice NUMBER").arg(action.isEmpty() ? u"invoices"_s : action) << Qt::endl;
        return 2;
    }
    auto doc = InvoiceDocument::loadByNumber(*db, args.at(1));
    if (!doc) {
        err() << doc.error().describe() << Qt::endl;
        return 1;
    }
    if (action == u"credit"_s) {
        auto credit = generator.createCreditNote(doc->id, parser.value(reason), commandActor(u"invoices credit"_s), issuedAt);
        if (!credit) {
            err() << credit.error().describe() << Qt::endl;
            return 1;
        }
        auto note = InvoiceDocument::load(*db, *credit);
        out() << tr("Credit note %1 corrects %2.").arg(note ? note->number : QString::number(*credit), doc->number) << Qt::endl;
        return 0;
    }
    if (action == u"pdf"_s || action == u"xml"_s) {
        if (args.size() < 3) {
            err() << tr("%1 needs NUMBER FILE").arg(action) << Qt::endl;
            return 2;
        }
        const QString path = args.at(2);
        Result<QByteArray> bytes = action == u"xml"_s ? EInvoiceXml::write(*doc) : InvoicePdf::render(*doc);
        if (!bytes) {
            err() << bytes.error().describe() << Qt::endl;
            return 1;
        }
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(*bytes) != bytes->size()) {
            err() << tr("Cannot write %1: %2").arg(path, file.errorString()) << Qt::endl;
            return 1;
        }
        out() << tr("Wrote %1 (%2 bytes).").arg(path).arg(bytes->size()) << Qt::endl;
        return 0;
    }
    if (action == u"send"_s) {
        auto pdf = InvoicePdf::render(*doc);
        if (!pdf) {
            err() << pdf.error().describe() << Qt::endl;
            return 1;
        }
        auto queued = InvoiceMailer(*db).queue(*doc, *pdf, true);
        if (!queued) {
            err() << queued.error().describe() << Qt::endl;
            return 1;
        }
        out() << tr("E-mail with %1 queued for %2; a running server sends it.").arg(doc->number, doc->buyer.email) << Qt::endl;
        return 0;
    }
    if (action == u"push"_s) {
        auto box = openSecrets(config, *db);
        if (!box)
            return 1;
        CredentialStore credentials(*db, *box);
        QNetworkAccessManager network;
        auto billing = StripeBilling::create(*db, credentials, &network, config.endpoints);
        if (!billing) {
            err() << billing.error().describe() << Qt::endl;
            return 1;
        }
        int code = 0;
        runToEnd([&](const std::function<void()> &finished) {
            (*billing)->pushInvoice(doc->id, [&, finished](const Status &status) {
                if (!status) {
                    err() << status.error().describe() << Qt::endl;
                    code = 1;
                } else {
                    out() << tr("%1 is in Stripe, finalized and sent.").arg(doc->number) << Qt::endl;
                }
                finished();
            });
        });
        return code;
    }
    err() << tr("Unknown invoices action \"%1\".").arg(action) << Qt::endl;
    return 2;
}

} // namespace askpro

namespace askpro {

int ServerCommands::setup(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption from(u"from"_s, tr("The setup file: JSON with company, branch, services, staff and credentials."), u"file"_s);
    const QCommandLineOption resume(u"resume"_s, tr("Continue this unfinished setup run (with --from to give its keys again)."), u"run"_s);
    const QCommandLineOption cancel(u"cancel"_s, tr("Undo this unfinished setup run: remove what it created at the providers."), u"run"_s);
    const QCommandLineOption releaseNumber(u"release-number"_s,
                                           tr("With --cancel: release the phone number the run bought at Retell (it may be gone for good). "
                                              "Without it, such a cancel is refused and nothing is removed."));
    parser.addOptions({from, resume, cancel, releaseNumber});
    addServiceOptions(parser);
    parseOrExit(parser, arguments, tr("Takes a new business live: stores the company, verifies the number with Retell, stores the keys "
                                      "encrypted, connects Cal.com and Retell, sets up Stripe billing and activates the branch. Safe to "
                                      "run again: what exists is found and reused. A stopped run continues with --resume."));
    const bool cancelling = parser.isSet(cancel);
    if (cancelling ? (parser.isSet(from) || parser.isSet(resume)) : !(parser.isSet(from) || parser.isSet(resume))) {
        err() << tr("Use --from FILE, --resume RUN [--from FILE], or --cancel RUN [--release-number]") << Qt::endl;
        return 2;
    }
    if (parser.isSet(releaseNumber) && !cancelling) {
        err() << tr("--release-number goes with --cancel RUN") << Qt::endl;
        return 2;
    }
    std::optional<SetupInput> input;
    if (parser.isSet(from)) {
        auto read = SetupInput::fromFile(parser.value(from));
        if (!read) {
            err() << read.error().describe() << Qt::endl;
            return 2;
        }
        const auto errors = read->validate();
        for (auto it = errors.begin(); it != errors.end(); ++it)
            err() << u"  %1: %2"_s.arg(it.key(), it.value()) << Qt::endl;
        if (!errors.isEmpty())
            return 2;
        input = *read;
    }
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    const ServerConfig config = serviceConfig(parser);
    auto box = openSecrets(config, *db);
    if (!box)
        return 1;
    CredentialStore credentials(*db, *box);
    QNetworkAccessManager network;
    SetupRunner runner(*db, credentials, &network, config.endpoints, config.publicUrl);
    runner.setActor(commandActor(u"setup"_s));
    QObject::connect(&runner, &SetupRunner::progress, &runner, [](qint64, const QString &step, const QString &state, const QString &message) {
        if (state != u"running"_s)
            out() << u"[%1] %2: %3"_s.arg(state, SetupRunner::stepTitle(step), message) << Qt::endl;
    });
    QObject::connect(&runner, &SetupRunner::detail, &runner, [](qint64, const QString &step, const QString &state, const QString &message) {
        if (state != u"running"_s)
            out() << u"    [%1] %2: %3"_s.arg(state, step, message) << Qt::endl;
    });
    int code = 0;
    bool finished = false;
    const auto wait = [&finished] {
        if (!finished)
            QCoreApplication::exec();
    };
    if (parser.isSet(cancel)) {
        const qint64 runId = parser.value(cancel).toLongLong();
        runner.cancel(
            runId,
            [&](const Status &status) {
                if (status)
                    out() << tr("Setup run %1 cancelled: what it created at the providers is removed.").arg(runId) << Qt::endl;
                else if (status.error().code == u"setup.release_number"_s)
                    err() << status.error().message << u' ' << tr("Run again with --release-number to release it.") << Qt::endl;
                else
                    err() << tr("Setup run %1 not cancelled: %2").arg(runId).arg(status.error().describe()) << Qt::endl;
                code = status ? 0 : status.error().code == u"setup.release_number"_s ? 3 : 1;
                finished = true;
                QCoreApplication::exit(0);
            },
            parser.isSet(releaseNumber));
        wait();
        return code;
    }
    qint64 runId = 0;
    if (parser.isSet(resume)) {
        runId = parser.value(resume).toLongLong();
        if (input)
            runner.setCredentials(runId, input->credentials);
    } else {
        auto created = runner.create(*input);
        if (!created) {
            err() << created.error().describe() << Qt::endl;
            return 1;
        }
        runId = *created;
    }
    out() << tr("Setup run %1").arg(runId) << Qt::endl;
    QElapsedTimer timer;
    timer.start();
    runner.run(runId, [&](const Status &status) {
        if (status) {
            out() << tr("Setup run %1 is live (%2 ms).").arg(runId).arg(timer.elapsed()) << Qt::endl;
        } else {
            err() << tr("Setup run %1 stopped: %2").arg(runId).arg(status.error().message) << Qt::endl;
            err() << tr("Continue with: askpro-server setup --resume %1 --from FILE, or undo with --cancel %1").arg(runId) << Qt::endl;
            code = 1;
        }
        finished = true;
        QCoreApplication::exit(0);
    });
    wait();
    return code;
}

} // namespace askpro

namespace askpro {

int ServerCommands::importData(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption company(u"company"_s, tr("The company the customers belong to (its id)."), u"id"_s);
    const QCommandLineOption file(u"file"_s, tr("The CSV file (UTF-8 or Windows-1252, comma or semicolon)."), u"path"_s);
    const QCommandLineOption apply(u"apply"_s, tr("Write the customers; without it, only report what would happen (dry run)."));
    const QCommandLineOption mapping(u"mapping"_s,
                                     tr("JSON object naming the column of a field where the header's names are not recognised, "
                                        "e.g. {\"phone\": \"Tel. privat\", \"notes\": null}. Fields: %1.")
                                         .arg([] {
                                             QStringList codes;
                                             for (const ImportField f : ImportMapping::fields())
                                                 codes.append(ImportMapping::fieldCode(f));
                                             return codes.join(u", "_s);
                                         }()),
                                     u"json"_s);
    const QCommandLineOption json(u"json"_s, tr("Print the report as JSON."));
    const QCommandLineOption batch(u"batch-size"_s, tr("Rows per transaction at the start (default 500; smaller when a batch takes long)."),
                                   u"n"_s, u"500"_s);
    parser.addOptions({company, file, apply, mapping, json, batch});
    parser.addPositionalArgument(u"what"_s, tr("customers"));
    parseOrExit(parser, arguments,
                tr("Imports a practice's customer list from CSV into one company. The default is a dry run that lists "
                   "what would be created, updated, left unchanged or skipped, and why."));
    if (parser.positionalArguments().value(0) != u"customers"_s || !parser.isSet(company) || !parser.isSet(file)) {
        err() << tr("Usage: askpro-server import customers --company ID --file F.csv [--apply] [--mapping JSON]") << Qt::endl;
        return 2;
    }
    bool ok = false;
    const qint64 companyId = parser.value(company).toLongLong(&ok);
    const int batchSize = parser.value(batch).toInt(&ok) * (ok ? 1 : 0);
    if (companyId <= 0 || batchSize < 1) {
        err() << tr("--company and --batch-size must be positive numbers") << Qt::endl;
        return 2;
    }
    QJsonObject overrides;
    if (parser.isSet(mapping)) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(parser.value(mapping).toUtf8(), &error);
        if (!doc.isObject()) {
            err() << tr("--mapping is not a JSON object: %1").arg(error.errorString()) << Qt::endl;
            return 2;
        }
        overrides = doc.object();
    }
    QFile input(parser.value(file));
    if (!input.open(QIODevice::ReadOnly)) {
        err() << tr("Cannot read %1: %2").arg(input.fileName(), input.errorString()) << Qt::endl;
        return 1;
    }
    auto db = openMigrated(parser);
    if (!db)
        return 1;
    ImportOptions options;
    options.companyId = companyId;
    options.apply = parser.isSet(apply);
    options.mappingOverrides = overrides;
    options.sourceName = QFileInfo(input.fileName()).fileName();
    options.batchSize = batchSize;
    const qint64 size = input.size();
    QElapsedTimer timer;
    timer.start();
    // The running count only where a person watches (a terminal), not into logs.
    if (!parser.isSet(json) && options.apply && ::isatty(STDERR_FILENO)) {
        options.progress = [&](qint64 rows, qint64 bytes) {
            err() << tr("%1 rows read (%2%)").arg(rows).arg(size > 0 ? bytes * 100 / size : 100) << '\r' << Qt::flush;
            return true;
        };
    }
    auto report = CustomerImport(*db).run(input, options, commandActor(u"import"_s));
    if (!report) {
        if (options.progress)
            err() << Qt::endl;
        err() << report.error().describe() << Qt::endl;
        err() << tr("Nothing was written.") << Qt::endl;
        return 1;
    }
    if (parser.isSet(json)) {
        QJsonObject o = report->toJson();
        o.insert(u"seconds"_s, timer.elapsed() / 1000.0);
        out() << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
        out().flush();
        return 0;
    }
    if (options.progress)
        err() << Qt::endl;
    for (const ImportRow &row : report->rows) {
        if (row.action == u"create"_s && row.reason.isEmpty())
            continue; // the plain creates are counted below; the list says what needs a look
        out() << tr("line %1").arg(row.line) << '\t' << row.action << '\t' << row.phone << '\t' << row.name << '\t' << row.reason
              << Qt::endl;
    }
    if (report->rowsLeftOut > 0)
        out() << tr("(%1 more rows not listed)").arg(report->rowsLeftOut) << Qt::endl;
    const QJsonObject map = report->mapping;
    QStringList columns;
    for (auto it = map.begin(); it != map.end(); ++it)
        columns.append(it.key() + u" = "_s + it.value().toString());
    out() << tr("Columns: %1").arg(columns.join(u"; "_s)) << Qt::endl;
    out() << (options.apply ? tr("Applied (import run %5): %1 created, %2 updated, %3 unchanged, %4 skipped.")
                                  .arg(report->created)
                                  .arg(report->updated)
                                  .arg(report->unchanged)
                                  .arg(report->skipped)
                                  .arg(report->runId)
                            : tr("Dry run, nothing written: %1 would be created, %2 updated, %3 unchanged, %4 skipped. Run again with --apply to write.")
                                  .arg(report->created)
                                  .arg(report->updated)
                                  .arg(report->unchanged)
                                  .arg(report->skipped))
          << Qt::endl;
    if (options.apply)
        out() << tr("%1 s; longest transaction %2 ms in %3 batches.")
                     .arg(timer.elapsed() / 1000.0, 0, 'f', 2)
                     .arg(report->longestTransactionMs)
                     .arg(report->batches)
              << Qt::endl;
    return 0;
}

} // namespace askpro
