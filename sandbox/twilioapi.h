// Stand-in for Twilio's Programmable Messaging API: basic auth, form fields as the Messages resource takes them,
// 201 with an SM… sid, then status callbacks (queued → sent → delivered) signed as Twilio signs them; 21211 for an
// invalid number, 21610 for a number that replied STOP; the list of messages filtered by recipient and date sent.
#pragma once

#include "providerapi.h"

#include <QSet>
#include <QUrl>

namespace askpro::sandbox {

class WebhookSender;

class TwilioApi final : public ProviderApi
{
    Q_DISABLE_COPY_MOVE(TwilioApi)
public:
    // The sender must outlive this object.
    TwilioApi(QString accountSid, QString authToken, WebhookSender &sender);

    [[nodiscard]] ApiReply handle(const ApiRequest &request) override;
    [[nodiscard]] ApiReply errorReply(int status, const QString &message) const override;
    void reset() override;
    [[nodiscard]] const RouteTable &routes() const override { return m_routes; }

    // A number that replied STOP: Twilio refuses messages to it with 21610 until it replies START.
    void setStopped(const QString &e164, bool stopped);
    // Every accepted message, oldest first.
    [[nodiscard]] const std::vector<Json> &messages() const { return m_messages; }
    [[nodiscard]] const QString &accountSid() const { return m_accountSid; }
    [[nodiscard]] const QString &authToken() const { return m_authToken; }
    // Accepts messages (201, callbacks as usual) but leaves the sid out of the answer, as a truncating proxy might.
    void setAnswerWithoutSid(bool on) { m_answerWithoutSid = on; }
    // Accepts messages but sends no status callbacks, as when our public URL cannot be reached.
    void setCallbacksDropped(bool on) { m_callbacksDropped = on; }
    // Milliseconds between the status callbacks of one message.
    void setCallbackSpacingMs(int ms) { m_callbackSpacingMs = ms; }

private:
    ApiReply createMessage(const ApiRequest &request, const QString &accountSid);
    // GET Messages.json: filtered by To, From and DateSent (=, <=, >= a GMT date), newest first, PageSize at most 1000.
    ApiReply listMessages(const ApiRequest &request, const QString &accountSid) const;
    void sendCallback(const QUrl &url, const Json &message, const QString &status, int delayMs);

    QString m_accountSid;
    QString m_authToken;
    WebhookSender &m_sender;
    QSet<QString> m_stopped;
    std::vector<Json> m_messages;
    RouteTable m_routes;
    int m_callbackSpacingMs = 200;
    bool m_answerWithoutSid = false;
    bool m_callbacksDropped = false;
};

} // namespace askpro::sandbox
