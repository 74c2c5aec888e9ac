// Per-thread connections with the pragmas and settings both engines need.
#include "db/database.h"

#include "core/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlRecord>
#include <QSqlResult>
#include <QThread>

#include <optional>

using namespace Qt::StringLiterals;

namespace askpro {

std::atomic<int> Database::s_instances{0};

namespace {

// A prepared statement kept for reuse on one connection; leased while a caller holds its result.
struct CachedStatement
{
    QSqlQuery query;
    bool leased = false;
};

// What Database::exec hands out for a cached statement: a result that reads through to the statement
// and gives it back (finished, so SQLite holds no read snapshot) when the caller's query ends. While it
// is held, the same text is prepared afresh, so a caller never sees its rows replaced.
class LeasedResult final : public QSqlResult
{
public:
    explicit LeasedResult(std::shared_ptr<CachedStatement> statement)
        : QSqlResult(statement->query.driver())
        , m_statement(std::move(statement))
    {
        m_statement->leased = true;
        const QSqlQuery &q = m_statement->query;
        setQuery(q.lastQuery());
        setForwardOnly(q.isForwardOnly());
        setSelect(q.isSelect());
        setActive(q.isActive());
        setAt(QSql::BeforeFirstRow);
    }
    ~LeasedResult() override { release(); }
    Q_DISABLE_COPY_MOVE(LeasedResult)

    QVariant handle() const override { return m_statement ? m_statement->query.result()->handle() : QVariant(); }

protected:
    QVariant data(int i) override { return target().value(i); }
    bool isNull(int i) override { return target().isNull(i); }
    bool fetch(int i) override { return moved(target().seek(i)); }
    bool fetchNext() override { return moved(target().next()); }
    bool fetchFirst() override { return moved(target().first()); }
    bool fetchLast() override { return moved(target().last()); }
    int size() override { return target().size(); }
    int numRowsAffected() override { return target().numRowsAffected(); }
    QSqlRecord record() const override
    {
        return m_statement ? m_statement->query.record() : m_own ? m_own->record() : QSqlRecord();
    }
    QVariant lastInsertId() const override
    {
        return m_statement ? m_statement->query.lastInsertId() : m_own ? m_own->lastInsertId() : QVariant();
    }
    void detachFromResultSet() override { release(); }

    // A caller that runs SQL of its own through this query gets a statement of its own; the cached one
    // goes back to the cache untouched.
    bool reset(const QString &sql) override
    {
        release();
        return adopt(own().exec(sql));
    }
    // QSqlQuery::prepare() arrives here with the caller's text, before any placeholder rewriting.
    bool savePrepare(const QString &sql) override { return prepare(sql); }
    bool prepare(const QString &sql) override
    {
        release();
        const bool ok = own().prepare(sql);
        if (!ok)
            setLastError(m_own->lastError());
        return ok;
    }
    bool exec() override
    {
        if (m_statement && !prepare(lastQuery()))
            return false;
        const QVariantList values = boundValues();
        for (const QVariant &value : values)
            own().addBindValue(value);
        return adopt(own().exec());
    }

private:
    QSqlQuery &own()
    {
        if (!m_own) {
            m_own.emplace(driver()->createResult());
            m_own->setForwardOnly(isForwardOnly());
        }
        return *m_own;
    }
    QSqlQuery &target() { return m_statement ? m_statement->query : own(); }
    bool moved(bool ok)
    {
        if (ok)
            setAt(target().at());
        else if (target().lastError().isValid())
            setLastError(target().lastError());
        return ok;
    }
    bool adopt(bool ok)
    {
        setSelect(m_own->isSelect());
        setActive(m_own->isActive());
        setAt(QSql::BeforeFirstRow);
        if (!ok)
            setLastError(m_own->lastError());
        return ok;
    }
    void release()
    {
        if (!m_statement)
            return;
        m_statement->query.finish();
        m_statement->leased = false;
        m_statement.reset();
    }

