// E-mail through the SMTP client, SMS through the Twilio client.
#include "flow/notificationchannel.h"

#include "integrations/twilioclient.h"
#include "security/credentialstore.h"

#include <QDateTime>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

Status EmailChannel::sendNow(const OutgoingNotification &m) const
{
    return m_mailer.send({m.recipient, m.subject, m.body, m.attachmentName, m.attachmentType, m.attachment});
}

void EmailChannel::send(const OutgoingNotification &message, std::function<void(const ChannelResult &)> done)
{
    ChannelResult result;
    result.status = sendNow(message);
    done(result);
}

SmsChannel::SmsChannel(CredentialStore &credentials, QNetworkAccessManager *network, SmsSettings settings)
    : m_credentials(credentials), m_network(network), m_settings(std::move(settings))
{
}

QUrl SmsChannel::statusCallbackUrl(const QString &publicUrl, qint64 notificationId)
{
    QString base = publicUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    return QUrl(base + u"/webhooks/twilio/status?ref="_s + QString::number(notificationId));
}

Result<TwilioClient> SmsChannel::clientFor(const OutgoingNotification &message) const
{
    auto credential = m_credentials.get(message.companyId, u"twilio"_s);
    if (!credential) {
        // Missing is for good (Configuration); a database that is busy is transient and retried; a stored key
        // that cannot be opened is a real fault: its error stays on the row and in the job for support.
        qCWarning(lcTwilio) << "SMS" << message.id << ": the Twilio credential cannot be read:" << credential.error().describe();
        return credential.error();
    }
    auto account = TwilioAccount::from(*credential);
    if (!account)
        return account.error();
    const QUrl base = credential->baseUrl.isEmpty() ? m_settings.twilioBaseUrl : QUrl(credential->baseUrl);
    return TwilioClient(m_network, base, *account, m_settings.timeoutMs);
}

void SmsChannel::findSent(const OutgoingNotification &message, qint64 sentSinceMs, std::function<void(const ChannelResult &)> done)
{
    auto client = clientFor(message);
    if (!client) {
        ChannelResult result;
        result.status = client.error();
        return done(result);
    }
    const QDateTime since = QDateTime::fromMSecsSinceEpoch(sentSinceMs - 60'000, QTimeZone::utc());
    JsonReply *reply = client->listMessages(message.recipient, since.date());
    QObject::connect(reply, &JsonReply::finished, reply, [done, since, body = message.body](const JsonResult &answer) {
        ChannelResult r;
        if (!answer) {
            r.status = answer.error();
            return done(r);
        }
        const Json messages = answer->value("messages", Json::array());
        for (const Json &m : messages) {
            const QDateTime created = QDateTime::fromString(jsonString(m, "date_created"), Qt::RFC2822Date);
            if (jsonString(m, "body") == body && created.isValid() && created >= since) {
                r.providerId = jsonString(m, "sid");
                r.providerStatus = jsonString(m, "status");
                break;
            }
        }
        done(r);
    });
}

void SmsChannel::send(const OutgoingNotification &message, std::function<void(const ChannelResult &)> done)
{
    auto client = clientFor(message);
    if (!client) {
        ChannelResult result;
        result.status = client.error();
        return done(result);
    }
    JsonReply *reply = client->sendMessage({message.recipient, message.body, statusCallbackUrl(m_settings.publicUrl, message.id)});
    QObject::connect(reply, &JsonReply::finished, reply, [done, id = message.id](const JsonResult &answer) {
        ChannelResult r;
        if (answer) {
            r.providerId = jsonString(*answer, "sid");
            r.providerStatus = jsonString(*answer, "status");
            // Any 2xx means Twilio took the message. Without a sid the answer is incomplete, not a refusal: the
            // message counts as sent and is never sent again; its status callback (naming our row by ?ref=) brings the sid.
            if (!r.providerId.startsWith(u"SM"_s) && !r.providerId.startsWith(u"MM"_s)) {
                qCWarning(lcTwilio) << "SMS" << id << "accepted, but Twilio's answer names no message sid";
                r.providerId.clear();
                r.incompleteAnswer = true;
            }
            return done(r);
        }
        const Error &e = answer.error();
        if (e.httpStatus >= 200 && e.httpStatus < 300) {
            // A 2xx whose body could not be read: taken all the same (see above).
            qCWarning(lcTwilio) << "SMS" << id << "accepted, but Twilio's answer could not be read:" << e.describe();
            r.incompleteAnswer = true;
            return done(r);
        }
        r.status = e;
        r.providerCode = TwilioClient::errorCode(e);
        // No answer, or one a proxy made up after the request went through: Twilio may have the message.
        r.answerLost = e.httpStatus == 0 || e.httpStatus == 502 || e.httpStatus == 504;
        done(r);
    });
}

} // namespace askpro
