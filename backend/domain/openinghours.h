// A branch's opening hours: weekly intervals in the branch's time zone plus closures (holidays, leave), read
// from the database and asked "open at this moment?", "does this appointment fit?" and "how do I say the week?".
#pragma once

#include "core/result.h"

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QTimeZone>

namespace askpro {

class Database;

struct OpeningInterval
{
    int weekday = 1;      // ISO 8601: 1 is Monday, 7 Sunday
    int opensMinute = 0;  // minutes since local midnight
    int closesMinute = 0; // exclusive; 1440 is midnight at the end of the day

    [[nodiscard]] bool operator==(const OpeningInterval &) const = default;
};

struct Closure
{
    QDate first; // local days, both inclusive
    QDate last;
    QString reason;

    [[nodiscard]] bool operator==(const Closure &) const = default;
};

class OpeningHours final
{
public:
    OpeningHours() = default;
    OpeningHours(QList<OpeningInterval> weekly, QList<Closure> closures, QTimeZone zone);

    // The branch's hours and its closures that end on or after `from` (all of them when from is null).
    [[nodiscard]] static Result<OpeningHours> load(Database &db, qint64 branchId, const QTimeZone &zone, const QDate &from = {});
    // Replaces the branch's weekly hours and closures in one transaction (intervals are checked first).
    [[nodiscard]] static Status store(Database &db, qint64 branchId, const QList<OpeningInterval> &weekly,
                                      const QList<Closure> &closures);
    // The same inside the caller's open transaction (so an audit row can join it).
    [[nodiscard]] static Status replace(Database &db, qint64 branchId, const QList<OpeningInterval> &weekly,
                                        const QList<Closure> &closures);
    // Empty when every interval and closure is valid; otherwise the first problem.
    [[nodiscard]] static QString problem(const QList<OpeningInterval> &weekly, const QList<Closure> &closures);
    // Empty when the interval is valid; otherwise why not (for an editor or an API answer).
    [[nodiscard]] static QString problem(const OpeningInterval &interval);

    // A branch without stored hours has not said when it is open: every question answers "open", so nothing
    // that worked before opening hours existed stops working.
    [[nodiscard]] bool known() const { return !m_weekly.isEmpty(); }
    [[nodiscard]] const QList<OpeningInterval> &weekly() const { return m_weekly; }
    [[nodiscard]] const QList<Closure> &closures() const { return m_closures; }
    [[nodiscard]] std::optional<Closure> closureOn(const QDate &localDay) const;
    // The intervals of that local day; empty when it is closed (no hours that weekday, or a closure).
    [[nodiscard]] QList<OpeningInterval> intervalsOn(const QDate &localDay) const;
    [[nodiscard]] bool isOpen(const QDateTime &at) const;
    // Whether [start, start + minutes) lies inside one interval of start's local day.
    [[nodiscard]] bool fits(const QDateTime &start, int minutes) const;

    // "Montag bis Freitag 08:00–18:00 Uhr; Samstag 09:00–14:00 Uhr; Sonntag geschlossen" (language "de"),
    // or in English for "en". Empty when the hours are not known.
    [[nodiscard]] QString weekText(const QString &language) const;
    // The closures touching [from, from + days), e.g. "24.12.2026 bis 26.12.2026: Weihnachten"; empty if none.
    [[nodiscard]] QString closuresText(const QString &language, const QDate &from, int days) const;
    // What a day's hours sound like: "08:00–12:00 und 14:00–18:00 Uhr" or "geschlossen".
    [[nodiscard]] QString dayText(const QDate &localDay, const QString &language) const;

private:
    [[nodiscard]] QString intervalsText(const QList<OpeningInterval> &intervals, bool english) const;

    QList<OpeningInterval> m_weekly; // by weekday, then opening minute
    QList<Closure> m_closures;       // by first day
    QTimeZone m_zone;
};

} // namespace askpro
