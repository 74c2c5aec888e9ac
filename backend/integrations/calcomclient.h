// The one Cal.com API v2 client: slots, bookings, and the team, event-type and webhook setup.
#pragma once

#include "integrations/providertransport.h"

#include <QCoreApplication>
#include <QDate>
#include <QDateTime>
#include <QMap>

namespace askpro {

struct CalcomBookingRequest
{
    qint64 eventTypeId = 0;
    QDateTime start; // UTC
    int lengthMinutes = 0;
    QString name;
    QString email;
    QString phone; // E.164
    QString timeZone;
    QString language;
    QMap<QString, QString> metadata; // at most 50 keys; keys <= 40 and values <= 500 characters
};

class CalcomClient final
{
public:
    // baseUrl like https://api.cal.com/v2; apiKey cal_live_... or cal_test_....
    CalcomClient(QNetworkAccessManager *network, QUrl baseUrl, QByteArray apiKey, int timeoutMs = 10000);

    // Free slots: result maps "YYYY-MM-DD" to [{"start": ISO with offset}, ...].
    [[nodiscard]] JsonReply *freeSlots(qint64 eventTypeId, QDate from, QDate to, const QString &timeZone) const;
    // The booking object (id, uid, status, start, end, ...). A taken slot is a Rejected error.
    [[nodiscard]] JsonReply *createBooking(const CalcomBookingRequest &request) const;
    [[nodiscard]] JsonReply *booking(const QString &uid) const;
    // One page (at most take) of the bookings of an event type in [afterStart, beforeEnd), optionally only
    // those whose attendee has this name: used to find one we made before a crash.
    [[nodiscard]] JsonReply *bookings(qint64 eventTypeId, const QDateTime &afterStart, const QDateTime &beforeEnd,
                                      const QString &attendeeName = {}, int skip = 0, int take = 100) const;
    [[nodiscard]] JsonReply *cancelBooking(const QString &uid, const QString &reason) const;
    [[nodiscard]] JsonReply *rescheduleBooking(const QString &uid, const QDateTime &start, const QString &reason) const;

    [[nodiscard]] JsonReply *me() const;
    [[nodiscard]] JsonReply *teams() const;
    [[nodiscard]] JsonReply *createTeam(const QString &name, const QString &slug, const QString &timeZone) const;
    [[nodiscard]] JsonReply *eventTypes() const;
    [[nodiscard]] JsonReply *teamEventTypes(qint64 teamId) const;
    [[nodiscard]] JsonReply *createEventType(const QString &title, const QString &slug, int lengthMinutes) const;
    [[nodiscard]] JsonReply *createTeamEventType(qint64 teamId, const QString &title, const QString &slug, int lengthMinutes,
                                                 const QList<qint64> &hostUserIds) const;
    [[nodiscard]] JsonReply *deleteEventType(qint64 eventTypeId) const;
    [[nodiscard]] JsonReply *webhooks() const;
    [[nodiscard]] JsonReply *createWebhook(const QString &subscriberUrl, const QByteArray &secret) const;
    [[nodiscard]] JsonReply *deleteWebhook(const QString &webhookId) const;

    [[nodiscard]] static QString isoUtc(const QDateTime &t);
    // The free slot starts (UTC, sorted) of a slots answer; anything malformed in it is skipped.
    [[nodiscard]] static QList<QDateTime> freeSlotStarts(const Json &data);

private:
    [[nodiscard]] JsonReply *call(const QByteArray &method, const QString &path, const QByteArray &apiVersion,
                                  const Json &body = Json(), const QList<QPair<QString, QString>> &query = {}) const;

    ProviderTransport m_transport;
    QUrl m_baseUrl;
    QByteArray m_apiKey;
};

} // namespace askpro
