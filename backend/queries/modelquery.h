// Runs a SELECT for an item model: a scrollable (not forward-only) query, which QSqlQueryModel needs
// to fetch lazily. It runs on a separate read-only connection of this thread: a lazily fetched query
// keeps its statement (and, on SQLite, its WAL snapshot) open, which would otherwise make this
// thread's next write transaction fail with "database is locked" once another process committed.
#pragma once

#include "core/result.h"

#include <QSqlQuery>
#include <QVariantList>

namespace askpro {

class Database;

// Prepares, binds (through Database::bindable) and executes; errors name the context.
[[nodiscard]] Result<QSqlQuery> runModelQuery(Database &db, const QString &sql, const QVariantList &params, const QString &context);

} // namespace askpro
