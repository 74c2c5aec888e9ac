// One call with everything the detail pane shows: the call row, its branch, customer, appointment
// and the processing timeline (call_events in time order).
#pragma once

#include "core/result.h"

#include <QList>
#include <QString>

#include <optional>

namespace askpro {

class Database;

struct CallEvent
{
    qint64 at = 0;
    QString step;
    QString status; // ok | info | retry | error (anything else is shown as it is)
    QString message; // the whole text of rows written before codes; English beside a code (flow/timeline.h)
    QString detail;
    QString code;    // a timeline code (flow/timeline.h), or empty for rows written before codes
    QString args;    // the code's named arguments as a JSON object, or empty
};

struct CallDetail
{
    qint64 id = 0;
    QString retellCallId;
    qint64 companyId = 0;
    QString companyName;
    qint64 branchId = 0;
    QString branchName;
    QString timeZone = QStringLiteral("UTC");
    qint64 customerId = 0;
    QString customerName;
    QString fromNumber;
    QString toNumber;
    bool outbound = false; // placed by our agent: toNumber is the other party, fromNumber ours
    qint64 startedAt = 0;
    qint64 endedAt = 0;
    qint64 durationMs = 0;
    QString outcome;
    QString failureKind;
    QString failureReason;
    QString disconnectionReason;
    QString transcript;
    QString transcriptJson;
    QString recordingUrl;
    QString summary;
    QString sentiment;
    bool appointmentRequested = false;
    QString requestJson;
    QString alternativesJson;
    QString rawPayload;
    qint64 resolvedAt = 0;
    QString resolutionComment;
    qint64 appointmentId = 0;
    qint64 appointmentStart = 0;
    QString appointmentStatus;
    QList<CallEvent> events;
};

class CallDetailQuery final
{
public:
    // The call with its timeline; std::nullopt when no call has this id.
    [[nodiscard]] static Result<std::optional<CallDetail>> load(Database &db, qint64 callId);
};

} // namespace askpro
