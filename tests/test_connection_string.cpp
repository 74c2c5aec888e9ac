// Connection strings: engines, defaults, bad input and that the password never shows.
#include "db/connectionstring.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestConnectionString final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("engine");
        QTest::addColumn<QString>("redacted");
        QTest::newRow("sqlite file") << u"sqlite:/tmp/a.sqlite"_s << true << int(Engine::Sqlite) << u"sqlite:/tmp/a.sqlite"_s;
        QTest::newRow("sqlite with slashes") << u"sqlite:///tmp/a.sqlite"_s << true << int(Engine::Sqlite) << u"sqlite:/tmp/a.sqlite"_s;
        QTest::newRow("sqlite without path") << u"sqlite:"_s << false << 0 << QString();
        QTest::newRow("postgresql full") << u"postgresql://ask:s3cret@db.local:6543/askpro"_s << true << int(Engine::Postgres)
                                         << u"postgresql://ask@db.local:6543/askpro?sslmode=verify-full"_s;
        QTest::newRow("postgres default port") << u"postgres://ask@127.0.0.1/askpro"_s << true << int(Engine::Postgres)
                                               << u"postgresql://ask@127.0.0.1:5432/askpro"_s;
        QTest::newRow("postgresql sslmode kept") << u"postgresql://ask@db.example.org/askpro?sslmode=require"_s << true << int(Engine::Postgres)
                                                 << u"postgresql://ask@db.example.org:5432/askpro?sslmode=require"_s;
        QTest::newRow("postgresql unknown sslmode") << u"postgresql://ask@h/askpro?sslmode=maybe"_s << false << 0 << QString();
        QTest::newRow("postgresql unknown parameter") << u"postgresql://ask@h/askpro?password=x"_s << false << 0 << QString();
        QTest::newRow("postgresql without database") << u"postgresql://ask@host:5432/"_s << false << 0 << QString();
        QTest::newRow("unknown scheme") << u"mysql://x@y/z"_s << false << 0 << QString();
        QTest::newRow("empty") << QString() << false << 0 << QString();
    }
    void parses()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(int, engine);
        QFETCH(QString, redacted);
        const auto cs = ConnectionString::parse(text);
        QCOMPARE(cs.ok(), ok);
        if (!ok) {
            QVERIFY(!cs.error().message.isEmpty());
            return;
        }
        QCOMPARE(int(cs->engine), engine);
        QCOMPARE(cs->redacted(), redacted);
        QVERIFY(!cs->redacted().contains(u"s3cret"_s));
    }
    void passwordIsDecoded()
    {
        const auto cs = ConnectionString::parse(u"postgresql://ask:p%40ss@h:1/d"_s);
        QVERIFY(cs.ok());
        QCOMPARE(cs->password, u"p@ss"_s);
        QCOMPARE(cs->port, 1);
    }
    // A database on another host is verified unless the URL says otherwise; this machine's keeps libpq's default.
    void postgresTlsOptions()
    {
        const auto remote = ConnectionString::parse(u"postgresql://ask@db.example.org/askpro"_s);
        QVERIFY(remote.ok());
        QCOMPARE(remote->sslMode, u"verify-full"_s);
        QCOMPARE(remote->postgresOptions(), u"connect_timeout=10;sslmode=verify-full"_s);
        const auto pinned = ConnectionString::parse(u"postgresql://ask@db.example.org/askpro?sslmode=verify-ca&sslrootcert=/etc/askpro/db-ca.pem"_s);
        QVERIFY(pinned.ok());
        QCOMPARE(pinned->postgresOptions(), u"connect_timeout=10;sslmode=verify-ca;sslrootcert=/etc/askpro/db-ca.pem"_s);
        for (const QString &local : {u"postgresql://ask@127.0.0.1/askpro"_s, u"postgresql://ask@localhost/askpro"_s, u"postgresql://ask@[::1]/askpro"_s}) {
            const auto cs = ConnectionString::parse(local);
            QVERIFY2(cs.ok(), qPrintable(local));
            QVERIFY2(cs->sslMode.isEmpty(), qPrintable(local));
            QCOMPARE(cs->postgresOptions(), u"connect_timeout=10"_s);
        }
    }

    void defaultIsSqliteUnderDataDirectory()
    {
        const QString url = ConnectionString::defaultUrl();
        QVERIFY(url.startsWith(u"sqlite:"_s));
        QVERIFY(url.endsWith(u"/askpro.sqlite"_s));
    }
};

QTEST_GUILESS_MAIN(TestConnectionString)
#include "test_connection_string.moc"
