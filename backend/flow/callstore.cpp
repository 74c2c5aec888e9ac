// SQL of the call flow. Every statement is prepared; merges use ON CONFLICT so retries are harmless.
#include "flow/callstore.h"

#include "billing/usagerollup.h"
#include "core/clock.h"
#include "db/database.h"
#include "domain/phonenumbers.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QVariant nullableId(qint64 id)
{
    return id > 0 ? QVariant(id) : Database::null();
}

QVariant nullableMs(qint64 ms)
{
    return ms > 0 ? QVariant(ms) : Database::null();
}

// Numbers are stored in E.164 where they parse, as given otherwise (anonymous callers, SIP URIs).
QString storedNumber(const QString &raw)
{
    auto e164 = PhoneNumbers::toE164(raw);
    return e164 ? *e164 : raw.trimmed();
}

Status done(const Result<QSqlQuery> &q)
{
    if (!q)
        return q.error();
    return {};
}

} // namespace

CallStore::CallStore(Database &db) : m_db(db) {}

bool CallStore::outbound(const Json &call)
{
    return jsonString(call, "direction") == u"outbound"_s;
}

QString CallStore::ourNumber(const Json &call)
{
    return jsonString(call, outbound(call) ? "from_number" : "to_number");
}

QString CallStore::otherNumber(const Json &call)
{
    return jsonString(call, outbound(call) ? "to_number" : "from_number");
}

Result<std::optional<BranchInfo>> CallStore::activeBranchForNumber(const QString &e164, const std::optional<SignerScope> &scope)
{
    auto q = m_db.exec(u"SELECT id, company_id, name, time_zone, language FROM branches WHERE phone_e164 = ? AND active = 1"_s
                           + (scope ? u" AND "_s + scope->sql : QString()),
                       QVariantList{e164} + (scope ? scope->params : QVariantList()));
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<BranchInfo>();
    return std::optional<BranchInfo>(BranchInfo{q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toString(),
                                                q->value(3).toString(), q->value(4).toString()});
}

Result<QString> CallStore::foreignToScope(const QString &retellCallId, const QString &agentId, const QString &numberE164,
                                         const SignerScope &scope)
{
    // One round trip; "NOT scope" is what the signer may not act for.
    const QString outside = u" AND NOT "_s + scope.sql;
    auto q = m_db.exec(u"SELECT 'call' FROM calls WHERE retell_call_id = ? AND company_id IS NOT NULL"_s + outside
                           + u" UNION ALL SELECT 'agent' FROM branches WHERE retell_agent_id = ? AND retell_agent_id <> ''"_s + outside
                           + u" UNION ALL SELECT 'number' FROM branches WHERE phone_e164 = ? AND active = 1"_s + outside,
                       QVariantList{retellCallId} + scope.params + QVariantList{agentId} + scope.params + QVariantList{numberE164}
                           + scope.params);
    if (!q)
        return q.error();
    QString what;
    if (q->next())
        what = q->value(0).toString();
    q->finish();
    return what;
}

Result<std::optional<BranchInfo>> CallStore::branchOfCall(qint64 callId)
{
    auto q = m_db.exec(u"SELECT b.id, b.company_id, b.name, b.time_zone, b.language FROM calls c JOIN branches b ON b.id = c.branch_id "
                       "WHERE c.id = ?"_s,
                       {callId});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<BranchInfo>();
    return std::optional<BranchInfo>(BranchInfo{q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toString(),
                                                q->value(3).toString(), q->value(4).toString()});
}

