// What the desktop and the server share about a setup: the steps and test-call checks with their titles,
// and one run as the admin API describes it. Pure data and words: no database, no provider.
#pragma once

#include "setup/setupinput.h"

#include <QCoreApplication>
#include <QStringList>

namespace askpro {

// One row of setup_runs, for screens, the command line and the admin API.
struct SetupRunInfo
{
    qint64 id = 0;
    qint64 companyId = 0;
    qint64 branchId = 0;
    QString status; // running | failed | live | cancelled
    QString step;   // the step to run next (or that failed); "done" once live
    QString lastError;
    qint64 updatedAt = 0;
    SetupInput input; // without the keys, which are never stored here
    Json resources = Json::array(); // [{provider, kind, id, company_id, reused, bought}]; kept on the server
    // The number this run bought at Retell (empty: none). Cancelling releases it, which may be irreversible,
    // so the wizard asks first.
    QString boughtNumber;

    // {"id", "company_id", "branch_id", "status", "step", "last_error", "updated_at", "input", "bought_number"}: never
    // keys or resources.
    [[nodiscard]] Json toJson() const;
    [[nodiscard]] static Result<SetupRunInfo> fromJson(const Json &json);
};

// The steps of a setup in order, and their names on the checklist. The context keeps the runner's translations.
class SetupSteps final
{
    Q_DECLARE_TR_FUNCTIONS(askpro::SetupRunner)
public:
    [[nodiscard]] static QStringList all();
    [[nodiscard]] static QString title(const QString &step);
    // Whether a run with this status and next step has its number verified (the wizard continues at the checklist).
    [[nodiscard]] static bool pastCredentials(const SetupRunInfo &run);
};

// The checks of a test call in order (webhook, call, appointment, email), and their titles.
class TestCallChecks final
{
    Q_DECLARE_TR_FUNCTIONS(askpro::TestCall)
public:
    [[nodiscard]] static QStringList all();
    [[nodiscard]] static QString title(const QString &check);
};

} // namespace askpro
