// The messages about an appointment after its confirmation: the reminder the day before, and the notice that it
// was cancelled or moved. Each is an SMS, recorded once (by its dedupe key) with its send job, or as skipped with
// the reason, to the number and in the language a confirmation uses (the customer's number for messages, else the
// one they call from; a mobile number, not opted out, not preferring e-mail or nothing, an SMS account). When the
// SMS cannot go and the customer gave an e-mail address (and wants messages), the same news goes by e-mail.
#pragma once

#include "core/result.h"

#include <QString>

#include <optional>

namespace askpro {

class Database;

class AppointmentNotice final
{
public:
    enum class Kind { Reminder, Cancelled, Moved };

    explicit AppointmentNotice(Database &db);

    // The kind's stable name in notifications.kind.
    [[nodiscard]] static QString kindName(Kind kind);
    // Joins the caller's open transaction. The new row's id (queued or skipped), or nothing when it was
    // recorded before or the appointment has begun.
    [[nodiscard]] Result<std::optional<qint64>> record(qint64 appointmentId, Kind kind, qint64 nowMs);

private:
    Database &m_db;
};

} // namespace askpro
