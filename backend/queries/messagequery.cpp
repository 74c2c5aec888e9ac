// Plain SELECTs over the notifications outbox, the one log of what was sent to whom.
#include "queries/messagequery.h"

#include "db/database.h"
#include "domain/phonenumbers.h"
#include "queries/keysetquery.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The provider's report where it has the last word, else the outbox's own state.
const QString stateSql = u"CASE WHEN n.provider_status IN ('delivered', 'read') THEN 'delivered' "
                         "WHEN n.provider_status = 'undelivered' THEN 'undelivered' "
                         "WHEN n.provider_status IN ('failed', 'canceled') THEN 'failed' ELSE n.status END"_s;
// Why a message did not arrive: the reason it was never sent, the provider's error code, else our last error.
const QString reasonSql = u"CASE WHEN n.skip_reason <> '' THEN n.skip_reason WHEN n.error_code <> '' THEN n.error_code ELSE n.last_error END"_s;

QString orderExpression(int column)
{
    switch (column) {
    case MessageQuery::Company: return u"COALESCE(co.name, '')"_s;
    case MessageQuery::Kind: return u"n.kind"_s;
    case MessageQuery::Channel: return u"n.channel"_s;
    case MessageQuery::State: return stateSql;
    case MessageQuery::CallId: return u"COALESCE(n.call_id, 0)"_s;
    case MessageQuery::Id: return u"n.id"_s;
    default: return u"n.created_at"_s; // imported and seeded rows: ids need not follow time
    }
}

} // namespace

QStringList MessageQuery::states()
{
    return {u"queued"_s, u"sending"_s, u"sent"_s, u"delivered"_s, u"undelivered"_s, u"failed"_s, u"skipped"_s};
}

Result<CallPage> MessageQuery::page(Database &db, const askpro::Actor &reader, const MessageFilter &filter, const QString &zone, int sortColumn,
                                    Qt::SortOrder order, const std::optional<CallCursor> &after, int limit)
{
    if (auto allowed = reader.require(Permission::ViewCalls); !allowed)
        return allowed.error();
    const bool seesCustomers = reader.can(Permission::ViewCustomers);
    QVariantList params{zone};
    QString sql = u"SELECT n.id, n.created_at, CAST(? AS TEXT), COALESCE(co.name, ''), n.kind, n.channel, n.recipient, "_s
        + stateSql + u", "_s + reasonSql + u", n.provider_id, COALESCE(n.call_id, 0), "_s + orderExpression(sortColumn)
        + u" AS sort_key FROM notifications n LEFT JOIN companies co ON co.id = n.company_id WHERE 1 = 1"_s;
    if (filter.companyId > 0) {
        sql += u" AND n.company_id = ?"_s;
        params << filter.companyId;
    }
    if (!filter.channel.isEmpty()) {
        sql += u" AND n.channel = ?"_s;
        params << filter.channel;
    }
    if (!filter.state.isEmpty()) {
        sql += u" AND "_s + stateSql + u" = ?"_s;
        params << filter.state;
    }
    if (!filter.kind.isEmpty()) {
        sql += u" AND n.kind = ?"_s;
        params << filter.kind;
    }
    if (filter.callId > 0) {
        sql += u" AND n.call_id = ?"_s;
        params << filter.callId;
    }
    if (!filter.text.trimmed().isEmpty()) {
        const QString pattern = Database::containsPattern(filter.text);
        if (seesCustomers) {
            sql += u" AND (lower(n.recipient) LIKE ? ESCAPE '\\' OR lower(n.provider_id) LIKE ? ESCAPE '\\')"_s;
            params << pattern << pattern;
        } else {
            sql += u" AND lower(n.provider_id) LIKE ? ESCAPE '\\'"_s;
            params << pattern;
        }
    }
    if (filter.from.isValid()) {
        sql += u" AND n.created_at >= ?"_s;
        params << filter.from.toMSecsSinceEpoch();
    }
    if (filter.to.isValid()) {
        sql += u" AND n.created_at < ?"_s;
        params << filter.to.toMSecsSinceEpoch();
    }
    auto page = keysetPage(db, sql, params, ColumnCount, order == Qt::DescendingOrder, after, limit);
    if (page && !seesCustomers) {
        for (QVariantList &row : page->rows)
            row[Recipient] = PhoneNumbers::maskedRecipient(row.at(Recipient).toString());
    }
    return page;
}

Result<MessageDetail> MessageQuery::detail(Database &db, const askpro::Actor &reader, qint64 id, qint64 companyId)
{
    if (auto allowed = reader.require(Permission::ViewCalls); !allowed)
        return allowed.error();
    const bool seesCustomers = reader.can(Permission::ViewCustomers);
    auto q = db.exec(u"SELECT n.id, COALESCE(n.company_id, 0), COALESCE(n.call_id, 0), COALESCE(n.appointment_id, 0), n.kind, n.channel, "
                     "n.recipient, n.language, n.subject, n.body, n.status, n.provider_status, n.provider_id, n.error_code, n.skip_reason, "
                     "n.last_error, n.attempts, n.created_at, COALESCE(n.sent_at, 0), COALESCE(n.status_at, 0), "
                     "COALESCE(n.resend_of, 0) FROM notifications n WHERE n.id = ? AND (? = 0 OR n.company_id = ?)"_s,
                     {id, companyId, companyId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"message.missing"_s, u"No message %1"_s.arg(id));
    MessageDetail m;
    m.id = q->value(0).toLongLong();
    m.companyId = q->value(1).toLongLong();
    m.callId = q->value(2).toLongLong();
    m.appointmentId = q->value(3).toLongLong();
    m.kind = q->value(4).toString();
    m.channel = q->value(5).toString();
    m.recipient = seesCustomers ? q->value(6).toString() : PhoneNumbers::maskedRecipient(q->value(6).toString());
    m.language = q->value(7).toString();
    // A subject may name the customer as the text does.
    if (seesCustomers) {
        m.subject = q->value(8).toString();
        m.body = q->value(9).toString();
    }
    m.status = q->value(10).toString();
    m.providerStatus = q->value(11).toString();
    m.providerId = q->value(12).toString();
    m.errorCode = q->value(13).toString();
    m.skipReason = q->value(14).toString();
    m.lastError = q->value(15).toString();
    m.attempts = q->value(16).toInt();
    m.createdAtMs = q->value(17).toLongLong();
    m.sentAtMs = q->value(18).toLongLong();
    m.statusAtMs = q->value(19).toLongLong();
    m.resendOf = q->value(20).toLongLong();
    return m;
}

} // namespace askpro
