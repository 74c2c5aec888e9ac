// Fresh databases per test: a temporary SQLite file, or a new database in the test cluster.
#include "testdatabase.h"

#include "core/clock.h"
#include "db/migrator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace askpro::test {

namespace {
QTemporaryDir &tempDir()
{
    static QTemporaryDir dir;
    return dir;
}
} // namespace

void addEngineRows()
{
    QTest::addColumn<QString>("engine");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("postgresql") << u"postgresql"_s;
}

QString postgresAdminUrl()
{
    const QString env = qEnvironmentVariable("ASKPRO_TEST_PG_URL");
    if (!env.isEmpty())
        return env;
    QFile file(QStringLiteral(ASKPRO_TEST_PG_STATE));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed();
}

bool postgresAvailable()
{
    return !postgresAdminUrl().isEmpty();
}

QString freshDatabaseUrl(const QString &engine)
{
    const QString name = u"askpro_t_"_s + QUuid::createUuid().toString(QUuid::Id128).left(16);
    if (engine == u"sqlite"_s)
        return u"sqlite:"_s + tempDir().path() + u"/"_s + name + u".sqlite"_s;
    auto admin = Database::open(postgresAdminUrl());
    if (!admin)
        qFatal("cannot reach the PostgreSQL test cluster: %s", qPrintable(admin.error().describe()));
    // DDL cannot take parameters; the name is ours, made of [a-z0-9_].
    auto created = (*admin)->control(u"CREATE DATABASE "_s + name);
    if (!created)
        qFatal("cannot create a test database: %s", qPrintable(created.error().describe()));
    QString url = postgresAdminUrl();
    url.truncate(url.lastIndexOf(u'/') + 1);
    return url + name;
}

std::shared_ptr<Database> freshDatabase(const QString &engine, bool migrate)
{
    auto db = Database::open(freshDatabaseUrl(engine));
    if (!db) {
        qWarning("%s", qPrintable(db.error().describe()));
        return nullptr;
    }
    if (migrate) {
        auto applied = Migrator(**db).migrate();
        if (!applied) {
            qWarning("%s", qPrintable(applied.error().describe()));
            return nullptr;
        }
    }
    return *db;
}

std::pair<qint64, qint64> plantCompanyAndBranch(Database &db, const QString &phone, bool active)
{
    const qint64 now = nowMs();
    auto company = db.insert(u"INSERT INTO companies (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id"_s,
                             {u"Praxis Test"_s, now, now});
    if (!company)
        qFatal("%s", qPrintable(company.error().describe()));
    auto branch = db.insert(u"INSERT INTO branches (company_id, name, phone_e164, active, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                            {*company, u"Filiale Mitte"_s, phone, active ? 1 : 0, now, now});
    if (!branch)
        qFatal("%s", qPrintable(branch.error().describe()));
    return {*company, *branch};
}

} // namespace askpro::test
