// The support queue: unresolved calls that failed, need a callback or asked for an appointment that
// was never booked, each with the category and reason the triage page groups them by.
#pragma once

#include "core/result.h"

#include <QList>
#include <QString>

namespace askpro {

class Database;

struct TriageItem
{
    qint64 callId = 0;
    qint64 startedAt = 0;
    QString timeZone;
    QString companyName;
    QString branchName;
    QString caller;
    QString customerName;
    QString outcome;
    // configuration | transient | rejected | failed | needs_callback | requested_unbooked
    QString category;
    QString reason;
};

class TriageQuery final
{
public:
    // Unresolved calls needing support, newest first, at most `limit` rows; of one company (0: of all).
    [[nodiscard]] static Result<QList<TriageItem>> unresolved(Database &db, qint64 companyId, int limit = 5000);
};

} // namespace askpro
