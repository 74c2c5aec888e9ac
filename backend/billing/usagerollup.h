// Billable usage: writes the usage row of a call or an appointment, linked to its company's open billing
// period of the month (migration 0006), and keeps usage_daily, the per company and Europe/Berlin day totals
// the usage charts read (migration 0004), in the same transaction.
#pragma once

#include "core/result.h"

#include <QDate>

namespace askpro {

class Database;

class UsageRollup final
{
public:
    // The database must outlive this object.
    explicit UsageRollup(Database &db);

    // Exactly one usage row per call and per appointment, priced from the company's plan at that moment;
    // a second recording of the same call or appointment (a retried webhook) changes nothing. Call these
    // inside the transaction that records the call or booking, so the row and the day total commit together.
    // The row is linked to the company's open period of its billing month (created on the month's first
    // usage); usage of a month already invoiced stays unlinked and reconciliation reports it.
    [[nodiscard]] Status recordCall(qint64 callId, qint64 companyId, qint64 branchId, qint64 atMs);
    [[nodiscard]] Status recordAppointment(qint64 appointmentId, qint64 companyId, qint64 branchId, qint64 atMs);

    // Adds usage to the company's day total (negative quantities take it away). For code that writes or
    // deletes usage_logs rows itself, in the same transaction. kind: call | appointment.
    [[nodiscard]] Status add(qint64 companyId, const QString &kind, qint64 atMs, qint64 quantity, qint64 amountCents);
    // The company's open billing period of the month holding atMs, created when the month has none and
    // no invoice; 0 when the month is invoiced. PostgreSQL: the period stays locked (FOR KEY SHARE) until
    // the transaction ends, so the invoice run cannot close it under rows linked to it now.
    [[nodiscard]] Result<qint64> openPeriod(qint64 companyId, qint64 atMs);
    // Deletes the appointment's usage row and takes it off its day total (doctor's orphan repair).
    [[nodiscard]] Status removeAppointmentUsage(qint64 appointmentId);
    // Recomputes usage_daily from usage_logs, for one company or (0) all, in one transaction. For data
    // written around this class (bulk imports, the demo seeder); returns how many day rows it wrote.
    [[nodiscard]] Result<qint64> rebuild(qint64 companyId = 0);

    // The Europe/Berlin calendar day of a UTC instant, and that day as usage_daily.day (days since 1970-01-01).
    [[nodiscard]] static qint64 dayNumber(qint64 utcMs);
    [[nodiscard]] static qint64 dayNumber(QDate localDay);
    [[nodiscard]] static QDate dateOf(qint64 dayNumber);

private:
    [[nodiscard]] Status record(const QString &kind, qint64 refId, qint64 companyId, qint64 branchId, qint64 atMs);
    [[nodiscard]] QString keyShare() const;

    Database &m_db;
};

} // namespace askpro
