// askpro-server subcommands: each opens the database named by --db / ASKPRO_DB and does one job.
#include "servercommands.h"

#include "core/clock.h"
#include "db/backup.h"
#include "db/connectionstring.h"
#include "db/database.h"
#include "db/doctor.h"
#include "db/migrator.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
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

} // namespace

int ServerCommands::usage()
{
    err() << tr("Usage: askpro-server COMMAND [options]\n\n"
                "Commands:\n"
                "  migrate   bring the database to the current schema\n"
                "  doctor    report orphans and duplicates; --fix repairs them after a backup\n"
                "  backup    write a consistent copy of the database to a file\n\n"
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
    auto repaired = doctor.fix(u"askpro-server doctor"_s);
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
