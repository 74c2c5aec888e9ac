// The desktop's API client against a real askpro-server on loopback: sign-in, answers and the one error shape,
// a session the server ended, an unreachable server, and servers it refuses to talk to in clear.
#include "apiaccount.h"
#include "apilistmodel.h"
#include "changewatcher.h"
#include "apisession.h"
#include "core/clock.h"
#include "http/askproserver.h"
#include "security/sessionstore.h"
#include "security/userstore.h"
#include "testdatabase.h"

#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;
using client::ApiAccount;
using client::ApiCall;
using client::ApiResult;

namespace {

const QString password = u"correct horse battery"_s;

ApiResult await(ApiCall *call)
{
    ApiResult result;
    bool answered = false;
    QObject::connect(call, &ApiCall::finished, call, [&](const ApiResult &r) {
        result = r;
        answered = true;
    });
    if (!QTest::qWaitFor([&] { return answered; }, 20000))
        qFatal("no answer from the API within 20 s");
    return result;
}

// The calls list as a bare table: number and caller.
class CallNumbers final : public ApiListModel
{
public:
    CallNumbers(ApiAccount &account, int pageSize)
        : ApiListModel(account, u"/calls"_s, nullptr, pageSize)
    {
    }
    int columnCount(const QModelIndex & = QModelIndex()) const override { return 2; }

protected:
    QVariant cell(const client::Json &item, int column, int role) const override
    {
        if (role != Qt::DisplayRole)
            return {};
        return column == 0 ? QVariant(item.value("id", qint64(0))) : QVariant(QString::fromStdString(item.value("caller", std::string())));
    }
};

} // namespace

class TestApiClient final : public QObject
{
    Q_OBJECT
private:
    std::shared_ptr<Database> m_db;
    std::unique_ptr<AskProServer> m_server;
    QUrl m_base;

private Q_SLOTS:
    void initTestCase()
    {
        m_db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(m_db);
        UserStore users(*m_db);
        auto admin = users.createFirstAdmin({u"anna"_s, u"Anna Admin"_s, password, Role::Admin, u"de"_s});
        QVERIFY(admin.ok());
        QVERIFY(users.create(*admin, {u"sven"_s, u"Sven Support"_s, password, Role::Support, u"de"_s, 0}).ok());
        m_server = std::make_unique<AskProServer>(m_db, SecretBox(SecretBox::newKey()), ServerConfig(), false);
        auto port = m_server->start(QHostAddress::LocalHost, 0);
        QVERIFY(port.ok());
        m_base = QUrl(u"http://127.0.0.1:%1"_s.arg(*port));
    }

