// Stand-in for the Cal.com API v2: me, teams, event types, schedules, slots, bookings and webhooks
// under the real paths, with cal-api-version checks, Cal.com's envelopes and signed webhooks.
#pragma once

#include "calcomcalendar.h"
#include "providerapi.h"

namespace askpro::sandbox {

class WebhookSender;

class CalcomApi final : public ProviderApi
{
    Q_DISABLE_COPY_MOVE(CalcomApi)
public:
    // The sender must outlive this object.
    CalcomApi(QString apiKey, WebhookSender &sender);

    [[nodiscard]] ApiReply handle(const ApiRequest &request) override;
    [[nodiscard]] ApiReply errorReply(int status, const QString &message) const override;
    void reset() override;
    [[nodiscard]] const RouteTable &routes() const override { return m_routes; }

    // Creates users, schedules, teams and event types from the "calcom" part of a seed file:
    // {"users": [...], "schedules": [...], "teams": [{..., "members": [userId]}], "eventTypes": [{..., "teamId"}],
    // "bookings": [{"uid", "eventTypeId", "start", "lengthInMinutes", "hostId", "attendee"}]}. Seeded bookings
    // already exist elsewhere (the demo's database): they are taken as they are, without checks or webhooks.
    // Returns an error message, or an empty string.
    [[nodiscard]] QString loadSeed(const Json &seed);
    // A booking made outside the API (Cal.com's own booking page): the same checks and webhooks as
    // POST /v2/bookings, without auth. The reply is what the API would have answered.
    [[nodiscard]] ApiReply bookElsewhere(const Json &body);

    [[nodiscard]] const QList<Json> &bookings() const { return m_calendar.bookings(); }
    [[nodiscard]] const QList<Json> &eventTypes() const { return m_eventTypes; }
    [[nodiscard]] int eventTypeCount() const { return int(m_eventTypes.size()); }

private:
    ApiReply createTeam(const Json &body);
    ApiReply createEventType(const Json &body, std::optional<qint64> teamId);
    ApiReply createSchedule(const Json &body);
    ApiReply freeSlots(const ApiRequest &request) const;
    ApiReply createBooking(const Json &body);
    ApiReply listBookings(const ApiRequest &request) const;
    ApiReply cancelBooking(const QString &uid, const Json &body);
    ApiReply rescheduleBooking(const QString &uid, const Json &body);
    ApiReply createWebhook(const Json &body);
    ApiReply updateWebhook(const QString &id, const Json &body);

    // Checks start, length and the attendee; fills start and minutes. Returns an error reply or nothing.
    std::optional<ApiReply> checkBookingTime(const Json &eventType, const Json &body, QDateTime *start, int *minutes,
                                             const QString &ignoreUid) const;
    [[nodiscard]] Json makeBooking(const Json &eventType, qint64 hostId, const QDateTime &start, int minutes,
                                   const Json &attendee, const Json &metadata) const;
    [[nodiscard]] const Json *eventType(qint64 id) const;
    [[nodiscard]] const Json *team(qint64 id) const;
    void notify(const char *trigger, const Json &booking, const Json &extra = Json::object());

    QString m_apiKey;
    WebhookSender &m_sender;
    RouteTable m_routes;
    CalcomCalendar m_calendar;
    QList<Json> m_teams;
    QHash<qint64, QList<qint64>> m_teamMembers;
    QList<Json> m_eventTypes;
    QList<Json> m_webhooks;
    qint64 m_nextTeamId = 1;
    qint64 m_nextEventTypeId = 1;
    qint64 m_nextBookingId = 1;
};

} // namespace askpro::sandbox