    std::shared_ptr<CachedStatement> m_statement;
    std::optional<QSqlQuery> m_own;
};

} // namespace

struct Database::ThreadConnection
{
    QString name;
    QSqlDatabase db; // kept: looking it up by name takes a lock shared by every thread
    QHash<QString, std::shared_ptr<CachedStatement>> statements;
    bool inTransaction = false;
    bool relaxed = false; // SQLite: synchronous is NORMAL until the transaction ends
    bool aborted = false; // PostgreSQL: a statement failed, the server discarded the transaction
    ~ThreadConnection()
    {
        statements.clear(); // before the connection closes
        if (db.isOpen())
            db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
};

// Enough for every fixed statement of the server; text built per call (it should not be) cannot grow it
// without bound: a full cache is emptied of what is not leased.
constexpr qsizetype maxCachedStatements = 256;

Database::Database(ConnectionString cs)
    : m_cs(std::move(cs))
    , m_prefix(u"askpro-%1-"_s.arg(s_instances.fetch_add(1)))
    , m_cacheStatements(qEnvironmentVariable("ASKPRO_DB_STATEMENT_CACHE") != u"0"_s)
{
}

Database::~Database()
{
    if (m_connections.hasLocalData())
        m_connections.setLocalData(nullptr);
}

Result<std::shared_ptr<Database>> Database::open(const QString &url)
{
    auto cs = ConnectionString::parse(url);
    if (!cs)
        return cs.error();
    if (cs->engine == Engine::Sqlite) {
        const QFileInfo info(cs->path);
        if (!QDir().mkpath(info.absolutePath()))
            return makeError(ErrorKind::Configuration, u"db.open"_s,
                             u"Cannot create the folder for the database file %1"_s.arg(info.absolutePath()));
    }
    auto db = std::make_shared<Database>(*cs);
    auto conn = db->connection();
    if (!conn)
        return conn.error();
    return db;
}

Result<QSqlDatabase> Database::connection()
{
    if (m_connections.hasLocalData() && m_connections.localData() && m_connections.localData()->db.isOpen())
        return m_connections.localData()->db;
    const QString name = m_prefix + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
    auto *holder = new ThreadConnection;
    holder->name = name;
    m_connections.setLocalData(holder);

    auto db = openNamed(name);
    if (!db)
        return db.error();
    holder->db = *db;
    qCDebug(lcDb) << "opened" << m_cs.redacted() << "for thread" << QThread::currentThread();
    return *db;
}

Result<QSqlDatabase> Database::openDedicated(const QString &purpose)
{
    return openNamed(m_prefix + purpose);
}

Result<QSqlDatabase> Database::openNamed(const QString &name)
{
    QSqlDatabase db;
    if (m_cs.engine == Engine::Sqlite) {
        db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(m_cs.path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    } else {
        db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(m_cs.host);
        db.setPort(m_cs.port);
        db.setUserName(m_cs.user);
        db.setPassword(m_cs.password);
        db.setDatabaseName(m_cs.database);
        db.setConnectOptions(m_cs.postgresOptions());
    }
    if (!db.isValid())
        return makeError(ErrorKind::Configuration, u"db.driver"_s,
                         u"The Qt SQL driver for %1 is not installed"_s.arg(m_cs.engine == Engine::Sqlite ? u"SQLite"_s : u"PostgreSQL"_s));
    if (!db.open()) {
        auto error = errorFrom(db.lastError(), u"Cannot open the database %1"_s.arg(m_cs.redacted()));
        error.kind = ErrorKind::Transient;
        return error;
    }
    const QStringList setup = m_cs.engine == Engine::Sqlite
        ? QStringList{u"PRAGMA foreign_keys = ON"_s, u"PRAGMA journal_mode = WAL"_s, u"PRAGMA synchronous = FULL"_s}
        : QStringList{u"SET TIME ZONE 'UTC'"_s, u"SET client_min_messages = warning"_s};
    for (const QString &statement : setup) {
        QSqlQuery q(db);
        if (!q.exec(statement))
            return errorFrom(q.lastError(), u"Cannot prepare the database connection"_s);
    }
    return db;
}

Error Database::errorFrom(const QSqlError &error, const QString &context)
{
    const QString native = error.nativeErrorCode();
    const QString text = error.text();
    // SQLite: 19 constraint (extended 787 FK, 2067/1555 unique); PostgreSQL: SQLSTATE class 23.
    const bool constraint = native.startsWith(u"23"_s) || native == u"19"_s || native == u"787"_s
        || native == u"2067"_s || native == u"1555"_s || native == u"1299"_s || native == u"275"_s
        || text.contains(u"constraint"_s, Qt::CaseInsensitive);
    const bool busy = native == u"5"_s || native == u"6"_s || native.startsWith(u"40"_s) || native.startsWith(u"08"_s)
        || native == u"57P01"_s;
    const ErrorKind kind = constraint ? ErrorKind::Conflict : busy ? ErrorKind::Transient : ErrorKind::Internal;
    return makeError(kind, constraint ? u"db.constraint"_s : u"db.error"_s, context, text);
}

QVariant Database::bindable(const QVariant &value)
{
    // The drivers bind a null QString as SQL NULL; text columns here are NOT NULL DEFAULT ''. SQL NULL
    // is asked for explicitly with Database::null().
    if (value.typeId() == QMetaType::QString && value.toString().isNull())
        return QVariant(QString(u""_s));
    return value;
}

QString Database::containsPattern(const QString &text)
{
    QString pattern = text.trimmed().toLower();
    pattern.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
    return u"%"_s + pattern + u"%"_s;
}

Database::ThreadConnection *Database::threadConnection()
{
    return m_connections.hasLocalData() ? m_connections.localData() : nullptr;
}

Result<QSqlQuery> Database::exec(const QString &sql, const QVariantList &params)
{
    auto db = connection();
    if (!db)
        return db.error();
    ThreadConnection *tc = threadConnection();
    const auto failed = [&](const QSqlQuery &q, const QString &context) {
        if (tc && tc->inTransaction && m_cs.engine == Engine::Postgres)
            tc->aborted = true;
        qCDebug(lcDb) << "statement failed:" << q.lastError().text() << "in" << sql.left(120);
        return errorFrom(q.lastError(), context);
    };

    std::shared_ptr<CachedStatement> cached;
    if (m_cacheStatements && tc) {
        auto it = tc->statements.constFind(sql);
        if (it == tc->statements.constEnd()) {
            auto statement = std::make_shared<CachedStatement>(CachedStatement{QSqlQuery(*db), false});
            statement->query.setForwardOnly(true);
            if (!statement->query.prepare(sql))
                return failed(statement->query, u"Cannot prepare a database statement"_s);
            if (tc->statements.size() >= maxCachedStatements)
                tc->statements.removeIf([](const auto &entry) { return !entry.value()->leased; });
            tc->statements.insert(sql, statement);
            cached = std::move(statement);
        } else if (!(*it)->leased) {
            cached = *it;
        }
    }
    if (cached) {
        for (const QVariant &p : params)
            cached->query.addBindValue(bindable(p));
        if (!cached->query.exec()) {
            // Prepared again next time in case the statement itself went bad (PostgreSQL: 26000 it is gone,
            // 0A000 its plan no longer fits the schema). Inside a PostgreSQL transaction the failure is the
            // data's (or the transaction is aborted and could not even free the statement): kept.
            const QString code = cached->query.lastError().nativeErrorCode();
            const bool inPgTransaction = tc->inTransaction && m_cs.engine == Engine::Postgres;
            if (!inPgTransaction || code == u"26000"_s || code == u"0A000"_s)
                tc->statements.remove(sql);
            return failed(cached->query, u"A database statement failed"_s);
        }
        return QSqlQuery(new LeasedResult(std::move(cached)));
    }

    // Uncached: the cache is off, or an earlier result of this text is still held by its caller.
    QSqlQuery q(*db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return failed(q, u"Cannot prepare a database statement"_s);
    for (const QVariant &p : params)
        q.addBindValue(bindable(p));
    if (!q.exec())
        return failed(q, u"A database statement failed"_s);
    return q;
}

Result<QVariant> Database::scalar(const QString &sql, const QVariantList &params)
{
    auto q = exec(sql, params);
    if (!q)
        return q.error();
    if (!q->next())
        return QVariant();
    QVariant value = q->value(0);
    q->finish(); // hands the statement back at once
    return value;
}

Result<qint64> Database::insert(const QString &sql, const QVariantList &params)
{
    auto q = exec(sql, params);
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::Internal, u"db.insert"_s, u"An insert returned no id"_s);
    const qint64 id = q->value(0).toLongLong();
    q->finish();
    return id;
}

// Transaction control cannot be prepared on PostgreSQL; these fixed statements carry no data.
Status Database::control(const QString &statement)
{
    auto db = connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    if (!q.exec(statement))
        return errorFrom(q.lastError(), u"Database transaction control failed"_s);
    return {};
}

Status Database::begin(Durability durability)
{
    auto db = connection();
    if (!db)
        return db.error();
    ThreadConnection *tc = threadConnection();
    const bool relaxed = durability == Durability::Relaxed;
    Status status;
    if (m_cs.engine == Engine::Sqlite) {
        // Per connection and only outside a transaction; put back to FULL when the transaction ends.
        if (relaxed)
            status = control(u"PRAGMA synchronous = NORMAL"_s);
        if (status)
            status = control(u"BEGIN IMMEDIATE"_s);
        if (!status && relaxed) {
            auto restored = control(u"PRAGMA synchronous = FULL"_s);
            Q_UNUSED(restored);
        }
    } else {
        // SET LOCAL ends with the transaction; sent with BEGIN, it costs no extra round trip.
        status = control(relaxed ? u"BEGIN; SET LOCAL synchronous_commit = off"_s : u"BEGIN"_s);
    }
    if (status && tc) {
        tc->inTransaction = true;
        tc->relaxed = relaxed && m_cs.engine == Engine::Sqlite;
        tc->aborted = false;
    }
    return status;
}

void Database::endTransaction(ThreadConnection *tc)
{
    if (!tc)
        return;
    const bool restore = tc->relaxed;
    tc->inTransaction = false;
    tc->relaxed = false;
    tc->aborted = false;
    if (restore) {
        auto restored = control(u"PRAGMA synchronous = FULL"_s);
        if (!restored)
            qCWarning(lcDb) << "could not restore synchronous = FULL:" << restored.error().describe();
    }
}

Status Database::commit()
{
    ThreadConnection *tc = threadConnection();
    if (tc && tc->aborted) {
        rollback();
        return makeError(ErrorKind::Transient, u"db.aborted"_s,
                         u"The transaction was discarded after one of its statements failed"_s);
    }
    auto status = control(u"COMMIT"_s);
    if (!status) {
        rollback();
        return status;
    }
    endTransaction(tc);
    return status;
}

void Database::rollback()
{
    auto status = control(u"ROLLBACK"_s);
    if (!status)
        qCWarning(lcDb) << "rollback failed:" << status.error().describe();
    endTransaction(threadConnection());
}

bool Database::inTransaction()
{
    ThreadConnection *tc = threadConnection();
    return tc && tc->inTransaction;
}

QString Database::skipLocked() const
{
    return m_cs.engine == Engine::Postgres ? u" FOR UPDATE SKIP LOCKED"_s : QString();
}

} // namespace askpro
