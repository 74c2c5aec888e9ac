// The reminder SMS the day before an appointment, at the same local time (so a DST change in between does
// not move it by an hour). Only for appointments booked at least 24 h ahead, once per appointment and start:
// a moved appointment gets a reminder for its new time, a cancelled one none (NotificationSender checks
// again just before sending). Who gets one follows the confirmation's rules: a mobile number (the customer's
// number for messages, else the caller's), not opted out, not preferring e-mail or nothing.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimeZone>

namespace askpro {

class Database;

class ReminderScheduler final
{
    Q_DECLARE_TR_FUNCTIONS(ReminderScheduler)
public:
    static constexpr char JobKind[] = "reminders.queue";
    static constexpr qint64 IntervalMs = 60 * 1000;

    explicit ReminderScheduler(Database &db);

    // When the reminder of an appointment starting at start is due: the same local time a day before.
    [[nodiscard]] static QDateTime dueAt(const QDateTime &start, const QTimeZone &zone);
    // Records the reminders due by now (AppointmentNotice: each with its send job, or skipped with the reason) and
    // returns how many were recorded.
    [[nodiscard]] Result<int> queueDue(qint64 nowMs);

private:
    Database &m_db;
};

} // namespace askpro
