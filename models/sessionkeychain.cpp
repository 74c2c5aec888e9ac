// QtKeychain's jobs are asynchronous; sign-in waits for them.
#include "sessionkeychain.h"

#include "apiaccount.h"

#include <qt6keychain/keychain.h>

#include <QEventLoop>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

Error keychainError(const QKeychain::Job &job)
{
    const ErrorKind kind = job.error() == QKeychain::EntryNotFound ? ErrorKind::NotFound : ErrorKind::Configuration;
    return makeError(kind, u"keychain.error"_s, SessionKeychain::tr("The system keychain cannot be used: %1").arg(job.errorString()));
}

void wait(QKeychain::Job &job)
{
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
}

} // namespace

namespace {

// "https://host/" and "https://host" are one server (QUrl keeps a lone "/" when stripping trailing slashes).
QString serverKey(const QUrl &server)
{
    QUrl url = server.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (url.path() == u"/"_s)
        url.setPath(QString());
    return url.toString();
}

} // namespace

SessionKeychain::SessionKeychain(const QUrl &server)
    : m_key(serverKey(server))
{
}

Result<QString> SessionKeychain::read() const
{
    QKeychain::ReadPasswordJob job{QString::fromLatin1(service)};
    job.setAutoDelete(false);
    job.setKey(m_key);
    wait(job);
    if (job.error() != QKeychain::NoError)
        return keychainError(job);
    return job.textData();
}

Status SessionKeychain::write(const QString &token) const
{
    QKeychain::WritePasswordJob job{QString::fromLatin1(service)};
    job.setAutoDelete(false);
    job.setKey(m_key);
    job.setTextData(token);
    wait(job);
    if (job.error() != QKeychain::NoError)
        return keychainError(job);
    return {};
}

Status SessionKeychain::remove() const
{
    QKeychain::DeletePasswordJob job{QString::fromLatin1(service)};
    job.setAutoDelete(false);
    job.setKey(m_key);
    wait(job);
    if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
        return keychainError(job);
    return {};
}

bool SessionKeychain::resume(client::ApiAccount &account) const
{
    auto token = read();
    if (!token || token->isEmpty())
        return false;
    client::ApiResult answer;
    bool answered = false;
    QEventLoop loop;
    QObject::connect(account.resume(*token), &client::ApiCall::finished, &loop, [&](const client::ApiResult &result) {
        answer = result;
        answered = true;
        loop.quit();
    });
    if (!answered)
        loop.exec();
    if (answer.ok())
        return true;
    if (answer.status == 401)
        (void)remove(); // ended or revoked: asking for the password is the only way on
    return false;
}

} // namespace askpro
