// Cal.com v2 endpoints with the cal-api-version each one needs; answers are unwrapped from "data".
#include "integrations/calcomclient.h"

#include "core/logging.h"

#include <QUrlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
constexpr QByteArrayView bookingsVersion = "2024-08-13";
constexpr QByteArrayView slotsVersion = "2024-09-04";
constexpr QByteArrayView eventTypesVersion = "2024-06-14";

QString calcomErrorText(const Json &body)
{
    const auto error = body.is_object() ? body.find("error") : body.end();
    if (error != body.end() && error->is_object())
        return jsonString(*error, "message").isEmpty() ? jsonString(*error, "code") : jsonString(*error, "message");
    return jsonString(body, "message");
}
} // namespace

CalcomClient::CalcomClient(QNetworkAccessManager *network, QUrl baseUrl, QByteArray apiKey, int timeoutMs)
    : m_transport(network, u"Cal.com"_s, lcCalcom(), calcomErrorText, timeoutMs,
                  [](Json body) { return body.is_object() && body.contains("data") ? body["data"] : body; })
    , m_baseUrl(std::move(baseUrl))
    , m_apiKey(std::move(apiKey))
{
}

QString CalcomClient::isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
}

QList<QDateTime> CalcomClient::freeSlotStarts(const Json &data)
{
    QList<QDateTime> result;
    if (!data.is_object())
        return result;
    for (const auto &[day, daySlots] : data.items()) {
        Q_UNUSED(day);
        if (!daySlots.is_array())
            continue;
        for (const Json &slot : daySlots) {
            const QString start = slot.is_string() ? QString::fromStdString(slot.get<std::string>()) : jsonString(slot, "start");
            const QDateTime t = QDateTime::fromString(start, Qt::ISODateWithMs);
            if (t.isValid())
                result.append(t.toUTC());
        }
    }
    std::sort(result.begin(), result.end());
    return result;
}

JsonReply *CalcomClient::call(const QByteArray &method, const QString &path, const QByteArray &apiVersion, const Json &body,
                              const QList<QPair<QString, QString>> &query) const
{
    ProviderRequest request;
    request.method = method;
    request.url = m_baseUrl;
    // Path arguments arrive percent-encoded (a "+" in a phone number as %2B): keep them so.
    request.url.setPath(m_baseUrl.path() + path, QUrl::TolerantMode);
    if (!query.isEmpty()) {
        QUrlQuery q;
        q.setQueryItems(query);
        request.url.setQuery(q);
    }
    request.headers = {{"Authorization", "Bearer " + m_apiKey}};
    if (!apiVersion.isEmpty())
        request.headers.append({"cal-api-version", apiVersion});
    if (!body.is_null())
        request.body = jsonText(body);
    return m_transport.send(request);
}

JsonReply *CalcomClient::freeSlots(qint64 eventTypeId, QDate from, QDate to, const QString &timeZone) const
{
    return call("GET", u"/slots"_s, slotsVersion.toByteArray(), Json(),
                {{u"eventTypeId"_s, QString::number(eventTypeId)},
                 {u"start"_s, from.toString(Qt::ISODate)},
                 {u"end"_s, to.toString(Qt::ISODate)},
                 {u"timeZone"_s, timeZone}});
}

JsonReply *CalcomClient::createBooking(const CalcomBookingRequest &r) const
{
    Json attendee = {{"name", r.name.toStdString()}, {"timeZone", r.timeZone.toStdString()}};
    if (!r.email.isEmpty())
        attendee["email"] = r.email.toStdString();
    if (!r.phone.isEmpty())
        attendee["phoneNumber"] = r.phone.toStdString();
    if (!r.language.isEmpty())
        attendee["language"] = r.language.toStdString();
    Json metadata = Json::object();
    for (auto it = r.metadata.cbegin(); it != r.metadata.cend() && metadata.size() < 50; ++it)
        metadata[it.key().left(40).toStdString()] = it.value().left(500).toStdString();
    Json body = {{"start", isoUtc(r.start).toStdString()}, {"eventTypeId", r.eventTypeId}, {"attendee", attendee},
                 {"metadata", metadata}};
    if (r.lengthMinutes > 0)
        body["lengthInMinutes"] = r.lengthMinutes;
    return call("POST", u"/bookings"_s, bookingsVersion.toByteArray(), body);
}

