// The calendar side of the Cal.com stand-in: schedules, bookings and free hosts and slots.
#include "calcomcalendar.h"

#include <QSet>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

constexpr int DefaultNoticeMinutes = 120; // Cal.com's default minimumBookingNotice

const char *const DayNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

Json defaultAvailability()
{
    return Json::array({{{"days", {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}},
                         {"startTime", "09:00"},
                         {"endTime", "17:00"}}});
}

QTimeZone zoneOf(const Json &schedule)
{
    const QTimeZone zone(jsonString(schedule, "timeZone").toUtf8());
    return zone.isValid() ? zone : QTimeZone::utc();
}

QTime timeOf(const Json &window, const char *key)
{
    const QString text = jsonString(window, key);
    return text == "24:00"_L1 ? QTime(23, 59, 59, 999) : QTime::fromString(text.left(5), u"HH:mm"_s);
}

bool coversDay(const Json &window, const QDate &date)
{
    const Json days = window.value("days", Json::array());
    const std::string day = DayNames[date.dayOfWeek() - 1];
    return std::find(days.begin(), days.end(), day) != days.end();
}

} // namespace

CalcomCalendar::CalcomCalendar()
{
    reset();
}

void CalcomCalendar::reset()
{
    m_users.clear();
    m_schedules.clear();
    m_bookings.clear();
    m_byStart.clear();
    m_indexed = 0;
    m_longest = 0;
    m_nextUserId = OwnerId;
    m_nextScheduleId = 1;
    addUser({{"username", "sandbox"}, {"email", "owner@sandbox.example"}, {"name", "Sandbox Owner"}, {"timeZone", "Europe/Berlin"}});
}

Json CalcomCalendar::addUser(const Json &fields)
{
    const qint64 id = jsonInt(fields, "id").value_or(m_nextUserId);
    m_nextUserId = std::max(m_nextUserId, id + 1);
    Json user{{"id", id}, {"username", "user" + std::to_string(id)}, {"email", "user" + std::to_string(id) + "@sandbox.example"},
              {"name", "User " + std::to_string(id)}, {"timeZone", "Europe/Berlin"}, {"weekStart", "Monday"},
              {"timeFormat", 24}, {"locale", "de"}};
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        if (it.key() != "id")
            user[it.key()] = it.value();
    }
    m_users.append(user);
    const Json schedule = addSchedule(id, {{"name", "Default"}, {"timeZone", user["timeZone"]}, {"isDefault", true}});
    m_users.last()["defaultScheduleId"] = schedule["id"];
    return m_users.last();
}

const Json *CalcomCalendar::user(qint64 id) const
{
    for (const Json &u : m_users) {
        if (u.value("id", qint64(0)) == id)
            return &u;
    }
    return nullptr;
}

Json CalcomCalendar::addSchedule(qint64 ownerId, const Json &fields)
{
    Json schedule{{"id", m_nextScheduleId++}, {"ownerId", ownerId}, {"name", fields.value("name", "Working hours")},
                  {"timeZone", fields.value("timeZone", "Europe/Berlin")}, {"availability", fields.value("availability", defaultAvailability())},
                  {"isDefault", jsonBool(fields, "isDefault", false)}, {"overrides", fields.value("overrides", Json::array())}};
    if (schedule["isDefault"].get<bool>()) {
        for (Json &other : m_schedules) {
            if (other.value("ownerId", qint64(0)) == ownerId)
                other["isDefault"] = false;
        }
    }
    m_schedules.append(schedule);
    return schedule;
}

const Json *CalcomCalendar::schedule(qint64 id) const
{
    for (const Json &s : m_schedules) {
        if (s.value("id", qint64(0)) == id)
            return &s;
    }
    return nullptr;
}

const Json *CalcomCalendar::defaultSchedule(qint64 userId) const
{
    for (const Json &s : m_schedules) {
        if (s.value("ownerId", qint64(0)) == userId && s.value("isDefault", false))
            return &s;
    }
    return nullptr;
}

QList<Json> CalcomCalendar::schedulesOf(qint64 ownerId) const
{
    QList<Json> result;
    for (const Json &s : m_schedules) {
        if (s.value("ownerId", qint64(0)) == ownerId)
            result.append(s);
    }
    return result;
}

Json *CalcomCalendar::booking(const QString &uid)
{
    const std::string wanted = toStd(uid);
    for (Json &b : m_bookings) {
        if (b.value("uid", std::string()) == wanted)
            return &b;
    }
    return nullptr;
}

QList<qint64> CalcomCalendar::hostIds(const Json &eventType)
{
    QList<qint64> ids;
    if (eventType.value("teamId", Json()).is_number()) {
        for (const Json &host : eventType.value("hosts", Json::array()))
            ids.append(host.value("userId", qint64(0)));
    } else {
        ids.append(eventType.value("ownerId", OwnerId));
    }
    return ids;
}

const Json *CalcomCalendar::scheduleFor(const Json &eventType, qint64 hostId) const
{
    if (const auto id = jsonInt(eventType, "scheduleId"); id && !eventType.value("teamId", Json()).is_number()) {
        if (const Json *s = schedule(*id))
            return s;
    }
    return defaultSchedule(hostId);
}

