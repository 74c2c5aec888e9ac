// Server wiring; the only place that knows every service at once.
#include "http/askproserver.h"

#include "api/adminapi.h"
#include "core/logging.h"
#include "db/database.h"
#include "http/httpapi.h"
#include "importer/importapplyjob.h"
#include "intake/refusedrequests.h"
#include "jobs/workerpool.h"
#include "security/credentialstore.h"

#include <QFile>
#include <QHttpServer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>

using namespace Qt::StringLiterals;

namespace askpro {

AskProServer::AskProServer(std::shared_ptr<Database> db, SecretBox box, ServerConfig config, bool workers, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_credentials(std::make_unique<CredentialStore>(*m_db, std::move(box)))
    , m_config(std::move(config))
    , m_refused(std::make_unique<RefusedRequests>(m_config.refusedPerMinute))
{
    if (workers) {
        m_pool = new WorkerPool(*m_db, *m_credentials, m_config, this);
        m_pool->addHandler(std::make_shared<ImportApplyJob>());
        m_pool->addHandler(std::make_shared<ImportCheckJob>());
    }
    m_api = new HttpApi(*m_db, *m_credentials, m_pool, *m_refused, m_config, this);
    m_http = new QHttpServer(this);
    m_api->install(*m_http);
    m_adminApi = new AdminApi(m_db, *m_credentials, m_pool, *m_refused, m_config, this);
    m_adminApi->install(*m_http);
}

AskProServer::~AskProServer()
{
    stop();
}

Status AskProServer::useTls(const QString &certificateFile, const QString &keyFile)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certificateFile, QSsl::Pem);
    if (chain.isEmpty())
        return makeError(ErrorKind::Configuration, u"tls.certificate"_s, u"No PEM certificate in %1"_s.arg(certificateFile));
    QFile file(keyFile);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Configuration, u"tls.key"_s, u"Cannot read the private key %1: %2"_s.arg(keyFile, file.errorString()));
    const QByteArray pem = file.readAll();
    QSslKey key(pem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        return makeError(ErrorKind::Configuration, u"tls.key"_s, u"%1 holds no unencrypted RSA or EC private key in PEM"_s.arg(keyFile));
    if (key.algorithm() != chain.first().publicKey().algorithm())
        return makeError(ErrorKind::Configuration, u"tls.key"_s, u"The key in %1 is not of the kind of the certificate in %2"_s.arg(keyFile, certificateFile));
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    m_http->sslSetup(tls);
    qCInfo(lcHttp) << "TLS with" << chain.first().subjectDisplayName() << "valid until" << chain.first().expiryDate().toString(Qt::ISODate);
    return {};
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
