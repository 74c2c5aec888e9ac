// The call flow's steps. The database work between two Cal.com requests is one unit of work (one
// transaction), so a crash at any point leaves a state the next attempt (or the recovery sweep) can finish.
//
// Durability: only a unit that may hold a new reservation commits with Durability::Full, before the
// booking request it protects. Every other unit is Relaxed: a power cut can lose it only whole and only
// with everything committed after it, and losing it only makes the job run again (its end is recorded in
// the same unit): the call and customer upserts repeat harmlessly, a reservation taken over goes back to
// its durable state, and a booking result lost after Cal.com booked is found again by the next attempt's
// lookup of bookings carrying this call's id (findEarlierBooking). See docs/reliability.md.
#include "flow/callprocessor.h"

#include "db/callparties.h"
#include "domain/openinghours.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "flow/appointmentrequest.h"
#include "flow/callstore.h"
#include "flow/messagetemplates.h"
#include "flow/messageoutbox.h"
#include "flow/slotcache.h"
#include "intake/webhookinbox.h"
#include "integrations/calcomclient.h"
#include "jobs/notificationqueue.h"
#include "security/credentialstore.h"

#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

struct CallProcessor::Run
{
    qint64 inboxId = 0;
    qint64 callId = 0;
    QString retellCallId;
    BranchInfo branch;
    qint64 customerId = 0;
    QString customerPhone;
    AppointmentRequest request;
    ServiceInfo service;
    qint64 eventTypeId = 0;
    std::optional<qint64> staffId;
    qint64 appointmentId = 0;
    bool noAppointmentYet = false;  // the call's upsert in this run's unit saw no appointment for it
    bool adoptReservation = false;  // taken over from an earlier attempt: look in Cal.com before booking
    bool lookedAfterRefusal = false; // a refusal sent it to look for the earlier attempt's booking once more
    bool holdsReservation = false;  // this attempt reserved or took over appointmentId
    bool requestUnanswered = false; // the last booking request got no answer: it may still land
    qint64 leaseAt = 0;             // when this attempt's lease began
    QTimeZone zone;
    QDateTime desired;
    QList<QDateTime> candidates;
    QList<QDateTime> alternatives;
    std::unique_ptr<CalcomClient> calcom;
    bool lastAttempt = false;
    JobDone done;
    // Timeline entries not yet written: they go out with the run's next write, saving a commit each.
    QList<TimelineEntry> events;
    // The writes since the last provider request, in this thread's connection.
    std::shared_ptr<Transaction> unit;
};

// One synchronous stretch of a run, between being called and the next provider request. Other jobs of
// this worker thread share its connection once the stretch returns to the event loop, so the run's unit
// must be committed or handed on by then; a stretch that forgot is logged and committed here.
class CallProcessor::Segment final
{
    Q_DISABLE_COPY_MOVE(Segment)
public:
    Segment(CallProcessor &processor, std::shared_ptr<Run> run) : m_processor(processor), m_run(std::move(run)) {}
    ~Segment()
    {
        if (m_run->unit && m_run->unit->isOpen()) {
            qCWarning(lcFlow) << "call" << m_run->retellCallId << "left its unit of work open; committing it";
            auto committed = m_processor.commitUnit(m_run);
            Q_UNUSED(committed);
        }
    }

private:
    CallProcessor &m_processor;
    std::shared_ptr<Run> m_run;
};

namespace {

Json alternativesJson(const QList<QDateTime> &daySlots, const QTimeZone &zone)
{
    Json list = Json::array();
    for (const QDateTime &s : daySlots)
        list.push_back(s.toTimeZone(zone).toString(Qt::ISODate).toStdString());
    return list;
}


} // namespace

