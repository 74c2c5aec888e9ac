// Live updates over a real WebSocket to a real askpro-server on loopback, on both engines: the token is checked
// right after the upgrade (1008), each client hears only of the lists its role may see and of its own company,
// a sign-out closes the socket, and on PostgreSQL a row written through another server's connection reaches the
// client by NOTIFY, with the server's own timer far too slow to be the reason.
#include "apiaccount.h"
#include "apisession.h"
#include "api/adminapi.h"
#include "api/liveupdates.h"
#include "changewatcher.h"
#include "core/clock.h"
#include "db/migrator.h"
#include "http/askproserver.h"
#include "livechannel.h"
#include "security/secretbox.h"
#include "testdatabase.h"

#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

// A raw socket to the server, as any client could open one, keeping what it was told and how it was closed.
struct RawSocket
{
    QWebSocket socket;
    QStringList messages;
    bool closed = false;

    RawSocket(quint16 port, const QString &path, const QString &token)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &m) { messages << m; });
        QObject::connect(&socket, &QWebSocket::disconnected, &socket, [this] { closed = true; });
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1%2"_s.arg(port).arg(path)));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        socket.open(request);
    }
    [[nodiscard]] QStringList changedLists() const
    {
        QStringList lists;
        for (const QString &m : messages) {
            const auto json = nlohmann::json::parse(m.toStdString(), nullptr, false);
            if (json.value("type", std::string()) == "changed")
                for (const auto &name : json["lists"])
                    lists << QString::fromStdString(name.get<std::string>());
        }
        return lists;
    }
    [[nodiscard]] QStringList welcomeLists() const
    {
        for (const QString &m : messages) {
            const auto json = nlohmann::json::parse(m.toStdString(), nullptr, false);
            if (json.value("type", std::string()) == "welcome") {
                QStringList lists;
                for (const auto &name : json["lists"])
                    lists << QString::fromStdString(name.get<std::string>());
                return lists;
            }
        }
        return {};
    }
};

qint64 plantCall(Database &db, qint64 companyId, qint64 branchId, const QString &key)
{
    const qint64 now = nowMs();
    auto id = db.insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, from_number, to_number, started_at, outcome, "
                        "created_at, updated_at) VALUES (?, ?, ?, '+4917011111111', '+4930111111', ?, 'booked', ?, ?) RETURNING id"_s,
                        {key, companyId, branchId, now, now, now});
    return id ? *id : 0;
}

} // namespace

