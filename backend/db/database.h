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

// How long a commit waits for the disk.
enum class Durability {
    // On disk before the commit returns (SQLite synchronous=FULL, PostgreSQL synchronous_commit=on). For
    // everything that is acknowledged to a sender or followed by a request to a provider.
    Full,
    // On disk with the next Full commit of any connection, or shortly after: both engines write one log
    // in commit order, and a flush covers everything before it. A power cut may lose the last relaxed
    // commits, only whole and only together with everything after them; an application crash loses
    // nothing. Only for steps that a crash would simply redo (see docs/reliability.md).
    Relaxed,
};

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
    // A connection of its own for one long-lived purpose in the calling thread (LISTEN for live updates), set
    // up like the others; the caller keeps it open as long as it needs it.
    [[nodiscard]] Result<QSqlDatabase> openDedicated(const QString &purpose);

    // Prepares and runs one statement with positional '?' parameters. The query stays valid for reading.
    // Statements are prepared once per connection and reused (keyed by their text) while no earlier
    // result of the same text is still held; ASKPRO_DB_STATEMENT_CACHE=0 turns that off.
    [[nodiscard]] Result<QSqlQuery> exec(const QString &sql, const QVariantList &params = {});
    // The first column of the first row, or an invalid QVariant when there is no row.
    [[nodiscard]] Result<QVariant> scalar(const QString &sql, const QVariantList &params = {});
    // INSERT ... RETURNING id, for both engines.
    [[nodiscard]] Result<qint64> insert(const QString &sql, const QVariantList &params = {});

    // Writer transaction: SQLite takes the write lock at BEGIN so two writers never deadlock. The
    // durability is chosen at BEGIN (SQLite cannot change it inside a transaction).
    [[nodiscard]] Status begin(Durability durability = Durability::Full);
    // Fails (and rolls back) when a statement of the transaction failed on PostgreSQL, where the server
    // has already discarded the whole transaction and a COMMIT would only pretend to succeed.
    [[nodiscard]] Status commit();
    void rollback();
    // Whether this thread's connection is inside begin() .. commit()/rollback().
    [[nodiscard]] bool inTransaction();

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
    [[nodiscard]] ThreadConnection *threadConnection();
    [[nodiscard]] Result<QSqlDatabase> openNamed(const QString &name);
    void endTransaction(ThreadConnection *connection);
    ConnectionString m_cs;
    QString m_prefix;
    bool m_cacheStatements = true;
    QThreadStorage<ThreadConnection *> m_connections;
    static std::atomic<int> s_instances;
};

// Rolls back unless committed; keeps early returns safe.
class Transaction final
{
    Q_DISABLE_COPY_MOVE(Transaction)
public:
    explicit Transaction(Database &db, Durability durability = Durability::Full) : m_db(db) { m_status = db.begin(durability); }
    ~Transaction()
    {
        if (m_status.ok() && !m_done)
            m_db.rollback();
    }
    [[nodiscard]] const Status &started() const { return m_status; }
    // Started and neither committed nor rolled back yet.
    [[nodiscard]] bool isOpen() const { return m_status.ok() && !m_done; }
    [[nodiscard]] Status commit()
    {
        m_done = true;
        return m_db.commit();
    }
    void rollback()
    {
        if (isOpen()) {
            m_done = true;
            m_db.rollback();
        }
    }

private:
    Database &m_db;
    Status m_status;
    bool m_done = false;
};

} // namespace askpro