Result<bool> CallStore::isTestCall(const Json &call, const std::optional<BranchInfo> &branch, qint64 atMs)
{
    if (!branch)
        return false;
    const QString callId = jsonString(call, "call_id");
    if (callId.isEmpty())
        return false;
    // A later event of a call that already consumed a window of this branch (retries and call_ended after
    // call_started land here, possibly after the window's end).
    auto known = m_db.scalar(u"SELECT COUNT(*) FROM test_call_windows WHERE branch_id = ? AND matched_call_id = ?"_s, {branch->id, callId});
    if (!known)
        return known.error();
    if (known->toLongLong() > 0)
        return true;

    const qint64 now = nowMs();
    // Within the window by the call's own start, or by when it reaches us (a start Retell reports late or early).
    const QString open = u"branch_id = ? AND matched_call_id IS NULL "
                         "AND ((opens_at <= ? AND closes_at >= ?) OR (opens_at <= ? AND closes_at >= ?))"_s;
    const QVariantList openParams{branch->id, atMs, atMs, now, now};
    // The first matching call consumes the window in one statement, so two calls racing for it cannot both win.
    const auto consume = [&](const QString &how, const QVariantList &params) -> Result<qint64> {
        auto q = m_db.exec(u"UPDATE test_call_windows SET matched_call_id = ? WHERE id = (SELECT id FROM test_call_windows WHERE "_s + open
                               + u" AND "_s + how + u" ORDER BY id LIMIT 1) AND matched_call_id IS NULL RETURNING id"_s,
                           QVariantList{callId} + openParams + params);
        if (!q)
            return q.error();
        const qint64 id = q->next() ? q->value(0).toLongLong() : 0;
        q->finish();
        return id;
    };
    const auto audit = [&](const QString &action, qint64 windowId, const QString &how) -> Status {
        const Json after{{"retell_call_id", callId.toStdString()}, {"branch_id", branch->id}, {"by", how.toStdString()}};
        auto q = m_db.exec(u"INSERT INTO audit_log (at, company_id, actor, action, entity, entity_id, before_json, after_json) "
                           "VALUES (?, ?, 'call-flow', ?, 'test_call_window', ?, '', ?)"_s,
                           {now, branch->companyId, action, windowId > 0 ? QVariant(windowId) : Database::null(),
                            QString::fromStdString(after.dump())});
        return done(q);
    };

    // A test call the setup placed brings back the nonce its window holds. Only the server knows it, so no
    // caller can make a call free by writing a marker into its metadata; a nonce already used is refused.
    const Json metadata = call.value("metadata", Json::object());
    if (metadata.is_object() && metadata.contains("askpro_test_call")) {
        const Json &marker = metadata["askpro_test_call"];
        const QString nonce = marker.is_string() ? QString::fromStdString(marker.get<std::string>()) : QString();
        qint64 window = 0;
        if (!nonce.isEmpty()) {
            auto consumed = consume(u"nonce = ?"_s, {nonce});
            if (!consumed)
                return consumed.error();
            window = *consumed;
        }
        if (window > 0) {
            if (auto written = audit(u"test_call.recognised"_s, window, u"nonce"_s); !written)
                return written.error();
            return true;
        }
        // Refused once per call: its later events (and Retell's retries) carry the same marker.
        auto stored = m_db.scalar(u"SELECT COUNT(*) FROM calls WHERE retell_call_id = ?"_s, {callId});
        if (!stored)
            return stored.error();
        if (stored->toLongLong() == 0) {
            if (auto written = audit(u"test_call.marker_refused"_s, 0, u"nonce"_s); !written)
                return written.error();
        }
        return false;
    }
    // The operator's own phone calling the branch (or called by it) while the setup waits for a live test call.
    auto other = PhoneNumbers::toE164(otherNumber(call));
    if (!other)
        return false;
    // A call the operator's phone began before the window opened is an ordinary call, whenever it reaches us.
    auto consumed = consume(u"nonce IS NULL AND caller_e164 = ? AND opens_at <= ?"_s, {*other, atMs});
    if (!consumed)
        return consumed.error();
    if (*consumed <= 0)
        return false;
    if (auto written = audit(u"test_call.recognised"_s, *consumed, u"caller"_s); !written)
        return written.error();
    return true;
}