CallProcessor::CallProcessor(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints,
                             qint64 slotTtlMs, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_network(network)
    , m_endpoints(std::move(endpoints))
    , m_slotTtlMs(slotTtlMs)
{
}

CallProcessor::~CallProcessor() = default;

void CallProcessor::step(const std::shared_ptr<Run> &run, TimelineEntry entry)
{
    qCDebug(lcFlow) << "call" << run->retellCallId << entry.step << entry.status << entry.message;
    entry.atMs = nowMs();
    run->events.append(std::move(entry));
}

Status CallProcessor::flushEvents(const std::shared_ptr<Run> &run)
{
    if (run->events.isEmpty() || run->callId <= 0)
        return {};
    auto logged = CallStore(m_db).addEvents(run->callId, run->events);
    if (logged)
        run->events.clear();
    return logged;
}

Status CallProcessor::openUnit(const std::shared_ptr<Run> &run, Durability durability)
{
    if (run->unit && run->unit->isOpen())
        return {};
    auto unit = std::make_shared<Transaction>(m_db, durability);
    if (!unit->started())
        return unit->started();
    run->unit = std::move(unit);
    return {};
}

Status CallProcessor::commitUnit(const std::shared_ptr<Run> &run)
{
    Status status = flushEvents(run); // the timeline entries ride along
    if (!run->unit || !run->unit->isOpen())
        return status;
    auto unit = std::move(run->unit);
    if (!status) {
        unit->rollback();
        return status;
    }
    return unit->commit();
}

void CallProcessor::hand(const std::shared_ptr<Run> &run, JobOutcome outcome)
{
    auto flushed = flushEvents(run);
    if (!flushed)
        qCWarning(lcFlow) << "timeline write failed for call" << run->callId << flushed.error().describe();
    auto unit = std::move(run->unit);
    if (unit && unit->isOpen())
        outcome.unitOfWork = unit;
    auto done = std::move(run->done);
    run->done = nullptr;
    if (done)
        done(outcome);
    if (unit && unit->isOpen()) { // the receiver left it to us
        auto committed = unit->commit();
        if (!committed)
            qCWarning(lcFlow) << "call" << run->retellCallId << "could not commit its last step:" << committed.error().describe();
    }
}

void CallProcessor::leave(const std::shared_ptr<Run> &run, const Error &error)
{
    if (!run->holdsReservation || run->appointmentId <= 0)
        return;
    auto left = CallStore(m_db).leaveReservation(run->appointmentId, error.describe(), run->requestUnanswered);
    if (!left)
        qCWarning(lcFlow) << "call" << run->retellCallId << "could not hand on its reservation:" << left.error().describe();
    run->holdsReservation = false;
}

void CallProcessor::finish(const std::shared_ptr<Run> &run, const JobOutcome &outcome)
{
    auto opened = openUnit(run, Durability::Relaxed); // the attempt's last writes and the job's end: one commit
    Q_UNUSED(opened);
    if (run->inboxId > 0) {
        WebhookInbox inbox(m_db);
        auto marked = outcome.kind == JobOutcome::Kind::Failed ? inbox.markFailed(run->inboxId, outcome.error.describe(), run->callId)
                                                               : inbox.markProcessed(run->inboxId, run->callId);
        if (!marked)
            qCWarning(lcFlow) << "inbox update failed:" << marked.error().describe();
    }
    hand(run, outcome);
}

void CallProcessor::fail(const std::shared_ptr<Run> &run, const Error &error, std::optional<TimelineEntry> entry)
{
    auto opened = openUnit(run, Durability::Relaxed);
    Q_UNUSED(opened);
    const QString kind = error.kind == ErrorKind::Configuration ? u"configuration"_s
        : error.kind == ErrorKind::Transient                    ? u"transient"_s
                                                                : u"rejected"_s;
    if (run->callId > 0) {
        step(run, entry ? std::move(*entry) : timeline::failed(error));
        auto set = CallStore(m_db).setOutcome(run->callId, u"failed"_s, kind, error.describe());
        if (!set)
            qCWarning(lcFlow) << set.error().describe();
    }
    leave(run, error);
    qCWarning(lcFlow) << "call" << run->retellCallId << "failed:" << error.describe();
    finish(run, JobOutcome::failed(error));
}

void CallProcessor::retryLater(const std::shared_ptr<Run> &run, const Error &error)
{
    if (run->lastAttempt) {
        fail(run, error);
        return;
    }
    auto opened = openUnit(run, Durability::Relaxed);
    Q_UNUSED(opened);
    step(run, timeline::retry(error));
    leave(run, error);
    // The job runner schedules the next attempt; the inbox row stays pending until then.
    hand(run, JobOutcome::retry(error));
}

void CallProcessor::waitForLease(const std::shared_ptr<Run> &run, qint64 waitMs)
{
    // Another attempt holds the reservation, or its last request may still land. Waiting is not an
    // attempt: the job comes back when the lease ends and then takes over, or finds the call booked.
    auto opened = openUnit(run, Durability::Relaxed);
    Q_UNUSED(opened);
    const Error busy = makeError(ErrorKind::Transient, u"flow.booking_in_progress"_s, tr("Another attempt is booking this call right now"));
    const TimelineEntry waiting = timeline::bookingInProgress();
    // Once on the timeline, not at every look: a wait for a lease looks again every few seconds.
    auto last = m_db.scalar(u"SELECT code FROM call_events WHERE call_id = ? ORDER BY id DESC LIMIT 1"_s, {run->callId});
    if (!last || last->toString() != waiting.codeName())
        step(run, waiting);
    // The holder usually finishes within milliseconds: look again soon, at the latest when the lease ends.
    hand(run, JobOutcome::waitFor(busy, qBound<qint64>(250, waitMs, leaseCheckMs)));
}

void CallProcessor::processInboxEvent(qint64 inboxId, bool lastAttempt, JobDone done)
{
    auto run = std::make_shared<Run>();
    run->inboxId = inboxId;
    run->lastAttempt = lastAttempt;
    run->done = std::move(done);
    Segment segment(*this, run);

    auto body = WebhookInbox(m_db).body(inboxId);
    if (!body) {
        finish(run, JobOutcome::failed(body.error()));
        return;
    }
    auto parsed = parseJson(*body, u"The stored webhook"_s);
    if (!parsed) {
        finish(run, JobOutcome::failed(parsed.error()));
        return;
    }
    const Json &event = *parsed;
    const bool function = event.contains("args") || jsonString(event, "name") == u"book_appointment"_s;
    QString eventType = function ? u"function"_s : jsonString(event, "event");
    if (eventType.isEmpty())
        eventType = jsonString(event, "event_type");
    const Json call = event.contains("call") && event["call"].is_object() ? event["call"] : Json::object();
    run->retellCallId = jsonString(call, "call_id");

    CallStore store(m_db);
    std::optional<AppointmentRequest> request;
    {
        // This unit runs on into the booking: it may hold the new reservation, so it commits durably
        // before Cal.com is asked. A call_started event books nothing.
        auto opened = openUnit(run, eventType == u"call_started"_s ? Durability::Relaxed : Durability::Full);
        if (!opened) {
            retryLater(run, opened.error());
            return;
        }
        auto to = PhoneNumbers::toE164(CallStore::ourNumber(call)); // ours: to_number inbound, from_number outbound
        // Only what the signer's key serves: a call, agent or number of another company is not ours.
        auto signer = WebhookInbox(m_db).signer(inboxId);
        if (!signer) {
            retryLater(run, signer.error());
            return;
        }
        const SignerScope scope = SignerScope::of(*signer, u"retell"_s, u"company_id"_s);
        auto foreign = store.foreignToScope(run->retellCallId, jsonString(call, "agent_id"), to ? *to : QString(), scope);
        if (!foreign) {
            retryLater(run, foreign.error());
            return;
        }
        if (!foreign->isEmpty()) {
            const QString reason = *foreign == u"call"_s ? tr("The call %1 belongs to a company whose key did not sign this request").arg(run->retellCallId)
                : *foreign == u"agent"_s ? tr("The agent %1 belongs to a company whose key did not sign this request").arg(jsonString(call, "agent_id"))
                                         : tr("The number %1 belongs to a company whose key did not sign this request").arg(to ? *to : QString());
            qCWarning(lcFlow) << "not ours: inbox" << inboxId << reason;
            auto marked = WebhookInbox(m_db).markNotOurs(inboxId, reason);
            if (!marked) {
                retryLater(run, marked.error());
                return;
            }
            run->inboxId = 0; // marked: finishing must not call it processed
            hand(run, JobOutcome::done());
            return;
        }
        std::optional<BranchInfo> branch;
        if (to) {
            auto found = store.activeBranchForNumber(*to, scope);
            if (!found) {
                retryLater(run, found.error());
                return;
            }
            branch = *found;
        }
        // Customer and request first, so that the call's one upsert stores them with it.
        std::optional<qint64> customerId;
        if (branch) {
            request = function ? AppointmentRequest::fromFields(event.value("args", Json::object())) : AppointmentRequest::fromCall(call);
            if (auto from = PhoneNumbers::toE164(CallStore::otherNumber(call))) {
                run->customerPhone = *from;
                auto customer = store.upsertCustomer(branch->companyId, *from, request ? request->customerName : QString(),
                                                     request ? request->customerEmail : QString(), branch->language);
                if (!customer) {
                    retryLater(run, customer.error());
                    return;
                }
                customerId = *customer;
                run->customerId = *customer;
            }
        }
        auto stored = store.upsertCall(call, branch, customerId, request);
        if (!stored) {
            retryLater(run, stored.error());
            return;
        }
        run->callId = stored->id;
        run->noAppointmentYet = stored->appointments == 0;
        step(run, function ? timeline::liveRequest() : timeline::eventReceived(eventType));
        if (!branch) {
            const QString number = CallStore::ourNumber(call);
            Error e = makeError(ErrorKind::Configuration, u"flow.unknown_branch"_s,
                                tr("The called number %1 belongs to no active branch").arg(number.isEmpty() ? tr("(none)") : number));
            auto set = store.setOutcome(run->callId, u"failed"_s, u"configuration"_s, e.message);
            if (!set) {
                retryLater(run, set.error());
                return;
            }
            step(run, timeline::branchNotFound(number));
            finish(run, JobOutcome::failed(e));
            return;
        }
        run->branch = *branch;
        run->zone = QTimeZone(branch->timeZone.toUtf8());
        if (!run->zone.isValid())
            run->zone = QTimeZone(QByteArrayLiteral("Europe/Berlin"));

        const QString callStatus = jsonString(call, "call_status");
        if (eventType == u"call_ended"_s || eventType == u"call_analyzed"_s) {
            if (callStatus != u"not_connected"_s) {
                const qint64 at = jsonInt(call, "end_timestamp", nowMs());
                auto usage = store.recordCallUsage(run->callId, branch->companyId, branch->id, at);
                if (!usage) {
                    retryLater(run, usage.error());
                    return;
                }
            }
        }
    }

    if (eventType == u"call_started"_s) {
        finish(run, JobOutcome::done());
        return;
    }
    if (!request) {
        auto stored = store.storedRequest(run->callId);
        if (stored && *stored)
            request = *stored; // an earlier event or the live function brought it
    }
    if (request) {
        run->request = *request;
        step(run, timeline::requestReceived(request->service, request->date, request->time));
        book(run);
        return;
    }
    if (eventType == u"call_ended"_s && jsonString(call, "call_status") != u"not_connected"_s) {
        step(run, timeline::awaitingAnalysis());
        finish(run, JobOutcome::done());
        return;
    }
    auto set = store.setOutcome(run->callId, u"no_request"_s);
    if (!set) {
        retryLater(run, set.error());
        return;
    }
    step(run, timeline::noRequest());
    finish(run, JobOutcome::done());
}

void CallProcessor::retryBooking(qint64 callId, bool lastAttempt, JobDone done)
{
    auto run = std::make_shared<Run>();
    run->callId = callId;
    run->lastAttempt = lastAttempt;
    run->done = std::move(done);
    Segment segment(*this, run);
    // May write a new reservation that the booking request then relies on.
    if (auto opened = openUnit(run, Durability::Full); !opened) {
        retryLater(run, opened.error());
        return;
    }
    CallStore store(m_db);
    auto branch = store.branchOfCall(callId);
    auto request = store.storedRequest(callId);
    if (!branch || !request) {
        retryLater(run, !branch ? branch.error() : request.error());
        return;
    }
    if (!*branch) {
        fail(run, makeError(ErrorKind::Configuration, u"flow.unknown_branch"_s, tr("The call belongs to no active branch")),
             timeline::noBranch());
        return;
    }
    if (!*request) {
        fail(run, makeError(ErrorKind::Invalid, u"flow.no_request"_s, tr("The call holds no appointment request to book")),
             timeline::requestMissing());
        return;
    }
    run->branch = **branch;
    run->zone = QTimeZone(run->branch.timeZone.toUtf8());
    if (!run->zone.isValid())
        run->zone = QTimeZone(QByteArrayLiteral("Europe/Berlin"));
    run->request = **request;
    auto q = m_db.exec(u"SELECT retell_call_id, COALESCE(customer_id, 0), "_s + CallParties::otherNumberSql(QString()) + u" "
                       "FROM calls WHERE id = ?"_s, {callId});
    if (!q || !q->next()) {
        retryLater(run, q ? makeError(ErrorKind::NotFound, u"flow.call"_s, tr("The call is gone")) : q.error());
        return;
    }
    run->retellCallId = q->value(0).toString();
    run->customerId = q->value(1).toLongLong();
    run->customerPhone = q->value(2).toString();
    q->finish();
    step(run, timeline::bookingRetried());
    book(run);
}

void CallProcessor::book(const std::shared_ptr<Run> &run)
{
    CallStore store(m_db);
    // A call whose upsert, in this unit, saw no appointment has none to look up.
    auto existing = run->noAppointmentYet ? Result<std::optional<AppointmentState>>(std::nullopt) : store.appointmentForCall(run->callId);
    run->noAppointmentYet = false;
    if (!existing) {
        retryLater(run, existing.error());
        return;
    }
    if (*existing && (*existing)->status != u"pending"_s) {
        step(run, timeline::alreadyBooked());
        auto set = store.setOutcome(run->callId, u"booked"_s);
        Q_UNUSED(set);
        finish(run, JobOutcome::done());
        return;
    }
    if (*existing) {
        // A reservation of an earlier attempt. Free to take over once that attempt ended with an answer
        // (sync_state 'failed') or its lease ran out; taken over, Cal.com is asked for its booking first.
        const AppointmentState &reservation = **existing;
        const qint64 now = nowMs();
        const qint64 lease = reservationLeaseMs(m_endpoints);
        const qint64 staleBefore = now - lease;
        const bool free = reservation.syncState == u"failed"_s || reservation.updatedAt < staleBefore;
        auto taken = free ? store.takeOverReservation(reservation.id, staleBefore) : Result<bool>(false);
        if (!taken) {
            retryLater(run, taken.error());
            return;
        }
        if (!*taken) {
            waitForLease(run, free ? 500 : reservation.updatedAt + lease - now + 250);
            return;
        }
        run->appointmentId = reservation.id;
        run->adoptReservation = true;
        run->holdsReservation = true;
        run->leaseAt = now;
    }

    auto service = store.findService(run->branch.companyId, run->request.service, run->branch.id);
    if (!service) {
        retryLater(run, service.error());
        return;
    }
    if (!*service) {
        fail(run,
             makeError(ErrorKind::Configuration, u"flow.unknown_service"_s,
                       tr("No service of this company matches \"%1\"").arg(run->request.service)),
             timeline::serviceNotFound(run->request.service));
        return;
    }
    run->service = **service;
    if (!run->service.eventTypeId) {
        fail(run,
             makeError(ErrorKind::Configuration, u"flow.no_event_type"_s,
                       tr("No Cal.com event type is mapped to \"%1\" at branch %2").arg(run->service.name, run->branch.name)),
             timeline::noEventType(run->service.name, run->branch.name));
        return;
    }
    run->eventTypeId = *run->service.eventTypeId;
    auto staff = store.staffByPreference(run->branch.companyId, run->request.staffPreference);
    if (staff)
        run->staffId = *staff;
    auto credential = m_credentials.get(run->branch.companyId, u"calcom"_s);
    if (!credential) {
        fail(run, credential.error());
        return;
    }
    const QUrl base = credential->baseUrl.isEmpty() ? m_endpoints.calcom : QUrl(credential->baseUrl);
    run->calcom = std::make_unique<CalcomClient>(m_network, base, credential->secret, m_endpoints.timeoutMs);

    if (!run->request.hasSlot()) {
        needsCallback(run, {}, TimelineCode::NoTimeNamed, tr("The caller named no date and time"));
        return;
    }
    run->desired = QDateTime(run->request.date, run->request.time, run->zone).toUTC();
    if (run->adoptReservation)
        findEarlierBooking(run);
    else
        loadSlots(run);
}

void CallProcessor::findEarlierBooking(const std::shared_ptr<Run> &run, int skip)
{
    // A reservation left by an attempt that died after asking Cal.com, or got no usable answer: that
    // booking may exist. It carries this call's id in its metadata and the attendee name we sent; pages
    // are walked to the end.
    if (auto committed = commitUnit(run); !committed) {
        retryLater(run, committed.error());
        return;
    }
    constexpr int page = 100;
    const QDateTime from = run->desired.addDays(-1);
    const QDateTime to = run->desired.addDays(8);
    JsonReply *reply = run->calcom->bookings(run->eventTypeId, from, to, attendeeName(run), skip, page);
    connect(reply, &JsonReply::finished, this, [this, run, skip](const JsonResult &result) {
        Segment segment(*this, run);
        // The reservation exists already: nothing in this stretch needs a durable commit.
        if (auto opened = openUnit(run, Durability::Relaxed); !opened) {
            retryLater(run, opened.error());
            return;
        }
        if (!result) {
            if (result.error().isTransient())
                retryLater(run, result.error());
            else
                fail(run, result.error());
            return;
        }
        const Json list = result->is_array() ? *result : result->value("bookings", Json::array());
        for (const Json &booking : list) {
            const Json metadata = booking.value("metadata", Json::object());
            if (jsonString(metadata, "askpro_call_id") == run->retellCallId && jsonString(booking, "status") != u"cancelled"_s) {
                step(run, timeline::foundEarlierBooking());
                confirm(run, booking);
                return;
            }
        }
        if (int(list.size()) >= page) {
            findEarlierBooking(run, skip + page);
            return;
        }
        loadSlots(run);
    });
}

QString CallProcessor::attendeeName(const std::shared_ptr<Run> &run)
{
    return run->request.customerName.isEmpty() ? run->customerPhone : run->request.customerName;
}

void CallProcessor::loadSlots(const std::shared_ptr<Run> &run)
{
    SlotCache cache(m_db, m_slotTtlMs);
    const QDate first = run->desired.toTimeZone(run->zone).date();
    auto cached = cache.freeSlots(run->eventTypeId, first, 7);
    if (cached && *cached) {
        step(run, timeline::slotsFromCache());
        choose(run, **cached);
        return;
    }
    if (auto committed = commitUnit(run); !committed) {
        retryLater(run, committed.error());
        return;
    }
    JsonReply *reply = run->calcom->freeSlots(run->eventTypeId, first, first.addDays(7), run->zone.id() == "UTC" ? u"UTC"_s
                                                                                                                  : QString::fromUtf8(run->zone.id()));
    connect(reply, &JsonReply::finished, this, [this, run, first](const JsonResult &result) {
        Segment segment(*this, run);
        // Without a reservation yet, this stretch may write one: durable before the booking request.
        if (auto opened = openUnit(run, run->appointmentId == 0 ? Durability::Full : Durability::Relaxed); !opened) {
            retryLater(run, opened.error());
            return;
        }
        if (!result) {
            if (result.error().isTransient())
                retryLater(run, result.error());
            else
                fail(run, result.error());
            return;
        }
        const QList<QDateTime> free = CalcomClient::freeSlotStarts(*result);
        SlotCache cache(m_db, m_slotTtlMs);
        for (int i = 0; i < 7; ++i) {
            const QDate day = first.addDays(i);
            QList<QDateTime> ofDay;
            for (const QDateTime &s : free)
                if (s.toTimeZone(run->zone).date() == day)
                    ofDay.append(s);
            auto stored = cache.store(run->eventTypeId, day, ofDay);
            Q_UNUSED(stored);
        }
        step(run, timeline::slotsFetched(int(free.size())));
        choose(run, free);
    });
}

void CallProcessor::choose(const std::shared_ptr<Run> &run, QList<QDateTime> free)
{
    const QDateTime earliest = QDateTime::currentDateTimeUtc().addSecs(5 * 60);
    free.erase(std::remove_if(free.begin(), free.end(), [&](const QDateTime &t) { return t < earliest; }), free.end());
    // Cal.com's schedules may be wider than the branch's own hours (or miss a holiday): the branch decides.
    auto hours = OpeningHours::load(m_db, run->branch.id, run->zone, run->desired.toTimeZone(run->zone).date().addDays(-1));
    if (!hours) {
        retryLater(run, hours.error());
        return;
    }
    const int minutes = run->service.durationMinutes;
    free.erase(std::remove_if(free.begin(), free.end(), [&](const QDateTime &t) { return !hours->fits(t, minutes); }), free.end());
    if (free.contains(run->desired)) {
        run->candidates = {run->desired};
    } else {
        QList<QDateTime> nearest = free;
        const qint64 wanted = run->desired.toMSecsSinceEpoch();
        std::sort(nearest.begin(), nearest.end(), [wanted](const QDateTime &a, const QDateTime &b) {
            return qAbs(a.toMSecsSinceEpoch() - wanted) < qAbs(b.toMSecsSinceEpoch() - wanted);
        });
        run->alternatives = nearest.mid(0, 3);
        if (run->alternatives.isEmpty()) {
            needsCallback(run, {}, TimelineCode::NoFreeSlot, tr("No free slot in the 7 days from the requested date"));
            return;
        }
        if (!run->request.agreedToAlternatives) {
            needsCallback(run, run->alternatives, TimelineCode::AlternativesDeclined,
                          tr("The requested time is not free and the caller did not agree to another"));
            return;
        }
        run->candidates = run->alternatives;
        step(run, timeline::alternativeAgreed());
    }
    if (run->appointmentId == 0) {
        // The unit writing this was opened with Durability::Full: committed before Cal.com hears of it.
        auto reserved = CallStore(m_db).reserveAppointment(run->callId, run->branch, run->customerId, run->service.id, run->staffId,
                                                           run->candidates.first(), run->service.durationMinutes, run->request.notes);
        if (!reserved) {
            retryLater(run, reserved.error());
            return;
        }
        if (!*reserved) {
            // Another path reserved for this call a moment ago: look again shortly, then follow its lease.
            waitForLease(run, 500);
            return;
        }
        run->appointmentId = **reserved;
        run->holdsReservation = true;
        run->leaseAt = nowMs();
    }
    createBooking(run);
}

void CallProcessor::createBooking(const std::shared_ptr<Run> &run)
{
    // An attempt that has held the lease a while (a lookup, slots, an earlier refusal) starts it again, so
    // no second path takes over while this request is under way.
    if (run->holdsReservation && nowMs() - run->leaseAt > 5000) {
        auto renewed = CallStore(m_db).renewLease(run->appointmentId);
        if (!renewed) {
            retryLater(run, renewed.error());
            return;
        }
        run->leaseAt = nowMs();
    }
    if (auto committed = commitUnit(run); !committed) {
        retryLater(run, committed.error());
        return;
    }
    CalcomBookingRequest request;
    request.eventTypeId = run->eventTypeId;
    request.start = run->candidates.first();
    request.lengthMinutes = run->service.durationMinutes;
    request.name = attendeeName(run);
    request.email = run->request.customerEmail;
    request.phone = run->customerPhone;
    request.timeZone = QString::fromUtf8(run->zone.id());
    request.language = run->branch.language;
    request.metadata = {{u"askpro_call_id"_s, run->retellCallId}, {u"askpro_appointment_id"_s, QString::number(run->appointmentId)}};
    run->requestUnanswered = false;
    JsonReply *reply = run->calcom->createBooking(request);
    connect(reply, &JsonReply::finished, this, [this, run](const JsonResult &result) {
        Segment segment(*this, run);
        if (auto opened = openUnit(run, Durability::Relaxed); !opened) {
            // The reservation stays under its lease: the next attempt looks for this booking first.
            run->holdsReservation = false;
            retryLater(run, opened.error());
            return;
        }
        if (result) {
            confirm(run, *result);
            return;
        }
        const Error &error = result.error();
        if (error.kind == ErrorKind::Rejected) {
            const QDateTime taken = run->candidates.takeFirst();
            step(run, timeline::calcomRefused(taken, error, run->zone));
            auto forgotten = SlotCache(m_db, m_slotTtlMs).invalidate(run->eventTypeId, taken.toTimeZone(run->zone).date());
            Q_UNUSED(forgotten);
            if (run->adoptReservation && !run->lookedAfterRefusal) {
                // The earlier attempt's request may have landed after the lookup and taken this very slot:
                // look once more before telling anyone the slot is gone.
                run->lookedAfterRefusal = true;
                findEarlierBooking(run);
                return;
            }
            run->alternatives.removeAll(taken);
            if (run->request.agreedToAlternatives && !run->candidates.isEmpty()) {
                createBooking(run);
                return;
            }
            needsCallback(run, run->alternatives, TimelineCode::SlotTaken, tr("The slot was taken before it could be booked"));
            return;
        }
        if (error.isTransient()) {
            // The booking may have gone through before the answer was lost: the reservation stays, so the
            // next attempt asks Cal.com for it before booking again. Without any answer the request may
            // even land later, so the lease runs on and the next attempt waits for it (leave()).
            run->requestUnanswered = error.httpStatus == 0;
            retryLater(run, error);
            return;
        }
        auto released = CallStore(m_db).releaseReservation(run->appointmentId);
        Q_UNUSED(released);
        run->holdsReservation = false;
        run->appointmentId = 0;
        fail(run, error);
    });
}

void CallProcessor::confirm(const std::shared_ptr<Run> &run, const Json &booking)
{
    const QString uid = jsonString(booking, "uid");
    const QDateTime start = QDateTime::fromString(jsonString(booking, "start"), Qt::ISODateWithMs).toUTC();
    QDateTime end = QDateTime::fromString(jsonString(booking, "end"), Qt::ISODateWithMs).toUTC();
    if (uid.isEmpty() || !start.isValid()) {
        fail(run, makeError(ErrorKind::Rejected, u"calcom.bad_booking"_s, tr("Cal.com answered the booking without uid or start")),
             timeline::calcomBadAnswer());
        return;
    }
    if (!end.isValid() || end <= start)
        end = start.addSecs(qint64(run->service.durationMinutes) * 60);

    // All of it or nothing (a half-confirmed call would never get its usage row or its mail): the unit
    // is rolled back on any failure, and the next attempt finds the booking through its metadata.
    CallStore store(m_db);
    Status status = run->unit && run->unit->isOpen() ? Status() : openUnit(run, Durability::Relaxed);
    if (status)
        status = store.confirmAppointment(run->appointmentId, uid, jsonInt(booking, "id"), start.toMSecsSinceEpoch(), end.toMSecsSinceEpoch());
    if (status)
        status = store.setOutcome(run->callId, u"booked"_s);
    if (status)
        status = store.recordAppointmentUsage(run->appointmentId, run->branch.companyId, run->branch.id, nowMs());
    if (status) {
        step(run, timeline::calcomBooked(start, uid, run->zone));
    }
    // The customer's choice: 'none' gets no message at all; 'sms' gets the e-mail only if the SMS cannot be
    // delivered, so it is recorded as standby (the SMS row records its own reason).
    bool wantsEmail = !run->request.customerEmail.isEmpty();
    bool standby = false;
    if (status && wantsEmail && run->customerId > 0) {
        auto preference = m_db.scalar(u"SELECT preferred_channel FROM customers WHERE id = ?"_s, {run->customerId});
        if (!preference)
            status = preference.error();
        else {
            wantsEmail = preference->toString() != u"none"_s;
            standby = preference->toString() == u"sms"_s;
        }
    }
    if (status && wantsEmail) {
        auto details = m_db.exec(u"SELECT c.name, b.address, b.phone_e164 FROM branches b JOIN companies c ON c.id = b.company_id WHERE b.id = ?"_s,
                                 {run->branch.id});
        if (details && details->next()) {
            const ConfirmationDetails filled{run->branch.language, run->request.customerName, run->service.name, details->value(0).toString(),
                                             run->branch.name, details->value(1).toString(), PhoneNumbers::display(details->value(2).toString()),
                                             QString::fromUtf8(run->zone.id()), start, int(start.secsTo(end) / 60),
                                             u"appointment-%1"_s.arg(run->appointmentId)};
            details->finish();
            auto composed = MessageTemplates(m_db).compose(run->branch.companyId, u"confirmation"_s, u"email"_s, filled);
            if (composed) {
                Notification mail;
                mail.companyId = run->branch.companyId;
                mail.callId = run->callId;
                mail.appointmentId = run->appointmentId;
                mail.kind = u"confirmation"_s;
                mail.dedupeKey = u"confirmation:%1"_s.arg(run->appointmentId);
                mail.recipient = run->request.customerEmail;
                mail.language = run->branch.language;
                mail.subject = composed->subject;
                mail.body = composed->body;
                mail.attachmentName = u"termin.ics"_s;
                mail.attachmentType = u"text/calendar"_s;
                mail.attachment = composed->ics;
                // Kept back for a customer who prefers SMS: MessageOutbox::useEmailInstead queues it if the SMS cannot go.
                if (standby)
                    mail.skipReason = u"standby"_s;
                auto queued = NotificationQueue(m_db).record(mail, nowMs());
                if (!queued)
                    status = queued.error();
                else if (*queued && !standby)
                    step(run, timeline::confirmationQueued(run->request.customerEmail));
            } else {
                status = composed.error();
            }
        } else {
            status = details ? Status(makeError(ErrorKind::NotFound, u"flow.branch"_s, tr("The branch is gone"))) : Status(details.error());
        }
    }
    if (status)
        status = queueSmsConfirmation(run, start, end, uid);
    if (status)
        status = SlotCache(m_db, m_slotTtlMs).take(run->eventTypeId, start.toTimeZone(run->zone).date(), start);
    if (!status) {
        if (run->unit)
            run->unit->rollback();
        run->unit.reset();
        run->events.clear(); // they told of a booking that is not stored
        // Cal.com answered, so the booking is there to be found: retryLater() hands the reservation on
        // for the next attempt to take over at once and find it by its metadata.
        retryLater(run, status.error());
        return;
    }
    run->holdsReservation = false;
    qCInfo(lcFlow) << "call" << run->retellCallId << "booked" << uid;
    finish(run, JobOutcome::done());
}

// Who gets an SMS about this call, and in which language: the customer's number for messages, else the caller's,
// when it is a mobile number and the customer has not opted out. A number that gets none still gets a row, with
// the reason, so support sees why (landline, opted_out, preference, no_number, no_credentials).
Result<CallProcessor::SmsRecipient> CallProcessor::smsRecipient(const std::shared_ptr<Run> &run)
{
    auto q = m_db.exec(u"SELECT c.name, b.address, b.phone_e164, COALESCE(cu.message_phone_e164, ''), COALESCE(cu.sms_opt_out, 0), "
                       "COALESCE(cu.preferred_channel, 'auto'), COALESCE(cu.language, ''), COALESCE(cu.email, '') "
                       "FROM branches b JOIN companies c ON c.id = b.company_id LEFT JOIN customers cu ON cu.id = ? WHERE b.id = ?"_s,
                       {run->customerId > 0 ? QVariant(run->customerId) : Database::null(), run->branch.id});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"flow.branch"_s, tr("The branch is gone"));
    SmsRecipient r;
    r.companyName = q->value(0).toString();
    r.address = q->value(1).toString();
    r.branchPhone = q->value(2).toString();
    const QString messageNumber = q->value(3).toString();
    const bool optedOut = q->value(4).toInt() != 0;
    const QString preference = q->value(5).toString();
    const QString customerLanguage = q->value(6).toString();
    r.email = run->request.customerEmail.isEmpty() ? q->value(7).toString() : run->request.customerEmail;
    r.wantsNothing = preference == u"none"_s;
    q->finish();
    r.number = messageNumber.isEmpty() ? run->customerPhone : messageNumber;
    if (preference == u"email"_s || preference == u"none"_s)
        r.skipReason = u"preference"_s;
    else if (r.number.isEmpty())
        r.skipReason = u"no_number"_s;
    else if (!PhoneNumbers::canReceiveSms(r.number))
        r.skipReason = u"landline"_s;
    else if (optedOut)
        r.skipReason = u"opted_out"_s;
    else if (auto credential = m_credentials.get(run->branch.companyId, u"twilio"_s); !credential) {
        // Only a credential that is not there means "no SMS for this company". Any other error (a busy database,
        // a stored key that cannot be opened) is not a decision about this message: it is queued, and its send
        // job meets the error again, retries it or shows it on the row.
        if (credential.error().code == u"credentials.missing"_s)
            r.skipReason = u"no_credentials"_s;
        else
            qCWarning(lcFlow) << "call" << run->retellCallId << ": the Twilio credential cannot be read now:" << credential.error().describe();
    }
    r.language = customerLanguage == u"en"_s || customerLanguage == u"de"_s ? customerLanguage : run->branch.language;
    return r;
}

