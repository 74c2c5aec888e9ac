// Test helpers: fresh databases on both engines and the data rows that run a test on each.
#pragma once

#include "db/database.h"

#include <QString>

#include <memory>

namespace askpro::test {

// Adds the "engine" column with a row for SQLite and one for PostgreSQL.
void addEngineRows();
// A fresh, empty database on the engine ("sqlite" or "postgresql"), migrated unless told otherwise.
// Returns nullptr after QSKIP/QFAIL-style reporting when PostgreSQL is not available: call
// through ASKPRO_FRESH_DB so the test returns at once.
std::shared_ptr<Database> freshDatabase(const QString &engine, bool migrate = true);
// The URL of a fresh database (for tests that start a process of their own against it).
QString freshDatabaseUrl(const QString &engine);
// Whether a PostgreSQL cluster is available; required when ASKPRO_REQUIRE_POSTGRES=1.
bool postgresAvailable();
QString postgresAdminUrl();

// The statements of an embedded migration file (":/askpro/migrations/0004_billing_rollup.sql") for the engine,
// as the Migrator runs them: placeholders replaced, comments dropped, split on ';', statements tagged for
// the other engine left out. For files without trigger bodies or $$-quoted functions.
QStringList migrationStatements(const QString &resource, Engine engine);

// Inserts a company, and a branch with this number; returns {companyId, branchId}.
std::pair<qint64, qint64> plantCompanyAndBranch(Database &db, const QString &phone, bool active = true);

} // namespace askpro::test

#define ASKPRO_FRESH_DB(var, engine)                                                                                   \
    if (engine == QStringLiteral("postgresql") && !askpro::test::postgresAvailable()) {                                \
        if (qEnvironmentVariableIntValue("ASKPRO_REQUIRE_POSTGRES"))                                                    \
            QFAIL("PostgreSQL is required (ASKPRO_REQUIRE_POSTGRES=1) but no test cluster is running");                 \
        QSKIP("no PostgreSQL test cluster");                                                                           \
    }                                                                                                                  \
    auto var = askpro::test::freshDatabase(engine);                                                                    \
    QVERIFY(var)
