// Realistic German demo data for a fresh database: three companies with branches, staff, services,
// Cal.com mappings, and months of calls with transcripts, timelines, customers, appointments and usage.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QDate>
#include <QStringList>
#include <QTime>

#include <optional>
#include <utility>

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
    int messages = 0; // confirmations by e-mail and SMS, in the delivery log
    int users = 0;
    int invoices = 0;    // issued by the invoice run for the months that ended, credit notes included
    int healthChecks = 0;
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
    // When the demo's branches are open on day (local time), or nothing when closed: Monday to Friday
    // 08:00-18:00, Saturday 09:00-14:00 for businesses open on Saturdays. Seeded appointments and the
    // sandbox's calendar both keep to these hours.
    [[nodiscard]] static std::optional<std::pair<QTime, QTime>> openingHours(const QDate &day, bool saturday);

    // The demo's calendar as the provider sandbox loads it (askpro-sandbox --seed): every staff member of
    // an active branch as a Cal.com user working the branch's opening hours, each branch as a team with
    // round-robin event types under the ids and slugs the database maps, the appointments still to come as
    // that staff member's bookings, and per branch number the services and hours its callers ask for. So
    // the sandbox books live calls around the seeded appointments instead of on top of them.
    [[nodiscard]] static Result<QByteArray> sandboxCalendar(Database &db, qint64 nowMs = 0);

private:
    [[nodiscard]] Result<int> seedUsers();
    [[nodiscard]] Result<int> issueInvoices(qint64 now, int days, quint32 randomSeed);
    [[nodiscard]] Result<int> seedHealthChecks(qint64 now, quint32 randomSeed);
    Database &m_db;
};

} // namespace askpro