// Records one SMS of this call (queued with its send job, or skipped with the recipient's reason) under its dedupe
// key, once. Returns whether it was recorded now and skipped.
Result<bool> CallProcessor::recordSms(const std::shared_ptr<Run> &run, const SmsRecipient &to, const QString &kind, const QString &dedupeKey,
                                      const QString &text, qint64 appointmentId)
{
    Notification sms;
    sms.companyId = run->branch.companyId;
    sms.callId = run->callId;
    sms.appointmentId = appointmentId;
    sms.kind = kind;
    sms.channel = u"sms"_s;
    sms.dedupeKey = dedupeKey;
    sms.recipient = to.number;
    sms.language = to.language;
    sms.body = text;
    sms.skipReason = to.skipReason;
    auto recorded = NotificationQueue(m_db).record(sms, nowMs());
    if (!recorded)
        return recorded.error();
    return recorded->has_value() && !to.skipReason.isEmpty();
}

// The SMS beside the e-mail confirmation.
Status CallProcessor::queueSmsConfirmation(const std::shared_ptr<Run> &run, const QDateTime &start, const QDateTime &end,
                                           const QString &uid)
{
    auto to = smsRecipient(run);
    if (!to)
        return to.error();
    auto text = MessageTemplates(m_db).compose(run->branch.companyId, u"confirmation"_s, u"sms"_s,
                                               {to->language, run->request.customerName, run->service.name, to->companyName, run->branch.name,
                                                to->address, PhoneNumbers::display(to->branchPhone), QString::fromUtf8(run->zone.id()), start,
                                                int(start.secsTo(end) / 60), uid});
    if (!text)
        return text.error();
    auto skipped = recordSms(run, *to, u"confirmation"_s, u"confirmation-sms:%1"_s.arg(run->appointmentId), text->body, run->appointmentId);
    if (!skipped)
        return skipped.error();
    if (*skipped) {
        // No SMS can go: the e-mail kept back for a customer who prefers SMS goes instead.
        auto instead = MessageOutbox(m_db).useEmailInstead(run->appointmentId);
        if (!instead)
            return instead.error();
        if (!instead->isEmpty())
            step(run, timeline::emailInstead(*instead));
    }
    return {};
}