bool CalcomCalendar::withinSchedule(const Json &schedule, const QDateTime &start, int minutes) const
{
    const QTimeZone zone = zoneOf(schedule);
    const QDateTime localStart = start.toTimeZone(zone);
    const QDateTime localEnd = start.addSecs(qint64(minutes) * 60).toTimeZone(zone);
    const bool endsAtMidnight = localEnd.time() == QTime(0, 0) && localEnd.date() == localStart.date().addDays(1);
    if (localEnd.date() != localStart.date() && !endsAtMidnight)
        return false;
    for (const Json &window : schedule.value("availability", Json::array())) {
        if (!coversDay(window, localStart.date()))
            continue;
        const QTime from = timeOf(window, "startTime");
        const QTime until = timeOf(window, "endTime");
        const QTime end = endsAtMidnight ? QTime(23, 59, 59, 999) : localEnd.time();
        if (localStart.time() >= from && end <= until)
            return true;
    }
    return false;
}

void CalcomCalendar::indexBookings() const
{
    // Bookings are only ever appended (a cancellation changes a status, a reschedule appends a new uid),
    // so the index only needs the new tail; their times never change.
    for (qsizetype i = m_indexed; i < m_bookings.size(); ++i) {
        const Json &b = m_bookings.at(i);
        const qint64 bStart = QDateTime::fromString(jsonString(b, "start"), Qt::ISODateWithMs).toMSecsSinceEpoch();
        const qint64 bEnd = QDateTime::fromString(jsonString(b, "end"), Qt::ISODateWithMs).toMSecsSinceEpoch();
        m_byStart.insert({bStart, Span{bEnd, i}});
        m_longest = std::max(m_longest, bEnd - bStart);
    }
    m_indexed = m_bookings.size();
}

bool CalcomCalendar::busy(qint64 hostId, const QDateTime &start, int minutes, const QString &ignoreUid) const
{
    indexBookings();
    const qint64 from = start.toMSecsSinceEpoch();
    const qint64 to = from + qint64(minutes) * 60 * 1000;
    const std::string ignored = toStd(ignoreUid);
    // Only bookings starting within the longest booking's length before us can overlap.
    for (auto it = m_byStart.lower_bound(from - m_longest); it != m_byStart.end() && it->first < to; ++it) {
        if (it->second.end <= from)
            continue;
        const Json &b = m_bookings.at(it->second.index);
        if (b.value("status", std::string()) != "accepted" || b.value("uid", std::string()) == ignored)
            continue;
        const Json hosts = b.value("hosts", Json::array());
        if (std::any_of(hosts.begin(), hosts.end(), [hostId](const Json &h) { return h.value("id", qint64(0)) == hostId; }))
            return true;
    }
    return false;
}

std::pair<std::optional<qint64>, CalcomCalendar::Refusal> CalcomCalendar::hostFor(const Json &eventType, const QDateTime &start,
                                                                                  int minutes, const QString &ignoreUid) const
{
    const qint64 notice = jsonInt(eventType, "minimumBookingNotice").value_or(DefaultNoticeMinutes);
    if (start < QDateTime::currentDateTimeUtc().addSecs(notice * 60))
        return {std::nullopt, Refusal::TooSoon};
    const QList<qint64> hosts = hostIds(eventType);
    const bool collective = eventType.value("schedulingType", std::string()) == "collective"
                            || eventType.value("schedulingType", std::string()) == "COLLECTIVE";
    QList<qint64> available;
    QList<qint64> free;
    for (const qint64 host : hosts) {
        const Json *schedule = scheduleFor(eventType, host);
        if (!schedule || !withinSchedule(*schedule, start, minutes))
            continue;
        available.append(host);
        if (!busy(host, start, minutes, ignoreUid))
            free.append(host);
    }
    if (hosts.isEmpty() || available.isEmpty() || (collective && available.size() < hosts.size()))
        return {std::nullopt, Refusal::OutsideAvailability};
    if (free.isEmpty() || (collective && free.size() < hosts.size()))
        return {std::nullopt, Refusal::Taken};
    return {free.first(), Refusal::None};
}

QList<QDateTime> CalcomCalendar::freeSlots(const Json &eventType, const QDateTime &from, const QDateTime &to, int minutes,
                                           const QString &ignoreUid) const
{
    const qint64 step = jsonInt(eventType, "slotInterval").value_or(minutes);
    QSet<qint64> candidates;
    for (const qint64 host : hostIds(eventType)) {
        const Json *schedule = scheduleFor(eventType, host);
        if (!schedule)
            continue;
        const QTimeZone zone = zoneOf(*schedule);
        const QDate last = to.toTimeZone(zone).date();
        for (QDate day = from.toTimeZone(zone).date(); day <= last; day = day.addDays(1)) {
            for (const Json &window : schedule->value("availability", Json::array())) {
                if (!coversDay(window, day))
                    continue;
                const QDateTime windowEnd(day, timeOf(window, "endTime"), zone);
                for (QDateTime at(day, timeOf(window, "startTime"), zone); at.addSecs(qint64(minutes) * 60) <= windowEnd;
                     at = at.addSecs(step * 60)) {
                    if (at >= from && at < to)
                        candidates.insert(at.toMSecsSinceEpoch());
                }
            }
        }
    }
    QList<qint64> sorted = candidates.values();
    std::sort(sorted.begin(), sorted.end());
    QList<QDateTime> result;
    for (const qint64 ms : sorted) {
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
        if (hostFor(eventType, at, minutes, ignoreUid).first)
            result.append(at);
    }
    return result;
}

} // namespace askpro::sandbox
