// Stand-in for the Cal.com API v2: routes, envelopes, version checks, bookings and signed webhooks.
#include "calcomapi.h"

#include "signatures.h"
#include "webhooksender.h"

#include <QTimeZone>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

constexpr auto BookingsVersion = "2024-08-13";
constexpr auto SlotsVersion = "2024-09-04";
constexpr auto EventTypesVersion = "2024-06-14";
constexpr auto SchedulesVersion = "2024-06-11";

QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString utcIso(const QDateTime &at)
{
    return at.toUTC().toString(Qt::ISODateWithMs);
}

const char *errorCode(int status)
{
    switch (status) {
    case 400: return "BadRequestException";
    case 401: return "UnauthorizedException";
    case 403: return "ForbiddenException";
    case 404: return "NotFoundException";
    case 409: return "ConflictException";
    case 429: return "TooManyRequestsException";
    case 502: return "BadGatewayException";
    case 503: return "ServiceUnavailableException";
    case 504: return "GatewayTimeoutException";
    default: return "InternalServerErrorException";
    }
}

ApiReply calError(int status, const QString &message, const Json &details = Json::object())
{
    return ApiReply::json(status, Json{{"status", "error"}, {"timestamp", toStd(nowIso())},
                                       {"error", {{"code", errorCode(status)}, {"message", toStd(message)}, {"details", details}}}});
}

ApiReply ok(int status, const Json &data)
{
    return ApiReply::json(status, Json{{"status", "success"}, {"data", data}});
}

// Accepts "2025-01-06T09:00:00Z", "...+01:00" or a bare date (the start of that day in zone).
QDateTime parseInstant(const QString &text, const QTimeZone &zone)
{
    if (text.size() == 10) {
        const QDate date = QDate::fromString(text, Qt::ISODate);
        return date.isValid() ? QDateTime(date, QTime(0, 0), zone) : QDateTime();
    }
    QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (at.isValid() && at.timeSpec() == Qt::LocalTime)
        at = QDateTime(at.date(), at.time(), QTimeZone::utc());
    return at;
}

QString metadataProblem(const Json &metadata)
{
    if (metadata.is_null())
        return {};
    if (!metadata.is_object())
        return u"metadata must be an object"_s;
    if (metadata.size() > 50)
        return u"metadata can have at most 50 keys"_s;
    for (auto it = metadata.begin(); it != metadata.end(); ++it) {
        if (it.key().size() > 40)
            return u"metadata keys can be at most 40 characters long"_s;
        if (it->is_string() && it->get<std::string>().size() > 500)
            return u"metadata values can be at most 500 characters long"_s;
    }
    return {};
}

Json webhookAttendee(const Json &attendee)
{
    return Json{{"name", attendee.value("name", Json())}, {"email", attendee.value("email", Json())},
                {"timeZone", attendee.value("timeZone", Json())}, {"phoneNumber", attendee.value("phoneNumber", Json())},
                {"language", {{"locale", attendee.value("language", "en")}}}};
}

} // namespace

