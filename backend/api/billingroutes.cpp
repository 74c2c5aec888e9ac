// Billing: the invoice list (keyset pages, filters in SQL), one invoice with its lines and payments, its PDF and
// XML, the actions resend / mark paid / credit note, the month preview, the reconciliation and the usage series.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "billing/billingquery.h"
#include "billing/einvoicexml.h"
#include "billing/invoicedocument.h"
#include "billing/invoicegenerator.h"
#include "billing/invoicemailer.h"
#include "config/serverconfig.h"
#include "core/clock.h"
#include "db/database.h"

#include <QCoreApplication>

#include <limits>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr qint64 maxId = std::numeric_limits<qint64>::max();

// The sort parameter's names, in BillingQuery::Column order; the fields of a list item likewise.
const QStringList sortNames{u"id"_s, u"number"_s, u"company"_s, u"period_start"_s, u"gross_cents"_s, u"status"_s, u"issued_at"_s, u"due_at"_s, u"kind"_s};
const std::vector<const char *> fieldNames{"id", "number", "company", "period_start", "gross_cents", "status", "issued_at", "due_at", "kind"};

Error invalid(const QString &name, const QString &expected)
{
    return makeError(ErrorKind::Invalid, u"parameter."_s + name, AdminApi::tr("Parameter %1: %2.").arg(name, expected));
}

// A calendar day (yyyy-MM-dd) of the query; fallback when absent.
Result<QDate> dayParameter(const ApiRequest &r, const QString &name, QDate fallback)
{
    if (!r.query.hasQueryItem(name))
        return fallback;
    const QDate day = QDate::fromString(r.text(name), Qt::ISODate);
    if (!day.isValid())
        return invalid(name, AdminApi::tr("a date as yyyy-MM-dd is expected"));
    return day;
}

// A month (yyyy-MM) of the query as its first day; fallback when absent.
Result<QDate> monthParameter(const ApiRequest &r, const QString &name, QDate fallback)
{
    if (!r.query.hasQueryItem(name))
        return fallback;
    const QDate month = QDate::fromString(r.text(name), u"yyyy-MM"_s);
    if (!month.isValid())
        return invalid(name, AdminApi::tr("a month as yyyy-MM is expected"));
    return month;
}

Json partyJson(const PartyInfo &p)
{
    return Json{{"name", p.name.toStdString()},       {"address", p.address.toStdString()}, {"vat_id", p.vatId.toStdString()},
                {"tax_number", p.taxNumber.toStdString()}, {"email", p.email.toStdString()},    {"country", p.country.toStdString()}};
}

Json linesJson(const QList<InvoiceLine> &lines)
{
    Json out = Json::array();
    for (const InvoiceLine &l : lines)
        out.push_back(Json{{"position", l.position},
                           {"kind", l.kind.toStdString()},
                           {"description", l.description.toStdString()},
                           {"quantity", l.quantity},
                           {"unit_price_cents", l.unitPriceCents},
                           {"amount_cents", l.amountCents}});
    return out;
}

// What the list shows as status: a credit note is one, an open invoice past its due date is overdue.
QString effectiveStatus(const InvoiceDocument &doc, qint64 now)
{
    if (doc.isCreditNote())
        return u"credit_note"_s;
    if (doc.status == u"open"_s && doc.dueAt > 0 && doc.dueAt < now)
        return u"overdue"_s;
    return doc.status;
}

// The invoice of a path within the caller's scope (decided in SQL before anything is loaded).
Result<InvoiceDocument> scopedInvoice(Database &db, const ApiRequest &r)
{
    auto id = scopedId(db, r, u"invoices"_s, u"invoiceId"_s);
    if (!id)
        return id.error();
    return InvoiceDocument::load(db, *id);
}

