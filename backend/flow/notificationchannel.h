// One way of reaching a customer: sends one notifications row and tells what became of it.
#pragma once

#include "core/result.h"
#include "integrations/smtpmailer.h"
#include "integrations/twilioclient.h"

#include <QUrl>

#include <functional>
#include <optional>

class QNetworkAccessManager;

namespace askpro {

class CredentialStore;

struct OutgoingNotification
{
    qint64 id = 0;
    std::optional<qint64> companyId;
    QString recipient; // e-mail address or +E.164 number
    QString subject;   // e-mail only
    QString body;
    QString attachmentName;
    QString attachmentType;
    QByteArray attachment;
};

struct ChannelResult
{
    Status status;             // an error: not sent (its kind says whether to try again)
    bool answerLost = false;   // no answer: the provider may have the message, so it is not resent blindly
    bool incompleteAnswer = false; // accepted (2xx) without the provider's id: sent, the id comes with a callback
    QString providerId;        // the provider's id of the message (Twilio's SM… sid)
    QString providerStatus;    // as the provider answered (Twilio: queued)
    int providerCode = 0;      // the provider's error code of a refusal (Twilio: 21211, 21610, …)
};

class NotificationChannel
{
public:
    virtual ~NotificationChannel() = default;
    // Calls done exactly once, perhaps before returning.
    virtual void send(const OutgoingNotification &message, std::function<void(const ChannelResult &)> done) = 0;
};

// Today's confirmation e-mail over SMTP (blocking: the job worker's thread).
class EmailChannel final : public NotificationChannel
{
public:
    explicit EmailChannel(SmtpSettings settings) : m_mailer(std::move(settings)) {}
    void send(const OutgoingNotification &message, std::function<void(const ChannelResult &)> done) override;
    [[nodiscard]] Status sendNow(const OutgoingNotification &message) const;

private:
    SmtpMailer m_mailer;
};

struct SmsSettings
{
    QUrl twilioBaseUrl = QUrl(QStringLiteral("https://api.twilio.com"));
    QString publicUrl; // our webhooks as Twilio reaches them; the status callback is publicUrl + /webhooks/twilio/status
    int timeoutMs = 10000;
};

// SMS through Twilio with the company's account (or the platform's); the status callback names our row.
class SmsChannel final : public NotificationChannel
{
public:
    SmsChannel(CredentialStore &credentials, QNetworkAccessManager *network, SmsSettings settings);
    void send(const OutgoingNotification &message, std::function<void(const ChannelResult &)> done) override;
    // After an answer and its callbacks were lost: the message as Twilio holds it, looked up by recipient and date
    // sent (on or after sentSinceMs's GMT date), the same text, created no earlier than sentSinceMs less a minute
    // of clock skew. Found: providerId and providerStatus are set; none: both empty; an error: not known either way.
    void findSent(const OutgoingNotification &message, qint64 sentSinceMs, std::function<void(const ChannelResult &)> done);

    // publicUrl + "/webhooks/twilio/status?ref=<id>": how a callback finds its row without trusting the sid alone.
    [[nodiscard]] static QUrl statusCallbackUrl(const QString &publicUrl, qint64 notificationId);

private:
    // The client of the company's Twilio account, else the platform's.
    [[nodiscard]] Result<TwilioClient> clientFor(const OutgoingNotification &message) const;

    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    SmsSettings m_settings;
};

} // namespace askpro
