#include "apisession.h"

#include "db/database.h"
#include "security/secretbox.h"
#include "security/sessionstore.h"
#include "security/userstore.h"
#include "http/askproserver.h"

#include <QEventLoop>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro::test {

ApiSession::~ApiSession() = default;

namespace {
const QString password = u"test-passwort-lang"_s;
} // namespace

std::unique_ptr<client::ApiAccount> signInTo(Database &db, quint16 port, Role role, qint64 companyId, Actor *actorOut, const QString &username)
{
    UserStore users(db);
    Actor admin = Actor::system(u"test"_s);
    auto existing = db.scalar(u"SELECT id FROM users WHERE role = 'admin' AND active = 1 ORDER BY id LIMIT 1"_s);
    Actor actor;
    if (!existing || existing->isNull()) {
        auto first = users.createFirstAdmin({u"test-admin"_s, u"Test Admin"_s, password, Role::Admin, u"en"_s});
        if (!first)
            qFatal("%s", qPrintable(first.error().describe()));
        admin = *first;
    }
    const QString name = username.isEmpty() ? u"test-"_s + AccessPolicy::roleCode(role).replace(u'_', u'-') : username;
    if (role == Role::Admin && (!existing || existing->isNull()) && username.isEmpty()) {
        actor = admin;
    } else {
        auto id = users.create(admin, {name, name, password, role, u"en"_s, AccessPolicy::isBusinessRole(role) ? companyId : 0});
        if (!id)
            qFatal("%s", qPrintable(id.error().describe()));
        actor = Actor::user(*id, name, role, AccessPolicy::isBusinessRole(role) ? companyId : 0);
    }
    auto account = std::make_unique<client::ApiAccount>();
    const QString refused = account->setServer(QUrl(u"http://127.0.0.1:%1"_s.arg(port)));
    if (!refused.isEmpty())
        qFatal("%s", qPrintable(refused));
    const client::ApiResult signedIn = waitFor(account->signIn(actor.username, password, u"test"_s));
    if (!signedIn.ok())
        qFatal("sign-in through the admin API failed: %s", qPrintable(signedIn.errorMessage));
    if (actorOut)
        *actorOut = actor;
    return account;
}

std::unique_ptr<ApiSession> startApiSession(std::shared_ptr<Database> db, Role role, qint64 companyId, const QString &username,
                                            const ServerConfig &config, bool runWorkers)
{
    auto session = std::make_unique<ApiSession>();
    session->server = std::make_unique<AskProServer>(db, SecretBox(SecretBox::newKey()), config, runWorkers);
    auto port = session->server->start(QHostAddress::LocalHost, 0);
    if (!port)
        qFatal("%s", qPrintable(port.error().describe()));
    session->account = signInTo(*db, *port, role, companyId, &session->actor, username);
    return session;
}

client::ApiResult waitFor(client::ApiCall *call)
{
    client::ApiResult answer;
    answer.errorCode = u"timeout"_s;
    QEventLoop loop;
    QObject::connect(call, &client::ApiCall::finished, &loop, [&](const client::ApiResult &result) {
        answer = result;
        loop.quit();
    });
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    return answer;
}

} // namespace askpro::test
