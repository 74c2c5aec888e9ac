// The one SMTP client (libcurl): sends a UTF-8 text mail with an optional attachment.
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QString>

namespace askpro {

struct SmtpSettings
{
    QString url = QStringLiteral("smtp://127.0.0.1:25"); // smtp:// (STARTTLS when offered) or smtps://
    QString username;
    QString password;
    QString from = QStringLiteral("termine@askproai.de");
    // Encryption is required for every host but this machine's own (a relay on loopback may speak plain
    // SMTP); requireTls demands it on loopback too, allowPlain (ASKPRO_SMTP_ALLOW_PLAIN) waives it for a
    // relay in a trusted network.
    bool requireTls = false;
    bool allowPlain = false;
    int timeoutMs = 15000;

    // Whether a session without TLS (STARTTLS or smtps://) is refused.
    [[nodiscard]] bool tlsRequired() const;
};

struct MailMessage
{
    QString to;
    QString subject;
    QString body;
    QString attachmentName;
    QString attachmentType;
    QByteArray attachment;
};

class SmtpMailer final
{
    Q_DECLARE_TR_FUNCTIONS(SmtpMailer)
public:
    explicit SmtpMailer(SmtpSettings settings);

    // Blocks until the server accepted or refused the mail: call it from a worker thread, never the GUI's.
    // Refusals by the server (5xx) are Rejected; connection problems and 4xx are Transient.
    [[nodiscard]] Status send(const MailMessage &message) const;
    // "Date: Thu, 03 Dec 2026 15:50:22 +0000" (RFC 5322 §3.3) for this moment.
    [[nodiscard]] static QByteArray dateHeader(const QDateTime &when);

private:
    SmtpSettings m_settings;
};

} // namespace askpro
