// The one place model queries are prepared; Database::exec stays forward-only for everything else.
#include "queries/modelquery.h"

#include "db/database.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// This thread's reader beside its main connection, opened on first use.
Result<QSqlDatabase> readerConnection(Database &db)
{
    auto conn = db.connection();
    if (!conn)
        return conn.error();
    const QString name = conn->connectionName() + u"-reader"_s;
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase reader = QSqlDatabase::database(name, false);
        if (reader.isOpen())
            return reader;
    }
    QSqlDatabase reader = QSqlDatabase::cloneDatabase(*conn, name);
    if (!reader.open())
        return Database::errorFrom(reader.lastError(), u"Cannot open a reading connection"_s);
    if (db.engine() == Engine::Sqlite) {
        QSqlQuery pragma(reader);
        pragma.exec(u"PRAGMA query_only = ON"_s);
    }
    return reader;
}

} // namespace

Result<QSqlQuery> runModelQuery(Database &db, const QString &sql, const QVariantList &params, const QString &context)
{
    auto conn = readerConnection(db);
    if (!conn)
        return conn.error();
    QSqlQuery q(*conn);
    if (!q.prepare(sql))
        return Database::errorFrom(q.lastError(), context);
    for (const QVariant &p : params)
        q.addBindValue(Database::bindable(p));
    if (!q.exec())
        return Database::errorFrom(q.lastError(), context);
    return q;
}

} // namespace askpro
