// Builds the call browser's SQL from fixed fragments; every value is a bound parameter.
#include "queries/callquery.h"

#include "db/callparties.h"
#include "db/database.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// Whitelisted ORDER BY expressions, indexed by CallQuery::Column; nothing from the caller reaches the SQL.
QString orderExpression(int column)
{
    switch (column) {
    case CallQuery::Id: return u"c.id"_s;
    case CallQuery::Company: return u"COALESCE(co.name, '')"_s;
    case CallQuery::Branch: return u"COALESCE(b.name, '')"_s;
    case CallQuery::Caller: return CallParties::otherNumberSql(u"c"_s);
    case CallQuery::Customer: return u"COALESCE(cu.name, '')"_s;
    case CallQuery::DurationMs: return u"c.duration_ms"_s;
    case CallQuery::Outcome: return u"c.outcome"_s;
    case CallQuery::FailureReason: return u"c.failure_reason"_s;
    case CallQuery::AppointmentStart: return u"COALESCE(a.starts_at, 0)"_s;
    default: return u"COALESCE(c.started_at, c.created_at)"_s;
    }
}

const QString timeExpression = u"COALESCE(c.started_at, c.created_at)"_s; // as indexed by migration 0005

QString selectList(const QString &key)
{
    return u"SELECT c.id, COALESCE(c.started_at, c.created_at), "_s + callTimeZoneSql() + u", COALESCE(co.name, ''), "
           "COALESCE(b.name, ''), "_s + CallParties::otherNumberSql(u"c"_s)
        + u", COALESCE(cu.name, ''), c.duration_ms, c.outcome, c.failure_reason, a.starts_at, "_s
        + key + u", c.test_call"_s;
}

const QString fromClause = u" FROM calls c LEFT JOIN branches b ON b.id = c.branch_id "
                           "LEFT JOIN companies co ON co.id = c.company_id "
                           "LEFT JOIN customers cu ON cu.id = c.customer_id "
                           "LEFT JOIN appointments a ON a.call_id = c.id WHERE 1 = 1"_s;

// Fewer characters than a trigram: the substring indexes cannot narrow the search.
constexpr int shortestIndexedText = 3;
// Measured against a search window of scanLimit calls (20,000 by default): up to a tenth of it, candidates
// are tested one by one in any order; more, in an indexed order, are only looked up while that index is
// walked (a rare match may lie far down it, and walking all of a million calls costs about 300 ms); from five
// windows on, a page of matches lies within the first windows of the sort order.
constexpr int fewCandidates(int scanLimit)
{
    return qMax(1, scanLimit / 10);
}
constexpr int manyCandidates(int scanLimit)
{
    return scanLimit * 5;
}

// Where the substring indexes of migration 0020 (FTS5 trigram tables on SQLite, pg_trgm on PostgreSQL) say
// the text may be: calls by their transcript or numbers, customers by their name. Supersets: the exact test
// of appendTextTest still decides on each call.
struct TextCandidates
{
    QString callsSql;
    QVariantList callsParams;
    QString customersSql;
    QVariantList customersParams;

    TextCandidates(Engine engine, const CallFilter &filter)
    {
        const QString text = filter.text.trimmed();
        if (engine == Engine::Sqlite) {
            QString phrase = text;
            phrase.replace(u"\""_s, u"\"\""_s);
            phrase = u"\""_s + phrase + u"\""_s;
            callsSql = u"SELECT rowid FROM calls_text WHERE calls_text MATCH ?"_s;
            callsParams << (filter.searchNumbers ? phrase : u"transcript : "_s + phrase);
            customersSql = u"SELECT rowid FROM customers_text WHERE customers_text MATCH ?"_s;
            customersParams << phrase;
            return;
        }
        const QString pattern = Database::containsPattern(text);
        callsSql = u"SELECT id FROM calls WHERE lower(transcript) LIKE ? ESCAPE '\\'"_s;
        callsParams << pattern;
        if (filter.searchNumbers) {
            callsSql += u" OR from_number LIKE ? ESCAPE '\\' OR to_number LIKE ? ESCAPE '\\'"_s;
            callsParams << pattern << pattern;
        }
        customersSql = u"SELECT id FROM customers WHERE lower(name) LIKE ? ESCAPE '\\'"_s;
        customersParams << pattern;
    }

    // How many calls the indexes name, counted no further than `cap` per side.
    [[nodiscard]] Result<int> count(Database &db, int cap) const
    {
        auto calls = db.scalar(u"SELECT COUNT(*) FROM ("_s + callsSql + u" LIMIT ?) n"_s, QVariantList(callsParams) << cap);
        if (!calls)
            return calls.error();
        auto ofCustomers = db.scalar(u"SELECT COUNT(*) FROM (SELECT 1 FROM calls WHERE customer_id IN ("_s + customersSql + u") LIMIT ?) n"_s,
                                     QVariantList(customersParams) << cap);
        if (!ofCustomers)
            return ofCustomers.error();
        return calls->toInt() + ofCustomers->toInt();
    }

