// Appointments: the browser's pages (keyset paging, filters and sorts in SQL), one appointment, a branch's
// week for the calendar, the pickers' branches, staff and services, and the support actions cancel,
// reschedule and no-show, done by AppointmentService on the server with the server's Cal.com keys.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "core/clock.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "queries/appointmentquery.h"
#include "queries/directoryquery.h"
#include "security/credentialstore.h"
#include "support/appointmentservice.h"

#include <QCoreApplication>
#include <QDateTime>

#include <limits>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr qint64 maxId = std::numeric_limits<qint64>::max();
constexpr qint64 maxTime = 253402300799999; // 9999-12-31, so that from + a week cannot overflow

// The sort parameter's names, in AppointmentQuery::Column order; the fields of a list item likewise.
const QStringList sortNames{u"id"_s,       u"starts_at"_s, u"time_zone"_s, u"branch"_s,  u"staff"_s,
                            u"service"_s,  u"customer"_s,  u"status"_s,    u"sync_state"_s, u"call_id"_s};
const std::vector<const char *> fieldNames{"id", "starts_at", "time_zone", "branch", "staff", "service", "customer", "status", "sync_state", "call_id"};

Json appointmentJson(const AppointmentDetail &d)
{
    const auto id = [](qint64 value) { return value > 0 ? Json(value) : Json(nullptr); };
    return Json{{"id", d.id},
                {"company_id", id(d.companyId)},
                {"branch", d.branchName.toStdString()},
                {"time_zone", d.timeZone.toStdString()},
                {"starts_at", d.startsAt},
                {"ends_at", d.endsAt},
                {"status", d.status.toStdString()},
                {"sync_state", d.syncState.toStdString()},
                {"sync_error", d.syncError.toStdString()},
                {"booking_uid", d.bookingUid.toStdString()},
                {"service", d.serviceName.toStdString()},
                {"staff", d.staffName.toStdString()},
                {"customer_id", id(d.customerId)},
                {"customer", d.customerName.toStdString()},
                {"customer_phone", d.customerPhone.toStdString()},
                {"customer_phone_display", d.customerPhone.isEmpty() ? std::string() : PhoneNumbers::display(d.customerPhone).toStdString()},
                {"customer_email", d.customerEmail.toStdString()},
                {"call_id", id(d.callId)},
                {"call_started_at", d.callStartedAt > 0 ? Json(d.callStartedAt) : Json(nullptr)},
                {"call_outcome", d.callOutcome.toStdString()},
                {"notes", d.notes.toStdString()},
                {"cancellation_reason", d.cancellationReason.toStdString()}};
}

Json namedItems(const QList<NamedItem> &list, const char *parentField, bool withZone)
{
    Json items = Json::array();
    for (const NamedItem &item : list) {
        Json json{{"id", item.id}, {"name", item.name.toStdString()}, {"active", item.active}, {parentField, item.parentId}};
        if (withZone)
            json["time_zone"] = item.timeZone.toStdString();
        items.push_back(std::move(json));
    }
    return Json{{"items", items}};
}

// The appointment of a path within the caller's scope, read again after an action.
Result<AppointmentDetail> scopedAppointment(Database &db, const ApiRequest &r)
{
    auto id = scopedId(db, r, u"appointments"_s, u"appointmentId"_s);
    if (!id)
        return id.error();
    auto detail = AppointmentQuery::detail(db, *id);
    if (!detail)
        return detail.error();
    if (!*detail)
        return makeError(ErrorKind::NotFound, u"appointments.missing"_s, AdminApi::tr("No such record."));
    return **detail;
}

// After cancel or reschedule was handed to the service: the appointment as it stands now. Its sync_state says
// how it went so far: pending while Cal.com is asked, failed with sync_error when it was refused at once.
Result<ApiReply> acceptedReply(Database &db, qint64 id)
{
    auto detail = AppointmentQuery::detail(db, id);
    if (!detail)
        return detail.error();
    if (!*detail)
        return makeError(ErrorKind::NotFound, u"appointments.missing"_s, AdminApi::tr("No such record."));
    return ApiReply::json(appointmentJson(**detail), 202);
}

// A branch filter of a query: 0 for none; a branch outside the caller's company is "not found".
Result<qint64> scopedBranch(Database &db, const ApiRequest &r)
{
    auto branch = r.integer(u"branch_id"_s, 0, 0, maxId);
    if (!branch)
        return branch.error();
    if (*branch > 0) {
        if (auto inScope = requireInScope(db, u"branches"_s, *branch, r.actor.companyId); !inScope)
            return inScope.error();
    }
    return *branch;
}

} // namespace