    void refusesPlainHttpBeyondLoopback_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("https") << u"https://askpro.example.com"_s << true;
        QTest::newRow("http loopback") << u"http://127.0.0.1:8080"_s << true;
        QTest::newRow("http localhost") << u"http://localhost:8080"_s << true;
        QTest::newRow("http ipv6 loopback") << u"http://[::1]:8080"_s << true;
        QTest::newRow("http elsewhere") << u"http://askpro.example.com"_s << false;
        QTest::newRow("http private address") << u"http://192.168.1.20:8080"_s << false;
        QTest::newRow("not a server") << u"ftp://askpro.example.com"_s << false;
        QTest::newRow("no host") << u"https://"_s << false;
    }
    void refusesPlainHttpBeyondLoopback()
    {
        QFETCH(QString, url);
        QFETCH(bool, accepted);
        ApiAccount account;
        QCOMPARE(account.setServer(QUrl(url)).isEmpty(), accepted);
    }

    void signInAndRead()
    {
        ApiAccount account;
        QVERIFY(account.setServer(m_base).isEmpty());
        const ApiResult wrong = await(account.signIn(u"sven"_s, u"wrong password"_s, u"test"_s));
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.errorCode, u"signin.failed"_s);
        QVERIFY(!wrong.errorMessage.isEmpty());
        QVERIFY(!account.isSignedIn());

        QSignalSpy signedIn(&account, &ApiAccount::signedIn);
        const ApiResult ok = await(account.signIn(u"sven"_s, password, u"askpro-admin test"_s));
        QVERIFY2(ok.ok(), qPrintable(ok.errorMessage));
        QCOMPARE(signedIn.count(), 1);
        QVERIFY(account.isSignedIn());
        QCOMPARE(QString::fromStdString(account.user()["role"].get<std::string>()), u"support"_s);
        QVERIFY(account.can(u"view_calls"_s));
        QVERIFY(!account.can(u"manage_users"_s));

        const ApiResult calls = await(account.get(u"/calls"_s, QUrlQuery(u"limit=10"_s)));
        QCOMPARE(calls.status, 200);
        QVERIFY(calls.body["items"].is_array());
        const ApiResult forbidden = await(account.get(u"/users"_s));
        QCOMPARE(forbidden.status, 403);
        QCOMPARE(forbidden.errorCode, u"access.denied"_s);
        const ApiResult badParameter = await(account.get(u"/calls"_s, QUrlQuery(u"limit=0"_s)));
        QCOMPARE(badParameter.status, 400);
        QCOMPARE(badParameter.errorCode, u"parameter.limit"_s);

        const ApiResult out = await(account.signOut());
        QCOMPARE(out.status, 204);
        QVERIFY(!account.isSignedIn());
    }

    // The list model pages by the server's cursor, drops the answer to a query that was replaced, and keeps
    // its rows when a request fails.
    void listModelPagesByCursor()
    {
        ASKPRO_FRESH_DB(db, u"sqlite"_s);
        const auto planted = test::plantCompanyAndBranch(*db, u"+4930999999"_s);
        const qint64 now = nowMs();
        qint64 newest = 0;
        for (int i = 0; i < 5; ++i) {
            auto id = db->insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, from_number, to_number, started_at, outcome, "
                               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?) RETURNING id"_s,
                               {u"call_list_%1"_s.arg(i), planted.first, planted.second, u"+4917000000%1"_s.arg(i), u"+4930999999"_s,
                                now - i * 60000, now, now});
            QVERIFY(id.ok());
            if (i == 0)
                newest = *id;
        }
        auto session = test::startApiSession(db, Role::Support);
        CallNumbers model(*session->account, 2);
        QSignalSpy loaded(&model, &ApiListModel::loaded);
        model.setQuery(QUrlQuery(u"sort=started_at&order=desc"_s));
        QVERIFY(model.isLoading());
        QVERIFY(loaded.wait(10000));
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.canFetchMore(QModelIndex()));
        model.fetchMore(QModelIndex());
        QVERIFY(!model.canFetchMore(QModelIndex())); // one request at a time
        QVERIFY(loaded.wait(10000));
        model.fetchMore(QModelIndex());
        QVERIFY(loaded.wait(10000));
        QCOMPARE(model.rowCount(), 5);
        QVERIFY(!model.canFetchMore(QModelIndex()));
        QCOMPARE(model.idAt(0), newest);
        QCOMPARE(model.rowOfId(model.idAt(4)), 4);

        // Two queries in a row: only the second one's answer is shown.
        loaded.clear();
        model.setQuery(QUrlQuery(u"sort=started_at&order=asc"_s));
        model.setQuery(QUrlQuery(u"sort=started_at&order=desc"_s));
        QVERIFY(loaded.wait(10000));
        QTest::qWait(200);
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(model.idAt(0), newest);

        // A refused request keeps the rows and says why.
        QSignalSpy failed(&model, &ApiListModel::failed);
        model.setQuery(QUrlQuery(u"sort=no_such_column"_s));
        QVERIFY(failed.wait(10000));
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(!model.lastError().isEmpty());
    }

    // A page's watcher polls the server's change stamps and says changed() once per change.
    void changeWatcherThroughTheApi()
    {
        ASKPRO_FRESH_DB(db, u"sqlite"_s);
        const auto planted = test::plantCompanyAndBranch(*db, u"+4930888888"_s);
        auto session = test::startApiSession(db, Role::Support);
        QObject page;
        ChangeWatcher watcher(*session->account, {u"calls"_s}, &page, 50);
        QVERIFY(watcher.isPolling());
        QSignalSpy changed(&watcher, &ChangeWatcher::changed);
        QTest::qWait(300);
        QCOMPARE(changed.count(), 0); // the first answer is what the page already shows
        const qint64 now = nowMs();
        QVERIFY(db->insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, from_number, to_number, started_at, outcome, "
                           "created_at, updated_at) VALUES ('call_watch', ?, ?, '+491700000001', '+4930888888', ?, 'booked', ?, ?) RETURNING id"_s,
                           {planted.first, planted.second, now, now, now}).ok());
        QVERIFY(changed.wait(5000));
        QTest::qWait(300);
        QCOMPARE(changed.count(), 1);
    }

    // The server ends the session (here: an administrator's password reset): the client hears it once.
    void sessionEndedByTheServer()
    {
        ApiAccount account;
        QVERIFY(account.setServer(m_base).isEmpty());
        QVERIFY(await(account.signIn(u"sven"_s, password, u"test"_s)).ok());
        QSignalSpy ended(&account, &ApiAccount::sessionEnded);
        const Actor admin = Actor::user(1, u"anna"_s, Role::Admin);
        QVERIFY(UserStore(*m_db).setPassword(admin, account.user()["id"].get<qint64>(), u"another good password"_s).ok());
        const ApiResult refused = await(account.get(u"/me"_s));
        QCOMPARE(refused.status, 401);
        QCOMPARE(ended.count(), 1);
        QVERIFY(!account.isSignedIn());
        QVERIFY(UserStore(*m_db).setPassword(admin, account.user()["id"].get<qint64>(), password).ok());
    }

    // HTTPS with a certificate made here for 127.0.0.1: trusted through the company-CA option, refused without it.
    void tlsWithOwnCertificate()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString cert = dir.filePath(u"server.pem"_s);
        const QString key = dir.filePath(u"server.key"_s);
        QProcess openssl;
        openssl.start(u"openssl"_s, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s,
                                     u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=askpro test"_s, u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s,
                                     u"-keyout"_s, key, u"-out"_s, cert});
        QVERIFY2(openssl.waitForFinished(30000) && openssl.exitCode() == 0, openssl.readAllStandardError().constData());

        AskProServer tlsServer(m_db, SecretBox(SecretBox::newKey()), ServerConfig(), false);
        QVERIFY(!tlsServer.useTls(cert, dir.filePath(u"missing.key"_s)).ok());
        QVERIFY(!tlsServer.useTls(dir.filePath(u"missing.pem"_s), key).ok());
        const auto tls = tlsServer.useTls(cert, key);
        QVERIFY2(tls.ok(), tls.ok() ? "" : qPrintable(tls.error().describe()));
        auto port = tlsServer.start(QHostAddress::LocalHost, 0);
        QVERIFY(port.ok());
        const QUrl https(u"https://127.0.0.1:%1"_s.arg(*port));

        ApiAccount untrusting;
        QVERIFY(untrusting.setServer(https).isEmpty());
        const ApiResult refused = await(untrusting.signIn(u"sven"_s, password, u"test"_s));
        QVERIFY(refused.unreachable());
        QCOMPARE(refused.errorCode, u"tls"_s);

        ApiAccount trusting;
        QVERIFY(trusting.setServer(https).isEmpty());
        trusting.addCaCertificates(QSslCertificate::fromPath(cert));
        const ApiResult signedIn = await(trusting.signIn(u"sven"_s, password, u"test"_s));
        QVERIFY2(signedIn.ok(), qPrintable(signedIn.errorMessage));
        QCOMPARE(await(trusting.get(u"/me"_s)).status, 200);
    }

    void unreachableServer()
    {
        ApiAccount account;
        QTcpServer closed; // a port that was free a moment ago and is closed again: connection refused
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        QVERIFY(account.setServer(QUrl(u"http://127.0.0.1:%1"_s.arg(port))).isEmpty());
        QSignalSpy reachable(&account, &ApiAccount::reachableChanged);
        const ApiResult result = await(account.get(u"/me"_s));
        QVERIFY(result.unreachable());
        QCOMPARE(result.errorCode, u"network"_s);
        QVERIFY(!result.errorMessage.isEmpty());
        QCOMPARE(reachable.count(), 1);
        QVERIFY(!account.isReachable());
        // Back once an answer comes again.
        QVERIFY(account.setServer(m_base).isEmpty());
        QCOMPARE(await(account.get(u"/me"_s)).status, 401);
        QVERIFY(account.isReachable());
        QCOMPARE(reachable.count(), 2);
    }
};

QTEST_GUILESS_MAIN(TestApiClient)
#include "test_api_client.moc"
