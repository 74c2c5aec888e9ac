// The calendar side of the Cal.com stand-in: users, their schedules (weekly hours in a time zone),
// bookings, and which hosts are free for an event type at a given time.
#pragma once

#include <map>

#include "apimessage.h"

#include <QDateTime>

#include <optional>

namespace askpro::sandbox {

class CalcomCalendar final
{
public:
    CalcomCalendar();

    static constexpr qint64 OwnerId = 1; // the user the API key belongs to

    // Forgets everything but the owner and the owner's default schedule (Mon-Fri 09:00-17:00).
    void reset();

    // Adds a user (fields of Cal.com's user object; "id" optional) with a default schedule.
    Json addUser(const Json &fields);
    [[nodiscard]] const Json *user(qint64 id) const;

    // Adds a schedule for ownerId; without availability it is Mon-Fri 09:00-17:00 in its timeZone.
    Json addSchedule(qint64 ownerId, const Json &fields);
    [[nodiscard]] const Json *schedule(qint64 id) const;
    [[nodiscard]] const Json *defaultSchedule(qint64 userId) const;
    [[nodiscard]] QList<Json> schedulesOf(qint64 ownerId) const;

    [[nodiscard]] QList<Json> &bookings() { return m_bookings; }
    [[nodiscard]] const QList<Json> &bookings() const { return m_bookings; }
    [[nodiscard]] Json *booking(const QString &uid);

    // The hosts an event type is booked with: its hosts for a team event type, else its owner.
    [[nodiscard]] static QList<qint64> hostIds(const Json &eventType);

    enum class Refusal { None, OutsideAvailability, Taken, TooSoon };
    // The host a booking of eventType at [start, start + minutes) goes to, or why there is none.
    // A booking with uid ignoreUid does not count as busy (rescheduling).
    [[nodiscard]] std::pair<std::optional<qint64>, Refusal> hostFor(const Json &eventType, const QDateTime &start, int minutes,
                                                                    const QString &ignoreUid = {}) const;
    // Free slot starts in [from, to), ascending, honouring the event type's interval and notice.
    [[nodiscard]] QList<QDateTime> freeSlots(const Json &eventType, const QDateTime &from, const QDateTime &to, int minutes,
                                             const QString &ignoreUid = {}) const;

private:
    [[nodiscard]] const Json *scheduleFor(const Json &eventType, qint64 hostId) const;
    [[nodiscard]] bool withinSchedule(const Json &schedule, const QDateTime &start, int minutes) const;
    [[nodiscard]] bool busy(qint64 hostId, const QDateTime &start, int minutes, const QString &ignoreUid) const;

    QList<Json> m_users;
    QList<Json> m_schedules;
    QList<Json> m_bookings;
    // Index of m_bookings by start time, brought up to date on use.
    struct Span
    {
        qint64 end;
        qsizetype index;
    };
    void indexBookings() const;
    mutable std::multimap<qint64, Span> m_byStart;
    mutable qsizetype m_indexed = 0;
    mutable qint64 m_longest = 0;
    qint64 m_nextUserId = 1;
    qint64 m_nextScheduleId = 1;
};

} // namespace askpro::sandbox
