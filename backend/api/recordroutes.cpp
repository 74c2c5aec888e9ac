// Appointments, invoices, the directory's companies and the audit log: lists filtered in SQL within the
// caller's company scope, and single records that answer 404 outside it.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "billing/billingquery.h"
#include "db/database.h"
#include "queries/appointmentquery.h"
#include "queries/auditquery.h"
#include "queries/directoryquery.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

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
                {"customer_email", d.customerEmail.toStdString()},
                {"call_id", id(d.callId)},
                {"call_started_at", d.callStartedAt > 0 ? Json(d.callStartedAt) : Json(nullptr)},
                {"call_outcome", d.callOutcome.toStdString()},
                {"notes", d.notes.toStdString()},
                {"cancellation_reason", d.cancellationReason.toStdString()}};
}

Qt::SortOrder orderOf(const QString &order)
{
    return order == u"desc"_s ? Qt::DescendingOrder : Qt::AscendingOrder;
}

Result<ApiReply> page(Result<QSqlQuery> query, int limit)
{
    if (!query)
        return query.error();
    bool more = false;
    Json items = jsonRows(*query, limit, more);
    return ApiReply::json(Json{{"items", items}, {"truncated", more}});
}

} // namespace

QList<ApiRoute> recordRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/appointments"_s, A::Permission, Permission::ViewAppointments, IdScope::None, false,
                   u"Appointments by tab, status, branch and text, sorted on the server"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       AppointmentFilter filter;
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       filter.companyId = *company;
                       auto tab = r.oneOf(u"tab"_s, {u"all"_s, u"upcoming"_s, u"past"_s, u"cancelled"_s}, u"all"_s);
                       auto status = r.oneOf(u"status"_s, {u"booked"_s, u"cancelled"_s, u"rescheduled"_s, u"no_show"_s, u"completed"_s, u"pending"_s});
                       auto branch = r.integer(u"branch_id"_s, 0, 0, std::numeric_limits<qint64>::max());
                       auto from = r.integer(u"from"_s, 0, 0, std::numeric_limits<qint64>::max());
                       auto to = r.integer(u"to"_s, 0, 0, std::numeric_limits<qint64>::max());
                       auto order = r.oneOf(u"order"_s, {u"asc"_s, u"desc"_s}, u"asc"_s);
                       auto limit = r.integer(u"limit"_s, 256, 1, 1000);
                       for (const Status &check : {tab ? Status() : tab.error(), status ? Status() : status.error(), branch ? Status() : branch.error(),
                                                   from ? Status() : from.error(), to ? Status() : to.error(), order ? Status() : order.error(),
                                                   limit ? Status() : limit.error()}) {
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
                       filter.fromMs = *from;
                       filter.toMs = *to;
                       filter.text = r.text(u"q"_s).trimmed();
                       return page(AppointmentQuery::browse(db, filter, AppointmentQuery::StartsAt, orderOf(*order)), int(*limit));
                   }});
    routes.append({"GET", u"/api/v1/appointments/{appointmentId}"_s, A::Permission, Permission::ViewAppointments, IdScope::Company, false,
                   u"One appointment with its customer and the call that booked it"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"appointmentId"_s);
                       if (!id)
                           return id.error();
                       if (auto inScope = requireInScope(db, u"appointments"_s, *id, r.actor.companyId); !inScope)
                           return inScope.error();
                       auto detail = AppointmentQuery::detail(db, *id);
                       if (!detail)
                           return detail.error();
                       if (!*detail)
                           return makeError(ErrorKind::NotFound, u"appointments.missing"_s, AdminApi::tr("No such record."));
                       return ApiReply::json(appointmentJson(**detail));
                   }});
    routes.append({"GET", u"/api/v1/invoices"_s, A::Permission, Permission::ViewBilling, IdScope::None, false,
                   u"Invoices and credit notes by status, period and text"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       InvoiceFilter filter;
                       auto company = r.companyScope();
                       if (!company)
                           return company.error();
                       filter.companyId = *company;
                       auto status = r.oneOf(u"status"_s, {u"draft"_s, u"open"_s, u"paid"_s, u"overdue"_s, u"failed"_s, u"credit_note"_s});
                       auto limit = r.integer(u"limit"_s, 256, 1, 1000);
                       if (!status)
                           return status.error();
                       if (!limit)
                           return limit.error();
                       filter.status = *status;
                       filter.text = r.text(u"q"_s).trimmed();
                       return page(BillingQuery::browse(db, r.actor, filter, BillingQuery::Number, Qt::DescendingOrder), int(*limit));
                   }});
    routes.append({"GET", u"/api/v1/companies"_s, A::Permission, Permission::ViewDirectory, IdScope::None, false,
                   u"Every company by name"_s, [&db](const ApiRequest &) -> Result<ApiReply> {
                       auto companies = DirectoryQuery::companies(db);
                       if (!companies)
                           return companies.error();
                       Json items = Json::array();
                       for (const NamedItem &company : *companies)
                           items.push_back(Json{{"id", company.id}, {"name", company.name.toStdString()}, {"active", company.active}});
                       return ApiReply::json(Json{{"items", items}});
                   }});
    routes.append({"GET", u"/api/v1/audit"_s, A::Permission, Permission::ViewAudit, IdScope::None, false,
                   u"The audit log, newest first, by actor, action group and text"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       AuditFilter filter;
                       filter.actor = r.text(u"actor"_s);
                       filter.actionGroup = r.text(u"group"_s);
                       filter.text = r.text(u"q"_s);
                       auto limit = r.integer(u"limit"_s, 256, 1, 1000);
                       if (!limit)
                           return limit.error();
                       return page(AuditQuery::browse(db, r.actor, filter, u"UTC"_s), int(*limit));
                   }});
    return routes;
}

} // namespace askpro
