// SMTP sink: aiosmtpd's Mailbox handler writes each message as one file under the maildir's new/ folder.
#include "smtpsink.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

using namespace Qt::StringLiterals;

namespace askpro::test {

SmtpSink::SmtpSink() = default;

SmtpSink::~SmtpSink()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(2000);
    }
}

bool SmtpSink::start()
{
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return false;
        m_port = probe.serverPort();
    }
    const QString maildir = m_dir.filePath(u"mail"_s);
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(u"/usr/bin/python3"_s, {u"-m"_s, u"aiosmtpd"_s, u"-n"_s, u"-l"_s, u"127.0.0.1:%1"_s.arg(m_port), u"-c"_s,
                                            u"aiosmtpd.handlers.Mailbox"_s, maildir});
    if (!m_process.waitForStarted(10000)) {
        qWarning("cannot start aiosmtpd (package python3-aiosmtpd)");
        return false;
    }
    const QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (socket.waitForConnected(200) && socket.waitForReadyRead(2000) && socket.readAll().startsWith("220"))
            return true;
        QThread::msleep(100);
    }
    qWarning("aiosmtpd did not answer on port %d", m_port);
    return false;
}

QString SmtpSink::url() const
{
    return u"smtp://127.0.0.1:%1"_s.arg(m_port);
}

QList<QByteArray> SmtpSink::messages() const
{
    QList<QByteArray> result;
    const QDir box(m_dir.filePath(u"mail/new"_s));
    for (const QString &name : box.entryList(QDir::Files, QDir::Time | QDir::Reversed)) {
        QFile file(box.filePath(name));
        if (file.open(QIODevice::ReadOnly))
            result.append(file.readAll());
    }
    return result;
}

} // namespace askpro::test
