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

class CallQuery final
{
public:
    enum Column { Id, StartedAt, TimeZone, Branch, Caller, Customer, DurationMs, Outcome, FailureReason, AppointmentStart, ColumnCount };

    // A prepared, executed query on this thread's connection, newest calls first, for a lazy model.
    [[nodiscard]] static Result<QSqlQuery> browse(Database &db, const CallFilter &filter);
};

} // namespace askpro