CalcomApi::CalcomApi(QString apiKey, WebhookSender &sender) : m_apiKey(std::move(apiKey)), m_sender(sender)
{
    using A = const ApiRequest &;
    using C = const QStringList &;
    using Handler = RouteTable::Handler;
    // Wraps a handler so that it runs only with the given cal-api-version header.
    const auto versioned = [](const char *version, Handler handler) -> Handler {
        return [version, handler](A request, C captures) {
            const QByteArray given = request.header("cal-api-version"_ba);
            if (given != version)
                return calError(400, given.isEmpty() ? u"The cal-api-version header is required: use %1"_s.arg(QLatin1String(version))
                                                     : u"cal-api-version %1 is not supported here: use %2"_s.arg(
                                                         QString::fromLatin1(given), QLatin1String(version)));
            return handler(request, captures);
        };
    };
    const auto body = [](A request) { return parseJsonObject(request.body).value_or(Json::object()); };
    const auto id = [](C captures) { return captures.at(0).toLongLong(); };

    m_routes.add("GET"_ba, u"/v2/me"_s, [this](A, C) { return ok(200, *m_calendar.user(CalcomCalendar::OwnerId)); });

    m_routes.add("POST"_ba, u"/v2/teams"_s, [this, body](A r, C) { return createTeam(body(r)); });
    m_routes.add("GET"_ba, u"/v2/teams"_s, [this](A, C) { return ok(200, Json(m_teams)); });
    m_routes.add("GET"_ba, u"/v2/teams/*"_s, [this, id](A, C c) {
        const Json *t = team(id(c));
        return t ? ok(200, *t) : calError(404, u"Team not found"_s);
    });
    m_routes.add("POST"_ba, u"/v2/teams/*/event-types"_s, versioned(EventTypesVersion, [this, body, id](A r, C c) {
        return team(id(c)) ? createEventType(body(r), id(c)) : calError(404, u"Team not found"_s);
    }));
    m_routes.add("GET"_ba, u"/v2/teams/*/event-types"_s, versioned(EventTypesVersion, [this, id](A, C c) {
        Json list = Json::array();
        for (const Json &e : m_eventTypes) {
            if (e.value("teamId", Json()) == Json(id(c)))
                list.push_back(e);
        }
        return ok(200, list);
    }));

    m_routes.add("POST"_ba, u"/v2/event-types"_s, versioned(EventTypesVersion, [this, body](A r, C) {
        return createEventType(body(r), std::nullopt);
    }));
    m_routes.add("GET"_ba, u"/v2/event-types"_s, versioned(EventTypesVersion, [this](A, C) {
        Json list = Json::array();
        for (const Json &e : m_eventTypes) {
            if (!e.value("teamId", Json()).is_number())
                list.push_back(e);
        }
        return ok(200, list);
    }));
    m_routes.add("GET"_ba, u"/v2/event-types/*"_s, versioned(EventTypesVersion, [this, id](A, C c) {
        const Json *e = eventType(id(c));
        return e ? ok(200, *e) : calError(404, u"Event type with id=%1 not found"_s.arg(c.at(0)));
    }));
    m_routes.add("DELETE"_ba, u"/v2/event-types/*"_s, versioned(EventTypesVersion, [this, id](A, C c) {
        const Json *e = eventType(id(c));
        if (!e)
            return calError(404, u"Event type with id=%1 not found"_s.arg(c.at(0)));
        const Json removed{{"id", (*e)["id"]}, {"lengthInMinutes", (*e)["lengthInMinutes"]}, {"title", (*e)["title"]}, {"slug", (*e)["slug"]}};
        m_eventTypes.removeIf([&](const Json &x) { return x["id"] == removed["id"]; });
        return ok(200, removed);
    }));

    m_routes.add("GET"_ba, u"/v2/schedules"_s, versioned(SchedulesVersion, [this](A, C) {
        return ok(200, Json(m_calendar.schedulesOf(CalcomCalendar::OwnerId)));
    }));
    m_routes.add("GET"_ba, u"/v2/schedules/default"_s, versioned(SchedulesVersion, [this](A, C) {
        return ok(200, *m_calendar.defaultSchedule(CalcomCalendar::OwnerId));
    }));
    m_routes.add("GET"_ba, u"/v2/schedules/*"_s, versioned(SchedulesVersion, [this, id](A, C c) {
        const Json *s = m_calendar.schedule(id(c));
        return s && s->value("ownerId", qint64(0)) == CalcomCalendar::OwnerId ? ok(200, *s) : calError(404, u"Schedule not found"_s);
    }));
    m_routes.add("POST"_ba, u"/v2/schedules"_s, versioned(SchedulesVersion, [this, body](A r, C) { return createSchedule(body(r)); }));

    m_routes.add("GET"_ba, u"/v2/slots"_s, versioned(SlotsVersion, [this](A r, C) { return freeSlots(r); }));

    m_routes.add("POST"_ba, u"/v2/bookings"_s, versioned(BookingsVersion, [this](A r, C) {
        const auto parsed = parseJsonObject(r.body);
        return parsed ? createBooking(*parsed) : calError(400, u"The body must be a JSON object"_s);
    }));
    m_routes.add("GET"_ba, u"/v2/bookings"_s, versioned(BookingsVersion, [this](A r, C) { return listBookings(r); }));
    m_routes.add("GET"_ba, u"/v2/bookings/*"_s, versioned(BookingsVersion, [this](A, C c) {
        const Json *b = m_calendar.booking(c.at(0));
        return b ? ok(200, *b) : calError(404, u"Booking with uid=%1 was not found"_s.arg(c.at(0)));
    }));
    m_routes.add("POST"_ba, u"/v2/bookings/*/cancel"_s, versioned(BookingsVersion, [this, body](A r, C c) {
        return cancelBooking(c.at(0), body(r));
    }));
    m_routes.add("POST"_ba, u"/v2/bookings/*/reschedule"_s, versioned(BookingsVersion, [this, body](A r, C c) {
        return rescheduleBooking(c.at(0), body(r));
    }));

    m_routes.add("POST"_ba, u"/v2/webhooks"_s, [this, body](A r, C) { return createWebhook(body(r)); });
    m_routes.add("GET"_ba, u"/v2/webhooks"_s, [this](A, C) { return ok(200, Json(m_webhooks)); });
    m_routes.add("GET"_ba, u"/v2/webhooks/*"_s, [this](A, C c) {
        const auto it = std::find_if(m_webhooks.cbegin(), m_webhooks.cend(), [&](const Json &w) { return jsonString(w, "id") == c.at(0); });
        return it == m_webhooks.cend() ? calError(404, u"Webhook not found"_s) : ok(200, *it);
    });
    m_routes.add("PATCH"_ba, u"/v2/webhooks/*"_s, [this, body](A r, C c) { return updateWebhook(c.at(0), body(r)); });
    m_routes.add("DELETE"_ba, u"/v2/webhooks/*"_s, [this](A, C c) {
        const auto it = std::find_if(m_webhooks.cbegin(), m_webhooks.cend(), [&](const Json &w) { return jsonString(w, "id") == c.at(0); });
        if (it == m_webhooks.cend())
            return calError(404, u"Webhook not found"_s);
        const Json removed = *it;
        m_webhooks.erase(it);
        return ok(200, removed);
    });
}

