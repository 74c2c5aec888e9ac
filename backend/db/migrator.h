// Brings a database to the program's schema version with the numbered SQL files under resources/.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QString>

namespace askpro {

class Database;

class Migrator final
{
    Q_DECLARE_TR_FUNCTIONS(Migrator)
public:
    explicit Migrator(Database &db);

    // The newest version this program knows (the highest numbered migration file).
    [[nodiscard]] static int latestVersion();
    // How many migrations this program knows; fewer than latestVersion() while numbers taken by work on other
    // branches are not merged yet (the versions need not be contiguous).
    [[nodiscard]] static int migrationCount();
    // The version recorded in the database; 0 for an empty one.
    [[nodiscard]] Result<int> currentVersion();
    // Applies every missing migration, each in its own transaction, and records it. Refuses a database
    // newer than the program (Configuration error) so an old binary never writes to a new schema.
    // Returns how many migrations were applied.
    [[nodiscard]] Result<int> migrate();

private:
    struct Migration
    {
        int version;
        QString name;
        QString sql;
    };
    [[nodiscard]] static QList<Migration> migrations();
    [[nodiscard]] static Error tooNew(int version);
    // A database whose applied migrations differ from this program's by name, or miss one below the
    // newest, came from another line of development: migrating it on would build on a schema nobody knows.
    [[nodiscard]] Status verifyHistory();
    [[nodiscard]] QStringList statementsFor(const QString &sql) const;

    Database &m_db;
};

} // namespace askpro