// "We will call you back": the caller asked for an appointment that could not be booked, so they hear that the
// branch calls back, and on which number they can call again: by SMS, or by e-mail when no SMS can reach them and
// they gave an address. Its send job skips it when the call was booked or resolved by support before it went
// (NotificationSender::noLongerWanted), e.g. after the quiet hours.
Status CallProcessor::queueCallbackNotice(const std::shared_ptr<Run> &run)
{
    auto to = smsRecipient(run);
    if (!to)
        return to.error();
    ConfirmationDetails details;
    details.language = to->language;
    details.customerName = run->request.customerName;
    details.serviceName = run->service.name;
    details.companyName = to->companyName;
    details.branchName = run->branch.name;
    details.branchAddress = to->address;
    details.branchPhone = PhoneNumbers::display(to->branchPhone);
    details.timeZone = QString::fromUtf8(run->zone.id());
    MessageTemplates texts(m_db);
    auto text = texts.compose(run->branch.companyId, u"callback"_s, u"sms"_s, details);
    if (!text)
        return text.error();
    auto skipped = recordSms(run, *to, u"callback"_s, u"callback-sms:%1"_s.arg(run->callId), text->body, 0);
    if (!skipped)
        return skipped.error();
    if (!*skipped || to->email.isEmpty() || to->wantsNothing)
        return {};
    auto message = texts.compose(run->branch.companyId, u"callback"_s, u"email"_s, details);
    if (!message)
        return message.error();
    Notification mail;
    mail.companyId = run->branch.companyId;
    mail.callId = run->callId;
    mail.kind = u"callback"_s;
    mail.dedupeKey = u"callback-email:%1"_s.arg(run->callId);
    mail.recipient = to->email;
    mail.language = to->language;
    mail.subject = message->subject;
    mail.body = message->body;
    auto recorded = NotificationQueue(m_db).record(mail, nowMs());
    return recorded ? Status() : Status(recorded.error());
}