Result<StoredCall> CallStore::upsertCall(const Json &call, const std::optional<BranchInfo> &branch, std::optional<qint64> customerId,
                                         const std::optional<AppointmentRequest> &request)
{
    const qint64 now = nowMs();
    const auto analysis = call.contains("call_analysis") && call["call_analysis"].is_object() ? call["call_analysis"] : Json::object();
    const auto cost = call.contains("call_cost") && call["call_cost"].is_object() ? call["call_cost"] : Json::object();
    const QString transcriptJson = call.contains("transcript_object") ? QString::fromStdString(call["transcript_object"].dump()) : QString();
    QVariant successful = Database::null();
    if (analysis.contains("call_successful") && analysis["call_successful"].is_boolean())
        successful = analysis["call_successful"].get<bool>() ? 1 : 0;
    const qint64 started = jsonInt(call, "start_timestamp");
    const qint64 ended = jsonInt(call, "end_timestamp");
    qint64 duration = jsonInt(call, "duration_ms");
    if (duration <= 0 && started > 0 && ended > started)
        duration = ended - started;

    auto test = isTestCall(call, branch, started > 0 ? started : now);
    if (!test)
        return test.error();

    auto q = m_db.exec(
        u"INSERT INTO calls (retell_call_id, company_id, branch_id, agent_id, call_type, direction, from_number, to_number, "
        "started_at, ended_at, duration_ms, call_status, disconnection_reason, transcript, transcript_json, recording_url, summary, "
        "sentiment, call_successful, cost_cents, raw_payload, customer_id, appointment_requested, request_json, created_at, updated_at, "
        "test_call) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (retell_call_id) DO UPDATE SET "
        "test_call = CASE WHEN excluded.test_call = 1 THEN 1 ELSE calls.test_call END, "
        "company_id = COALESCE(excluded.company_id, calls.company_id), branch_id = COALESCE(excluded.branch_id, calls.branch_id), "
        "customer_id = COALESCE(excluded.customer_id, calls.customer_id), "
        "appointment_requested = CASE WHEN excluded.appointment_requested = 1 THEN 1 ELSE calls.appointment_requested END, "
        "request_json = CASE WHEN excluded.appointment_requested = 1 THEN excluded.request_json ELSE calls.request_json END, "
        "agent_id = CASE WHEN excluded.agent_id <> '' THEN excluded.agent_id ELSE calls.agent_id END, "
        "from_number = CASE WHEN excluded.from_number <> '' THEN excluded.from_number ELSE calls.from_number END, "
        "to_number = CASE WHEN excluded.to_number <> '' THEN excluded.to_number ELSE calls.to_number END, "
        "started_at = COALESCE(excluded.started_at, calls.started_at), ended_at = COALESCE(excluded.ended_at, calls.ended_at), "
        "duration_ms = CASE WHEN excluded.duration_ms > 0 THEN excluded.duration_ms ELSE calls.duration_ms END, "
        "call_status = CASE WHEN calls.call_status IN ('ended', 'error', 'not_connected') AND excluded.call_status IN ('registered', 'ongoing') "
        "THEN calls.call_status WHEN excluded.call_status <> '' THEN excluded.call_status ELSE calls.call_status END, "
        "disconnection_reason = CASE WHEN excluded.disconnection_reason <> '' THEN excluded.disconnection_reason ELSE calls.disconnection_reason END, "
        "transcript = CASE WHEN length(excluded.transcript) > length(calls.transcript) THEN excluded.transcript ELSE calls.transcript END, "
        "transcript_json = CASE WHEN length(excluded.transcript_json) > length(calls.transcript_json) THEN excluded.transcript_json ELSE calls.transcript_json END, "
        "recording_url = CASE WHEN excluded.recording_url <> '' THEN excluded.recording_url ELSE calls.recording_url END, "
        "summary = CASE WHEN excluded.summary <> '' THEN excluded.summary ELSE calls.summary END, "
        "sentiment = CASE WHEN excluded.sentiment <> '' THEN excluded.sentiment ELSE calls.sentiment END, "
        "call_successful = COALESCE(excluded.call_successful, calls.call_successful), "
        "cost_cents = CASE WHEN excluded.cost_cents > 0 THEN excluded.cost_cents ELSE calls.cost_cents END, "
        "raw_payload = CASE WHEN length(excluded.raw_payload) >= length(calls.raw_payload) THEN excluded.raw_payload ELSE calls.raw_payload END, "
        "updated_at = excluded.updated_at "
        "RETURNING id, (SELECT COUNT(*) FROM appointments AS a WHERE a.call_id = calls.id), test_call"_s,
        {jsonString(call, "call_id"), branch ? QVariant(branch->companyId) : Database::null(),
         branch ? QVariant(branch->id) : Database::null(), jsonString(call, "agent_id"),
         jsonString(call, "call_type").isEmpty() ? u"phone_call"_s : jsonString(call, "call_type"),
         jsonString(call, "direction").isEmpty() ? u"inbound"_s : jsonString(call, "direction"),
         storedNumber(jsonString(call, "from_number")), storedNumber(jsonString(call, "to_number")), nullableMs(started),
         nullableMs(ended), duration, jsonString(call, "call_status"), jsonString(call, "disconnection_reason"),
         jsonString(call, "transcript"), transcriptJson, jsonString(call, "recording_url"), jsonString(analysis, "call_summary"),
         jsonString(analysis, "user_sentiment"), successful, jsonInt(cost, "combined_cost"), QString::fromStdString(call.dump()),
         customerId ? QVariant(*customerId) : Database::null(), request ? 1 : 0,
         request ? QString::fromStdString(request->toJson().dump()) : QString(), now, now, *test ? 1 : 0});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::Internal, u"calls.upsert"_s, u"Storing the call returned no row"_s);
    StoredCall stored{q->value(0).toLongLong(), q->value(1).toInt(), q->value(2).toInt() != 0};
    q->finish(); // SQLite: the RETURNING statement must be done before the caller commits
    return stored;
}

