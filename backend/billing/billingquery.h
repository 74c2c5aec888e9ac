// Billing reads for the admin app and owners: the invoice list (lazy, filtered in SQL), payment
// history, the payment success rate, the reconciliation report and the usage chart series;
// plus the one manual write, marking an invoice paid with a reason.
#pragma once

#include "core/result.h"
#include "security/accesspolicy.h"

#include <QDate>
#include <QList>
#include <QSqlQuery>
#include <QString>

#include <optional>

namespace askpro {

class Database;
struct CallCursor;
struct CallPage;

struct InvoiceFilter
{
    qint64 companyId = 0;
    QString status;    // draft | open | paid | overdue | failed | credit_note; empty: all
    qint64 fromMs = 0; // period_start >= fromMs when > 0
    qint64 toMs = 0;   // period_start < toMs when > 0
    QString text;      // number or company name
    qint64 nowMs = 0;  // what "overdue" is measured against; 0: now
};

struct PaymentRow
{
    qint64 at = 0;
    QString kind; // paid | failed | manual_paid | refunded
    qint64 amountCents = 0;
    QString reason;
    QString stripeEventId;
};

struct SuccessRate
{
    qint64 succeeded = 0; // paid and manual_paid
    qint64 failed = 0;
    [[nodiscard]] double percent() const { return succeeded + failed == 0 ? 100.0 : 100.0 * double(succeeded) / double(succeeded + failed); }
};

struct ReconciliationIssue
{
    qint64 companyId = 0;
    QString companyName;
    qint64 invoiceId = 0;  // 0: not tied to one invoice
    QString invoiceNumber;
    QString check;         // unbilled_call | unbilled_appointment | usage_not_invoiced | line_mismatch | not_in_stripe | stripe_total_mismatch
    qint64 expected = 0;
    qint64 actual = 0;
    QString detail;
};

struct DailyUsage
{
    QDate day;
    qint64 calls = 0;
    qint64 appointments = 0;
};

struct MonthlyRevenue
{
    QDate month;
    qint64 baseCents = 0;
    qint64 usageCents = 0;
};

class BillingQuery final
{
public:
    // Every read needs Permission::ViewBilling, markPaidManually ManageBilling.
    enum Column { Id, Number, Company, PeriodStart, Total, Status, IssuedAt, DueAt, Kind, ColumnCount };

    // Columns as in Column; Status is the effective one (overdue = open past its due date).
    [[nodiscard]] static Result<QSqlQuery> browse(Database &db, const Actor &reader, const InvoiceFilter &filter, int sortColumn = Number,
                                                  Qt::SortOrder order = Qt::DescendingOrder);
    // One page of browse()'s rows (Column order) after the cursor, by key, so a page costs the same deep down as
    // on top; the page's next cursor is none at the end. Number sorts by year and sequence.
    [[nodiscard]] static Result<CallPage> page(Database &db, const Actor &reader, const InvoiceFilter &filter, int sortColumn,
                                               Qt::SortOrder order, const std::optional<CallCursor> &after, int limit);
    [[nodiscard]] static Result<QList<PaymentRow>> payments(Database &db, const Actor &reader, qint64 invoiceId);
    // Payment outcomes recorded in [fromMs, toMs) (0: open), of one company when companyId > 0.
    [[nodiscard]] static Result<SuccessRate> paymentSuccessRate(Database &db, const Actor &reader, qint64 fromMs = 0, qint64 toMs = 0, qint64 companyId = 0);
    // Calls and booked appointments against usage rows, usage against invoice lines, invoices against
    // Stripe, for usage and invoices whose period starts in [fromMs, toMs).
    [[nodiscard]] static Result<QList<ReconciliationIssue>> reconcile(Database &db, const Actor &reader, qint64 fromMs, qint64 toMs);
    // Per local day in [from, to] (both inclusive), from usage rows; companyId 0: all companies.
    [[nodiscard]] static Result<QList<DailyUsage>> dailyUsage(Database &db, const Actor &reader, QDate from, QDate to, qint64 companyId = 0);
    // Invoiced revenue per service month (credit notes subtract), split into base fee and usage.
    [[nodiscard]] static Result<QList<MonthlyRevenue>> monthlyRevenue(Database &db, const Actor &reader, QDate from, QDate to, qint64 companyId = 0);
    // Active companies (id, name) for filters; only companyId's when it is > 0 (a business account's scope).
    [[nodiscard]] static Result<QList<std::pair<qint64, QString>>> companies(Database &db, const Actor &reader, qint64 companyId = 0);

    // Marks an open, failed or overdue invoice paid by hand: a payments row (manual_paid, reason)
    // and an audit_log row, in one transaction. Invalid without a reason; Conflict when already paid.
    [[nodiscard]] static askpro::Status markPaidManually(Database &db, qint64 invoiceId, const QString &reason, const Actor &actor);
};

} // namespace askpro
