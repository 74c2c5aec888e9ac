// Cal.com booking events: created elsewhere -> new appointment; cancelled -> cancelled; rescheduled -> moved.
#include "flow/calcomeventprocessor.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "flow/slotcache.h"
#include "intake/webhookinbox.h"
#include "integrations/jsonreply.h"

#include <QDateTime>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
qint64 isoMs(const QString &text)
{
    const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}
} // namespace

CalcomEventProcessor::CalcomEventProcessor(Database &db) : m_db(db) {}

JobOutcome CalcomEventProcessor::process(qint64 inboxId)
{
    WebhookInbox inbox(m_db);
    auto body = inbox.body(inboxId);
    if (!body)
        return JobOutcome::retry(body.error());
    auto parsed = parseJson(*body, u"The stored Cal.com webhook"_s);
    if (!parsed) {
        auto marked = inbox.markFailed(inboxId, parsed.error().describe());
        Q_UNUSED(marked);
        return JobOutcome::failed(parsed.error());
    }
    const QString trigger = jsonString(*parsed, "triggerEvent");
    const Json payload = parsed->value("payload", Json::object());
    const QString uid = jsonString(payload, "uid");
    const QString previousUid = jsonString(payload, "rescheduleUid");
    const qint64 eventTypeId = jsonInt(payload, "eventTypeId");
    const qint64 startsAt = isoMs(jsonString(payload, "startTime"));
    const qint64 endsAt = isoMs(jsonString(payload, "endTime"));
    const qint64 now = nowMs();

    // Relaxed: the webhook itself was stored durably before its 2xx; if a power cut loses this commit, the
    // job runs again and repeats the same idempotent changes.
    Transaction tx(m_db, Durability::Relaxed);
    if (!tx.started().ok())
        return JobOutcome::retry(tx.started().error());
    Result<QSqlQuery> change = makeError(ErrorKind::Internal, u"calcom.event"_s, QString());
    QString note;
    // Our own bookings took their slot from the cache already; anything else changes free time.
    bool ours = false;
    qint64 previousStart = 0;
    if (!previousUid.isEmpty() || trigger == u"BOOKING_CANCELLED"_s) {
        auto before = m_db.scalar(u"SELECT starts_at FROM appointments WHERE calcom_booking_uid = ?"_s,
                                  {previousUid.isEmpty() ? uid : previousUid});
        if (before && !before->isNull())
            previousStart = before->toLongLong();
    }
    if (trigger == u"BOOKING_CANCELLED"_s) {
        change = m_db.exec(u"UPDATE appointments SET status = 'cancelled', cancellation_reason = ?, sync_state = 'synced', updated_at = ? "
                           "WHERE calcom_booking_uid = ? RETURNING id"_s,
                           {jsonString(payload, "cancellationReason"), now, uid});
        note = tr("cancelled in Cal.com");
    } else if (trigger == u"BOOKING_RESCHEDULED"_s) {
        change = m_db.exec(u"UPDATE appointments SET calcom_booking_uid = ?, starts_at = ?, ends_at = ?, status = 'booked', "
                           "sync_state = 'synced', updated_at = ? WHERE calcom_booking_uid IN (?, ?) RETURNING id"_s,
                           {uid, startsAt, endsAt, now, previousUid.isEmpty() ? uid : previousUid, uid});
        note = tr("rescheduled in Cal.com");
    } else if (trigger == u"BOOKING_CREATED"_s) {
        const Json metadata = payload.value("metadata", Json::object());
        if (!jsonString(metadata, "askpro_call_id").isEmpty()) {
            ours = true;
            // One of ours (HttpApi stores these without a job now; older rows may still come here): the call
            // flow stores it, so at most its sync state is touched.
            change = m_db.exec(u"UPDATE appointments SET sync_state = 'synced' WHERE calcom_booking_uid = ? RETURNING id"_s, {uid});
        } else {
            QString phone;
            QString name;
            QString email;
            const Json attendees = payload.value("attendees", Json::array());
            if (attendees.is_array() && !attendees.empty()) {
                name = jsonString(attendees[0], "name");
                email = jsonString(attendees[0], "email");
                auto e164 = PhoneNumbers::toE164(jsonString(attendees[0], "phoneNumber"));
                if (e164)
                    phone = *e164;
            }
            auto mapping = m_db.exec(u"SELECT m.branch_id, b.company_id, m.service_id FROM event_type_mappings m "
                                     "JOIN branches b ON b.id = m.branch_id WHERE m.calcom_event_type_id = ? ORDER BY b.active DESC, m.id"_s,
                                     {eventTypeId});
            if (!mapping)
                return JobOutcome::retry(mapping.error());
            if (!mapping->next()) {
                auto marked = inbox.markFailed(inboxId, tr("No branch uses the Cal.com event type %1").arg(eventTypeId));
                Q_UNUSED(marked);
                auto committed = tx.commit();
                Q_UNUSED(committed);
                return JobOutcome::done();
            }
            const qint64 branchId = mapping->value(0).toLongLong();
            const qint64 companyId = mapping->value(1).toLongLong();
            const qint64 serviceId = mapping->value(2).toLongLong();
            mapping->finish();
            QVariant customer = Database::null();
            if (!phone.isEmpty()) {
                auto c = m_db.insert(u"INSERT INTO customers (company_id, phone_e164, name, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                                     "ON CONFLICT (company_id, phone_e164) DO UPDATE SET updated_at = excluded.updated_at RETURNING id"_s,
                                     {companyId, phone, name, email, now, now});
                if (!c)
                    return JobOutcome::retry(c.error());
                customer = *c;
            }
            change = m_db.exec(u"INSERT INTO appointments (company_id, branch_id, customer_id, service_id, starts_at, ends_at, status, "
                               "calcom_booking_uid, calcom_booking_id, sync_state, source, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?, 'synced', 'calcom', ?, ?) "
                               "ON CONFLICT (calcom_booking_uid) DO NOTHING RETURNING id"_s,
                               {companyId, branchId, customer, serviceId, startsAt, endsAt, uid, jsonInt(payload, "bookingId"), now, now});
            note = tr("created in Cal.com");
        }
    } else {
        auto ignored = inbox.markProcessed(inboxId);
        Q_UNUSED(ignored);
        auto committed = tx.commit();
        Q_UNUSED(committed);
        return JobOutcome::done();
    }
    if (!change)
        return JobOutcome::retry(change.error());
    change->finish();
    if (eventTypeId > 0 && !ours) {
        // The days this booking touched are no longer known to be free or taken.
        SlotCache cache(m_db);
        Status forgotten = startsAt > 0 ? cache.invalidateAround(eventTypeId, startsAt) : cache.invalidate(eventTypeId);
        if (forgotten && previousStart > 0)
            forgotten = cache.invalidateAround(eventTypeId, previousStart);
        if (!forgotten)
            return JobOutcome::retry(forgotten.error());
    }
    auto marked = inbox.markProcessed(inboxId);
    if (!marked)
        return JobOutcome::retry(marked.error());
    auto committed = tx.commit();
    if (!committed)
        return JobOutcome::retry(committed.error());
    qCInfo(lcCalcom) << "booking" << uid << note;
    return JobOutcome::done();
}

} // namespace askpro
