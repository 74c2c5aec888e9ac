// Cancel and reschedule: mark pending, ask Cal.com, then write the outcome and the audit row.
#include "support/appointmentservice.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "flow/appointmentnotice.h"
#include "integrations/calcomclient.h"
#include "security/credentialstore.h"
#include "support/auditlog.h"

#include <QNetworkAccessManager>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro {

struct AppointmentService::Booking
{
    qint64 id = 0;
    qint64 companyId = 0;
    QString uid;
    QString status;
    qint64 startsAt = 0;
    qint64 endsAt = 0;
    QString syncState;
};

AppointmentService::AppointmentService(std::shared_ptr<Database> db, std::shared_ptr<CredentialStore> credentials,
                                       ProviderEndpoints endpoints, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_credentials(std::move(credentials))
    , m_endpoints(std::move(endpoints))
    , m_network(new QNetworkAccessManager(this))
{
}

AppointmentService::~AppointmentService() = default;

Result<AppointmentService::Booking> AppointmentService::load(qint64 appointmentId)
{
    auto q = m_db->exec(u"SELECT id, company_id, COALESCE(calcom_booking_uid, ''), status, starts_at, ends_at, sync_state "
                        "FROM appointments WHERE id = ?"_s,
                        {appointmentId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"appointments.not_found"_s, tr("The appointment no longer exists."));
    return Booking{q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toString(), q->value(3).toString(),
                   q->value(4).toLongLong(), q->value(5).toLongLong(), q->value(6).toString()};
}

JsonReply *AppointmentService::failLater(const Error &error)
{
    auto *reply = new JsonReply(this);
    QTimer::singleShot(0, reply, [reply, error] { reply->finish(error); });
    return reply;
}

JsonReply *AppointmentService::refuse(qint64 appointmentId, const Error &error)
{
    // Recorded on the row at once, so that whoever asked through the admin API reads the reason with the
    // appointment (the request's answer does not wait for Cal.com).
    markFailed(appointmentId, error);
    return failLater(error);
}

void AppointmentService::markFailed(qint64 appointmentId, const Error &error)
{
    auto q = m_db->exec(u"UPDATE appointments SET sync_state = 'failed', sync_error = ?, updated_at = ? WHERE id = ?"_s,
                        {error.describe(), nowMs(), appointmentId});
    if (!q)
        qCWarning(lcCalcom) << "recording the sync failure of appointment" << appointmentId << "failed:" << q.error().describe();
    Q_EMIT appointmentChanged(appointmentId);
}

JsonReply *AppointmentService::cancel(qint64 appointmentId, const QString &reason, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ManageAppointments); !allowed)
        return failLater(allowed.error());
    auto booking = load(appointmentId);
    if (!booking)
        return failLater(booking.error());
    if (booking->status == u"cancelled"_s)
        return failLater(makeError(ErrorKind::Invalid, u"appointments.already_cancelled"_s, tr("The appointment is already cancelled.")));
    if (booking->uid.isEmpty())
        return refuse(appointmentId, makeError(ErrorKind::Configuration, u"appointments.not_synced"_s,
                                               tr("The appointment has no Cal.com booking to cancel.")));
    if (!m_credentials)
        return refuse(appointmentId, makeError(ErrorKind::Configuration, u"appointments.no_key"_s, tr("The credentials key is not available.")));
    auto credential = m_credentials->get(booking->companyId, u"calcom"_s);
    if (!credential)
        return refuse(appointmentId, credential.error());
    auto pending = m_db->exec(u"UPDATE appointments SET sync_state = 'pending', updated_at = ? WHERE id = ?"_s, {nowMs(), appointmentId});
    if (!pending)
        return failLater(pending.error());

    auto client = std::make_shared<CalcomClient>(m_network, credential->baseUrl.isEmpty() ? m_endpoints.calcom : QUrl(credential->baseUrl),
                                                 credential->secret, m_endpoints.timeoutMs);
    auto *result = new JsonReply(this);
    JsonReply *call = client->cancelBooking(booking->uid, reason);
    const Booking before = *booking;
    connect(call, &JsonReply::finished, this, [this, client, result, before, reason, actor](const JsonResult &r) {
        if (!r) {
            markFailed(before.id, r.error());
            result->finish(r.error());
            return;
        }
        Transaction tx(*m_db);
        const qint64 now = nowMs();
        auto updated = m_db->exec(u"UPDATE appointments SET status = 'cancelled', cancellation_reason = ?, sync_state = 'synced', "
                                  "sync_error = '', updated_at = ?, changed_at = ? WHERE id = ?"_s,
                                  {reason, now, now, before.id});
        Status done = updated ? Status() : Status(updated.error());
        if (done) {
            const Json b{{"status", before.status.toStdString()}, {"sync_state", before.syncState.toStdString()}};
            const Json a{{"status", "cancelled"}, {"cancellation_reason", reason.toStdString()}, {"sync_state", "synced"}};
            done = AuditLog(*m_db).write(actor, u"appointment.cancel"_s, u"appointment"_s, before.id,
                                         QString::fromStdString(b.dump()), QString::fromStdString(a.dump()));
        }
        if (done) {
            auto told = AppointmentNotice(*m_db).record(before.id, AppointmentNotice::Kind::Cancelled, now);
            done = told ? Status() : Status(told.error());
        }
        if (done)
            done = tx.commit();
        if (!done) {
            result->finish(done.error());
            return;
        }
        Q_EMIT appointmentChanged(before.id);
        result->finish(*r);
    });
    return result;
}