    // The membership test, on call ids alone so that it never needs the call's row. lookedUp: only checked
    // while an index in sort order is walked (the unary + keeps SQLite from driving the query by the
    // candidates instead).
    void append(bool lookedUp, QString &sql, QVariantList &params) const
    {
        const QString id = lookedUp ? u"+c.id"_s : u"c.id"_s;
        sql += u" AND ("_s + id + u" IN ("_s + callsSql + u") OR "_s + id + u" IN (SELECT id FROM calls WHERE customer_id IN ("_s
            + customersSql + u")))"_s;
        params += callsParams;
        params += customersParams;
    }
};

// The text test itself: the customer's name, the transcript or (filter.searchNumbers) the other party's number.
void appendTextTest(const CallFilter &filter, QString &sql, QVariantList &params)
{
    const QString pattern = Database::containsPattern(filter.text);
    sql += u" AND (lower(cu.name) LIKE ? ESCAPE '\\' OR lower(c.transcript) LIKE ? ESCAPE '\\'"_s;
    params << pattern << pattern;
    if (filter.searchNumbers) {
        sql += u" OR "_s + CallParties::otherNumberSql(u"c"_s) + u" LIKE ? ESCAPE '\\'"_s;
        params << pattern;
    }
    sql += u")"_s;
}

// The filters that indexes serve (or that cost little per row), appended to sql and params.
void appendFilters(const CallFilter &filter, QString &sql, QVariantList &params)
{
    if (filter.fromMs > 0) {
        sql += u" AND "_s + timeExpression + u" >= ?"_s;
        params << filter.fromMs;
    }
    if (filter.toMs > 0) {
        sql += u" AND "_s + timeExpression + u" < ?"_s;
        params << filter.toMs;
    }
    if (filter.companyId > 0) {
        sql += u" AND c.company_id = ?"_s;
        params << filter.companyId;
    }
    if (filter.branchId > 0) {
        sql += u" AND c.branch_id = ?"_s;
        params << filter.branchId;
    }
    if (filter.outcome == u"requested_unbooked"_s) {
        // NOT EXISTS rather than a test on the joined row: PostgreSQL then walks the time index (8 ms instead of a
        // hash join over every appointment, 1.7 s at 1,000,000 calls).
        sql += u" AND c.appointment_requested = 1 AND c.outcome <> 'booked' "
               "AND NOT EXISTS (SELECT 1 FROM appointments x WHERE x.call_id = c.id AND x.status <> 'pending')"_s;
    } else if (!filter.outcome.isEmpty()) {
        sql += u" AND c.outcome = ?"_s;
        params << filter.outcome;
    }
}

// Rows strictly after the cursor in the sort order; written so that the index range is on the key alone.
void appendAfter(const QString &key, bool descending, const CallCursor &after, QString &sql, QVariantList &params)
{
    sql += descending ? u" AND "_s + key + u" <= ? AND ("_s + key + u" < ? OR c.id < ?)"_s
                      : u" AND "_s + key + u" >= ? AND ("_s + key + u" > ? OR c.id > ?)"_s;
    params << after.sortKey << after.sortKey << after.id;
}

// Rows up to and including the cursor in the sort order: the end of a text search's window.
void appendUpTo(const QString &key, bool descending, const CallCursor &end, QString &sql, QVariantList &params)
{
    sql += descending ? u" AND "_s + key + u" >= ? AND ("_s + key + u" > ? OR c.id >= ?)"_s
                      : u" AND "_s + key + u" <= ? AND ("_s + key + u" < ? OR c.id <= ?)"_s;
    params << end.sortKey << end.sortKey << end.id;
}

} // namespace

