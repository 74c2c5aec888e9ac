// Consistent copies of the database: SQLite's VACUUM INTO, pg_dump for PostgreSQL.
#pragma once

#include "core/result.h"

#include <QCoreApplication>

namespace askpro {

class Database;

class Backup final
{
    Q_DECLARE_TR_FUNCTIONS(Backup)
public:
    // Writes a consistent copy to path while others keep working. Refuses to overwrite an existing file.
    // SQLite: a complete database file; PostgreSQL: a pg_dump custom-format archive (pg_restore reads it).
    [[nodiscard]] static Status write(Database &db, const QString &path);
};

} // namespace askpro