Result<qint64> CallStore::upsertCustomer(qint64 companyId, const QString &phoneE164, const QString &name, const QString &email,
                                         const QString &language)
{
    const qint64 now = nowMs();
    auto q = m_db.exec(u"INSERT INTO customers (company_id, phone_e164, name, email, language, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (company_id, phone_e164) DO UPDATE SET "
                       "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE customers.name END, "
                       "email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE customers.email END, "
                       "language = CASE WHEN customers.language = '' THEN excluded.language ELSE customers.language END, "
                       "updated_at = excluded.updated_at RETURNING id"_s,
                       {companyId, phoneE164, name, email, language, now, now});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::Internal, u"customers.upsert"_s, u"Storing the customer returned no row"_s);
    return q->value(0).toLongLong();
}


Result<std::optional<AppointmentRequest>> CallStore::storedRequest(qint64 callId)
{
    auto v = m_db.scalar(u"SELECT request_json FROM calls WHERE id = ? AND appointment_requested = 1"_s, {callId});
    if (!v)
        return v.error();
    if (v->isNull() || v->toString().isEmpty())
        return std::optional<AppointmentRequest>();
    return AppointmentRequest::fromFields(Json::parse(v->toString().toStdString(), nullptr, false));
}

Status CallStore::setOutcome(qint64 callId, const QString &outcome, const QString &failureKind, const QString &reason,
                             const Json &alternatives)
{
    return done(m_db.exec(u"UPDATE calls SET outcome = ?, failure_kind = ?, failure_reason = ?, alternatives_json = ?, updated_at = ? "
                          "WHERE id = ? AND (outcome <> 'booked' OR ? = 'booked')"_s,
                          {outcome, failureKind, reason, alternatives.is_null() ? QString() : QString::fromStdString(alternatives.dump()),
                           nowMs(), callId, outcome}));
}

Result<QString> CallStore::outcome(qint64 callId)
{
    auto v = m_db.scalar(u"SELECT outcome FROM calls WHERE id = ?"_s, {callId});
    if (!v)
        return v.error();
    return v->toString();
}

Status CallStore::addEvent(qint64 callId, const TimelineEntry &entry)
{
    return addEvents(callId, {entry});
}

