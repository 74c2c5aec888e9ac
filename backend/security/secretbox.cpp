// secretbox with a random nonce per value; the key never leaves this object.
#include "security/secretbox.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
const bool sodiumReady = sodium_init() >= 0;
}

SecretBox::SecretBox(QByteArray key) : m_key(std::move(key))
{
    Q_ASSERT(sodiumReady);
    Q_ASSERT(m_key.size() == crypto_secretbox_KEYBYTES);
}

QByteArray SecretBox::newKey()
{
    QByteArray key(crypto_secretbox_KEYBYTES, Qt::Uninitialized);
    crypto_secretbox_keygen(reinterpret_cast<unsigned char *>(key.data()));
    return key;
}

SecretBox::~SecretBox()
{
    if (m_key.isDetached() && !m_key.isEmpty())
        sodium_memzero(m_key.data(), size_t(m_key.size()));
}

namespace {

// Writes a new key into a temporary file of the key's folder (mkstemp: mode 0600 from the start), then
// link()s it to path, which fails if path exists: the file appears whole or not at all, and of two processes
// creating it at once exactly one wins. Returns false with errno EEXIST when another key got there first.
Status createKeyFile(const QString &path, const QByteArray &key, bool &lost)
{
    lost = false;
    const auto failed = [&path](const char *step) {
        return makeError(ErrorKind::Configuration, u"secrets.key_file"_s,
                         SecretBox::tr("Cannot create the key file %1 (%2: %3)").arg(path, QString::fromLatin1(step),
                                                                                  QString::fromLocal8Bit(std::strerror(errno))));
    };
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return failed("mkdir");
    QByteArray tmp = QFile::encodeName(path) + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0)
        return failed("mkstemp");
    const QByteArray text = key.toBase64();
    const bool written = ::fchmod(fd, 0600) == 0 && ::write(fd, text.constData(), size_t(text.size())) == text.size() && ::fsync(fd) == 0;
    const int writeErrno = errno;
    if (::close(fd) != 0 || !written) {
        ::unlink(tmp.constData());
        errno = written ? errno : writeErrno;
        return failed("write");
    }
    const int linked = ::link(tmp.constData(), QFile::encodeName(path).constData());
    const int linkErrno = errno;
    ::unlink(tmp.constData());
    if (linked != 0) {
        errno = linkErrno;
        if (linkErrno == EEXIST) {
            lost = true;
            return {};
        }
        return failed("link");
    }
    return {};
}

} // namespace

Result<SecretBox> SecretBox::fromKeyFile(const QString &path, Missing missing)
{
    QFile file(path);
    if (!file.exists()) {
        if (missing == Missing::Refuse)
            return makeError(ErrorKind::Configuration, u"secrets.key_missing"_s, tr("The key file %1 is missing").arg(path));
        const QByteArray key = newKey();
        bool lost = false;
        if (auto created = createKeyFile(path, key, lost); !created)
            return created.error();
        if (!lost)
            return SecretBox(key);
        // Another process created the key first: use theirs.
    }
    if (file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther))
        return makeError(ErrorKind::Configuration, u"secrets.key_file_mode"_s,
                         tr("The key file %1 may be read by others; make it readable by its owner only (chmod 600)").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Configuration, u"secrets.key_file"_s, tr("Cannot read the key file %1").arg(path));
    const QByteArray key = QByteArray::fromBase64(file.readAll().trimmed());
    if (key.size() != crypto_secretbox_KEYBYTES)
        return makeError(ErrorKind::Configuration, u"secrets.key_file"_s, tr("The key file %1 holds no valid key").arg(path));
    return SecretBox(key);
}

Status SecretBox::writeKeyFile(const QString &path, const QByteArray &key)
{
    if (key.size() != crypto_secretbox_KEYBYTES)
        return makeError(ErrorKind::Invalid, u"secrets.key_size"_s, tr("A key has exactly %1 bytes").arg(crypto_secretbox_KEYBYTES));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(ErrorKind::Configuration, u"secrets.key_file"_s, tr("Cannot create the key file %1").arg(path), file.errorString());
    // QSaveFile's temporary file is made with the process's umask (the server runs with 077); make sure anyway.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        file.cancelWriting();
        return makeError(ErrorKind::Configuration, u"secrets.key_file_mode"_s, tr("Cannot make the key file %1 private").arg(path),
                         file.errorString());
    }
    file.write(key.toBase64());
    if (!file.commit())
        return makeError(ErrorKind::Configuration, u"secrets.key_file"_s, tr("Cannot write the key file %1").arg(path), file.errorString());
    return {};
}

Sealed SecretBox::seal(const QByteArray &plain) const
{
    Sealed sealed;
    sealed.nonce.resize(crypto_secretbox_NONCEBYTES);
    randombytes_buf(sealed.nonce.data(), size_t(sealed.nonce.size()));
    sealed.ciphertext.resize(plain.size() + crypto_secretbox_MACBYTES);
    crypto_secretbox_easy(reinterpret_cast<unsigned char *>(sealed.ciphertext.data()),
                          reinterpret_cast<const unsigned char *>(plain.constData()), quint64(plain.size()),
                          reinterpret_cast<const unsigned char *>(sealed.nonce.constData()),
                          reinterpret_cast<const unsigned char *>(m_key.constData()));
    return sealed;
}

Result<QByteArray> SecretBox::open(const Sealed &sealed) const
{
    if (sealed.nonce.size() != crypto_secretbox_NONCEBYTES || sealed.ciphertext.size() < int(crypto_secretbox_MACBYTES))
        return makeError(ErrorKind::Configuration, u"secrets.corrupt"_s, tr("A stored secret is damaged"));
    QByteArray plain(sealed.ciphertext.size() - crypto_secretbox_MACBYTES, Qt::Uninitialized);
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char *>(plain.data()),
                                   reinterpret_cast<const unsigned char *>(sealed.ciphertext.constData()),
                                   quint64(sealed.ciphertext.size()),
                                   reinterpret_cast<const unsigned char *>(sealed.nonce.constData()),
                                   reinterpret_cast<const unsigned char *>(m_key.constData()))
        != 0)
        return makeError(ErrorKind::Configuration, u"secrets.wrong_key"_s,
                         tr("A stored secret cannot be decrypted: the key does not match the one it was stored with"));
    return plain;
}

} // namespace askpro
