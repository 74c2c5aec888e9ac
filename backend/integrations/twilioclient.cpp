// Twilio's Messages resource: form-encoded, HTTP basic auth (AccountSid:AuthToken), errors {code, message, more_info, status}.
#include "integrations/twilioclient.h"

#include "domain/phonenumbers.h"
#include "security/credentialstore.h"

#include <QDate>
#include <QMessageAuthenticationCode>
#include <QUrlQuery>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace askpro {

Q_LOGGING_CATEGORY(lcTwilio, "askpro.twilio", QtInfoMsg)

namespace {

struct StatusRank
{
    const char *status;
    int rank;
};

constexpr StatusRank statusRanks[] = {{"accepted", 1},    {"scheduled", 1},   {"queued", 1}, {"sending", 2},  {"sent", 3},
                                      {"delivered", 4},   {"undelivered", 4}, {"failed", 4}, {"canceled", 4}, {"read", 5}};

} // namespace

Result<TwilioAccount> TwilioAccount::from(const Credential &credential)
{
    const qsizetype colon = credential.secret.indexOf(':');
    TwilioAccount account{QString::fromUtf8(credential.secret.left(colon)), credential.secret.mid(colon + 1),
                          QString::fromUtf8(credential.webhookSecret).trimmed()};
    if (colon <= 0 || account.authToken.isEmpty() || account.sender.isEmpty())
        return makeError(ErrorKind::Configuration, u"twilio.credentials"_s,
                         u"The Twilio credential needs \"AccountSid:AuthToken\" and a sender number or messaging service"_s);
    return account;
}

TwilioClient::TwilioClient(QNetworkAccessManager *network, QUrl baseUrl, TwilioAccount account, int timeoutMs)
    : m_transport(network, u"Twilio"_s, lcTwilio(),
                  [](const Json &body) {
                      // "21211 The 'To' number … is not a valid phone number": the code first, for errorCode().
                      const qint64 code = jsonInt(body, "code");
                      // Twilio names the recipient in its messages: masked here, before any log or row sees it.
                      const QString message = PhoneNumbers::maskedIn(jsonString(body, "message"));
                      return code > 0 ? u"%1 %2"_s.arg(code).arg(message) : message;
                  },
                  timeoutMs)
    , m_baseUrl(std::move(baseUrl))
    , m_account(std::move(account))
{
}

JsonReply *TwilioClient::sendMessage(const TwilioMessage &message) const
{
    ProviderRequest request;
    request.method = "POST";
    request.url = m_baseUrl;
    request.url.setPath(m_baseUrl.path() + u"/2010-04-01/Accounts/%1/Messages.json"_s.arg(m_account.accountSid));
    const QByteArray user = m_account.accountSid.toUtf8() + ':' + m_account.authToken;
    request.headers = {{"Authorization", "Basic " + user.toBase64()}};
    request.contentType = "application/x-www-form-urlencoded";
    const auto pair = [](const char *name, const QString &value) -> QByteArray {
        return QByteArray(name) + '=' + QUrl::toPercentEncoding(value);
    };
    QByteArrayList fields{pair("To", message.to), pair("Body", message.body)};
    fields.append(m_account.sender.startsWith(u"MG"_s) ? pair("MessagingServiceSid", m_account.sender) : pair("From", m_account.sender));
    if (message.statusCallback.isValid())
        fields.append(pair("StatusCallback", message.statusCallback.toString(QUrl::FullyEncoded)));
    request.body = fields.join('&');
    return m_transport.send(request);
}

JsonReply *TwilioClient::listMessages(const QString &to, const QDate &sentSince, int pageSize) const
{
    ProviderRequest request;
    request.method = "GET";
    request.url = m_baseUrl;
    request.url.setPath(m_baseUrl.path() + u"/2010-04-01/Accounts/%1/Messages.json"_s.arg(m_account.accountSid));
    QUrlQuery query;
    query.addQueryItem(u"To"_s, QString::fromLatin1(QUrl::toPercentEncoding(to)));
    if (!m_account.sender.startsWith(u"MG"_s))
        query.addQueryItem(u"From"_s, QString::fromLatin1(QUrl::toPercentEncoding(m_account.sender)));
    query.addQueryItem(u"DateSent%3E"_s, sentSince.toString(Qt::ISODate));
    query.addQueryItem(u"PageSize"_s, QString::number(pageSize));
    request.url.setQuery(query.query(QUrl::FullyEncoded), QUrl::StrictMode);
    const QByteArray user = m_account.accountSid.toUtf8() + ':' + m_account.authToken;
    request.headers = {{"Authorization", "Basic " + user.toBase64()}};
    return m_transport.send(request);
}

int TwilioClient::errorCode(const Error &error)
{
    return error.providerText.section(u' ', 0, 0).toInt();
}

QByteArray TwilioClient::sign(const QByteArray &authToken, const QString &url, const QMultiMap<QString, QString> &params)
{
    QByteArray data = url.toUtf8();
    // QMultiMap keeps keys sorted (byte order for ASCII names); equal names keep their values in insertion order.
    for (auto it = params.keyValueBegin(); it != params.keyValueEnd(); ++it)
        data += it->first.toUtf8() + it->second.toUtf8();
    return QMessageAuthenticationCode::hash(data, authToken, QCryptographicHash::Sha1).toBase64();
}

bool TwilioClient::verify(const QByteArray &authToken, const QString &url, const QMultiMap<QString, QString> &params,
                          const QByteArray &header)
{
    const QByteArray expected = sign(authToken, url, params);
    return !header.isEmpty() && header.size() == expected.size()
        && sodium_memcmp(header.constData(), expected.constData(), size_t(expected.size())) == 0;
}

int TwilioClient::statusRank(const QString &status)
{
    for (const StatusRank &r : statusRanks)
        if (status == QLatin1String(r.status))
            return r.rank;
    return 0;
}

QString TwilioClient::statusRankSql(const QString &column)
{
    QString sql = u"CASE "_s + column;
    for (const StatusRank &r : statusRanks)
        sql += u" WHEN '%1' THEN %2"_s.arg(QLatin1String(r.status)).arg(r.rank);
    return sql + u" ELSE 0 END"_s;
}

bool TwilioClient::isFailure(const QString &status)
{
    return status == u"failed"_s || status == u"undelivered"_s || status == u"canceled"_s;
}

QMultiMap<QString, QString> TwilioClient::formParams(const QByteArray &body)
{
    QMultiMap<QString, QString> params;
    for (const QByteArray &pair : body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        QByteArray name = eq < 0 ? pair : pair.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        name.replace('+', ' ');
        value.replace('+', ' ');
        params.insert(QString::fromUtf8(QByteArray::fromPercentEncoding(name)), QString::fromUtf8(QByteArray::fromPercentEncoding(value)));
    }
    return params;
}

} // namespace askpro
