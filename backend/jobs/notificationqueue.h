// The one writer of new messages: a message recorded once by its dedupe key, queued with its send job, or kept as
// skipped with the reason it does not go. Every message we compose (confirmations, SMS, reminders, notices,
// invoices, alerts) is written here, so each row that says queued has the job that sends it. A message sent again
// copies its original row (MessageOutbox::resend) and is queued through queueSending() all the same.
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace askpro {

class Database;

struct Notification
{
    qint64 companyId = 0;     // 0: AskProAI's own (health alerts)
    qint64 callId = 0;        // 0: none
    qint64 appointmentId = 0; // 0: none
    QString kind;             // confirmation, callback, reminder, cancellation, reschedule, invoice, alert
    QString channel = QStringLiteral("email"); // email or sms
    QString dedupeKey;
    QString recipient;
    QString language;
    QString subject;
    QString body;
    QString attachmentName; // empty: no attachment
    QString attachmentType;
    QByteArray attachment;
    QString skipReason;     // empty: queued with its send job
};

class NotificationQueue final
{
public:
    explicit NotificationQueue(Database &db);

    // Joins the caller's open transaction. The new row's id, or nothing when its dedupe key was recorded before.
    [[nodiscard]] Result<std::optional<qint64>> record(const Notification &message, qint64 nowMs);
    // The send job of a row that is queued (recorded, taken out of standby, or sent again).
    [[nodiscard]] Status queueSending(qint64 notificationId, const QString &channel);

private:
    Database &m_db;
};

} // namespace askpro
