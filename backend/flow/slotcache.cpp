// Slot cache rows hold a day's starts as a JSON array of UTC milliseconds.
#include "flow/slotcache.h"

#include "core/clock.h"
#include "db/database.h"
#include "integrations/jsonreply.h"

using namespace Qt::StringLiterals;

namespace askpro {

SlotCache::SlotCache(Database &db, qint64 ttlMs) : m_db(db), m_ttlMs(ttlMs) {}

Result<std::optional<QList<QDateTime>>> SlotCache::freeSlots(qint64 eventTypeId, QDate day)
{
    auto q = m_db.exec(u"SELECT slots FROM slot_cache WHERE event_type_id = ? AND day = ? AND fetched_at > ?"_s,
                       {eventTypeId, day.toString(Qt::ISODate), nowMs() - m_ttlMs});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<QList<QDateTime>>();
    const Json starts = Json::parse(q->value(0).toString().toStdString(), nullptr, false);
    QList<QDateTime> result;
    if (starts.is_array()) {
        for (const Json &ms : starts)
            if (ms.is_number_integer())
                result.append(fromMs(ms.get<qint64>()));
    }
    return std::optional<QList<QDateTime>>(result);
}

Result<std::optional<QList<QDateTime>>> SlotCache::freeSlots(qint64 eventTypeId, QDate first, int days)
{
    // ISO dates compare as text, so the range is a plain BETWEEN on both engines.
    auto q = m_db.exec(u"SELECT slots FROM slot_cache WHERE event_type_id = ? AND day >= ? AND day <= ? AND fetched_at > ? ORDER BY day"_s,
                       {eventTypeId, first.toString(Qt::ISODate), first.addDays(days - 1).toString(Qt::ISODate), nowMs() - m_ttlMs});
    if (!q)
        return q.error();
    QList<QDateTime> result;
    int found = 0;
    while (q->next()) {
        ++found;
        const Json starts = Json::parse(q->value(0).toString().toStdString(), nullptr, false);
        if (starts.is_array()) {
            for (const Json &ms : starts)
                if (ms.is_number_integer())
                    result.append(fromMs(ms.get<qint64>()));
        }
    }
    if (found < days)
        return std::optional<QList<QDateTime>>();
    return std::optional<QList<QDateTime>>(result);
}

Status SlotCache::store(qint64 eventTypeId, QDate day, const QList<QDateTime> &starts)
{
    Json array = Json::array();
    for (const QDateTime &s : starts)
        array.push_back(s.toMSecsSinceEpoch());
    auto q = m_db.exec(u"INSERT INTO slot_cache (event_type_id, day, slots, fetched_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (event_type_id, day) DO UPDATE SET slots = excluded.slots, fetched_at = excluded.fetched_at"_s,
                       {eventTypeId, day.toString(Qt::ISODate), QString::fromStdString(array.dump()), nowMs()});
    if (!q)
        return q.error();
    return {};
}

Status SlotCache::invalidate(qint64 eventTypeId, QDate day)
{
    auto q = day.isValid() ? m_db.exec(u"DELETE FROM slot_cache WHERE event_type_id = ? AND day = ?"_s,
                                       {eventTypeId, day.toString(Qt::ISODate)})
                           : m_db.exec(u"DELETE FROM slot_cache WHERE event_type_id = ?"_s, {eventTypeId});
    if (!q)
        return q.error();
    return {};
}

Status SlotCache::invalidateAround(qint64 eventTypeId, qint64 startMs)
{
    const QDate utcDay = fromMs(startMs).date();
    auto q = m_db.exec(u"DELETE FROM slot_cache WHERE event_type_id = ? AND day IN (?, ?, ?)"_s,
                       {eventTypeId, utcDay.addDays(-1).toString(Qt::ISODate), utcDay.toString(Qt::ISODate),
                        utcDay.addDays(1).toString(Qt::ISODate)});
    if (!q)
        return q.error();
    return {};
}

Status SlotCache::take(qint64 eventTypeId, QDate day, const QDateTime &start)
{
    // One statement, so two bookings on the same day cannot put back each other's slot. Keeps
    // fetched_at: taking a slot does not make the rest of the day any fresher.
    const qint64 ms = start.toMSecsSinceEpoch();
    auto q = m_db.engine() == Engine::Postgres
        ? m_db.exec(u"UPDATE slot_cache SET slots = (SELECT COALESCE(json_agg(e), '[]'::json)::text FROM json_array_elements(slot_cache.slots::json) AS e "
                    "WHERE e::text <> ?) WHERE event_type_id = ? AND day = ?"_s,
                    {QString::number(ms), eventTypeId, day.toString(Qt::ISODate)})
        : m_db.exec(u"UPDATE slot_cache SET slots = (SELECT json_group_array(value) FROM json_each(slot_cache.slots) WHERE value <> ?) "
                    "WHERE event_type_id = ? AND day = ?"_s,
                    {ms, eventTypeId, day.toString(Qt::ISODate)});
    if (!q)
        return q.error();
    return {};
}

} // namespace askpro
