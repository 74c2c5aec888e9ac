// Support's actions on calls and webhooks: retry a booking (with a preview of what it would do),
// correct the extracted appointment data, mark calls resolved and replay stored webhooks.
// Every action needs Permission::ManageCalls (the preview ViewCalls) and writes an audit_log row in the
// same transaction as its change.
#pragma once

#include "core/result.h"
#include "flow/appointmentrequest.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <algorithm>
#include <optional>

namespace askpro {

class Database;

struct RetryPreview
{
    enum class Action { Create, Reuse, Skip, Missing };
    struct Item
    {
        QString subject; // "customer", "appointment", "event_type", "credentials", "branch", "service"
        Action action = Action::Create;
        QString text;    // translated, for the screen
    };
    qint64 callId = 0;
    std::optional<AppointmentRequest> request;
    QList<Item> items;
    QStringList problems; // configuration problems a retry cannot overcome; translated
    [[nodiscard]] bool wouldBook() const
    {
        return problems.isEmpty() && request.has_value()
            && std::none_of(items.cbegin(), items.cend(), [](const Item &i) { return i.subject == QStringLiteral("appointment") && i.action == Action::Skip; });
    }
};

// What replaying a stored delivery would change, read without changing anything.
struct ReplayPreview
{
    qint64 inboxId = 0;
    QString provider;
    bool wouldChange = false; // false: applying it now changes no appointment (and why is in text)
    QString text;             // translated, for the screen
};

class SupportService final
{
    Q_DECLARE_TR_FUNCTIONS(SupportService)
public:
    explicit SupportService(Database &db);

    // Queues one "call.retry" job per call (dedupe key "support-retry:<id>:<ms>") with an audit row
    // and a timeline entry each, in one transaction. Returns the number of jobs queued; NotFound
    // when a call id does not exist (nothing is queued then).
    [[nodiscard]] Result<int> retryBooking(const QList<qint64> &callIds, const Actor &actor);
    // What a retry would create, reuse or skip, and the configuration problems in its way. Reads only.
    [[nodiscard]] Result<RetryPreview> previewRetry(qint64 callId, const Actor &actor);
    // Replaces the call's extracted request (appointment_requested = 1), audited with before/after.
    // Invalid when the request names neither a service nor a date.
    [[nodiscard]] Status correctRequest(qint64 callId, const AppointmentRequest &request, const Actor &actor);
    // Sets resolved_at/resolution_comment on the calls not yet resolved; returns how many changed.
    [[nodiscard]] Result<int> markResolved(const QList<qint64> &callIds, const QString &comment, const Actor &actor);
    // Puts a stored delivery back to pending and queues its job again ("retell.event",
    // "calcom.event" or "twilio.event"); Invalid for providers without a replayable job. Returns the new job id. A replayed
    // Cal.com event is not held to the age window (support decided), but still never overrides a newer
    // change of its appointment nor acts for a company its signer does not serve; the audit row carries
    // previewReplay's text.
    [[nodiscard]] Result<qint64> replayWebhook(qint64 inboxId, const Actor &actor);
    // What replayWebhook would change now; needs Permission::ViewCalls. Reads only.
    [[nodiscard]] Result<ReplayPreview> previewReplay(qint64 inboxId, const Actor &actor);

private:
    Database &m_db;
};

} // namespace askpro