Status CallStore::addEvents(qint64 callId, const QList<TimelineEntry> &entries)
{
    // At most a few rows per statement, so the statement texts (and prepared statements) stay few.
    constexpr qsizetype perStatement = 4;
    constexpr qsizetype columns = 7;
    for (qsizetype from = 0; from < entries.size(); from += perStatement) {
        const qsizetype rows = qMin(perStatement, entries.size() - from);
        QString sql = u"INSERT INTO call_events (call_id, at, step, status, code, args, message) VALUES (?, ?, ?, ?, ?, ?, ?)"_s;
        for (qsizetype i = 1; i < rows; ++i)
            sql += u", (?, ?, ?, ?, ?, ?, ?)"_s;
        QVariantList params;
        params.reserve(rows * columns);
        for (qsizetype i = from; i < from + rows; ++i) {
            const TimelineEntry &e = entries.at(i);
            params << callId << (e.atMs > 0 ? e.atMs : nowMs()) << e.step << e.status << e.codeName() << e.argsText() << e.message;
        }
        auto inserted = done(m_db.exec(sql, params));
        if (!inserted)
            return inserted;
    }
    return {};
}

Status CallStore::recordCallUsage(qint64 callId, qint64 companyId, qint64 branchId, qint64 atMs)
{
    auto test = m_db.scalar(u"SELECT test_call FROM calls WHERE id = ?"_s, {callId});
    if (!test)
        return test.error();
    if (test->toInt() != 0)
        return {}; // test calls are never billed
    return UsageRollup(m_db).recordCall(callId, companyId, branchId, atMs); // the usage row and its day total
}

Status CallStore::recordAppointmentUsage(qint64 appointmentId, qint64 companyId, qint64 branchId, qint64 atMs)
{
    auto test = m_db.scalar(u"SELECT COUNT(*) FROM appointments a JOIN calls c ON c.id = a.call_id WHERE a.id = ? AND c.test_call = 1"_s,
                            {appointmentId});
    if (!test)
        return test.error();
    if (test->toLongLong() > 0)
        return {}; // booked by a test call: not billed
    return UsageRollup(m_db).recordAppointment(appointmentId, companyId, branchId, atMs);
}

Result<std::optional<ServiceInfo>> CallStore::findService(qint64 companyId, const QString &name, qint64 branchId)
{
    // Exact name first; then a service whose name holds the caller's words, or the other way round
    // ("30 Min Beratung bitte"); with no name given, the company's only service.
    const QString wanted = name.trimmed();
    auto q = m_db.exec(u"SELECT s.id, s.name, s.duration_minutes, CASE WHEN lower(s.name) = lower(?) THEN 0 "
                       "WHEN ? <> '' AND lower(s.name) LIKE ? ESCAPE '\\' THEN 1 "
                       "WHEN ? <> '' AND lower(?) LIKE '%' || lower(s.name) || '%' THEN 2 ELSE 3 END AS rank, m.calcom_event_type_id "
                       "FROM services s LEFT JOIN event_type_mappings m ON m.service_id = s.id AND m.branch_id = ? "
                       "WHERE s.company_id = ? AND s.active = 1 ORDER BY rank, s.id"_s,
                       {wanted, wanted, Database::containsPattern(wanted), wanted, wanted, branchId, companyId});
    if (!q)
        return q.error();
    QList<ServiceInfo> services;
    int bestRank = 3;
    while (q->next()) {
        if (services.isEmpty())
            bestRank = q->value(3).toInt();
        services.append({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toInt(),
                         q->value(4).isNull() ? std::nullopt : std::optional<qint64>(q->value(4).toLongLong())});
    }
    if (!services.isEmpty() && (bestRank < 3 || services.size() == 1 || wanted.isEmpty()))
        return std::optional<ServiceInfo>(services.first());
    return std::optional<ServiceInfo>();
}

Result<std::optional<qint64>> CallStore::eventTypeFor(qint64 branchId, qint64 serviceId)
{
    auto v = m_db.scalar(u"SELECT calcom_event_type_id FROM event_type_mappings WHERE branch_id = ? AND service_id = ?"_s,
                         {branchId, serviceId});
    if (!v)
        return v.error();
    if (v->isNull())
        return std::optional<qint64>();
    return std::optional<qint64>(v->toLongLong());
}

