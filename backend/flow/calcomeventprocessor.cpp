// Cal.com booking events: created elsewhere -> new appointment; cancelled -> cancelled; rescheduled -> moved.
// Every statement carries the signer's scope, so a uid or event type of another company matches nothing.
#include "flow/calcomeventprocessor.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "flow/appointmentnotice.h"
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

struct Event
{
    QString trigger;
    Json payload;
    QString uid;
    QString previousUid;
    qint64 eventTypeId = 0;
    qint64 startsAt = 0;
    qint64 endsAt = 0;
    qint64 createdAt = 0; // 0: the delivery names none
    bool ours = false;    // one of our own bookings (its metadata names our call)
};

Result<Event> readEvent(WebhookInbox &inbox, qint64 inboxId)
{
    auto body = inbox.body(inboxId);
    if (!body)
        return body.error();
    auto parsed = parseJson(*body, u"The stored Cal.com webhook"_s);
    if (!parsed)
        return makeError(ErrorKind::Invalid, u"calcom.unparsable"_s, parsed.error().describe());
    Event e;
    e.trigger = jsonString(*parsed, "triggerEvent");
    e.payload = parsed->value("payload", Json::object());
    e.uid = jsonString(e.payload, "uid");
    e.previousUid = jsonString(e.payload, "rescheduleUid");
    e.eventTypeId = jsonInt(e.payload, "eventTypeId");
    e.startsAt = isoMs(jsonString(e.payload, "startTime"));
    e.endsAt = isoMs(jsonString(e.payload, "endTime"));
    e.createdAt = isoMs(jsonString(*parsed, "createdAt"));
    e.ours = e.trigger == u"BOOKING_CREATED"_s && !jsonString(e.payload.value("metadata", Json::object()), "askpro_call_id").isEmpty();
    return e;
}

} // namespace

CalcomEventProcessor::CalcomEventProcessor(Database &db, qint64 maxAgeMs) : m_db(db), m_maxAgeMs(maxAgeMs) {}

