// The webhook inbox as support sees it: every delivery with its signature result, processing state
// and linked call, filtered and sorted in SQL; and one delivery's stored body.
#pragma once

#include "core/result.h"

#include <QSqlQuery>
#include <QString>

namespace askpro {

class Database;

struct InboxFilter
{
    QString provider; // retell | calcom | stripe | empty for all
    QString status;   // pending | processed | failed | ignored | rejected | empty for all
    QString text;     // event type, error or retell call id
};

class InboxQuery final
{
public:
    enum Column { Id, ReceivedAt, TimeZone, Provider, EventType, SignatureOk, Status, Error, DeliveryCount, CallId, RetellCallId, ColumnCount };

    // Executed query for a lazy model; sortColumn is one of Column (others sort by received time).
    [[nodiscard]] static Result<QSqlQuery> browse(Database &db, const InboxFilter &filter, int sortColumn = ReceivedAt,
                                                  Qt::SortOrder order = Qt::DescendingOrder);
    // The stored body as text (bodies are UTF-8 JSON); NotFound when the row is gone.
    [[nodiscard]] static Result<QString> body(Database &db, qint64 inboxId);
};

} // namespace askpro
