// The appointment browser's reads: a filtered, sorted list for a lazy model, one branch's week for
// the calendar, and one appointment with its linked call and customer.
#pragma once

#include "core/result.h"
#include "queries/callquery.h"

#include <QList>
#include <QSqlQuery>
#include <QString>

#include <optional>

namespace askpro {

class Database;

struct AppointmentFilter
{
    enum class Tab { All, Upcoming, Past, Cancelled };
    Tab tab = Tab::All;
    qint64 nowMs = 0; // the boundary between upcoming and past; 0: the current time
    qint64 companyId = 0;
    qint64 branchId = 0;
    qint64 staffId = 0;
    qint64 serviceId = 0;
    QString status;   // booked | cancelled | rescheduled | no_show | completed | pending | empty for all
    qint64 fromMs = 0; // starts_at >= fromMs when > 0
    qint64 toMs = 0;   // starts_at < toMs when > 0
    QString text;     // customer name or phone
};

struct CalendarEntry
{
    qint64 id = 0;
    qint64 startsAt = 0;
    qint64 endsAt = 0;
    QString status;
    QString syncState;
    QString customerName;
    QString serviceName;
    QString staffName;
};

struct AppointmentDetail
{
    qint64 id = 0;
    qint64 companyId = 0;
    QString branchName;
    QString timeZone;
    qint64 startsAt = 0;
    qint64 endsAt = 0;
    QString status;
    QString syncState;
    QString syncError;
    QString bookingUid;
    QString serviceName;
    QString staffName;
    qint64 customerId = 0;
    QString customerName;
    QString customerPhone;
    QString customerEmail;
    qint64 callId = 0;
    qint64 callStartedAt = 0;
    QString callOutcome;
    QString notes;
    QString cancellationReason;
};

class AppointmentQuery final
{
public:
    enum Column { Id, StartsAt, TimeZone, Branch, Staff, Service, Customer, Status, SyncState, CallId, ColumnCount };

    [[nodiscard]] static Result<QSqlQuery> browse(Database &db, const AppointmentFilter &filter, int sortColumn = StartsAt,
                                                  Qt::SortOrder order = Qt::AscendingOrder);
    // One page of browse's rows (Column order) after `after`, keyset-paged on the sort column and id.
    [[nodiscard]] static Result<CallPage> page(Database &db, const AppointmentFilter &filter, int sortColumn, Qt::SortOrder order,
                                               const std::optional<CallCursor> &after, int limit);
    // Appointments of a branch (0: every branch; and staff member when staffId > 0; within companyId when > 0)
    // overlapping [fromMs, toMs), by start.
    [[nodiscard]] static Result<QList<CalendarEntry>> range(Database &db, qint64 branchId, qint64 staffId, qint64 fromMs, qint64 toMs,
                                                            qint64 companyId = 0);
    [[nodiscard]] static Result<std::optional<AppointmentDetail>> detail(Database &db, qint64 appointmentId);

private:
    // The list's SELECT with its filters (no ORDER BY); extraColumns follow the Column ones.
    [[nodiscard]] static QString select(const AppointmentFilter &filter, const QString &extraColumns, QVariantList &params);
};

} // namespace askpro