ApiReply CalcomApi::handle(const ApiRequest &request)
{
    const QString token = request.bearerToken();
    if (token.isEmpty())
        return calError(401, u"No Authorization header or API key provided"_s);
    if (token != m_apiKey)
        return calError(401, u"Invalid API Key"_s);
    if (auto reply = m_routes.dispatch(request))
        return *reply;
    return calError(404, u"Cannot %1 %2"_s.arg(QString::fromLatin1(request.method), request.path()));
}

ApiReply CalcomApi::errorReply(int status, const QString &message) const
{
    return calError(status, message);
}

void CalcomApi::reset()
{
    m_calendar.reset();
    m_teams.clear();
    m_teamMembers.clear();
    m_eventTypes.clear();
    m_webhooks.clear();
    m_nextTeamId = 1;
    m_nextEventTypeId = 1;
    m_nextBookingId = 1;
}

QString CalcomApi::loadSeed(const Json &seed)
{
    for (const Json &user : seed.value("users", Json::array()))
        m_calendar.addUser(user);
    for (const Json &schedule : seed.value("schedules", Json::array()))
        m_calendar.addSchedule(jsonInt(schedule, "ownerId").value_or(CalcomCalendar::OwnerId), schedule);
    for (const Json &team : seed.value("teams", Json::array())) {
        const ApiReply reply = createTeam(team);
        if (reply.status >= 300)
            return u"team %1: %2"_s.arg(jsonString(team, "name"), QString::fromUtf8(reply.body));
    }
    for (const Json &type : seed.value("eventTypes", Json::array())) {
        const auto teamId = jsonInt(type, "teamId");
        const ApiReply reply = createEventType(type, teamId);
        if (reply.status >= 300)
            return u"event type %1: %2"_s.arg(jsonString(type, "title"), QString::fromUtf8(reply.body));
    }
    for (const Json &seeded : seed.value("bookings", Json::array())) {
        const Json *type = eventType(jsonInt(seeded, "eventTypeId").value_or(0));
        const qint64 hostId = jsonInt(seeded, "hostId").value_or(0);
        const QDateTime start = parseInstant(jsonString(seeded, "start"), QTimeZone::utc());
        const int minutes = int(jsonInt(seeded, "lengthInMinutes").value_or(type ? (*type)["lengthInMinutes"].get<qint64>() : 0));
        if (!type || !m_calendar.user(hostId) || !start.isValid() || minutes <= 0)
            return u"booking %1: needs a known eventTypeId and hostId, a start and a length"_s.arg(jsonString(seeded, "uid"));
        Json booking = makeBooking(*type, hostId, start, minutes, seeded.value("attendee", Json::object()), Json::object());
        if (const QString uid = jsonString(seeded, "uid"); !uid.isEmpty()) {
            booking["uid"] = toStd(uid);
            booking["icsUid"] = toStd(uid + u"@sandbox.cal.com"_s);
        }
        ++m_nextBookingId;
        m_calendar.bookings().append(booking);
    }
    return {};
}

