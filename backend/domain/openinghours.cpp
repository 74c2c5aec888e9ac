// Opening hours: minutes since local midnight, so a DST day keeps its wall-clock hours.
#include "domain/openinghours.h"

#include "db/database.h"

#include <QLocale>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QString clock(int minute)
{
    return u"%1:%2"_s.arg(minute / 60, 2, 10, QChar(u'0')).arg(minute % 60, 2, 10, QChar(u'0'));
}

int minuteOf(const QTime &t)
{
    return t.hour() * 60 + t.minute();
}

} // namespace

OpeningHours::OpeningHours(QList<OpeningInterval> weekly, QList<Closure> closures, QTimeZone zone)
    : m_weekly(std::move(weekly))
    , m_closures(std::move(closures))
    , m_zone(std::move(zone))
{
    std::sort(m_weekly.begin(), m_weekly.end(), [](const OpeningInterval &a, const OpeningInterval &b) {
        return std::pair(a.weekday, a.opensMinute) < std::pair(b.weekday, b.opensMinute);
    });
    std::sort(m_closures.begin(), m_closures.end(), [](const Closure &a, const Closure &b) { return a.first < b.first; });
}

Result<OpeningHours> OpeningHours::load(Database &db, qint64 branchId, const QTimeZone &zone, const QDate &from)
{
    QList<OpeningInterval> weekly;
    auto hours = db.exec(u"SELECT weekday, opens_minute, closes_minute FROM branch_opening_hours WHERE branch_id = ? "
                         "ORDER BY weekday, opens_minute"_s,
                         {branchId});
    if (!hours)
        return hours.error();
    while (hours->next())
        weekly.append({hours->value(0).toInt(), hours->value(1).toInt(), hours->value(2).toInt()});
    hours->finish();
    QList<Closure> closures;
    auto closed = db.exec(u"SELECT first_day, last_day, reason FROM branch_closures WHERE branch_id = ? AND last_day >= ? "
                          "ORDER BY first_day"_s,
                          {branchId, from.isValid() ? from.toString(Qt::ISODate) : u"0000-00-00"_s});
    if (!closed)
        return closed.error();
    while (closed->next())
        closures.append({QDate::fromString(closed->value(0).toString(), Qt::ISODate), QDate::fromString(closed->value(1).toString(), Qt::ISODate),
                         closed->value(2).toString()});
    closed->finish();
    return OpeningHours(std::move(weekly), std::move(closures), zone);
}

QString OpeningHours::problem(const OpeningInterval &interval)
{
    if (interval.weekday < 1 || interval.weekday > 7)
        return u"weekday must be 1 (Monday) to 7 (Sunday)"_s;
    if (interval.opensMinute < 0 || interval.opensMinute >= 1440 || interval.closesMinute > 1440)
        return u"times must lie within the day (00:00 to 24:00)"_s;
    if (interval.closesMinute <= interval.opensMinute)
        return u"an interval must close after it opens"_s;
    return {};
}

QString OpeningHours::problem(const QList<OpeningInterval> &weekly, const QList<Closure> &closures)
{
    for (const OpeningInterval &i : weekly) {
        if (const QString why = problem(i); !why.isEmpty())
            return why;
    }
    for (const Closure &c : closures) {
        if (!c.first.isValid() || !c.last.isValid() || c.last < c.first)
            return u"a closure needs a first and a last day (YYYY-MM-DD), the last not before the first"_s;
    }
    return {};
}

Status OpeningHours::store(Database &db, qint64 branchId, const QList<OpeningInterval> &weekly, const QList<Closure> &closures)
{
    Transaction tx(db);
    if (auto started = tx.started(); !started)
        return started;
    if (auto replaced = replace(db, branchId, weekly, closures); !replaced)
        return replaced;
    return tx.commit();
}

Status OpeningHours::replace(Database &db, qint64 branchId, const QList<OpeningInterval> &weekly, const QList<Closure> &closures)
{
    if (const QString why = problem(weekly, closures); !why.isEmpty())
        return makeError(ErrorKind::Invalid, u"hours.invalid"_s, why);
    if (auto q = db.exec(u"DELETE FROM branch_opening_hours WHERE branch_id = ?"_s, {branchId}); !q)
        return q.error();
    if (auto q = db.exec(u"DELETE FROM branch_closures WHERE branch_id = ?"_s, {branchId}); !q)
        return q.error();
    for (const OpeningInterval &i : weekly) {
        if (auto q = db.exec(u"INSERT INTO branch_opening_hours (branch_id, weekday, opens_minute, closes_minute) VALUES (?, ?, ?, ?)"_s,
                             {branchId, i.weekday, i.opensMinute, i.closesMinute});
            !q)
            return q.error();
    }
    for (const Closure &c : closures) {
        if (auto q = db.exec(u"INSERT INTO branch_closures (branch_id, first_day, last_day, reason) VALUES (?, ?, ?, ?)"_s,
                             {branchId, c.first.toString(Qt::ISODate), c.last.toString(Qt::ISODate), c.reason});
            !q)
            return q.error();
    }
    return {};
}

