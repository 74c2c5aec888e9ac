// Parses the --db / ASKPRO_DB connection string that selects the database engine.
#pragma once

#include "core/result.h"

#include <QString>

namespace askpro {

enum class Engine { Sqlite, Postgres };

struct ConnectionString
{
    Engine engine = Engine::Sqlite;
    QString path; // SQLite file
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString database;

    // Accepts "sqlite:PATH" and "postgresql://user[:pass]@host[:port]/db" (also "postgres://").
    [[nodiscard]] static Result<ConnectionString> parse(const QString &text);
    // The default embedded database: a SQLite file under the user's data directory.
    [[nodiscard]] static QString defaultUrl();
    // For logs and the status bar: never contains the password.
    [[nodiscard]] QString redacted() const;
};

} // namespace askpro