void CallProcessor::needsCallback(const std::shared_ptr<Run> &run, const QList<QDateTime> &alternatives, TimelineCode why,
                                  const QString &reason)
{
    auto opened = openUnit(run, Durability::Relaxed);
    Q_UNUSED(opened);
    CallStore store(m_db);
    if (run->appointmentId > 0) {
        auto released = store.releaseReservation(run->appointmentId);
        Q_UNUSED(released);
        run->appointmentId = 0;
        run->holdsReservation = false;
    } else {
        // Only the attempt that holds the call's reservation, or one that finds none, decides a callback. Another
        // event of the same call (call_ended and call_analyzed both carry the request) may be booking it: then the
        // slot this attempt found taken may be the one it took. Its reservation was committed before Cal.com heard
        // of it, so it is seen here; this attempt follows it and ends as booked, or decides once it is released.
        auto other = store.appointmentForCall(run->callId);
        if (!other) {
            retryLater(run, other.error());
            return;
        }
        if (*other && (*other)->status != u"pending"_s) {
            step(run, timeline::alreadyBooked());
            auto set = store.setOutcome(run->callId, u"booked"_s);
            Q_UNUSED(set);
            finish(run, JobOutcome::done());
            return;
        }
        if (*other) {
            waitForLease(run, 500);
            return;
        }
    }
    Status set = store.setOutcome(run->callId, u"needs_callback"_s, QString(), reason, alternativesJson(alternatives, run->zone));
    // Another event of the same call (call_ended and call_analyzed both carry the request) may have booked it
    // meanwhile; then the slot it took is the one this attempt found taken, and the call needs no callback.
    auto now = set ? store.outcome(run->callId) : Result<QString>(set.error());
    if (now && *now == u"booked"_s) {
        step(run, timeline::alreadyBooked());
        finish(run, JobOutcome::done());
        return;
    }
    if (now)
        set = queueCallbackNotice(run);
    else
        set = now.error();
    if (!set) {
        retryLater(run, set.error());
        return;
    }
    step(run, timeline::needsCallback(why, alternatives, run->zone));
    finish(run, JobOutcome::done());
}

} // namespace askpro
