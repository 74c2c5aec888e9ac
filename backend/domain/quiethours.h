// No text message wakes a customer: SMS are not sent between 21:00 and 08:00 in the branch's time zone; one
// due then waits for 08:00. The hours are the branch's local ones, so a DST change moves them with the clock.
#pragma once

#include <QDateTime>
#include <QTimeZone>

namespace askpro {

class QuietHours final
{
public:
    static constexpr int Start = 21; // local hour the quiet begins
    static constexpr int End = 8;    // local hour it ends

    [[nodiscard]] static bool contains(const QDateTime &at, const QTimeZone &zone);
    // at itself outside the quiet hours, else the next 08:00 in zone.
    [[nodiscard]] static QDateTime nextAllowed(const QDateTime &at, const QTimeZone &zone);
};

} // namespace askpro
