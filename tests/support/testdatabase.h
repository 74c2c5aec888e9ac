// Test helpers: fresh databases on both engines and the data rows that run a test on each.
#pragma once

#include "db/database.h"
#include "requirement.h"

#include <QString>

#include <memory>

namespace askpro::test {

// Adds the "engine" column with a row for SQLite and one for PostgreSQL.
void addEngineRows();
// A fresh, empty database on the engine ("sqlite" or "postgresql"), migrated unless told otherwise; nullptr
// when it cannot be opened or migrated. Call through ASKPRO_FRESH_DB, which first requires the engine.
std::shared_ptr<Database> freshDatabase(const QString &engine, bool migrate = true);
// The URL of a fresh database (for tests that start a process of their own against it).
QString freshDatabaseUrl(const QString &engine);
// Whether a PostgreSQL test cluster is available (ASKPRO_TEST_PG_URL, else the CTest fixture's state file).
bool postgresAvailable();
QString postgresAdminUrl();

// The statements of an embedded migration file (":/askpro/migrations/0004_billing_rollup.sql") for the engine,
// as the Migrator runs them: placeholders replaced, comments dropped, split on ';', statements tagged for
// the other engine left out. For files without trigger bodies or $$-quoted functions.
QStringList migrationStatements(const QString &resource, Engine engine);

// Inserts a company, and a branch with this number; returns {companyId, branchId}.
std::pair<qint64, qint64> plantCompanyAndBranch(Database &db, const QString &phone, bool active = true);

// Inserts an open, finalized invoice of the company (number AP-<year>-<sequence>, one base-fee line of
// grossCents / 1.19 net, its parties snapshotted, due in the future) for the service month monthsAgo before
// this one; sequence and month must be unique per company. Returns its id.
qint64 plantInvoice(Database &db, qint64 companyId, int sequence, int monthsAgo, qint64 netCents = 4900);

} // namespace askpro::test

// Fails or skips the test (ASKPRO_REQUIRE) when the engine is PostgreSQL and no test cluster runs.
#define ASKPRO_REQUIRE_ENGINE(engine)                                                                                  \
    ASKPRO_REQUIRE((engine) != QStringLiteral("postgresql") || askpro::test::postgresAvailable(),                      \
                   "a PostgreSQL test cluster (CTest starts one; by hand, set ASKPRO_TEST_PG_URL)")

#define ASKPRO_FRESH_DB(var, engine)                                                                                   \
    ASKPRO_REQUIRE_ENGINE(engine);                                                                                     \
    auto var = askpro::test::freshDatabase(engine);                                                                    \
    QVERIFY(var)