JsonReply *AppointmentService::reschedule(qint64 appointmentId, const QDateTime &newStart, const QString &reason, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ManageAppointments); !allowed)
        return failLater(allowed.error());
    auto booking = load(appointmentId);
    if (!booking)
        return failLater(booking.error());
    if (booking->status == u"cancelled"_s)
        return failLater(makeError(ErrorKind::Invalid, u"appointments.cancelled"_s, tr("A cancelled appointment cannot be moved.")));
    if (!newStart.isValid() || newStart.toMSecsSinceEpoch() <= nowMs())
        return failLater(makeError(ErrorKind::Invalid, u"appointments.past"_s, tr("Choose a new time in the future.")));
    if (booking->uid.isEmpty())
        return refuse(appointmentId, makeError(ErrorKind::Configuration, u"appointments.not_synced"_s,
                                               tr("The appointment has no Cal.com booking to move.")));
    if (!m_credentials)
        return refuse(appointmentId, makeError(ErrorKind::Configuration, u"appointments.no_key"_s, tr("The credentials key is not available.")));
    auto credential = m_credentials->get(booking->companyId, u"calcom"_s);
    if (!credential)
        return refuse(appointmentId, credential.error());
    auto pending = m_db->exec(u"UPDATE appointments SET sync_state = 'pending', updated_at = ? WHERE id = ?"_s, {nowMs(), appointmentId});
    if (!pending)
        return failLater(pending.error());

    auto client = std::make_shared<CalcomClient>(m_network, credential->baseUrl.isEmpty() ? m_endpoints.calcom : QUrl(credential->baseUrl),
                                                 credential->secret, m_endpoints.timeoutMs);
    auto *result = new JsonReply(this);
    JsonReply *call = client->rescheduleBooking(booking->uid, newStart.toUTC(), reason);
    const Booking before = *booking;
    const qint64 startMs = newStart.toMSecsSinceEpoch();
    connect(call, &JsonReply::finished, this, [this, client, result, before, startMs, actor](const JsonResult &r) {
        if (!r) {
            markFailed(before.id, r.error());
            result->finish(r.error());
            return;
        }
        const QString newUid = jsonString(*r, "uid");
        const qint64 endMs = startMs + (before.endsAt - before.startsAt);
        Transaction tx(*m_db);
        auto updated = m_db->exec(u"UPDATE appointments SET starts_at = ?, ends_at = ?, status = 'booked', "
                                  "calcom_booking_uid = ?, sync_state = 'synced', sync_error = '', updated_at = ?, changed_at = ? WHERE id = ?"_s,
                                  {startMs, endMs, newUid.isEmpty() ? before.uid : newUid, nowMs(), nowMs(), before.id});
        Status done = updated ? Status() : Status(updated.error());
        if (done) {
            const Json b{{"starts_at", before.startsAt}, {"ends_at", before.endsAt}, {"uid", before.uid.toStdString()}};
            const Json a{{"starts_at", startMs}, {"ends_at", endMs}, {"uid", (newUid.isEmpty() ? before.uid : newUid).toStdString()}};
            done = AuditLog(*m_db).write(actor, u"appointment.reschedule"_s, u"appointment"_s, before.id,
                                         QString::fromStdString(b.dump()), QString::fromStdString(a.dump()));
        }
        if (done) {
            auto told = AppointmentNotice(*m_db).record(before.id, AppointmentNotice::Kind::Moved, nowMs());
            done = told ? Status() : Status(told.error());
        }
        if (done)
            done = tx.commit();
        if (!done) {
            result->finish(done.error());
            return;
        }
        Q_EMIT appointmentChanged(before.id);
        result->finish(*r);
    });
    return result;
}

Status AppointmentService::markNoShow(qint64 appointmentId, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::ManageAppointments); !allowed)
        return allowed;
    auto booking = load(appointmentId);
    if (!booking)
        return booking.error();
    if (booking->status == u"cancelled"_s)
        return makeError(ErrorKind::Invalid, u"appointments.cancelled"_s, tr("A cancelled appointment cannot be a no-show."));
    if (booking->startsAt > nowMs())
        return makeError(ErrorKind::Invalid, u"appointments.future"_s, tr("Only appointments that have started can be no-shows."));
    Transaction tx(*m_db);
    if (!tx.started())
        return tx.started();
    auto updated = m_db->exec(u"UPDATE appointments SET status = 'no_show', updated_at = ?, changed_at = ? WHERE id = ?"_s,
                              {nowMs(), nowMs(), appointmentId});
    if (!updated)
        return updated.error();
    const Json b{{"status", booking->status.toStdString()}};
    const Json a{{"status", "no_show"}};
    if (auto logged = AuditLog(*m_db).write(actor, u"appointment.no_show"_s, u"appointment"_s, appointmentId,
                                            QString::fromStdString(b.dump()), QString::fromStdString(a.dump()));
        !logged)
        return logged;
    if (auto committed = tx.commit(); !committed)
        return committed;
    Q_EMIT appointmentChanged(appointmentId);
    return {};
}

} // namespace askpro
