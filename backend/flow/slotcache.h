// Free Cal.com slots per event type and branch-local day, shared by every server through the database.
#pragma once

#include "core/result.h"

#include <QDate>
#include <QDateTime>
#include <QList>

#include <optional>

namespace askpro {

class Database;

class SlotCache final
{
public:
    // ttlMs: how long fetched slots count as fresh; booking webhooks invalidate sooner.
    explicit SlotCache(Database &db, qint64 ttlMs = 120 * 1000);

    // The day's free slot starts (UTC), or std::nullopt when not cached or stale.
    [[nodiscard]] Result<std::optional<QList<QDateTime>>> freeSlots(qint64 eventTypeId, QDate day);
    // The free slot starts of days first .. first + days - 1 in one read, or std::nullopt unless every
    // one of them is cached and fresh.
    [[nodiscard]] Result<std::optional<QList<QDateTime>>> freeSlots(qint64 eventTypeId, QDate first, int days);
    [[nodiscard]] Status store(qint64 eventTypeId, QDate day, const QList<QDateTime> &starts);
    // Forgets days so the next question asks Cal.com; an empty day forgets the whole event type.
    [[nodiscard]] Status invalidate(qint64 eventTypeId, QDate day = {});
    // Forgets the days around a booking that changed elsewhere (any zone's date of startMs).
    [[nodiscard]] Status invalidateAround(qint64 eventTypeId, qint64 startMs);
    // A slot we just booked is gone, without waiting for Cal.com's webhook.
    [[nodiscard]] Status take(qint64 eventTypeId, QDate day, const QDateTime &start);

private:
    Database &m_db;
    qint64 m_ttlMs;
};

} // namespace askpro
