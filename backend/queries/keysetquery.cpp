// Wraps a list's SELECT as a subquery so that computed sort keys (counts, COALESCE) can be compared too.
#include "queries/keysetquery.h"

#include "db/database.h"

using namespace Qt::StringLiterals;

namespace askpro {

Result<CallPage> keysetPage(Database &db, const QString &select, const QVariantList &params, int columns, bool descending,
                            const std::optional<CallCursor> &after, int limit)
{
    const QString direction = descending ? u" DESC"_s : u" ASC"_s;
    QString sql = u"SELECT * FROM ("_s + select + u") page WHERE 1 = 1"_s;
    QVariantList values = params;
    if (after) {
        sql += descending ? u" AND (page.sort_key < ? OR (page.sort_key = ? AND page.id < ?))"_s
                          : u" AND (page.sort_key > ? OR (page.sort_key = ? AND page.id > ?))"_s;
        values << after->sortKey << after->sortKey << after->id;
    }
    sql += u" ORDER BY page.sort_key"_s + direction + u", page.id"_s + direction + u" LIMIT ?"_s;
    values << qMax(1, limit) + 1; // one more than asked: whether a next page exists
    auto q = db.exec(sql, values);
    if (!q)
        return q.error();
    CallPage page;
    while (q->next()) {
        if (page.rows.size() == qMax(1, limit)) {
            const QVariantList &last = page.rows.constLast();
            page.next = CallCursor{last.value(columns), last.value(0).toLongLong()};
            break;
        }
        QVariantList row;
        row.reserve(columns + 1);
        for (int c = 0; c <= columns; ++c)
            row.append(q->value(c));
        page.rows.append(std::move(row));
    }
    // The sort key stays out of the rows handed back.
    for (QVariantList &row : page.rows)
        row.removeLast();
    return page;
}

} // namespace askpro
