// The call browser's query: filters and sorting done in SQL, so the view never loads every row.
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QString>

namespace askpro {

class Database;

struct CallFilter
{
    qint64 fromMs = 0; // 0: open
    qint64 toMs = 0;   // 0: open; exclusive
    qint64 companyId = 0;
    qint64 branchId = 0;
    QString outcome; // booked | no_request | needs_callback | failed | requested_unbooked | empty for all
    QString text;    // caller number, customer name or transcript
};

// A cheap fingerprint of the calls table: when it changes, the browser re-reads its rows.
struct CallsStamp
{
    qint64 count = 0;
    qint64 maxUpdatedAt = 0;
    friend bool operator==(const CallsStamp &, const CallsStamp &) = default;
};

class CallQuery final
{
public:
    enum Column { Id, StartedAt, TimeZone, Company, Branch, Caller, Customer, DurationMs, Outcome, FailureReason, AppointmentStart, ColumnCount };

    // A prepared, executed query on this thread's connection for a lazy model. sortColumn is one of
    // Column (unknown columns sort by time); ties always break on the call id, newest first.
    [[nodiscard]] static Result<QSqlQuery> browse(Database &db, const CallFilter &filter, int sortColumn = StartedAt,
                                                  Qt::SortOrder order = Qt::DescendingOrder);
    // COUNT(*) and MAX(updated_at) over all calls; one index-assisted aggregate.
    [[nodiscard]] static Result<CallsStamp> stamp(Database &db);
};

} // namespace askpro
