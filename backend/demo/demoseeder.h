// Realistic German demo data for a fresh database: three companies with branches, staff, services,
// Cal.com mappings, and months of calls with transcripts, timelines, customers, appointments and usage.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QStringList>

namespace askpro {

class Database;

struct DemoSummary
{
    bool skipped = false; // the database already held companies: nothing was added
    int companies = 0;
    int branches = 0;
    int customers = 0;
    int calls = 0;
    int appointments = 0;
    int inboxRows = 0;
    int users = 0;
};

class DemoSeeder final
{
    Q_DECLARE_TR_FUNCTIONS(DemoSeeder)
public:
    explicit DemoSeeder(Database &db);

    // Adds `days` days of history ending at nowMs (0: the current time), with a fixed random seed so
    // runs are repeatable, and the demo accounts. Does nothing (skipped) when any company exists. One transaction per
    // company; on error that company's rows are rolled back and the error returned.
    [[nodiscard]] Result<DemoSummary> seed(int days = 90, qint64 nowMs = 0, quint32 randomSeed = 20261124);

    // The demo's sign-in accounts, one per role, all with demoPassword: created by seed() when the
    // database has no users yet, and named on the sign-in dialog of a demo database.
    static constexpr const char *demoPassword = "askpro-demo";
    [[nodiscard]] static QStringList demoUsernames();
    // True when the demo accounts exist (the sign-in dialog then names them).
    [[nodiscard]] static bool isDemoDatabase(Database &db);

private:
    [[nodiscard]] Result<int> seedUsers();
    Database &m_db;
};

} // namespace askpro