Result<ApiReply> detailReply(Database &db, const Actor &actor, qint64 invoiceId)
{
    auto doc = InvoiceDocument::load(db, invoiceId);
    if (!doc)
        return doc.error();
    auto payments = BillingQuery::payments(db, actor, invoiceId);
    if (!payments)
        return payments.error();
    Json paymentRows = Json::array();
    for (const PaymentRow &p : *payments)
        paymentRows.push_back(Json{{"at", p.at},
                                   {"kind", p.kind.toStdString()},
                                   {"amount_cents", p.amountCents},
                                   {"reason", p.reason.toStdString()},
                                   {"stripe_event_id", p.stripeEventId.toStdString()}});
    const auto optional = [](qint64 value) { return value > 0 ? Json(value) : Json(nullptr); };
    return ApiReply::json(Json{{"id", doc->id},
                               {"company_id", doc->companyId},
                               {"kind", doc->kind.toStdString()},
                               {"number", doc->number.toStdString()},
                               {"status", effectiveStatus(*doc, nowMs()).toStdString()},
                               {"stored_status", doc->status.toStdString()},
                               {"language", doc->language.toStdString()},
                               {"currency", doc->currency.toStdString()},
                               {"period_start", doc->periodStart},
                               {"period_end", doc->periodEnd},
                               {"period_first_day", doc->periodFirstDay().toString(Qt::ISODate).toStdString()},
                               {"period_last_day", doc->periodLastDay().toString(Qt::ISODate).toStdString()},
                               {"issued_at", optional(doc->issuedAt)},
                               {"due_at", optional(doc->dueAt)},
                               {"vat_rate_bp", doc->vatRateBp},
                               {"net_cents", doc->netCents},
                               {"vat_cents", doc->vatCents},
                               {"gross_cents", doc->grossCents},
                               {"corrects_number", doc->correctsNumber.toStdString()},
                               {"note", doc->note.toStdString()},
                               {"seller", partyJson(doc->seller)},
                               {"buyer", partyJson(doc->buyer)},
                               {"seller_iban", doc->sellerIban.toStdString()},
                               {"lines", linesJson(doc->lines)},
                               {"payments", paymentRows},
                               {"pdf_file_name", InvoiceMailer::fileName(*doc, u"pdf"_s).toStdString()},
                               {"xml_file_name", InvoiceMailer::fileName(*doc, u"xml"_s).toStdString()}});
}

Result<QByteArray> renderPdf(const ServerConfig &config, const InvoiceDocument &doc)
{
    // The server renders PDFs only where it runs with QtGui (askpro-server serve); see ServerConfig::invoicePdf.
    if (!config.invoicePdf)
        return makeError(ErrorKind::Configuration, u"invoices.no_pdf"_s, AdminApi::tr("This server cannot render invoice PDFs."));
    return config.invoicePdf(doc);
}

} // namespace