QList<ApiRoute> appointmentRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;
    // One service for every request: it owns the network manager of the Cal.com calls still out. The credential
    // store outlives the routes (AskProServer owns both), hence the non-owning pointer.
    auto service = std::make_shared<AppointmentService>(context.sharedDb, std::shared_ptr<CredentialStore>(std::shared_ptr<CredentialStore>(), &context.credentials),
                                                        context.config.endpoints);

    routes.append({"GET", u"/api/v1/appointments"_s, A::Permission, Permission::ViewAppointments, IdScope::None, false,
                   u"A page of appointments by tab, status, branch, staff, service, period and text, sorted on the server; next is the cursor of the following page"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       AppointmentFilter filter;
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       filter.companyId = *company;
                       auto tab = r.oneOf(u"tab"_s, {u"all"_s, u"upcoming"_s, u"past"_s, u"cancelled"_s}, u"all"_s);
                       auto status = r.oneOf(u"status"_s, {u"booked"_s, u"cancelled"_s, u"rescheduled"_s, u"no_show"_s, u"completed"_s, u"pending"_s});
                       auto branch = scopedBranch(db, r);
                       auto staff = r.integer(u"staff_id"_s, 0, 0, maxId);
                       auto serviceId = r.integer(u"service_id"_s, 0, 0, maxId);
                       auto from = r.integer(u"from"_s, 0, 0, maxId);
                       auto to = r.integer(u"to"_s, 0, 0, maxId);
                       auto paging = pageRequest(r, sortNames, u"starts_at"_s, Qt::AscendingOrder);
                       for (const Status &check : {tab ? Status() : tab.error(), status ? Status() : status.error(), branch ? Status() : branch.error(),
                                                   staff ? Status() : staff.error(), serviceId ? Status() : serviceId.error(),
                                                   from ? Status() : from.error(), to ? Status() : to.error(), paging ? Status() : paging.error()}) {
                           if (!check)
                               return check.error();
                       }
                       static const QHash<QString, AppointmentFilter::Tab> tabs{{u"all"_s, AppointmentFilter::Tab::All},
                                                                                 {u"upcoming"_s, AppointmentFilter::Tab::Upcoming},
                                                                                 {u"past"_s, AppointmentFilter::Tab::Past},
                                                                                 {u"cancelled"_s, AppointmentFilter::Tab::Cancelled}};
                       filter.tab = tabs.value(*tab);
                       filter.status = *status;
                       filter.branchId = *branch;
                       filter.staffId = *staff;
                       filter.serviceId = *serviceId;
                       filter.fromMs = *from;
                       filter.toMs = *to;
                       filter.text = r.text(u"q"_s).trimmed();
                       auto page = AppointmentQuery::page(db, filter, paging->sortColumn, paging->order, paging->after, paging->limit);
                       if (!page)
                           return page.error();
                       return pageReply(*page, fieldNames);
                   }});
    routes.append({"GET", u"/api/v1/appointments/{appointmentId}"_s, A::Permission, Permission::ViewAppointments, IdScope::Company, false,
                   u"One appointment with its customer and the call that booked it"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto appointment = scopedAppointment(db, r);
                       if (!appointment)
                           return appointment.error();
                       return ApiReply::json(appointmentJson(*appointment));
                   }});
    routes.append({"POST", u"/api/v1/appointments/{appointmentId}/cancel"_s, A::Permission, Permission::ManageAppointments, IdScope::Company, false,
                   u"Cancels the booking at Cal.com (audited once Cal.com agreed); answers 202 with the appointment, whose sync_state tells the outcome"_s,
                   [&db, service](const ApiRequest &r) -> Result<ApiReply> {
                       auto appointment = scopedAppointment(db, r);
                       if (!appointment)
                           return appointment.error();
                       auto reason = r.bodyText("reason", false);
                       if (!reason)
                           return reason.error();
                       if (appointment->status == u"cancelled"_s)
                           return makeError(ErrorKind::Conflict, u"appointments.already_cancelled"_s, AdminApi::tr("The appointment is already cancelled."));
                       if (appointment->syncState == u"pending"_s && !appointment->bookingUid.isEmpty())
                           return makeError(ErrorKind::Conflict, u"appointments.busy"_s, AdminApi::tr("Cal.com is still being asked about this appointment."));
                       // The outcome is written to the appointment (and the audit log) when Cal.com answers.
                       (void)service->cancel(appointment->id, reason->trimmed(), r.actor);
                       return acceptedReply(db, appointment->id);
                   },
                   QByteArrayLiteral(R"({"reason":"Cancelled by phone"})")});
    routes.append({"POST", u"/api/v1/appointments/{appointmentId}/reschedule"_s, A::Permission, Permission::ManageAppointments, IdScope::Company, false,
                   u"Moves the booking at Cal.com to starts_at (UTC ms), keeping its length; answers 202 with the appointment, whose sync_state tells the outcome"_s,
                   [&db, service](const ApiRequest &r) -> Result<ApiReply> {
                       auto appointment = scopedAppointment(db, r);
                       if (!appointment)
                           return appointment.error();
                       auto reason = r.bodyText("reason", false);
                       if (!reason)
                           return reason.error();
                       if (!r.body.is_object() || !r.body.contains("starts_at") || !r.body["starts_at"].is_number_integer())
                           return makeError(ErrorKind::Invalid, u"parameter.starts_at"_s,
                                            AdminApi::tr("Parameter %1: %2.").arg(u"starts_at"_s, AdminApi::tr("the new start in UTC milliseconds")));
                       const qint64 startsAt = r.body["starts_at"].get<qint64>();
                       if (startsAt <= nowMs())
                           return makeError(ErrorKind::Invalid, u"parameter.starts_at"_s, AdminApi::tr("Choose a new time in the future."));
                       if (appointment->status == u"cancelled"_s)
                           return makeError(ErrorKind::Conflict, u"appointments.cancelled"_s, AdminApi::tr("A cancelled appointment cannot be moved."));
                       if (appointment->syncState == u"pending"_s && !appointment->bookingUid.isEmpty())
                           return makeError(ErrorKind::Conflict, u"appointments.busy"_s, AdminApi::tr("Cal.com is still being asked about this appointment."));
                       (void)service->reschedule(appointment->id, QDateTime::fromMSecsSinceEpoch(startsAt, Qt::UTC), reason->trimmed(), r.actor);
                       return acceptedReply(db, appointment->id);
                   },
                   QByteArrayLiteral(R"({"starts_at":4102480800000,"reason":"Rescheduled by phone"})")});
    routes.append({"POST", u"/api/v1/appointments/{appointmentId}/no-show"_s, A::Permission, Permission::ManageAppointments, IdScope::Company, false,
                   u"Marks an appointment that has started as a no-show (audited)"_s, [&db, service](const ApiRequest &r) -> Result<ApiReply> {
                       auto appointment = scopedAppointment(db, r);
                       if (!appointment)
                           return appointment.error();
                       if (auto marked = service->markNoShow(appointment->id, r.actor); !marked)
                           return marked.error();
                       auto detail = scopedAppointment(db, r);
                       if (!detail)
                           return detail.error();
                       return ApiReply::json(appointmentJson(*detail));
                   }});
    routes.append({"GET", u"/api/v1/calendar"_s, A::Permission, Permission::ViewAppointments, IdScope::None, false,
                   u"Appointments overlapping [from, to) of one branch (and staff member), for the week calendar"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       auto branch = scopedBranch(db, r);
                       if (!branch)
                           return branch.error();
                       auto staff = r.integer(u"staff_id"_s, 0, 0, maxId);
                       if (!staff)
                           return staff.error();
                       const qint64 now = nowMs();
                       auto from = r.integer(u"from"_s, now, 0, maxTime);
                       if (!from)
                           return from.error();
                       // A week and a day at most: a calendar week, however its days fall around a time change.
                       auto to = r.integer(u"to"_s, *from + 7 * 86400'000LL, *from + 1, *from + 8 * 86400'000LL);
                       if (!to)
                           return to.error();
                       auto entries = AppointmentQuery::range(db, *branch, *staff, *from, *to, *company);
                       if (!entries)
                           return entries.error();
                       Json items = Json::array();
                       for (const CalendarEntry &e : *entries)
                           items.push_back(Json{{"id", e.id},
                                                {"starts_at", e.startsAt},
                                                {"ends_at", e.endsAt},
                                                {"status", e.status.toStdString()},
                                                {"sync_state", e.syncState.toStdString()},
                                                {"customer", e.customerName.toStdString()},
                                                {"service", e.serviceName.toStdString()},
                                                {"staff", e.staffName.toStdString()}});
                       return ApiReply::json(Json{{"items", items}});
                   }});
    routes.append({"GET", u"/api/v1/branches"_s, A::Permission, Permission::ViewAppointments, IdScope::None, false,
                   u"The branches (with their time zones) of the caller's company, or of every company"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       auto branches = DirectoryQuery::branches(db, *company);
                       if (!branches)
                           return branches.error();
                       return ApiReply::json(namedItems(*branches, "company_id", true));
                   }});
    routes.append({"GET", u"/api/v1/staff"_s, A::Permission, Permission::ViewAppointments, IdScope::None, false,
                   u"Staff members of one branch (or every branch) within the caller's company"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       auto branch = scopedBranch(db, r);
                       if (!branch)
                           return branch.error();
                       auto staff = DirectoryQuery::staff(db, *branch, *company);
                       if (!staff)
                           return staff.error();
                       return ApiReply::json(namedItems(*staff, "branch_id", false));
                   }});
    routes.append({"GET", u"/api/v1/services"_s, A::Permission, Permission::ViewAppointments, IdScope::None, false,
                   u"Services of one branch's company (or every company in scope)"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       auto branch = scopedBranch(db, r);
                       if (!branch)
                           return branch.error();
                       qint64 companyId = *company;
                       if (*branch > 0) {
                           // The branch is in scope (checked above); its company's services are the ones booked there.
                           auto owner = db.scalar(u"SELECT company_id FROM branches WHERE id = ?"_s, {*branch});
                           if (!owner)
                               return owner.error();
                           companyId = owner->toLongLong();
                       }
                       auto services = DirectoryQuery::services(db, companyId);
                       if (!services)
                           return services.error();
                       return ApiReply::json(namedItems(*services, "company_id", false));
                   }});
    return routes;
}

} // namespace askpro
