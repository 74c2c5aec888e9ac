// The database: one connection per thread, prepared queries, transactions and the engine's dialect.
#pragma once

#include "core/result.h"
#include "db/connectionstring.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThreadStorage>
#include <QVariant>

#include <atomic>
#include <memory>

namespace askpro {

class Database final
{
    Q_DISABLE_COPY_MOVE(Database)
public:
    explicit Database(ConnectionString cs);
    ~Database();

    // Opens (and for SQLite creates) the database and checks it can be reached. Does not migrate.
    [[nodiscard]] static Result<std::shared_ptr<Database>> open(const QString &url);

    [[nodiscard]] Engine engine() const { return m_cs.engine; }
    [[nodiscard]] const ConnectionString &connectionString() const { return m_cs; }

    // This thread's connection, opened on first use with foreign keys on. Never share it across threads.
    [[nodiscard]] Result<QSqlDatabase> connection();

    // Prepares and runs one statement with positional '?' parameters. The query stays valid for reading.
    [[nodiscard]] Result<QSqlQuery> exec(const QString &sql, const QVariantList &params = {});
    // The first column of the first row, or an invalid QVariant when there is no row.
    [[nodiscard]] Result<QVariant> scalar(const QString &sql, const QVariantList &params = {});
    // INSERT ... RETURNING id, for both engines.
    [[nodiscard]] Result<qint64> insert(const QString &sql, const QVariantList &params = {});

    // Writer transaction: SQLite takes the write lock at BEGIN so two writers never deadlock.
    [[nodiscard]] Status begin();
    [[nodiscard]] Status commit();
    void rollback();

    // " FOR UPDATE SKIP LOCKED" on PostgreSQL, nothing on SQLite (one writer at a time anyway).
    [[nodiscard]] QString skipLocked() const;

    // The value that binds as SQL NULL (a null QString binds as '' instead: see bindable()).
    [[nodiscard]] static QVariant null() { return QVariant(); }
    [[nodiscard]] static QVariant bindable(const QVariant &value);

    // "%text%" for LIKE ? ESCAPE '\\', lower-cased, with the caller's % and _ taken literally.
    [[nodiscard]] static QString containsPattern(const QString &text);

    [[nodiscard]] static Error errorFrom(const QSqlError &error, const QString &context);

    // Runs a fixed statement without parameters (transaction control, pragmas, DDL from migrations).
    [[nodiscard]] Status control(const QString &statement);

private:
    struct ThreadConnection;
    ConnectionString m_cs;
    QString m_prefix;
    QThreadStorage<ThreadConnection *> m_connections;
    static std::atomic<int> s_instances;
};

// Rolls back unless committed; keeps early returns safe.
class Transaction final
{
    Q_DISABLE_COPY_MOVE(Transaction)
public:
    explicit Transaction(Database &db) : m_db(db) { m_status = db.begin(); }
    ~Transaction()
    {
        if (m_status.ok() && !m_done)
            m_db.rollback();
    }
    [[nodiscard]] const Status &started() const { return m_status; }
    [[nodiscard]] Status commit()
    {
        m_done = true;
        return m_db.commit();
    }

private:
    Database &m_db;
    Status m_status;
    bool m_done = false;
};

} // namespace askpro
