#include "domain/quiethours.h"

namespace askpro {

bool QuietHours::contains(const QDateTime &at, const QTimeZone &zone)
{
    const int hour = at.toTimeZone(zone).time().hour();
    return hour >= Start || hour < End;
}

QDateTime QuietHours::nextAllowed(const QDateTime &at, const QTimeZone &zone)
{
    if (!contains(at, zone))
        return at;
    const QDateTime local = at.toTimeZone(zone);
    const QDate day = local.time().hour() >= Start ? local.date().addDays(1) : local.date();
    return QDateTime(day, QTime(End, 0), zone).toUTC();
}

} // namespace askpro
