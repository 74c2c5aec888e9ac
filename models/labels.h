// Translated labels for the stored state codes (outcomes, statuses, categories), shared by models and pages.
#pragma once

#include <QCoreApplication>
#include <QString>

namespace askpro {

class Labels final
{
    Q_DECLARE_TR_FUNCTIONS(Labels)
public:
    [[nodiscard]] static QString outcome(const QString &code);
    [[nodiscard]] static QString appointmentStatus(const QString &code);
    [[nodiscard]] static QString syncState(const QString &code);
    [[nodiscard]] static QString inboxStatus(const QString &code);
    // Triage categories: configuration | transient | rejected | failed | needs_callback | requested_unbooked
    [[nodiscard]] static QString triageCategory(const QString &code);
    [[nodiscard]] static QString eventStep(const QString &code);
    // Who sent a webhook (retell | calcom | stripe | twilio), or "admin" for the admin API's sign-in.
    [[nodiscard]] static QString requestSource(const QString &code);
    // Why a request was refused before it was stored: missing | malformed | stale | wrong | too_large | sign_in | rate_limited
    [[nodiscard]] static QString refusalReason(const QString &code);
    // Messages of the delivery log: queued | sending | sent | delivered | undelivered | failed | skipped
    [[nodiscard]] static QString messageState(const QString &code);
    // email | sms | whatsapp
    [[nodiscard]] static QString channel(const QString &code);
    // confirmation | invoice | alert
    [[nodiscard]] static QString messageKind(const QString &code);
    // Why a message was not sent (landline, opted_out, …), did not arrive (the provider's error code) or what
    // last went wrong with it (a code such as twilio.21610 or sms.answer_lost); an unknown code as it is.
    [[nodiscard]] static QString messageReason(const QString &code);
};

} // namespace askpro
