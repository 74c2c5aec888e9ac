// A real askpro-server on loopback over a test's database and one signed-in ApiAccount for a user of the
// given role, so pages and models are tested through the admin API exactly as the desktop uses it.
#pragma once

#include "apiaccount.h"
#include "config/serverconfig.h"
#include "security/accesspolicy.h"

#include <memory>

namespace askpro {
class AskProServer;
class Database;
}

namespace askpro::test {

struct ApiSession
{
    std::unique_ptr<AskProServer> server;
    std::unique_ptr<client::ApiAccount> account;
    Actor actor;
    ~ApiSession();
};

// Starts the server and signs in a new user of this role (of companyId for the business roles; an
// administrator is created first when the database has none). Fails the process when it cannot: a test
// that cannot reach its server must not pass. runWorkers: the server's job workers run too (with config's
// workers and poll interval).
std::unique_ptr<ApiSession> startApiSession(std::shared_ptr<Database> db, Role role, qint64 companyId = 0,
                                            const QString &username = QString(), const ServerConfig &config = ServerConfig(),
                                            bool runWorkers = false);
// Signs in to a server already listening on this loopback port as a new user of this role (of companyId for
// the business roles), created in db; actor, when given, receives who signed in. Fails the process when it cannot.
std::unique_ptr<client::ApiAccount> signInTo(Database &db, quint16 port, Role role, qint64 companyId = 0, Actor *actor = nullptr,
                                             const QString &username = QString());
// Waits in a local event loop for one request's answer.
client::ApiResult waitFor(client::ApiCall *call);

} // namespace askpro::test
