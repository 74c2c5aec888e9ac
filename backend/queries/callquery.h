// The call browser's queries: filters, sorting and paging done in SQL, so the view never loads every row; and
// the change stamps the pages poll to notice new rows.
#pragma once

#include "core/result.h"

#include <QList>
#include <QString>
#include <QVariant>

#include <optional>

namespace askpro {

class Database;

// The zone a call's times are shown in, as SQL over calls c and its branch b: the branch's, else its
// company's first branch's, else the app's own (Europe/Berlin). Never bare UTC, so a call that reached no
// branch sits among its neighbours in their local time.
[[nodiscard]] QString callTimeZoneSql();

struct CallFilter
{
    qint64 fromMs = 0; // 0: open
    qint64 toMs = 0;   // 0: open; exclusive
    qint64 companyId = 0;
    qint64 branchId = 0;
    QString outcome; // booked | no_request | needs_callback | failed | requested_unbooked | empty for all
    QString text;    // caller number, customer name or transcript
    bool searchNumbers = true; // false: text never matches a number (readers who see numbers masked could probe them)
};

// Where a page of the call browser ended: the sort key of its last row and that row's id. The next page
// starts strictly after it, so a page costs the same near the top and a million rows down (keyset paging).
struct CallCursor
{
    QVariant sortKey;
    qint64 id = 0;
};

struct CallPage
{
    QList<QVariantList> rows;        // CallQuery::Column order, ColumnCount values each
    QList<bool> testCalls;           // per row: a test call (never billed), shown marked
    std::optional<CallCursor> next;  // where to go on; none when every matching call has been read
};

class CallQuery final
{
public:
    enum Column { Id, StartedAt, TimeZone, Company, Branch, Caller, Customer, DurationMs, Outcome, FailureReason, AppointmentStart, ColumnCount };

    // One page of at most limit calls after `after` (none: from the first), filtered and sorted in SQL.
    // sortColumn is one of Column (unknown columns sort by time); ties break on the call id in the same
    // direction. The time order and the outcome, branch, company and date filters run on indexes
    // (migration 0005). A text search (caller, customer name, transcript) of three or more characters asks
    // the substring indexes (migration 0020) for candidates: fewer than scanLimit are read in one query.
    // A shorter text, or one in so many calls that a page of them is found sooner in sort order, examines
    // at most scanLimit calls in sort order per page, so a page may come back short or empty while `next`
    // says that more calls remain to be searched.
    [[nodiscard]] static Result<CallPage> page(Database &db, const CallFilter &filter, int sortColumn, Qt::SortOrder order,
                                               const std::optional<CallCursor> &after, int limit, int scanLimit = 20000);

private:
    // Runs a page's query; `next` is the last row's cursor on a full page, else windowEnd.
    [[nodiscard]] static Result<CallPage> read(Database &db, const QString &sql, const QVariantList &params, int limit,
                                               const std::optional<CallCursor> &windowEnd);
};

// A cheap fingerprint of a table the admin app shows: its highest id and its latest change. When it moves,
// a page re-reads its rows. Two index lookups (migration 0005), never a scan or COUNT(*); rows deleted
// without another change go unnoticed until the next change.
struct ChangeStamp
{
    qint64 lastId = 0;
    qint64 lastChange = 0;
    friend bool operator==(const ChangeStamp &, const ChangeStamp &) = default;
};

class ChangeQuery final
{
public:
    enum class Table { Calls, Appointments, Customers, WebhookInbox, HealthChecks };
    // companyScope: the stamp of one company's rows (0: every company); the inbox and health checks belong to no company.
    [[nodiscard]] static Result<ChangeStamp> stamp(Database &db, Table table, qint64 companyScope = 0);

private:
    [[nodiscard]] static Result<ChangeStamp> stampOf(Database &db, const QString &sql, const QVariantList &params);
};

} // namespace askpro
