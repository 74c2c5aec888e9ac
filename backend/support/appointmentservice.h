// Appointment changes support makes by hand (Permission::ManageAppointments): cancel and reschedule through Cal.com (async), and
// mark no-show. Rows and audit entries change only after Cal.com agreed; a refusal (Cal.com's, or a missing
// booking or key) leaves the appointment with sync_state 'failed' and the reason in sync_error.
#pragma once

#include "config/serverconfig.h"
#include "core/result.h"
#include "integrations/jsonreply.h"
#include "security/accesspolicy.h"

#include <QDateTime>
#include <QObject>

#include <memory>

class QNetworkAccessManager;

namespace askpro {

class CredentialStore;
class Database;

class AppointmentService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppointmentService)
public:
    // Lives in the GUI thread and owns its network manager. credentials may be null (no key file):
    // provider actions then end in a Configuration error.
    AppointmentService(std::shared_ptr<Database> db, std::shared_ptr<CredentialStore> credentials, ProviderEndpoints endpoints,
                       QObject *parent = nullptr);
    ~AppointmentService() override;

    // The reply finishes once with Cal.com's booking object or the error (also for errors found
    // before any request, delivered from the event loop so callers can connect first).
    [[nodiscard]] JsonReply *cancel(qint64 appointmentId, const QString &reason, const Actor &actor);
    // newStart is any zone; the length of the appointment is kept.
    [[nodiscard]] JsonReply *reschedule(qint64 appointmentId, const QDateTime &newStart, const QString &reason, const Actor &actor);
    // Local only: Cal.com has no no-show state for past bookings. Audited.
    [[nodiscard]] Status markNoShow(qint64 appointmentId, const Actor &actor);

Q_SIGNALS:
    // After any successful change, so views can refresh.
    void appointmentChanged(qint64 appointmentId);

private:
    struct Booking;
    [[nodiscard]] Result<Booking> load(qint64 appointmentId);
    [[nodiscard]] JsonReply *failLater(const Error &error);
    // A refusal that setup can fix (no booking, no key): marks the appointment failed with it, then as failLater.
    [[nodiscard]] JsonReply *refuse(qint64 appointmentId, const Error &error);
    void markFailed(qint64 appointmentId, const Error &error);

    std::shared_ptr<Database> m_db;
    std::shared_ptr<CredentialStore> m_credentials;
    ProviderEndpoints m_endpoints;
    QNetworkAccessManager *m_network = nullptr;
};

} // namespace askpro