Result<CallPage> CallQuery::page(Database &db, const CallFilter &filter, int sortColumn, Qt::SortOrder order,
                                 const std::optional<CallCursor> &after, int limit, int scanLimit)
{
    const QString key = orderExpression(sortColumn);
    const bool descending = order == Qt::DescendingOrder;
    const QString direction = descending ? u" DESC"_s : u" ASC"_s;
    const QString orderBy = u" ORDER BY "_s + key + direction + u", c.id"_s + direction;
    const bool searching = !filter.text.trimmed().isEmpty();
    limit = qMax(1, limit);
    scanLimit = qMax(1, scanLimit);

    QString where;
    QVariantList params;
    appendFilters(filter, where, params);
    if (after)
        appendAfter(key, descending, *after, where, params);

    if (searching && filter.text.trimmed().size() >= shortestIndexedText) {
        // Few candidates (a number, a name, a rare word): all matches in one query. Very many (a word in most
        // transcripts): the windows below find a page of them sooner than any candidate list is built.
        const TextCandidates candidates(db.engine(), filter);
        const int many = manyCandidates(scanLimit);
        auto found = candidates.count(db, many);
        if (!found)
            return found.error();
        if (*found < many) {
            const bool indexedOrder = sortColumn == StartedAt || sortColumn == Id || sortColumn < 0 || sortColumn >= ColumnCount;
            const bool walk = db.engine() == Engine::Sqlite && indexedOrder && *found >= fewCandidates(scanLimit);
            if (walk || *found < fewCandidates(scanLimit) || db.engine() == Engine::Postgres) {
                candidates.append(walk, where, params);
                appendTextTest(filter, where, params);
                return read(db, selectList(key) + fromClause + where + orderBy + u" LIMIT ?"_s, QVariantList(params) << limit, limit,
                            std::nullopt);
            }
        }
    }
    std::optional<CallCursor> windowEnd;
    if (searching) {
        // The last call of this search window; none when fewer calls than the window remain.
        auto end = db.exec(u"SELECT "_s + key + u", c.id"_s + fromClause + where + orderBy + u" LIMIT 1 OFFSET ?"_s,
                           QVariantList(params) << scanLimit - 1);
        if (!end)
            return end.error();
        if (end->next())
            windowEnd = CallCursor{end->value(0), end->value(1).toLongLong()};
        if (windowEnd)
            appendUpTo(key, descending, *windowEnd, where, params);
        appendTextTest(filter, where, params);
    }
    return read(db, selectList(key) + fromClause + where + orderBy + u" LIMIT ?"_s, QVariantList(params) << limit, limit, windowEnd);
}

Result<CallPage> CallQuery::read(Database &db, const QString &sql, const QVariantList &params, int limit,
                                 const std::optional<CallCursor> &windowEnd)
{
    CallPage page;
    auto q = db.exec(sql, params);
    if (!q)
        return q.error();
    while (q->next()) {
        QVariantList row;
        row.reserve(ColumnCount);
        for (int c = 0; c < ColumnCount; ++c)
            row.append(q->value(c));
        page.rows.append(std::move(row));
        page.testCalls.append(q->value(ColumnCount + 1).toInt() != 0);
        page.next = CallCursor{q->value(ColumnCount), q->value(Id).toLongLong()};
    }
    if (page.rows.size() < limit)
        page.next = windowEnd; // this window is searched to its end; without a window, so are the calls
    return page;
}

Result<ChangeStamp> ChangeQuery::stamp(Database &db, Table table, qint64 companyScope)
{
    // Separate scalar subqueries: each MAX then reads one end of its index (one aggregate per SELECT).
    QString name;
    switch (table) {
    case Table::Calls: name = u"calls"_s; break;
    case Table::Appointments: name = u"appointments"_s; break;
    case Table::Customers: name = u"customers"_s; break;
    case Table::WebhookInbox:
        return stampOf(db, u"SELECT (SELECT MAX(id) FROM webhook_inbox), (SELECT MAX(processed_at) FROM webhook_inbox)"_s, {});
    case Table::HealthChecks: // rows are only ever added: the newest id is the change
        return stampOf(db, u"SELECT (SELECT MAX(id) FROM health_checks), 0"_s, {});
    }
    if (companyScope > 0) {
        return stampOf(db, u"SELECT (SELECT MAX(id) FROM %1 WHERE company_id = ?), (SELECT MAX(updated_at) FROM %1 WHERE company_id = ?)"_s.arg(name),
                       {companyScope, companyScope});
    }
    return stampOf(db, u"SELECT (SELECT MAX(id) FROM %1), (SELECT MAX(updated_at) FROM %1)"_s.arg(name), {});
}

Result<ChangeStamp> ChangeQuery::stampOf(Database &db, const QString &sql, const QVariantList &params)
{
    auto q = db.exec(sql, params);
    if (!q)
        return q.error();
    ChangeStamp s;
    if (q->next()) {
        s.lastId = q->value(0).toLongLong();
        s.lastChange = q->value(1).toLongLong();
    }
    return s;
}

QString callTimeZoneSql()
{
    return u"COALESCE(b.time_zone, (SELECT fb.time_zone FROM branches fb WHERE fb.company_id = c.company_id ORDER BY fb.id LIMIT 1), "
           "'Europe/Berlin')"_s;
}

} // namespace askpro