std::optional<Closure> OpeningHours::closureOn(const QDate &localDay) const
{
    for (const Closure &c : m_closures) {
        if (c.first <= localDay && localDay <= c.last)
            return c;
    }
    return std::nullopt;
}

QList<OpeningInterval> OpeningHours::intervalsOn(const QDate &localDay) const
{
    QList<OpeningInterval> result;
    if (closureOn(localDay))
        return result;
    for (const OpeningInterval &i : m_weekly) {
        if (i.weekday == localDay.dayOfWeek())
            result.append(i);
    }
    return result;
}

bool OpeningHours::isOpen(const QDateTime &at) const
{
    if (!known())
        return true;
    const QDateTime local = at.toTimeZone(m_zone);
    const int minute = minuteOf(local.time());
    const auto intervals = intervalsOn(local.date());
    return std::any_of(intervals.begin(), intervals.end(),
                       [minute](const OpeningInterval &i) { return i.opensMinute <= minute && minute < i.closesMinute; });
}

bool OpeningHours::fits(const QDateTime &start, int minutes) const
{
    if (!known())
        return true;
    const QDateTime local = start.toTimeZone(m_zone);
    // Wall-clock minutes: on a DST day an appointment across the switch is measured in real minutes.
    const QDateTime end = local.addSecs(qint64(minutes) * 60).toTimeZone(m_zone);
    const int from = minuteOf(local.time());
    const int to = end.date() == local.date() ? minuteOf(end.time()) : 1440 + minuteOf(end.time());
    const auto intervals = intervalsOn(local.date());
    return std::any_of(intervals.begin(), intervals.end(),
                       [from, to](const OpeningInterval &i) { return i.opensMinute <= from && to <= i.closesMinute; });
}

QString OpeningHours::intervalsText(const QList<OpeningInterval> &intervals, bool english) const
{
    if (intervals.isEmpty())
        return english ? u"closed"_s : u"geschlossen"_s;
    QStringList parts;
    for (const OpeningInterval &i : intervals)
        parts.append(clock(i.opensMinute) + u"–"_s + clock(i.closesMinute));
    return parts.join(english ? u" and "_s : u" und "_s) + (english ? QString() : u" Uhr"_s);
}

QString OpeningHours::dayText(const QDate &localDay, const QString &language) const
{
    const bool english = language.startsWith(u"en"_s);
    if (const auto closure = closureOn(localDay))
        return (english ? u"closed"_s : u"geschlossen"_s) + (closure->reason.isEmpty() ? QString() : u" ("_s + closure->reason + u")"_s);
    return intervalsText(intervalsOn(localDay), english);
}

QString OpeningHours::weekText(const QString &language) const
{
    if (!known())
        return {};
    const bool english = language.startsWith(u"en"_s);
    const QLocale locale(english ? QLocale::English : QLocale::German);
    const auto dayIntervals = [this](int weekday) {
        QList<OpeningInterval> result;
        for (const OpeningInterval &i : m_weekly) {
            if (i.weekday == weekday)
                result.append({0, i.opensMinute, i.closesMinute});
        }
        return result;
    };
    // Neighbouring days with the same hours share one phrase: "Monday to Friday 08:00–18:00".
    QStringList phrases;
    for (int day = 1; day <= 7;) {
        const auto hours = dayIntervals(day);
        int last = day;
        while (last < 7 && dayIntervals(last + 1) == hours)
            ++last;
        QString days = locale.dayName(day);
        if (last == day + 1)
            days += (english ? u" and "_s : u" und "_s) + locale.dayName(last);
        else if (last > day + 1)
            days += (english ? u" to "_s : u" bis "_s) + locale.dayName(last);
        phrases.append(days + u' ' + intervalsText(hours, english));
        day = last + 1;
    }
    return phrases.join(u"; "_s);
}

QString OpeningHours::closuresText(const QString &language, const QDate &from, int days) const
{
    const bool english = language.startsWith(u"en"_s);
    const QDate until = from.addDays(days - 1);
    const QString format = english ? u"yyyy-MM-dd"_s : u"dd.MM.yyyy"_s;
    QStringList phrases;
    for (const Closure &c : m_closures) {
        if (c.last < from || c.first > until)
            continue;
        QString text = c.first == c.last ? c.first.toString(format)
                                         : c.first.toString(format) + (english ? u" to "_s : u" bis "_s) + c.last.toString(format);
        if (!c.reason.isEmpty())
            text += u": "_s + c.reason;
        phrases.append(text);
    }
    return phrases.join(u"; "_s);
}

} // namespace askpro