QList<ApiRoute> billingRoutes(const ApiContext &context)
{
    Database &db = context.db;
    const ServerConfig &config = context.config;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/invoices"_s, A::Permission, Permission::ViewBilling, IdScope::None, false,
                   u"A page of invoices and credit notes by company, status, period and text, sorted on the server; next is the cursor of the following page"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       InvoiceFilter filter;
                       auto company = r.companyScope();
                       auto status = r.oneOf(u"status"_s, {u"draft"_s, u"open"_s, u"paid"_s, u"overdue"_s, u"failed"_s, u"credit_note"_s});
                       auto from = r.integer(u"from"_s, 0, 0, maxId);
                       auto to = r.integer(u"to"_s, 0, 0, maxId);
                       auto paging = pageRequest(r, sortNames, u"number"_s, Qt::DescendingOrder);
                       for (const Status &check : {company ? Status() : company.error(), status ? Status() : status.error(),
                                                   from ? Status() : from.error(), to ? Status() : to.error(), paging ? Status() : paging.error()}) {
                           if (!check)
                               return check.error();
                       }
                       filter.companyId = *company;
                       filter.status = *status;
                       filter.fromMs = *from;
                       filter.toMs = *to;
                       filter.text = r.text(u"q"_s).trimmed();
                       auto page = BillingQuery::page(db, r.actor, filter, paging->sortColumn, paging->order, paging->after, paging->limit);
                       if (!page)
                           return page.error();
                       return pageReply(*page, fieldNames);
                   }});
    routes.append({"GET", u"/api/v1/invoices/{invoiceId}"_s, A::Permission, Permission::ViewBilling, IdScope::Company, false,
                   u"One invoice or credit note with its parties, lines, totals and payments"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto doc = scopedInvoice(db, r);
                       if (!doc)
                           return doc.error();
                       return detailReply(db, r.actor, doc->id);
                   }});
    routes.append({"GET", u"/api/v1/invoices/{invoiceId}/pdf"_s, A::Permission, Permission::ViewBilling, IdScope::Company, false,
                   u"The invoice as a PDF (PDF/A-3 with its e-invoice XML embedded)"_s, [&db, &config](const ApiRequest &r) -> Result<ApiReply> {
                       auto doc = scopedInvoice(db, r);
                       if (!doc)
                           return doc.error();
                       auto pdf = renderPdf(config, *doc);
                       if (!pdf)
                           return pdf.error();
                       return ApiReply{200, nullptr, *pdf, QByteArrayLiteral("application/pdf")};
                   }});
    routes.append({"GET", u"/api/v1/invoices/{invoiceId}/xml"_s, A::Permission, Permission::ViewBilling, IdScope::Company, false,
                   u"The invoice as an XRechnung / EN 16931 XML document"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto doc = scopedInvoice(db, r);
                       if (!doc)
                           return doc.error();
                       auto xml = EInvoiceXml::write(*doc);
                       if (!xml)
                           return xml.error();
                       return ApiReply{200, nullptr, *xml, QByteArrayLiteral("application/xml")};
                   }});
    routes.append({"POST", u"/api/v1/invoices/{invoiceId}/resend"_s, A::Permission, Permission::ManageBilling, IdScope::Company, false,
                   u"Queues the invoice's e-mail with its PDF to the company's billing address again; answers 202"_s,
                   [&db, &config](const ApiRequest &r) -> Result<ApiReply> {
                       auto doc = scopedInvoice(db, r);
                       if (!doc)
                           return doc.error();
                       auto pdf = renderPdf(config, *doc);
                       if (!pdf)
                           return pdf.error();
                       auto queued = InvoiceMailer(db).queue(*doc, *pdf, true);
                       if (!queued)
                           return queued.error();
                       return ApiReply::json(Json{{"id", doc->id}, {"number", doc->number.toStdString()}, {"to", doc->buyer.email.toStdString()}}, 202);
                   },
                   QByteArrayLiteral("{}")});
    routes.append({"POST", u"/api/v1/invoices/{invoiceId}/mark-paid"_s, A::Permission, Permission::ManageBilling, IdScope::Company, false,
                   u"Marks an open, failed or overdue invoice paid by hand with a reason (audited); answers the invoice"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto doc = scopedInvoice(db, r);
                       if (!doc)
                           return doc.error();
                       auto reason = r.bodyText("reason");
                       if (!reason)
                           return reason.error();
                       if (auto marked = BillingQuery::markPaidManually(db, doc->id, reason->trimmed(), r.actor); !marked)
                           return marked.error();
                       return detailReply(db, r.actor, doc->id);
                   },
                   QByteArrayLiteral(R"({"reason":"Bank transfer received"})")});
    routes.append({"POST", u"/api/v1/invoices/{invoiceId}/credit-note"_s, A::Permission, Permission::ManageBilling, IdScope::Company, false,
                   u"Reverses a finalized invoice in full with a credit note (numbered, pushed to Stripe and mailed); answers the credit note"_s,
                   [&db, &config](const ApiRequest &r) -> Result<ApiReply> {
                       auto doc = scopedInvoice(db, r);
                       if (!doc)
                           return doc.error();
                       auto reason = r.bodyText("reason");
                       if (!reason)
                           return reason.error();
                       auto note = InvoiceGenerator(db, config.seller).createCreditNote(doc->id, reason->trimmed(), r.actor);
                       if (!note)
                           return note.error();
                       return detailReply(db, r.actor, *note);
                   },
                   QByteArrayLiteral(R"({"reason":"Billed in error"})")});
    routes.append({"GET", u"/api/v1/billing/companies"_s, A::Permission, Permission::ViewBilling, IdScope::None, false,
                   u"The companies the caller's billing filters offer (a business account: its own)"_s, [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto companies = BillingQuery::companies(db, r.actor, r.actor.isScoped() ? r.actor.companyId : 0);
                       if (!companies)
                           return companies.error();
                       Json items = Json::array();
                       for (const auto &[id, name] : *companies)
                           items.push_back(Json{{"id", id}, {"name", name.toStdString()}});
                       return ApiReply::json(Json{{"items", items}});
                   }});
    routes.append({"GET", u"/api/v1/billing/preview"_s, A::Permission, Permission::ManageBilling, IdScope::None, false,
                   u"The invoices of a month (yyyy-MM, default this one) as they would be issued now; nothing is written"_s,
                   [&db, &config](const ApiRequest &r) -> Result<ApiReply> {
                       const QDate today = money::localDate(nowMs());
                       auto month = monthParameter(r, u"month"_s, QDate(today.year(), today.month(), 1));
                       if (!month)
                           return month.error();
                       auto plans = InvoiceGenerator(db, config.seller).previewMonth(*month);
                       if (!plans)
                           return plans.error();
                       Json items = Json::array();
                       for (const InvoicePlan &p : *plans)
                           items.push_back(Json{{"company_id", p.companyId},
                                                {"company", p.companyName.toStdString()},
                                                {"period_start", p.periodStart},
                                                {"period_end", p.periodEnd},
                                                {"lines", linesJson(p.lines)},
                                                {"net_cents", p.netCents},
                                                {"vat_cents", p.vatCents},
                                                {"gross_cents", p.grossCents},
                                                {"usage_rows", p.usageRows}});
                       return ApiReply::json(Json{{"month", month->toString(u"yyyy-MM"_s).toStdString()}, {"items", items}});
                   }});
    routes.append({"GET", u"/api/v1/billing/reconciliation"_s, A::Permission, Permission::ManageBilling, IdScope::None, false,
                   u"Calls and bookings against usage, usage against invoice lines, invoices against Stripe, for a month (yyyy-MM, default the last)"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       const QDate today = money::localDate(nowMs());
                       auto month = monthParameter(r, u"month"_s, QDate(today.year(), today.month(), 1).addMonths(-1));
                       if (!month)
                           return month.error();
                       const auto [start, end] = money::monthRange(month->year(), month->month());
                       auto issues = BillingQuery::reconcile(db, r.actor, start, end);
                       if (!issues)
                           return issues.error();
                       Json items = Json::array();
                       for (const ReconciliationIssue &i : *issues)
                           items.push_back(Json{{"company_id", i.companyId},
                                                {"company", i.companyName.toStdString()},
                                                {"invoice_id", i.invoiceId > 0 ? Json(i.invoiceId) : Json(nullptr)},
                                                {"invoice_number", i.invoiceNumber.toStdString()},
                                                {"check", i.check.toStdString()},
                                                {"expected", i.expected},
                                                {"actual", i.actual},
                                                {"detail", i.detail.toStdString()}});
                       return ApiReply::json(Json{{"month", month->toString(u"yyyy-MM"_s).toStdString()}, {"items", items}});
                   }});
    routes.append({"GET", u"/api/v1/usage"_s, A::Permission, Permission::ViewBilling, IdScope::None, false,
                   u"Calls and booked appointments per day and invoiced revenue per month (base fee and usage, cents) for [from, to]"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       const QDate today = money::localDate(nowMs());
                       auto company = r.companyScope();
                       auto from = dayParameter(r, u"from"_s, today.addDays(-89));
                       auto to = dayParameter(r, u"to"_s, today);
                       for (const Status &check : {company ? Status() : company.error(), from ? Status() : from.error(), to ? Status() : to.error()}) {
                           if (!check)
                               return check.error();
                       }
                       if (*to < *from || from->daysTo(*to) > 3 * 366)
                           return invalid(u"to"_s, AdminApi::tr("a day after from, at most three years later, is expected"));
                       auto daily = BillingQuery::dailyUsage(db, r.actor, *from, *to, *company);
                       if (!daily)
                           return daily.error();
                       auto revenue = BillingQuery::monthlyRevenue(db, r.actor, *from, *to, *company);
                       if (!revenue)
                           return revenue.error();
                       Json days = Json::array();
                       for (const DailyUsage &d : *daily)
                           days.push_back(Json{{"day", d.day.toString(Qt::ISODate).toStdString()}, {"calls", d.calls}, {"appointments", d.appointments}});
                       Json months = Json::array();
                       for (const MonthlyRevenue &m : *revenue)
                           months.push_back(Json{{"month", m.month.toString(u"yyyy-MM"_s).toStdString()},
                                                 {"base_cents", m.baseCents},
                                                 {"usage_cents", m.usageCents}});
                       return ApiReply::json(Json{{"from", from->toString(Qt::ISODate).toStdString()},
                                                  {"to", to->toString(Qt::ISODate).toStdString()},
                                                  {"days", days},
                                                  {"months", months}});
                   }});
    return routes;
}

} // namespace askpro