const Json *CalcomApi::eventType(qint64 id) const
{
    for (const Json &e : m_eventTypes) {
        if (e.value("id", qint64(0)) == id)
            return &e;
    }
    return nullptr;
}

const Json *CalcomApi::team(qint64 id) const
{
    for (const Json &t : m_teams) {
        if (t.value("id", qint64(0)) == id)
            return &t;
    }
    return nullptr;
}

ApiReply CalcomApi::createTeam(const Json &body)
{
    if (jsonString(body, "name").isEmpty())
        return calError(400, u"name is required"_s);
    const qint64 id = jsonInt(body, "id").value_or(m_nextTeamId);
    m_nextTeamId = std::max(m_nextTeamId, id + 1);
    Json team{{"id", id}, {"name", body["name"]}, {"slug", body.value("slug", Json())}, {"timeZone", body.value("timeZone", "Europe/Berlin")},
              {"weekStart", body.value("weekStart", "Monday")}, {"isPrivate", false}, {"parentId", Json()}};
    QList<qint64> members{CalcomCalendar::OwnerId};
    for (const Json &member : body.value("members", Json::array())) {
        const qint64 userId = member.is_object() ? member.value("userId", qint64(0)) : member.get<qint64>();
        if (!m_calendar.user(userId))
            return calError(400, u"User %1 does not exist"_s.arg(userId));
        if (!members.contains(userId))
            members.append(userId);
    }
    m_teams.append(team);
    m_teamMembers.insert(id, members);
    return ok(201, team);
}

ApiReply CalcomApi::createEventType(const Json &body, std::optional<qint64> teamId)
{
    const auto length = jsonInt(body, "lengthInMinutes");
    if (jsonString(body, "title").isEmpty() || jsonString(body, "slug").isEmpty() || !length || *length <= 0)
        return calError(400, u"title, slug and a positive lengthInMinutes are required"_s);
    if (const auto scheduleId = jsonInt(body, "scheduleId"); scheduleId && !m_calendar.schedule(*scheduleId))
        return calError(404, u"Schedule with id=%1 not found"_s.arg(*scheduleId));
    const qint64 id = jsonInt(body, "id").value_or(m_nextEventTypeId);
    m_nextEventTypeId = std::max(m_nextEventTypeId, id + 1);
    Json type{{"id", id}, {"title", body["title"]}, {"slug", body["slug"]}, {"description", body.value("description", "")},
              {"lengthInMinutes", *length}, {"locations", body.value("locations", Json::array())},
              {"bookingFields", body.value("bookingFields", Json::array())}, {"disableGuests", false},
              {"slotInterval", body.value("slotInterval", Json())}, {"minimumBookingNotice", body.value("minimumBookingNotice", 120)},
              {"beforeEventBuffer", 0}, {"afterEventBuffer", 0}, {"scheduleId", body.value("scheduleId", Json())}, {"hidden", false},
              {"ownerId", teamId ? Json() : Json(CalcomCalendar::OwnerId)}};
    if (body.contains("lengthInMinutesOptions"))
        type["lengthInMinutesOptions"] = body["lengthInMinutesOptions"];
    if (teamId) {
        const QString scheduling = jsonString(body, "schedulingType");
        if (scheduling.isEmpty())
            return calError(400, u"schedulingType is required for team event types"_s);
        QList<qint64> hostIds;
        if (jsonBool(body, "assignAllTeamMembers", false)) {
            hostIds = m_teamMembers.value(*teamId);
        } else {
            for (const Json &host : body.value("hosts", Json::array()))
                hostIds.append(host.value("userId", qint64(0)));
        }
        Json hosts = Json::array();
        for (const qint64 userId : std::as_const(hostIds)) {
            if (!m_teamMembers.value(*teamId).contains(userId))
                return calError(400, u"User %1 is not a member of team %2"_s.arg(userId).arg(*teamId));
            const Json *user = m_calendar.user(userId);
            hosts.push_back({{"userId", userId}, {"name", (*user)["name"]}, {"username", (*user)["username"]}, {"mandatory", false},
                             {"priority", "medium"}});
        }
        if (hosts.empty())
            return calError(400, u"A team event type needs hosts or assignAllTeamMembers"_s);
        type["teamId"] = *teamId;
        type["schedulingType"] = toStd(scheduling);
        type["assignAllTeamMembers"] = jsonBool(body, "assignAllTeamMembers", false);
        type["hosts"] = hosts;
    }
    m_eventTypes.append(type);
    return ok(201, type);
}

