// Backup implementation for both engines.
#include "db/backup.h"

#include "core/logging.h"
#include "db/database.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace askpro {

Status Backup::write(Database &db, const QString &path)
{
    const QFileInfo target(path);
    if (target.exists())
        return makeError(ErrorKind::Invalid, u"backup.exists"_s, tr("The backup file %1 exists already").arg(path));
    if (!QDir().mkpath(target.absolutePath()))
        return makeError(ErrorKind::Invalid, u"backup.folder"_s, tr("Cannot create the folder %1").arg(target.absolutePath()));

    if (db.engine() == Engine::Sqlite) {
        // VACUUM INTO reads one snapshot, so the copy is consistent even while the server writes.
        auto done = db.exec(u"VACUUM INTO ?"_s, {target.absoluteFilePath()});
        if (!done)
            return done.error();
        qCInfo(lcDb) << "backup written to" << target.absoluteFilePath();
        return {};
    }

    const QString pgDump = QStandardPaths::findExecutable(u"pg_dump"_s);
    if (pgDump.isEmpty())
        return makeError(ErrorKind::Configuration, u"backup.pg_dump"_s, tr("pg_dump is not installed (package postgresql-client)"));
    const ConnectionString &cs = db.connectionString();
    QProcess dump;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!cs.password.isEmpty())
        env.insert(u"PGPASSWORD"_s, cs.password); // through the environment, never the command line
    dump.setProcessEnvironment(env);
    dump.start(pgDump, {u"--host"_s, cs.host, u"--port"_s, QString::number(cs.port), u"--username"_s, cs.user,
                        u"--format=custom"_s, u"--no-password"_s, u"--file"_s, target.absoluteFilePath(), cs.database});
    if (!dump.waitForFinished(30 * 60 * 1000) || dump.exitStatus() != QProcess::NormalExit || dump.exitCode() != 0) {
        QFile::remove(target.absoluteFilePath());
        return makeError(ErrorKind::Internal, u"backup.pg_dump"_s, tr("pg_dump failed"),
                         QString::fromLocal8Bit(dump.readAllStandardError()).trimmed());
    }
    qCInfo(lcDb) << "backup written to" << target.absoluteFilePath();
    return {};
}

} // namespace askpro
