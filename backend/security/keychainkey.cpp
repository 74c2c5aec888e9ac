// QtKeychain's jobs are asynchronous; the key is needed before anything else starts, so wait here.
#include "security/keychainkey.h"

#include <qt6keychain/keychain.h>

#include <QEventLoop>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

Error keychainError(const QKeychain::Job &job)
{
    const ErrorKind kind = job.error() == QKeychain::EntryNotFound ? ErrorKind::NotFound : ErrorKind::Configuration;
    return makeError(kind, u"keychain.error"_s, KeychainKey::tr("The system keychain did not answer as expected."), job.errorString());
}

} // namespace

KeychainKey::KeychainKey(QString account) : m_account(std::move(account)) {}

Result<QByteArray> KeychainKey::read() const
{
    QKeychain::ReadPasswordJob job{QString::fromLatin1(service)};
    job.setAutoDelete(false);
    job.setKey(m_account);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    if (job.error() != QKeychain::NoError)
        return keychainError(job);
    const QByteArray key = job.binaryData();
    if (key.size() != 32)
        return makeError(ErrorKind::Configuration, u"keychain.key_size"_s, tr("The key in the system keychain is not a 32-byte key."));
    return key;
}

Status KeychainKey::write(const QByteArray &key) const
{
    QKeychain::WritePasswordJob job{QString::fromLatin1(service)};
    job.setAutoDelete(false);
    job.setKey(m_account);
    job.setBinaryData(key);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    if (job.error() != QKeychain::NoError)
        return keychainError(job);
    return {};
}

} // namespace askpro