ApiReply CalcomApi::createSchedule(const Json &body)
{
    if (jsonString(body, "name").isEmpty() || !QTimeZone(jsonString(body, "timeZone").toUtf8()).isValid())
        return calError(400, u"name and a valid timeZone are required"_s);
    return ok(201, m_calendar.addSchedule(CalcomCalendar::OwnerId, body));
}

ApiReply CalcomApi::freeSlots(const ApiRequest &request) const
{
    const QUrlQuery &q = request.query;
    const Json *type = eventType(q.queryItemValue(u"eventTypeId"_s).toLongLong());
    if (!q.hasQueryItem(u"eventTypeId"_s))
        return calError(400, u"eventTypeId is required"_s);
    if (!type)
        return calError(404, u"Event type with id=%1 not found"_s.arg(q.queryItemValue(u"eventTypeId"_s)));
    const QString zoneName = q.hasQueryItem(u"timeZone"_s) ? q.queryItemValue(u"timeZone"_s, QUrl::FullyDecoded) : u"UTC"_s;
    const QTimeZone zone(zoneName.toUtf8());
    if (!zone.isValid())
        return calError(400, u"timeZone %1 is not a valid IANA time zone"_s.arg(zoneName));
    const QString startText = q.queryItemValue(u"start"_s, QUrl::FullyDecoded);
    const QString endText = q.queryItemValue(u"end"_s, QUrl::FullyDecoded);
    const QDateTime from = parseInstant(startText, zone);
    QDateTime to = parseInstant(endText, zone);
    if (!from.isValid() || !to.isValid())
        return calError(400, u"start and end are required, as ISO 8601 date-times or dates"_s);
    if (endText.size() == 10)
        to = to.addDays(1); // a bare end date includes that whole day
    const int minutes = q.hasQueryItem(u"duration"_s) ? q.queryItemValue(u"duration"_s).toInt() : int((*type)["lengthInMinutes"].get<qint64>());
    const bool range = q.queryItemValue(u"format"_s) == "range"_L1;
    Json data = Json::object();
    for (const QDateTime &slot : m_calendar.freeSlots(*type, from, to, minutes, q.queryItemValue(u"bookingUidToReschedule"_s))) {
        const QDateTime local = slot.toTimeZone(zone);
        Json entry{{"start", toStd(local.toString(Qt::ISODateWithMs))}};
        if (range)
            entry["end"] = toStd(local.addSecs(qint64(minutes) * 60).toString(Qt::ISODateWithMs));
        data[toStd(local.date().toString(Qt::ISODate))].push_back(entry);
    }
    return ok(200, data);
}

std::optional<ApiReply> CalcomApi::checkBookingTime(const Json &type, const Json &body, QDateTime *start, int *minutes,
                                                    const QString &ignoreUid) const
{
    *start = parseInstant(jsonString(body, "start"), QTimeZone::utc());
    if (!start->isValid() || jsonString(body, "start").size() == 10)
        return calError(400, u"start must be an ISO 8601 date-time in UTC"_s);
    *minutes = int(type["lengthInMinutes"].get<qint64>());
    if (const auto length = jsonInt(body, "lengthInMinutes"); length && *length != *minutes) {
        const Json options = type.value("lengthInMinutesOptions", Json::array());
        if (std::find(options.begin(), options.end(), Json(*length)) == options.end())
            return calError(400, u"lengthInMinutes %1 is not allowed for this event type"_s.arg(*length));
        *minutes = int(*length);
    }
    if (*start < QDateTime::currentDateTimeUtc())
        return calError(400, u"Attempting to book a meeting in the past."_s);
    switch (m_calendar.hostFor(type, *start, *minutes, ignoreUid).second) {
    case CalcomCalendar::Refusal::None:
        return std::nullopt;
    case CalcomCalendar::Refusal::Taken:
        return calError(409, u"User either already has booking at this time or is not available"_s);
    case CalcomCalendar::Refusal::TooSoon:
        return calError(400, u"no_available_users_found_error: the booking is within the minimum booking notice"_s);
    case CalcomCalendar::Refusal::OutsideAvailability:
        break;
    }
    return calError(400, u"no_available_users_found_error: no host is available at this time"_s);
}

