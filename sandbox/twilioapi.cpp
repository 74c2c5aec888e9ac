// Twilio's Messages resource as ../shared/specs/twilio-messages-openapi.json describes it.
#include "twilioapi.h"

#include "formbody.h"
#include "signatures.h"
#include "webhooksender.h"

#include <QDateTime>
#include <QHash>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

constexpr int MaxBodyChars = 1600;

ApiReply twilioError(int status, int code, const QString &message)
{
    return ApiReply::json(status, Json{{"code", code}, {"message", toStd(message)},
                                       {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
                                       {"status", status}});
}

// Senders Twilio takes: an E.164 number, a short code, an alphanumeric sender ID (at most 11 characters, a letter
// among them) or a channel address such as "whatsapp:+14155550100".
bool isSender(const QString &from)
{
    static const QRegularExpression sender(
        u"^(\\+[1-9][0-9]{6,14}|[0-9]{5,6}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}|[a-z]+:\\+[1-9][0-9]{6,14})$"_s);
    return sender.match(from).hasMatch();
}

} // namespace

TwilioApi::TwilioApi(QString accountSid, QString authToken, WebhookSender &sender)
    : m_accountSid(std::move(accountSid)), m_authToken(std::move(authToken)), m_sender(sender)
{
    m_routes.add("POST"_ba, u"/2010-04-01/Accounts/*/Messages.json"_s, [this](const ApiRequest &r, const QStringList &a) {
        // Another account's resource is not found, as Twilio answers for a SID the credentials do not own.
        if (a.at(0) != m_accountSid)
            return twilioError(404, 20404, u"The requested resource %1 was not found"_s.arg(r.path()));
        return createMessage(r, a.at(0));
    });
    m_routes.add("GET"_ba, u"/2010-04-01/Accounts/*/Messages.json"_s, [this](const ApiRequest &r, const QStringList &a) {
        if (a.at(0) != m_accountSid)
            return twilioError(404, 20404, u"The requested resource %1 was not found"_s.arg(r.path()));
        return listMessages(r, a.at(0));
    });
}

ApiReply TwilioApi::handle(const ApiRequest &request)
{
    // HTTP basic auth with AccountSid:AuthToken.
    const QByteArray authorization = request.header("authorization");
    const QString user = m_accountSid + u':' + m_authToken;
    const QByteArray expected = "Basic " + user.toUtf8().toBase64();
    if (authorization.isEmpty() || authorization != expected)
        return twilioError(401, 20003, u"Authenticate"_s);
    if (auto reply = m_routes.dispatch(request))
        return *reply;
    return twilioError(404, 20404, u"The requested resource %1 was not found"_s.arg(request.path()));
}

ApiReply TwilioApi::createMessage(const ApiRequest &request, const QString &accountSid)
{
    if (!request.header("content-type").startsWith("application/x-www-form-urlencoded"))
        return twilioError(400, 20001, u"The body must be application/x-www-form-urlencoded"_s);
    const Json form = FormBody::decode(request.body);
    const QString to = jsonString(form, "To");
    const QString from = jsonString(form, "From");
    const QString service = jsonString(form, "MessagingServiceSid");
    const QString body = jsonString(form, "Body");
    const QString callback = jsonString(form, "StatusCallback");
    if (to.isEmpty())
        return twilioError(400, 21604, u"A 'To' phone number is required."_s);
    static const QRegularExpression e164(u"^\\+[1-9][0-9]{6,14}$"_s);
    if (!e164.match(to).hasMatch())
        return twilioError(400, 21211, u"The 'To' number %1 is not a valid phone number."_s.arg(to));
    if (from.isEmpty() && service.isEmpty())
        return twilioError(400, 21603, u"A 'From' or 'MessagingServiceSid' parameter is required to send a message."_s);
    if (!from.isEmpty() && !isSender(from))
        return twilioError(400, 21212,
                           u"The 'From' number %1 is not a valid phone number, shortcode, or alphanumeric sender ID."_s.arg(from));
    static const QRegularExpression serviceSid(u"^MG[0-9a-fA-F]{32}$"_s);
    if (!service.isEmpty() && !serviceSid.match(service).hasMatch())
        return twilioError(400, 21701, u"The Messaging Service Sid %1 is invalid."_s.arg(service));
    if (const QUrl url(callback, QUrl::StrictMode);
        !callback.isEmpty() && (!url.isValid() || url.host().isEmpty() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1)))
        return twilioError(400, 21609, u"The StatusCallback URL %1 is not a valid URL."_s.arg(callback));
    if (body.isEmpty())
        return twilioError(400, 21602, u"Message body is required."_s);
    if (body.size() > MaxBodyChars)
        return twilioError(400, 21617, u"The concatenated message body exceeds the 1600 character limit."_s);
    if (m_stopped.contains(to))
        return twilioError(400, 21610, u"Attempt to send to unsubscribed recipient"_s);
    const QString now = QDateTime::currentDateTimeUtc().toString(u"ddd, dd MMM yyyy HH:mm:ss '+0000'"_s);
    const Json message{{"sid", toStd(u"SM"_s + randomHex(32))},
                       {"account_sid", toStd(accountSid)},
                       {"to", toStd(to)},
                       {"from", from.isEmpty() ? Json(nullptr) : Json(toStd(from))},
                       {"messaging_service_sid", service.isEmpty() ? Json(nullptr) : Json(toStd(service))},
                       {"body", toStd(body)},
                       {"status", "queued"},
                       {"num_segments", "1"},
                       {"direction", "outbound-api"},
                       {"api_version", "2010-04-01"},
                       {"date_created", toStd(now)},
                       {"date_updated", toStd(now)},
                       {"date_sent", toStd(now)},
                       {"error_code", nullptr},
                       {"error_message", nullptr},
                       {"price", nullptr},
                       {"price_unit", "USD"}};
    m_messages.push_back(message);
    if (!callback.isEmpty() && !m_callbacksDropped) {
        const QUrl url(callback);
        sendCallback(url, message, u"queued"_s, m_callbackSpacingMs);
        sendCallback(url, message, u"sent"_s, 2 * m_callbackSpacingMs);
        sendCallback(url, message, u"delivered"_s, 3 * m_callbackSpacingMs);
    }
    if (m_answerWithoutSid) {
        Json incomplete = message;
        incomplete.erase("sid");
        return ApiReply::json(201, incomplete);
    }
    return ApiReply::json(201, message);
}

