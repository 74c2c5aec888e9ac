// Inbox rows joined with their call and branch, so times read in the branch's zone where one is known.
#include "queries/inboxquery.h"

#include "db/database.h"
#include "queries/keysetquery.h"
#include "queries/modelquery.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString orderExpression(int column)
{
    switch (column) {
    case InboxQuery::Id: return u"w.id"_s;
    case InboxQuery::Provider: return u"w.provider"_s;
    case InboxQuery::EventType: return u"COALESCE(w.event_type, '')"_s;
    case InboxQuery::SignatureOk: return u"w.signature_ok"_s;
    case InboxQuery::Status: return u"w.status"_s;
    case InboxQuery::Error: return u"COALESCE(w.error, '')"_s;
    case InboxQuery::DeliveryCount: return u"w.delivery_count"_s;
    case InboxQuery::CallId:
    case InboxQuery::RetellCallId: return u"COALESCE(w.call_id, 0)"_s;
    default: return u"w.received_at"_s;
    }
}

QString select(const InboxFilter &filter, const QString &sortKey, QVariantList &params)
{
    QString sql = u"SELECT w.id, w.received_at, COALESCE(b.time_zone, 'Europe/Berlin'), w.provider, w.event_type, w.signature_ok, "
                  "w.status, w.error, w.delivery_count, w.call_id, COALESCE(c.retell_call_id, '')"_s
        + sortKey
        + u" FROM webhook_inbox w LEFT JOIN calls c ON c.id = w.call_id LEFT JOIN branches b ON b.id = c.branch_id WHERE 1 = 1"_s;
    if (!filter.provider.isEmpty()) {
        sql += u" AND w.provider = ?"_s;
        params << filter.provider;
    }
    if (!filter.status.isEmpty()) {
        sql += u" AND w.status = ?"_s;
        params << filter.status;
    }
    if (!filter.text.trimmed().isEmpty()) {
        const QString pattern = Database::containsPattern(filter.text);
        sql += u" AND (lower(w.event_type) LIKE ? ESCAPE '\\' OR lower(w.error) LIKE ? ESCAPE '\\' "
               "OR lower(COALESCE(c.retell_call_id, '')) LIKE ? ESCAPE '\\')"_s;
        params << pattern << pattern << pattern;
    }
    return sql;
}

} // namespace

Result<QSqlQuery> InboxQuery::browse(Database &db, const InboxFilter &filter, int sortColumn, Qt::SortOrder order)
{
    QVariantList params;
    QString sql = select(filter, QString(), params);
    const QString direction = order == Qt::AscendingOrder ? u" ASC"_s : u" DESC"_s;
    sql += u" ORDER BY "_s + orderExpression(sortColumn) + direction + u", w.id"_s + direction;
    return runModelQuery(db, sql, params, u"The webhook inbox cannot be read"_s);
}

Result<CallPage> InboxQuery::page(Database &db, const InboxFilter &filter, int sortColumn, Qt::SortOrder order,
                                  const std::optional<CallCursor> &after, int limit)
{
    QVariantList params;
    const QString sql = select(filter, u", "_s + orderExpression(sortColumn) + u" AS sort_key"_s, params);
    return keysetPage(db, sql, params, ColumnCount, order == Qt::DescendingOrder, after, limit);
}

Result<QString> InboxQuery::body(Database &db, qint64 inboxId)
{
    auto q = db.exec(u"SELECT body FROM webhook_inbox WHERE id = ?"_s, {inboxId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"inbox.not_found"_s, u"The delivery is gone"_s);
    return QString::fromUtf8(q->value(0).toByteArray());
}

} // namespace askpro