Json CalcomApi::makeBooking(const Json &type, qint64 hostId, const QDateTime &start, int minutes, const Json &attendee,
                            const Json &metadata) const
{
    const Json *host = m_calendar.user(hostId);
    const QString uid = randomAlnum(22);
    Json hostEntry{{"id", hostId}, {"name", (*host)["name"]}, {"email", (*host)["email"]}, {"username", (*host)["username"]},
                   {"timeZone", (*host)["timeZone"]}};
    Json attendeeEntry{{"name", attendee["name"]}, {"email", attendee.value("email", Json())},
                       {"displayEmail", attendee.value("email", Json())}, {"timeZone", attendee["timeZone"]},
                       {"phoneNumber", attendee.value("phoneNumber", Json())}, {"language", attendee.value("language", "en")},
                       {"absent", false}};
    const QString now = nowIso();
    return Json{{"id", m_nextBookingId}, {"uid", toStd(uid)},
                {"title", type["title"].get<std::string>() + " between " + (*host)["name"].get<std::string>() + " and "
                              + attendee["name"].get<std::string>()},
                {"description", ""}, {"hosts", Json::array({hostEntry})}, {"status", "accepted"},
                {"cancellationReason", Json()}, {"reschedulingReason", Json()}, {"rescheduledFromUid", Json()},
                {"start", toStd(utcIso(start))}, {"end", toStd(utcIso(start.addSecs(qint64(minutes) * 60)))},
                {"duration", minutes}, {"eventTypeId", type["id"]}, {"eventType", {{"id", type["id"]}, {"slug", type["slug"]}}},
                {"meetingUrl", Json()}, {"location", Json()}, {"absentHost", false}, {"createdAt", toStd(now)},
                {"updatedAt", toStd(now)}, {"metadata", metadata.is_object() ? metadata : Json::object()},
                {"icsUid", toStd(uid + u"@sandbox.cal.com"_s)}, {"attendees", Json::array({attendeeEntry})}, {"guests", Json::array()},
                {"bookingFieldsResponses", {{"name", attendee["name"]}, {"email", attendee.value("email", Json())}}}};
}

ApiReply CalcomApi::createBooking(const Json &body)
{
    const auto typeId = jsonInt(body, "eventTypeId");
    const Json *type = typeId ? eventType(*typeId) : nullptr;
    if (!typeId)
        return calError(400, u"eventTypeId is required"_s);
    if (!type)
        return calError(404, u"Event type with id=%1 not found"_s.arg(*typeId));
    const Json attendee = body.value("attendee", Json());
    if (!attendee.is_object() || jsonString(attendee, "name").isEmpty() || jsonString(attendee, "timeZone").isEmpty()
        || (jsonString(attendee, "email").isEmpty() && jsonString(attendee, "phoneNumber").isEmpty()))
        return calError(400, u"attendee needs name, timeZone and an email or phoneNumber"_s);
    if (const QString problem = metadataProblem(body.value("metadata", Json())); !problem.isEmpty())
        return calError(400, problem);
    QDateTime start;
    int minutes = 0;
    if (auto refused = checkBookingTime(*type, body, &start, &minutes, {}))
        return *refused;
    const qint64 hostId = *m_calendar.hostFor(*type, start, minutes).first;
    const Json booking = makeBooking(*type, hostId, start, minutes, attendee, body.value("metadata", Json::object()));
    ++m_nextBookingId;
    m_calendar.bookings().append(booking);
    notify("BOOKING_CREATED", booking);
    return ok(201, booking);
}

ApiReply CalcomApi::bookElsewhere(const Json &body)
{
    return createBooking(body);
}