Result<CalcomEventPlan> CalcomEventProcessor::plan(qint64 inboxId, bool replay)
{
    WebhookInbox inbox(m_db);
    auto event = readEvent(inbox, inboxId);
    if (!event)
        return event.error();
    auto signer = inbox.signer(inboxId);
    if (!signer)
        return signer.error();
    auto received = m_db.scalar(u"SELECT received_at FROM webhook_inbox WHERE id = ?"_s, {inboxId});
    if (!received)
        return received.error();
    const SignerScope scope = SignerScope::of(*signer, u"calcom"_s, u"company_id"_s);
    const SignerScope branchScope = SignerScope::of(*signer, u"calcom"_s, u"b.company_id"_s);

    CalcomEventPlan p;
    p.trigger = event->trigger;
    p.uid = event->uid;
    p.eventAtMs = event->createdAt > 0 ? event->createdAt : received->toLongLong();
    const bool changesBooking = p.trigger == u"BOOKING_CANCELLED"_s || p.trigger == u"BOOKING_RESCHEDULED"_s;
    if (!changesBooking && p.trigger != u"BOOKING_CREATED"_s)
        return p; // a trigger we do not act on
    if (!replay && event->createdAt > 0 && nowMs() - event->createdAt > m_maxAgeMs) {
        p.verdict = CalcomEventPlan::Verdict::Stale;
        p.reason = tr("The event was created at %1, longer ago than the %2 seconds allowed: stored, not applied")
                       .arg(fromMs(event->createdAt).toString(Qt::ISODate))
                       .arg(m_maxAgeMs / 1000);
        return p;
    }

    // The appointment the event names, and whether the signer acts for its company.
    const QString named = event->previousUid.isEmpty() ? event->uid : event->previousUid;
    auto found = m_db.exec(u"SELECT id, status, starts_at, changed_at, calcom_booking_uid, CASE WHEN "_s + scope.sql
                               + u" THEN 1 ELSE 0 END FROM appointments WHERE calcom_booking_uid IN (?, ?) "
                                 "ORDER BY CASE WHEN calcom_booking_uid = ? THEN 0 ELSE 1 END, id"_s,
                           scope.params + QVariantList{named, event->uid, named});
    if (!found)
        return found.error();
    const bool exists = found->next();
    if (exists) {
        p.appointmentId = found->value(0).toLongLong();
        p.statusBefore = found->value(1).toString();
        p.startsBefore = found->value(2).toLongLong();
        const qint64 changedAt = found->value(3).toLongLong();
        const QString storedUid = found->value(4).toString();
        const bool inScope = found->value(5).toInt() == 1;
        found->finish();
        if (!inScope) {
            p.verdict = CalcomEventPlan::Verdict::NotOurs;
            p.reason = tr("The booking %1 belongs to a company whose key did not sign this event").arg(named);
            return p;
        }
        // The echo of a change made here (our own cancel or reschedule) comes after it but was created before
        // we recorded it: it finds the appointment as it would leave it, and is no stale event.
        const bool already = (p.trigger == u"BOOKING_CANCELLED"_s && p.statusBefore == u"cancelled"_s)
            || (p.trigger == u"BOOKING_RESCHEDULED"_s && p.statusBefore == u"booked"_s && p.startsBefore == event->startsAt
                && storedUid == event->uid);
        if (already) {
            p.reason = tr("The appointment is already as this event leaves it");
            return p;
        }
        if (changesBooking && p.eventAtMs < changedAt) {
            p.verdict = CalcomEventPlan::Verdict::Older;
            p.reason = tr("The event was created at %1, before the appointment's last change at %2: not applied")
                           .arg(fromMs(p.eventAtMs).toString(Qt::ISODate), fromMs(changedAt).toString(Qt::ISODate));
            return p;
        }
    } else {
        found->finish();
    }

    if (changesBooking || event->ours) {
        if (!exists) {
            p.reason = tr("No appointment has the booking %1").arg(named);
            return p; // made and changed in Cal.com alone: only the slot cache learns of it
        }
        p.verdict = CalcomEventPlan::Verdict::Apply;
        p.statusAfter = p.trigger == u"BOOKING_CANCELLED"_s ? u"cancelled"_s : p.trigger == u"BOOKING_RESCHEDULED"_s ? u"booked"_s : p.statusBefore;
        p.startsAfter = p.trigger == u"BOOKING_RESCHEDULED"_s ? event->startsAt : p.startsBefore;
        return p;
    }
    if (exists) {
        p.reason = tr("The booking %1 is stored already").arg(event->uid);
        return p;
    }
    auto mapping = m_db.exec(u"SELECT m.branch_id, b.company_id, m.service_id FROM event_type_mappings m "
                             "JOIN branches b ON b.id = m.branch_id WHERE m.calcom_event_type_id = ? AND "_s
                                 + branchScope.sql + u" ORDER BY b.active DESC, m.id"_s,
                             QVariantList{event->eventTypeId} + branchScope.params);
    if (!mapping)
        return mapping.error();
    if (mapping->next()) {
        p.branchId = mapping->value(0).toLongLong();
        p.companyId = mapping->value(1).toLongLong();
        p.serviceId = mapping->value(2).toLongLong();
        mapping->finish();
        p.verdict = CalcomEventPlan::Verdict::Apply;
        p.statusAfter = u"booked"_s;
        p.startsAfter = event->startsAt;
        return p;
    }
    mapping->finish();
    auto elsewhere = m_db.scalar(u"SELECT COUNT(*) FROM event_type_mappings WHERE calcom_event_type_id = ?"_s, {event->eventTypeId});
    if (!elsewhere)
        return elsewhere.error();
    if (elsewhere->toLongLong() > 0) {
        p.verdict = CalcomEventPlan::Verdict::NotOurs;
        p.reason = tr("The Cal.com event type %1 belongs to a company whose key did not sign this event").arg(event->eventTypeId);
        return p;
    }
    p.verdict = CalcomEventPlan::Verdict::Unmapped;
    p.reason = tr("No branch uses the Cal.com event type %1").arg(event->eventTypeId);
    return p;
}

