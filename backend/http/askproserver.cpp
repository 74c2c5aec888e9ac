// Server wiring; the only place that knows every service at once.
#include "http/askproserver.h"

#include "api/adminapi.h"
#include "core/logging.h"
#include "db/database.h"
#include "http/httpapi.h"
#include "jobs/workerpool.h"
#include "security/credentialstore.h"

#include <QHttpServer>

using namespace Qt::StringLiterals;

namespace askpro {

AskProServer::AskProServer(std::shared_ptr<Database> db, SecretBox box, ServerConfig config, bool workers, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_credentials(std::make_unique<CredentialStore>(*m_db, std::move(box)))
    , m_config(std::move(config))
{
    if (workers)
        m_pool = new WorkerPool(*m_db, *m_credentials, m_config, this);
    m_api = new HttpApi(*m_db, *m_credentials, m_pool, m_config, this);
    m_http = new QHttpServer(this);
    m_api->install(*m_http);
    m_adminApi = new AdminApi(*m_db, m_pool, m_config, this);
    m_adminApi->install(*m_http);
}

AskProServer::~AskProServer()
{
    stop();
}

Result<quint16> AskProServer::start(const QHostAddress &address, quint16 port)
{
    const quint16 bound = m_http->listen(address, port);
    if (bound == 0)
        return makeError(ErrorKind::Configuration, u"server.listen"_s,
                         u"Cannot listen on %1:%2 (in use, or not allowed)"_s.arg(address.toString()).arg(port));
    if (m_pool)
        m_pool->start();
    qCInfo(lcHttp) << "listening on" << address.toString() << bound;
    return bound;
}

void AskProServer::stop()
{
    if (m_pool)
        m_pool->stop();
}

} // namespace askpro