JsonReply *CalcomClient::booking(const QString &uid) const
{
    return call("GET", u"/bookings/"_s + uid, bookingsVersion.toByteArray());
}

JsonReply *CalcomClient::bookings(qint64 eventTypeId, const QDateTime &afterStart, const QDateTime &beforeEnd,
                                  const QString &attendeeName, int skip, int take) const
{
    QList<QPair<QString, QString>> query{{u"eventTypeId"_s, QString::number(eventTypeId)},
                                         {u"afterStart"_s, isoUtc(afterStart)},
                                         {u"beforeEnd"_s, isoUtc(beforeEnd)},
                                         {u"skip"_s, QString::number(skip)},
                                         {u"take"_s, QString::number(take)}};
    if (!attendeeName.isEmpty())
        query.append({u"attendeeName"_s, attendeeName});
    return call("GET", u"/bookings"_s, bookingsVersion.toByteArray(), Json(), query);
}

JsonReply *CalcomClient::cancelBooking(const QString &uid, const QString &reason) const
{
    return call("POST", u"/bookings/"_s + uid + u"/cancel"_s, bookingsVersion.toByteArray(),
                Json{{"cancellationReason", reason.toStdString()}});
}

JsonReply *CalcomClient::rescheduleBooking(const QString &uid, const QDateTime &start, const QString &reason) const
{
    return call("POST", u"/bookings/"_s + uid + u"/reschedule"_s, bookingsVersion.toByteArray(),
                Json{{"start", isoUtc(start).toStdString()}, {"reschedulingReason", reason.toStdString()}});
}

JsonReply *CalcomClient::me() const
{
    return call("GET", u"/me"_s, {});
}

JsonReply *CalcomClient::teams() const
{
    return call("GET", u"/teams"_s, {});
}

JsonReply *CalcomClient::createTeam(const QString &name, const QString &slug, const QString &timeZone) const
{
    return call("POST", u"/teams"_s, {},
                Json{{"name", name.toStdString()}, {"slug", slug.toStdString()}, {"timeZone", timeZone.toStdString()}});
}

JsonReply *CalcomClient::eventTypes() const
{
    return call("GET", u"/event-types"_s, eventTypesVersion.toByteArray());
}

JsonReply *CalcomClient::teamEventTypes(qint64 teamId) const
{
    return call("GET", u"/teams/%1/event-types"_s.arg(teamId), eventTypesVersion.toByteArray());
}

JsonReply *CalcomClient::createEventType(const QString &title, const QString &slug, int lengthMinutes) const
{
    return call("POST", u"/event-types"_s, eventTypesVersion.toByteArray(),
                Json{{"title", title.toStdString()}, {"slug", slug.toStdString()}, {"lengthInMinutes", lengthMinutes}});
}

JsonReply *CalcomClient::createTeamEventType(qint64 teamId, const QString &title, const QString &slug, int lengthMinutes,
                                             const QList<qint64> &hostUserIds) const
{
    Json body = {{"title", title.toStdString()}, {"slug", slug.toStdString()}, {"lengthInMinutes", lengthMinutes},
                 {"schedulingType", "roundRobin"}};
    if (hostUserIds.isEmpty()) {
        body["assignAllTeamMembers"] = true;
    } else {
        Json hosts = Json::array();
        for (qint64 id : hostUserIds)
            hosts.push_back({{"userId", id}});
        body["hosts"] = hosts;
    }
    return call("POST", u"/teams/%1/event-types"_s.arg(teamId), eventTypesVersion.toByteArray(), body);
}

JsonReply *CalcomClient::deleteEventType(qint64 eventTypeId) const
{
    return call("DELETE", u"/event-types/%1"_s.arg(eventTypeId), eventTypesVersion.toByteArray());
}

JsonReply *CalcomClient::webhooks() const
{
    return call("GET", u"/webhooks"_s, {});
}

JsonReply *CalcomClient::createWebhook(const QString &subscriberUrl, const QByteArray &secret) const
{
    return call("POST", u"/webhooks"_s, {},
                Json{{"active", true},
                     {"subscriberUrl", subscriberUrl.toStdString()},
                     {"triggers", {"BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_RESCHEDULED"}},
                     {"secret", secret.toStdString()}});
}

JsonReply *CalcomClient::deleteWebhook(const QString &webhookId) const
{
    return call("DELETE", u"/webhooks/"_s + webhookId, {});
}

} // namespace askpro
