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
                                         << u"postgresql://ask@db.local:6543/askpro"_s;
        QTest::newRow("postgres default port") << u"postgres://ask@127.0.0.1/askpro"_s << true << int(Engine::Postgres)
                                               << u"postgresql://ask@127.0.0.1:5432/askpro"_s;
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
    void defaultIsSqliteUnderDataDirectory()
    {
        const QString url = ConnectionString::defaultUrl();
        QVERIFY(url.startsWith(u"sqlite:"_s));
        QVERIFY(url.endsWith(u"/askpro.sqlite"_s));
    }
};

QTEST_GUILESS_MAIN(TestConnectionString)
#include "test_connection_string.moc"