ApiReply CalcomApi::listBookings(const ApiRequest &request) const
{
    const QUrlQuery &q = request.query;
    const QStringList statuses = q.queryItemValue(u"status"_s).split(u',', Qt::SkipEmptyParts);
    const QString email = q.queryItemValue(u"attendeeEmail"_s, QUrl::FullyDecoded);
    const QString name = q.queryItemValue(u"attendeeName"_s, QUrl::FullyDecoded);
    QStringList typeIds = q.queryItemValue(u"eventTypeIds"_s).split(u',', Qt::SkipEmptyParts);
    if (q.hasQueryItem(u"eventTypeId"_s))
        typeIds << q.queryItemValue(u"eventTypeId"_s);
    const QDateTime afterStart = parseInstant(q.queryItemValue(u"afterStart"_s, QUrl::FullyDecoded), QTimeZone::utc());
    const QDateTime beforeEnd = parseInstant(q.queryItemValue(u"beforeEnd"_s, QUrl::FullyDecoded), QTimeZone::utc());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Json> matching;
    for (const Json &b : m_calendar.bookings()) {
        const QDateTime start = QDateTime::fromString(jsonString(b, "start"), Qt::ISODateWithMs);
        const QDateTime end = QDateTime::fromString(jsonString(b, "end"), Qt::ISODateWithMs);
        const QString status = jsonString(b, "status");
        const auto statusMatches = [&](const QString &wanted) {
            if (wanted == "upcoming"_L1)
                return status == "accepted"_L1 && end >= now;
            if (wanted == "past"_L1)
                return end < now && status != "cancelled"_L1;
            if (wanted == "cancelled"_L1)
                return status == "cancelled"_L1;
            if (wanted == "unconfirmed"_L1)
                return status == "pending"_L1;
            return false;
        };
        const Json attendee = b["attendees"].empty() ? Json::object() : b["attendees"][0];
        if ((!statuses.isEmpty() && std::none_of(statuses.begin(), statuses.end(), statusMatches))
            || (!email.isEmpty() && jsonString(attendee, "email").compare(email, Qt::CaseInsensitive) != 0)
            || (!name.isEmpty() && !jsonString(attendee, "name").contains(name, Qt::CaseInsensitive))
            || (!typeIds.isEmpty() && !typeIds.contains(jsonString(b, "eventTypeId")))
            || (afterStart.isValid() && start < afterStart) || (beforeEnd.isValid() && end > beforeEnd))
            continue;
        matching.append(b);
    }
    const bool descending = q.queryItemValue(u"sortStart"_s) == "desc"_L1;
    std::stable_sort(matching.begin(), matching.end(), [descending](const Json &a, const Json &b) {
        return descending ? jsonString(b, "start") < jsonString(a, "start") : jsonString(a, "start") < jsonString(b, "start");
    });
    const qsizetype take = q.hasQueryItem(u"take"_s) ? q.queryItemValue(u"take"_s).toLongLong() : 100;
    const qsizetype skip = q.queryItemValue(u"skip"_s).toLongLong();
    const QList<Json> pageItems = matching.mid(skip, take);
    const qsizetype total = matching.size();
    const Json pagination{{"totalItems", total}, {"remainingItems", std::max<qsizetype>(0, total - skip - pageItems.size())},
                          {"returnedItems", pageItems.size()}, {"itemsPerPage", take}, {"currentPage", take > 0 ? skip / take + 1 : 1},
                          {"totalPages", take > 0 ? (total + take - 1) / take : 1}, {"hasNextPage", skip + pageItems.size() < total},
                          {"hasPreviousPage", skip > 0}};
    return ApiReply::json(200, Json{{"status", "success"}, {"data", Json(pageItems)}, {"pagination", pagination}});
}

ApiReply CalcomApi::cancelBooking(const QString &uid, const Json &body)
{
    Json *booking = m_calendar.booking(uid);
    if (!booking)
        return calError(404, u"Booking with uid=%1 was not found"_s.arg(uid));
    if (jsonString(*booking, "status") == "cancelled"_L1)
        return calError(400, u"This booking has already been cancelled."_s);
    (*booking)["status"] = "cancelled";
    (*booking)["cancellationReason"] = body.value("cancellationReason", Json());
    (*booking)["updatedAt"] = toStd(nowIso());
    const Json cancelled = *booking;
    notify("BOOKING_CANCELLED", cancelled);
    return ok(200, cancelled);
}

