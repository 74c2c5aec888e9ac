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
    // PostgreSQL's TLS: sslmode and sslrootcert from the URL's query. Without sslmode a server on another host
    // is verify-full (encrypted, certificate and host name checked), one on this machine libpq's default.
    QString sslMode;
    QString sslRootCert;

    // Accepts "sqlite:PATH" and "postgresql://user[:pass]@host[:port]/db[?sslmode=…&sslrootcert=…]" (also
    // "postgres://"); an unknown sslmode or query parameter is refused.
    [[nodiscard]] static Result<ConnectionString> parse(const QString &text);
    // The default embedded database: a SQLite file under the user's data directory.
    [[nodiscard]] static QString defaultUrl();
    // For logs and the status bar: never contains the password.
    [[nodiscard]] QString redacted() const;
    // The driver's connect options for PostgreSQL (libpq keywords, ';'-separated).
    [[nodiscard]] QString postgresOptions() const;
};

} // namespace askpro
