// Keyset paging for any list ordered by (sort key, id): the next page starts strictly after the last row's
// key and id, so a page costs the same near the top and far down, and rows added meanwhile are not repeated.
#pragma once

#include "core/result.h"
#include "queries/callquery.h"

#include <QString>
#include <QVariantList>

#include <optional>

namespace askpro {

class Database;

// One page of select, whose first `columns` columns are the row (the first named id) followed by the
// sort key named sort_key. select has no ORDER BY or LIMIT; its values are bound from params. Keys must not
// be NULL (COALESCE them): NULL never compares after a cursor.
[[nodiscard]] Result<CallPage> keysetPage(Database &db, const QString &select, const QVariantList &params, int columns, bool descending,
                                          const std::optional<CallCursor> &after, int limit);

} // namespace askpro
