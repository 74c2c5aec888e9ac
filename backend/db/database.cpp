// Per-thread connections with the pragmas and settings both engines need.
#include "db/database.h"

#include "core/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QThread>

using namespace Qt::StringLiterals;

namespace askpro {

std::atomic<int> Database::s_instances{0};

struct Database::ThreadConnection
{
    QString name;
    ~ThreadConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            if (db.isOpen())
                db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
};

Database::Database(ConnectionString cs)
    : m_cs(std::move(cs))
    , m_prefix(u"askpro-%1-"_s.arg(s_instances.fetch_add(1)))
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
    if (m_connections.hasLocalData() && m_connections.localData()) {
        QSqlDatabase db = QSqlDatabase::database(m_connections.localData()->name, false);
        if (db.isOpen())
            return db;
    }
    const QString name = m_prefix + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
    auto *holder = new ThreadConnection{name};
    m_connections.setLocalData(holder);

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
        db.setConnectOptions(u"connect_timeout=10"_s);
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
    qCDebug(lcDb) << "opened" << m_cs.redacted() << "for thread" << QThread::currentThread();
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

Result<QSqlQuery> Database::exec(const QString &sql, const QVariantList &params)
{
    auto db = connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return errorFrom(q.lastError(), u"Cannot prepare a database statement"_s);
    for (const QVariant &p : params)
        q.addBindValue(bindable(p));
    if (!q.exec()) {
        qCDebug(lcDb) << "statement failed:" << q.lastError().text() << "in" << sql.left(120);
        return errorFrom(q.lastError(), u"A database statement failed"_s);
    }
    return q;
}

Result<QVariant> Database::scalar(const QString &sql, const QVariantList &params)
{
    auto q = exec(sql, params);
    if (!q)
        return q.error();
    if (!q->next())
        return QVariant();
    return q->value(0);
}

Result<qint64> Database::insert(const QString &sql, const QVariantList &params)
{
    auto q = exec(sql, params);
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::Internal, u"db.insert"_s, u"An insert returned no id"_s);
    return q->value(0).toLongLong();
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

Status Database::begin()
{
    return control(m_cs.engine == Engine::Sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s);
}

Status Database::commit()
{
    auto status = control(u"COMMIT"_s);
    if (!status)
        rollback();
    return status;
}

void Database::rollback()
{
    auto status = control(u"ROLLBACK"_s);
    if (!status)
        qCWarning(lcDb) << "rollback failed:" << status.error().describe();
}

QString Database::skipLocked() const
{
    return m_cs.engine == Engine::Postgres ? u" FOR UPDATE SKIP LOCKED"_s : QString();
}

} // namespace askpro
