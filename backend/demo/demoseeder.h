// Realistic German demo data for a fresh database: three companies with branches, staff, services,
// Cal.com mappings, and months of calls with transcripts, timelines, customers, appointments and usage.
#pragma once

#include "core/result.h"

#include <QCoreApplication>

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
};

class DemoSeeder final
{
    Q_DECLARE_TR_FUNCTIONS(DemoSeeder)
public:
    explicit DemoSeeder(Database &db);

    // Adds `days` days of history ending at nowMs (0: the current time), with a fixed random seed so
    // runs are repeatable. Does nothing (skipped) when any company exists. One transaction per
    // company; on error that company's rows are rolled back and the error returned.
    [[nodiscard]] Result<DemoSummary> seed(int days = 90, qint64 nowMs = 0, quint32 randomSeed = 20261124);

private:
    Database &m_db;
};

} // namespace askpro
