// The delivery log: every message the server recorded (e-mail, SMS, WhatsApp), filtered and keyset-paged in
// SQL, scoped to the reader's company. Recipients are masked for readers without customer access.
#pragma once

#include "core/result.h"
#include "queries/callquery.h"
#include "security/accesspolicy.h"

#include <QDateTime>
#include <QString>

namespace askpro {

class Database;

struct MessageFilter
{
    qint64 companyId = 0; // 0: every company (platform staff only; the route decides)
    QString channel;      // email | sms | whatsapp; empty: all
    QString state;        // a delivery state (MessageQuery::states()); empty: all
    QString kind;         // confirmation, …; empty: all
    qint64 callId = 0;    // 0: any
    QString text;         // contained in the recipient (readers with customer access only) or the provider id
    QDateTime from;       // created at or after; invalid: open
    QDateTime to;         // created before; invalid: open
};

struct MessageDetail
{
    qint64 id = 0;
    qint64 companyId = 0;
    qint64 callId = 0;
    qint64 appointmentId = 0;
    QString kind;
    QString channel;
    QString recipient; // masked for readers without customer access
    QString language;
    QString subject; // empty, like body, for readers without customer access
    QString body; // empty for readers without customer access: it names the customer and the appointment
    QString status;
    QString providerStatus;
    QString providerId;
    QString errorCode;
    QString skipReason;
    QString lastError;
    int attempts = 0;
    qint64 createdAtMs = 0;
    qint64 sentAtMs = 0;   // 0: not sent
    qint64 statusAtMs = 0; // 0: the provider reported nothing yet
    qint64 resendOf = 0;   // the message this one sends again; 0: none
};

class MessageQuery final
{
public:
    enum Column { Id, CreatedAt, TimeZone, Company, Kind, Channel, Recipient, State, Reason, ProviderId, CallId, ColumnCount };

    // The delivery states a message can be in, in the order a message moves through them: the provider's
    // report (delivered, undelivered) where there is one, else the outbox's own state.
    [[nodiscard]] static QStringList states();
    // One keyset page (Column order); sortColumn is a Column, ordered by it and then the id.
    [[nodiscard]] static Result<CallPage> page(Database &db, const askpro::Actor &reader, const MessageFilter &filter, const QString &zone,
                                               int sortColumn, Qt::SortOrder order, const std::optional<CallCursor> &after, int limit);
    // One message of companyId's (0: any company); NotFound for another company's.
    [[nodiscard]] static Result<MessageDetail> detail(Database &db, const askpro::Actor &reader, qint64 id, qint64 companyId);
};

} // namespace askpro
