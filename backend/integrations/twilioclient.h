// The one Twilio client: sends and looks up SMS through the Programmable Messaging API and signs or verifies its
// callbacks.
#pragma once

#include "integrations/providertransport.h"

#include <QLoggingCategory>
#include <QMap>

namespace askpro {

Q_DECLARE_LOGGING_CATEGORY(lcTwilio)

struct Credential;

// A Twilio account as stored in api_credentials: the secret is "AccountSid:AuthToken", the second secret
// field holds the sender (a +E.164 number or a messaging service SID "MG…").
struct TwilioAccount
{
    QString accountSid;
    QByteArray authToken;
    QString sender;

    [[nodiscard]] static Result<TwilioAccount> from(const Credential &credential);
};

struct TwilioMessage
{
    QString to;   // +E.164
    QString body; // at most 1600 characters
    QUrl statusCallback;
};

class TwilioClient final
{
public:
    // baseUrl like https://api.twilio.com (the sandbox: http://127.0.0.1:PORT/twilio).
    TwilioClient(QNetworkAccessManager *network, QUrl baseUrl, TwilioAccount account, int timeoutMs = 10000);

    // POST /2010-04-01/Accounts/{sid}/Messages.json: 201 {sid: "SM…", status: "queued"}. Twilio's own error
    // code (21211, 21610, …) is the number at the start of a refusal's providerText (see errorCode()).
    [[nodiscard]] JsonReply *sendMessage(const TwilioMessage &message) const;
    // GET /2010-04-01/Accounts/{sid}/Messages.json?To=…&From=…&DateSent>=YYYY-MM-DD: the account's messages to a
    // number sent on or after a GMT date (from this account's sender when it is a number), newest first.
    [[nodiscard]] JsonReply *listMessages(const QString &to, const QDate &sentSince, int pageSize = 50) const;

    // The Twilio error code a refusal carried, or 0.
    [[nodiscard]] static int errorCode(const Error &error);
    // X-Twilio-Signature: base64 HMAC-SHA1(authToken, url + each parameter name and value, sorted by name).
    [[nodiscard]] static QByteArray sign(const QByteArray &authToken, const QString &url, const QMultiMap<QString, QString> &params);
    // Constant-time comparison of the header against sign().
    [[nodiscard]] static bool verify(const QByteArray &authToken, const QString &url, const QMultiMap<QString, QString> &params,
                                     const QByteArray &header);
    // How far a message's status is along queued → sending → sent → delivered | undelivered | failed → read:
    // a status callback never moves a message to a lower rank (Twilio's callbacks arrive out of order). 0 for
    // a status Twilio does not document. The one table of ranks; statusRankSql() is made from it.
    [[nodiscard]] static int statusRank(const QString &status);
    // The same ranks as an SQL expression over a text column, for conditions that must hold in the statement.
    [[nodiscard]] static QString statusRankSql(const QString &column);
    // Whether the status says the message will not reach the phone (failed, undelivered, canceled).
    [[nodiscard]] static bool isFailure(const QString &status);
    // The form body's parameters, decoded ('+' as space).
    [[nodiscard]] static QMultiMap<QString, QString> formParams(const QByteArray &body);

private:
    ProviderTransport m_transport;
    QUrl m_baseUrl;
    TwilioAccount m_account;
};

} // namespace askpro
