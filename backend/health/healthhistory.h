// What the health dashboard reads: the last result of each check, their history, and the product plan's
// success metrics computed from calls, bookings and stored check results.
#pragma once

#include "core/result.h"

#include <QList>
#include <QString>

namespace askpro {

class Database;

struct CheckRow
{
    QString name;
    QString state;
    qint64 latencyMs = 0;
    QString message;
    qint64 checkedAt = 0;
};

struct SuccessMetric
{
    enum class Key { BookingSuccess, ErrorRate, BookingP95, Uptime, CallsPerDay };
    Key key;
    double value = 0;   // percent for rates, seconds for BookingP95, calls for CallsPerDay
    double target = 0;  // same unit; CallsPerDay has none (0)
    bool higherIsBetter = true;
    bool hasData = false;
    [[nodiscard]] bool met() const { return !hasData || target <= 0 || (higherIsBetter ? value > target : value < target); }
};

class HealthHistory final
{
public:
    [[nodiscard]] static Result<QList<CheckRow>> latest(Database &db);
    // Every stored result since sinceMs, oldest first.
    [[nodiscard]] static Result<QList<CheckRow>> since(Database &db, qint64 sinceMs);
    // Booking success (> 90 %) and error rate (< 5 %) over 7 days, webhook-to-booking p95 (< 2 s) over
    // 24 hours, uptime (> 99.9 %: health runs without a check down, 30 days), calls per day (7 days).
    [[nodiscard]] static Result<QList<SuccessMetric>> successMetrics(Database &db, qint64 nowMs);
};

} // namespace askpro
