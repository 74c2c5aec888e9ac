// A real SMTP server on loopback for tests (Debian's python3-aiosmtpd), storing mail in a maildir.
#pragma once

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QTemporaryDir>

namespace askpro::test {

class SmtpSink final
{
public:
    SmtpSink();
    ~SmtpSink();

    // Starts the server on a free port; false (with a warning) when it cannot.
    bool start();
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString url() const;
    // Every message received so far, raw (headers and MIME body).
    [[nodiscard]] QList<QByteArray> messages() const;

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace askpro::test