Result<std::optional<qint64>> CallStore::staffByPreference(qint64 companyId, const QString &preference)
{
    if (preference.trimmed().isEmpty())
        return std::optional<qint64>();
    auto v = m_db.scalar(u"SELECT MIN(id) FROM staff WHERE company_id = ? AND active = 1 AND lower(name) LIKE ? ESCAPE '\\'"_s,
                         {companyId, Database::containsPattern(preference)});
    if (!v)
        return v.error();
    if (v->isNull())
        return std::optional<qint64>();
    return std::optional<qint64>(v->toLongLong());
}

Result<std::optional<AppointmentState>> CallStore::appointmentForCall(qint64 callId)
{
    auto q = m_db.exec(u"SELECT id, status, sync_state, updated_at, starts_at FROM appointments WHERE call_id = ?"_s, {callId});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<AppointmentState>();
    return std::optional<AppointmentState>(AppointmentState{q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toString(),
                                                            q->value(3).toLongLong(), q->value(4).toLongLong()});
}

Result<std::optional<qint64>> CallStore::reserveAppointment(qint64 callId, const BranchInfo &branch, qint64 customerId,
                                                            qint64 serviceId, std::optional<qint64> staffId, const QDateTime &start,
                                                            int minutes, const QString &notes)
{
    const qint64 now = nowMs();
    const qint64 startMs = start.toMSecsSinceEpoch();
    auto q = m_db.exec(u"INSERT INTO appointments (company_id, branch_id, customer_id, staff_id, service_id, call_id, starts_at, ends_at, "
                       "status, sync_state, source, notes, created_at, updated_at, changed_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 'pending', 'phone', ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING RETURNING id"_s,
                       {branch.companyId, branch.id, nullableId(customerId), staffId ? QVariant(*staffId) : Database::null(),
                        serviceId, callId, startMs, startMs + qint64(minutes) * 60000, notes, now, now, now});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<qint64>();
    return std::optional<qint64>(q->value(0).toLongLong());
}

Result<bool> CallStore::takeOverReservation(qint64 appointmentId, qint64 staleBeforeMs)
{
    // One statement: of two attempts taking over at once, exactly one sees its row change.
    auto q = m_db.exec(u"UPDATE appointments SET sync_state = 'pending', updated_at = ? WHERE id = ? AND status = 'pending' "
                       "AND (sync_state = 'failed' OR updated_at < ?) RETURNING id"_s,
                       {nowMs(), appointmentId, staleBeforeMs});
    if (!q)
        return q.error();
    return q->next();
}

Status CallStore::renewLease(qint64 appointmentId)
{
    return done(m_db.exec(u"UPDATE appointments SET updated_at = ? WHERE id = ? AND status = 'pending'"_s, {nowMs(), appointmentId}));
}

Status CallStore::leaveReservation(qint64 appointmentId, const QString &error, bool requestUnanswered)
{
    return done(m_db.exec(u"UPDATE appointments SET sync_state = ?, sync_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'"_s,
                          {requestUnanswered ? u"pending"_s : u"failed"_s, error, nowMs(), appointmentId}));
}

Status CallStore::confirmAppointment(qint64 appointmentId, const QString &uid, qint64 bookingId, qint64 startsAt, qint64 endsAt)
{
    return done(m_db.exec(u"UPDATE appointments SET status = 'booked', sync_state = 'synced', sync_error = '', calcom_booking_uid = ?, "
                          "calcom_booking_id = ?, starts_at = ?, ends_at = ?, updated_at = ?, changed_at = ? WHERE id = ?"_s,
                          {uid, nullableId(bookingId), startsAt, endsAt, nowMs(), nowMs(), appointmentId}));
}

Status CallStore::releaseReservation(qint64 appointmentId)
{
    return done(m_db.exec(u"DELETE FROM appointments WHERE id = ? AND status = 'pending'"_s, {appointmentId}));
}

} // namespace askpro