ApiReply TwilioApi::listMessages(const ApiRequest &request, const QString &accountSid) const
{
    QHash<QString, QString> params; // names and values decoded: "DateSent%3E" is "DateSent>"
    for (const auto &[name, value] : request.query.queryItems(QUrl::FullyDecoded))
        params.insert(name, value);
    const QString to = params.value(u"To"_s);
    const QString from = params.value(u"From"_s);
    // DateSent=YYYY-MM-DD, DateSent<=… and DateSent>=… (the query names "DateSent<" and "DateSent>"); GMT dates,
    // a date-time counts by its date.
    const auto dateOf = [&params](const QString &name, QDate *date) {
        if (!params.contains(name))
            return true;
        *date = QDate::fromString(params.value(name).left(10), Qt::ISODate);
        return date->isValid();
    };
    QDate on, onOrBefore, onOrAfter;
    if (!dateOf(u"DateSent"_s, &on) || !dateOf(u"DateSent<"_s, &onOrBefore) || !dateOf(u"DateSent>"_s, &onOrAfter))
        return twilioError(400, 20001, u"Invalid DateSent: a date YYYY-MM-DD is expected"_s);
    int pageSize = 50;
    if (params.contains(u"PageSize"_s)) {
        bool ok = false;
        pageSize = params.value(u"PageSize"_s).toInt(&ok);
        if (!ok || pageSize < 1 || pageSize > 1000)
            return twilioError(400, 20001, u"PageSize must be between 1 and 1000"_s);
    }
    Json page = Json::array();
    for (auto it = m_messages.rbegin(); it != m_messages.rend() && int(page.size()) < pageSize; ++it) {
        const Json &m = *it;
        if (!to.isEmpty() && jsonString(m, "to") != to)
            continue;
        if (!from.isEmpty() && jsonString(m, "from") != from)
            continue;
        const QDate sent = QDateTime::fromString(jsonString(m, "date_sent"), Qt::RFC2822Date).toUTC().date();
        if ((on.isValid() && sent != on) || (onOrBefore.isValid() && sent > onOrBefore) || (onOrAfter.isValid() && sent < onOrAfter))
            continue;
        page.push_back(m);
    }
    const std::string uri = toStd(u"/2010-04-01/Accounts/%1/Messages.json?PageSize=%2&Page=0"_s.arg(accountSid).arg(pageSize));
    return ApiReply::json(200, Json{{"messages", page},
                                    {"end", page.empty() ? 0 : int(page.size()) - 1},
                                    {"first_page_uri", uri},
                                    {"next_page_uri", nullptr},
                                    {"page", 0},
                                    {"page_size", pageSize},
                                    {"previous_page_uri", nullptr},
                                    {"start", 0},
                                    {"uri", uri}});
}

void TwilioApi::sendCallback(const QUrl &url, const Json &message, const QString &status, int delayMs)
{
    const QString from = jsonString(message, "from");
    const QList<std::pair<QString, QString>> params{{u"AccountSid"_s, jsonString(message, "account_sid")},
                                                     {u"ApiVersion"_s, u"2010-04-01"_s},
                                                     {u"From"_s, from},
                                                     {u"MessageSid"_s, jsonString(message, "sid")},
                                                     {u"MessageStatus"_s, status},
                                                     {u"SmsSid"_s, jsonString(message, "sid")},
                                                     {u"SmsStatus"_s, status},
                                                     {u"To"_s, jsonString(message, "to")}};
    QByteArrayList pairs;
    for (const auto &[name, value] : params)
        pairs.append(QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value));
    WebhookDelivery delivery;
    delivery.provider = u"twilio"_s;
    delivery.event = status;
    delivery.url = url;
    delivery.body = pairs.join('&');
    delivery.contentType = "application/x-www-form-urlencoded";
    const QString token = m_authToken;
    const QString signedUrl = url.toString(QUrl::FullyEncoded);
    delivery.sign = [token, signedUrl, params](const QByteArray &) {
        return HeaderList{{"X-Twilio-Signature", signatures::twilio(signedUrl, params, token)}};
    };
    m_sender.send(std::move(delivery), delayMs);
}

ApiReply TwilioApi::errorReply(int status, const QString &message) const
{
    return twilioError(status, status == 429 ? 20429 : status >= 500 ? 20500 : 21000, message);
}

void TwilioApi::reset()
{
    m_messages.clear();
    m_stopped.clear();
    m_answerWithoutSid = false;
    m_callbacksDropped = false;
}

void TwilioApi::setStopped(const QString &e164, bool stopped)
{
    if (stopped)
        m_stopped.insert(e164);
    else
        m_stopped.remove(e164);
}

} // namespace askpro::sandbox