class TestLiveUpdates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void engines_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::newRow("sqlite") << u"sqlite"_s;
        QTest::newRow("postgresql") << u"postgresql"_s;
    }

    void tokenIsCheckedRightAfterTheUpgrade_data() { engines_data(); }
    void tokenIsCheckedRightAfterTheUpgrade()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const auto session = test::startApiSession(db, Role::Support);
        const quint16 port = session->account->server().port();

        RawSocket none(port, u"/api/v1/live"_s, QString());
        QTRY_VERIFY_WITH_TIMEOUT(none.closed, 10000);
        QCOMPARE(int(none.socket.closeCode()), LiveUpdates::closePolicy);
        QVERIFY(none.messages.isEmpty());

        RawSocket wrong(port, u"/api/v1/live"_s, u"not-a-token"_s);
        QTRY_VERIFY_WITH_TIMEOUT(wrong.closed, 10000);
        QCOMPARE(int(wrong.socket.closeCode()), LiveUpdates::closePolicy);
        QVERIFY(wrong.messages.isEmpty());

        // Only the live path is upgraded: any other answers as plain HTTP, and the socket never opens.
        RawSocket elsewhere(port, u"/api/v1/calls"_s, session->account->token());
        QTRY_VERIFY_WITH_TIMEOUT(elsewhere.closed || elsewhere.socket.error() != QAbstractSocket::UnknownSocketError, 10000);
        QVERIFY(elsewhere.messages.isEmpty());

        RawSocket good(port, u"/api/v1/live"_s, session->account->token());
        QTRY_COMPARE_WITH_TIMEOUT(good.welcomeLists(), (QStringList{u"calls"_s, u"appointments"_s, u"customers"_s, u"inbox"_s, u"health"_s}), 10000);
        QVERIFY(!good.closed);
        QCOMPARE(session->server->adminApi().liveUpdates().clientCount(), 1);

        // Signing out closes the socket at once (not at the next periodic check).
        QVERIFY(test::waitFor(session->account->signOut()).ok());
        QTRY_VERIFY_WITH_TIMEOUT(good.closed, 10000);
        QCOMPARE(int(good.socket.closeCode()), LiveUpdates::closePolicy);
        QTRY_COMPARE(session->server->adminApi().liveUpdates().clientCount(), 0);
    }

    void eachClientHearsOfItsOwnListsAndCompany_data() { engines_data(); }
    void eachClientHearsOfItsOwnListsAndCompany()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const auto [companyA, branchA] = test::plantCompanyAndBranch(*db, u"+4930111111"_s);
        const auto [companyB, branchB] = test::plantCompanyAndBranch(*db, u"+4930222222"_s);
        Q_UNUSED(branchB);
        ServerConfig config;
        config.liveIntervalMs = 100;
        const auto staff = test::startApiSession(db, Role::Support, 0, QString(), config);
        const quint16 port = staff->account->server().port();
        const auto ownerB = test::signInTo(*db, port, Role::CompanyOwner, companyB);

        RawSocket platform(port, u"/api/v1/live"_s, staff->account->token());
        RawSocket portal(port, u"/api/v1/live"_s, ownerB->token());
        QTRY_VERIFY_WITH_TIMEOUT(!platform.welcomeLists().isEmpty() && !portal.welcomeLists().isEmpty(), 10000);
        QVERIFY(!portal.welcomeLists().contains(u"inbox"_s)); // a business never sees the webhook inbox

        // A call of company A: staff hear of it, B's owner does not.
        QVERIFY(plantCall(*db, companyA, branchA, u"live_a"_s) > 0);
        QTRY_VERIFY_WITH_TIMEOUT(platform.changedLists().contains(u"calls"_s), 10000);
        QTest::qWait(500); // several looks
        QVERIFY2(!portal.changedLists().contains(u"calls"_s), qPrintable(portal.messages.join(u'\n')));

        // A webhook delivery: staff hear of the inbox, the owner of nothing at all.
        QVERIFY(db->exec(u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status) "
                         "VALUES ('retell', 'call_analyzed', 'live_k1', ?, 1, '{}', 'pending')"_s,
                         {nowMs()})
                    .ok());
        QTRY_VERIFY_WITH_TIMEOUT(platform.changedLists().contains(u"inbox"_s), 10000);
        QVERIFY(portal.changedLists().isEmpty());
    }

    void pagesLookAtOnceWhenTheServerSaysSo_data() { engines_data(); }
    void pagesLookAtOnceWhenTheServerSaysSo()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930333333"_s);
        ServerConfig config;
        config.liveIntervalMs = 100;
        const auto session = test::startApiSession(db, Role::Support, 0, QString(), config);
        client::LiveChannel *live = session->account->live();
        QTRY_VERIFY_WITH_TIMEOUT(live->isConnected(), 10000);

        // A watcher that would poll only every 10 minutes still notices within seconds.
        QObject page;
        ChangeWatcher watcher(*session->account, {u"calls"_s}, &page, 600000);
        QTRY_VERIFY_WITH_TIMEOUT(watcher.hasBaseline(), 10000);
        QSignalSpy changed(&watcher, &ChangeWatcher::changed);
        QVERIFY(plantCall(*db, company, branch, u"live_page"_s) > 0);
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 1, 10000);

        // The server going away: the channel says so, and connects again to a new server on the same port.
        const quint16 port = session->account->server().port();
        session->server.reset();
        QTRY_VERIFY_WITH_TIMEOUT(!live->isConnected(), 10000);
        AskProServer again(db, SecretBox(SecretBox::newKey()), config, false);
        QVERIFY(again.start(QHostAddress::LocalHost, port).ok());
        QTRY_VERIFY_WITH_TIMEOUT(live->isConnected(), 20000);
        QVERIFY(plantCall(*db, company, branch, u"live_page_again"_s) > 0);
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 2, 10000);
    }

    void notifyReachesClientsOfEveryServer()
    {
        ASKPRO_REQUIRE_ENGINE(u"postgresql"_s);
        const QString url = test::freshDatabaseUrl(u"postgresql"_s);
        auto opened = Database::open(url);
        QVERIFY(opened);
        std::shared_ptr<Database> db = *opened;
        QVERIFY(Migrator(*db).migrate());
        auto other = Database::open(url); // another server's connection
        QVERIFY(other);
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930444444"_s);
        ServerConfig config;
        config.liveIntervalMs = 60000; // the fallback look every ten minutes: only NOTIFY can be this quick
        const auto session = test::startApiSession(db, Role::Support, 0, QString(), config);
        RawSocket socket(session->account->server().port(), u"/api/v1/live"_s, session->account->token());
        QTRY_VERIFY_WITH_TIMEOUT(!socket.welcomeLists().isEmpty(), 10000);
        QVERIFY(plantCall(**other, company, branch, u"live_other_server"_s) > 0);

        QTRY_VERIFY_WITH_TIMEOUT(socket.changedLists().contains(u"calls"_s), 5000);
    }
};

QTEST_GUILESS_MAIN(TestLiveUpdates)
#include "test_live_updates.moc"