ApiReply CalcomApi::rescheduleBooking(const QString &uid, const Json &body)
{
    Json *old = m_calendar.booking(uid);
    if (!old)
        return calError(404, u"Booking with uid=%1 was not found"_s.arg(uid));
    if (jsonString(*old, "status") == "cancelled"_L1)
        return calError(400, u"Can't reschedule a cancelled booking"_s);
    const Json *type = eventType(jsonInt(*old, "eventTypeId").value_or(0));
    if (!type)
        return calError(404, u"The event type of this booking no longer exists"_s);
    Json request = body;
    request["lengthInMinutes"] = (*old)["duration"];
    QDateTime start;
    int minutes = 0;
    if (auto refused = checkBookingTime(*type, request, &start, &minutes, uid))
        return *refused;
    const qint64 hostId = *m_calendar.hostFor(*type, start, minutes, uid).first;
    Json attendee = (*old)["attendees"][0];
    Json booking = makeBooking(*type, hostId, start, minutes, attendee, (*old)["metadata"]);
    ++m_nextBookingId;
    booking["rescheduledFromUid"] = toStd(uid);
    booking["reschedulingReason"] = body.value("reschedulingReason", Json());
    (*old)["status"] = "cancelled";
    (*old)["rescheduled"] = true;
    (*old)["rescheduledToUid"] = booking["uid"];
    (*old)["updatedAt"] = toStd(nowIso());
    const Json previous = *old;
    m_calendar.bookings().append(booking);
    notify("BOOKING_RESCHEDULED", booking,
           {{"rescheduleUid", toStd(uid)}, {"rescheduleId", previous["id"]}, {"rescheduleStartTime", previous["start"]},
            {"rescheduleEndTime", previous["end"]}});
    return ok(201, booking);
}

ApiReply CalcomApi::createWebhook(const Json &body)
{
    const Json triggers = body.value("triggers", Json());
    if (jsonString(body, "subscriberUrl").isEmpty() || !triggers.is_array() || triggers.empty())
        return calError(400, u"subscriberUrl and triggers are required"_s);
    Json webhook{{"id", toStd(QUuid::createUuid().toString(QUuid::WithoutBraces))}, {"userId", CalcomCalendar::OwnerId},
                 {"subscriberUrl", body["subscriberUrl"]}, {"triggers", triggers}, {"active", jsonBool(body, "active", true)},
                 {"payloadTemplate", body.value("payloadTemplate", Json())}, {"secret", body.value("secret", Json())}};
    m_webhooks.append(webhook);
    return ok(201, webhook);
}

ApiReply CalcomApi::updateWebhook(const QString &id, const Json &body)
{
    for (Json &webhook : m_webhooks) {
        if (jsonString(webhook, "id") != id)
            continue;
        for (const char *key : {"subscriberUrl", "triggers", "active", "payloadTemplate", "secret"}) {
            if (body.contains(key))
                webhook[key] = body[key];
        }
        return ok(200, webhook);
    }
    return calError(404, u"Webhook not found"_s);
}

void CalcomApi::notify(const char *trigger, const Json &booking, const Json &extra)
{
    const Json host = booking["hosts"][0];
    const Json *user = m_calendar.user(host.value("id", qint64(0)));
    Json attendees = Json::array();
    for (const Json &a : booking["attendees"])
        attendees.push_back(webhookAttendee(a));
    Json payload{{"type", booking["eventType"]["slug"]}, {"title", booking["title"]}, {"description", booking["description"]},
                 {"startTime", booking["start"]}, {"endTime", booking["end"]},
                 {"organizer", {{"id", host["id"]}, {"name", host["name"]}, {"email", host["email"]}, {"username", host["username"]},
                                {"timeZone", host["timeZone"]}, {"language", {{"locale", user ? user->value("locale", "en") : "en"}}}}},
                 {"attendees", attendees}, {"uid", booking["uid"]}, {"bookingId", booking["id"]}, {"eventTypeId", booking["eventTypeId"]},
                 {"status", booking["status"] == "cancelled" ? "CANCELLED" : "ACCEPTED"}, {"length", booking["duration"]},
                 {"metadata", booking["metadata"]}, {"cancellationReason", booking["cancellationReason"]},
                 {"rescheduleUid", Json()}, {"iCalUID", booking["icsUid"]}};
    payload.update(extra);
    const QByteArray body = QByteArray::fromStdString(
        Json{{"triggerEvent", trigger}, {"createdAt", toStd(nowIso())}, {"payload", payload}}.dump());
    for (const Json &webhook : std::as_const(m_webhooks)) {
        const Json triggers = webhook["triggers"];
        if (!webhook.value("active", true) || std::find(triggers.begin(), triggers.end(), trigger) == triggers.end())
            continue;
        const QString secret = jsonString(webhook, "secret");
        m_sender.send({u"calcom"_s, QString::fromLatin1(trigger), QUrl(jsonString(webhook, "subscriberUrl")), body,
                       [secret](const QByteArray &raw) { return HeaderList{{"X-Cal-Signature-256"_ba, signatures::calcom(raw, secret)}}; }});
    }
}

} // namespace askpro::sandbox