JobOutcome CalcomEventProcessor::process(qint64 inboxId, bool replay)
{
    WebhookInbox inbox(m_db);
    auto planned = plan(inboxId, replay);
    if (!planned) {
        if (planned.error().kind != ErrorKind::Invalid)
            return JobOutcome::retry(planned.error());
        auto marked = inbox.markFailed(inboxId, planned.error().describe());
        Q_UNUSED(marked);
        return JobOutcome::failed(planned.error());
    }
    const CalcomEventPlan &p = *planned;
    switch (p.verdict) {
    case CalcomEventPlan::Verdict::NotOurs:
    case CalcomEventPlan::Verdict::Stale:
    case CalcomEventPlan::Verdict::Older:
    case CalcomEventPlan::Verdict::Unmapped: {
        qCWarning(lcCalcom) << "event" << inboxId << p.trigger << p.uid << "not applied:" << p.reason;
        const Status marked = p.verdict == CalcomEventPlan::Verdict::NotOurs  ? inbox.markNotOurs(inboxId, p.reason)
            : p.verdict == CalcomEventPlan::Verdict::Unmapped                 ? inbox.markFailed(inboxId, p.reason)
                                                                              : inbox.markStale(inboxId, p.reason);
        return marked ? JobOutcome::done() : JobOutcome::retry(marked.error());
    }
    case CalcomEventPlan::Verdict::Nothing:
    case CalcomEventPlan::Verdict::Apply:
        break;
    }

    auto event = readEvent(inbox, inboxId);
    if (!event)
        return JobOutcome::retry(event.error());
    auto signer = inbox.signer(inboxId);
    if (!signer)
        return JobOutcome::retry(signer.error());
    const SignerScope scope = SignerScope::of(*signer, u"calcom"_s, u"company_id"_s);
    const SignerScope branchScope = SignerScope::of(*signer, u"calcom"_s, u"b.company_id"_s);
    const QVariantList scoped = scope.params;
    const qint64 now = nowMs();

    // Relaxed: the webhook itself was stored durably before its 2xx; if a power cut loses this commit, the
    // job runs again and repeats the same idempotent changes.
    Transaction tx(m_db, Durability::Relaxed);
    if (!tx.started().ok())
        return JobOutcome::retry(tx.started().error());
    QString note;
    if (p.verdict == CalcomEventPlan::Verdict::Apply) {
        // The scope and the change time are in the statements too: what the plan read may have changed since.
        const QString guard = u" AND "_s + scope.sql + u" AND changed_at <= ? RETURNING id"_s;
        Result<QSqlQuery> change = makeError(ErrorKind::Internal, u"calcom.event"_s, QString());
        if (p.trigger == u"BOOKING_CANCELLED"_s) {
            change = m_db.exec(u"UPDATE appointments SET status = 'cancelled', cancellation_reason = ?, sync_state = 'synced', updated_at = ?, "
                               "changed_at = ? WHERE id = ?"_s + guard,
                               QVariantList{jsonString(event->payload, "cancellationReason"), now, p.eventAtMs, p.appointmentId} + scoped
                                   + QVariantList{p.eventAtMs});
            note = tr("cancelled in Cal.com");
        } else if (p.trigger == u"BOOKING_RESCHEDULED"_s) {
            change = m_db.exec(u"UPDATE appointments SET calcom_booking_uid = ?, starts_at = ?, ends_at = ?, status = 'booked', "
                               "sync_state = 'synced', updated_at = ?, changed_at = ? WHERE id = ?"_s + guard,
                               QVariantList{event->uid, event->startsAt, event->endsAt, now, p.eventAtMs, p.appointmentId} + scoped
                                   + QVariantList{p.eventAtMs});
            note = tr("rescheduled in Cal.com");
        } else if (event->ours) {
            // One of ours (HttpApi stores these without a job now; older rows may still come here): the call
            // flow stores it, so at most its sync state is touched.
            change = m_db.exec(u"UPDATE appointments SET sync_state = 'synced' WHERE id = ? AND "_s + scope.sql + u" RETURNING id"_s,
                               QVariantList{p.appointmentId} + scoped);
        } else {
            QString phone;
            QString name;
            QString email;
            const Json attendees = event->payload.value("attendees", Json::array());
            if (attendees.is_array() && !attendees.empty()) {
                name = jsonString(attendees[0], "name");
                email = jsonString(attendees[0], "email");
                auto e164 = PhoneNumbers::toE164(jsonString(attendees[0], "phoneNumber"));
                if (e164)
                    phone = *e164;
            }
            QVariant customer = Database::null();
            if (!phone.isEmpty()) {
                auto c = m_db.insert(u"INSERT INTO customers (company_id, phone_e164, name, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                                     "ON CONFLICT (company_id, phone_e164) DO UPDATE SET updated_at = excluded.updated_at RETURNING id"_s,
                                     {p.companyId, phone, name, email, now, now});
                if (!c)
                    return JobOutcome::retry(c.error());
                customer = *c;
            }
            // The branch is read again under the scope, so the new row can only land in a company the signer serves.
            change = m_db.exec(u"INSERT INTO appointments (company_id, branch_id, customer_id, service_id, starts_at, ends_at, status, "
                               "calcom_booking_uid, calcom_booking_id, sync_state, source, created_at, updated_at, changed_at) "
                               "SELECT b.company_id, b.id, ?, ?, ?, ?, 'booked', ?, ?, 'synced', 'calcom', ?, ?, ? FROM branches b "
                               "WHERE b.id = ? AND "_s
                                   + branchScope.sql + u" ON CONFLICT (calcom_booking_uid) DO NOTHING RETURNING id"_s,
                               QVariantList{customer, p.serviceId, event->startsAt, event->endsAt, p.uid, jsonInt(event->payload, "bookingId"),
                                            now, now, p.eventAtMs, p.branchId}
                                   + branchScope.params);
            note = tr("created in Cal.com");
        }
        if (!change)
            return JobOutcome::retry(change.error());
        const bool changed = change->next();
        change->finish();
        // The customer hears of a change they did not make on the phone with us, in this commit (once per change).
        if (changed && (p.trigger == u"BOOKING_CANCELLED"_s || p.trigger == u"BOOKING_RESCHEDULED"_s)) {
            auto told = AppointmentNotice(m_db).record(p.appointmentId,
                                                    p.trigger == u"BOOKING_CANCELLED"_s ? AppointmentNotice::Kind::Cancelled : AppointmentNotice::Kind::Moved,
                                                    now);
            if (!told)
                return JobOutcome::retry(told.error());
        }
    }
    if (event->eventTypeId > 0 && !event->ours) {
        // The days this booking touched are no longer known to be free or taken, where the signer's companies
        // use that event type; another company's cache is not the signer's to touch.
        auto mapped = m_db.scalar(u"SELECT COUNT(*) FROM event_type_mappings m JOIN branches b ON b.id = m.branch_id "
                                  "WHERE m.calcom_event_type_id = ? AND "_s
                                      + branchScope.sql,
                                  QVariantList{event->eventTypeId} + branchScope.params);
        if (!mapped)
            return JobOutcome::retry(mapped.error());
        if (mapped->toLongLong() > 0) {
            SlotCache cache(m_db);
            Status forgotten = event->startsAt > 0 ? cache.invalidateAround(event->eventTypeId, event->startsAt) : cache.invalidate(event->eventTypeId);
            if (forgotten && p.startsBefore > 0)
                forgotten = cache.invalidateAround(event->eventTypeId, p.startsBefore);
            if (!forgotten)
                return JobOutcome::retry(forgotten.error());
        }
    }
    auto marked = inbox.markProcessed(inboxId);
    if (!marked)
        return JobOutcome::retry(marked.error());
    auto committed = tx.commit();
    if (!committed)
        return JobOutcome::retry(committed.error());
    if (!note.isEmpty())
        qCInfo(lcCalcom) << "booking" << p.uid << note;
    return JobOutcome::done();
}

} // namespace askpro
