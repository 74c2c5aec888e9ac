// Monthly invoices: base fee (prorated for a first partial month) plus usage grouped by kind and unit
// price, VAT on the net sum, a gapless number per year assigned in the transaction that finalizes.
#pragma once

#include "billing/invoicedocument.h"
#include "core/result.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QDate>
#include <QHash>
#include <QList>
#include <QSet>

#include <optional>

namespace askpro {

class Database;

// Rounding (documented in docs/billing.md): every line amount is rounded half away from zero to whole
// cents (only the prorated base fee can have a fraction: fee * days / days of the month); VAT is
// computed once on the net sum of the lines and rounded half away from zero; gross = net + VAT.
struct InvoicePlan
{
    qint64 companyId = 0;
    QString companyName;
    QString language;
    int vatRateBp = 0;
    qint64 periodStart = 0;
    qint64 periodEnd = 0;
    QList<InvoiceLine> lines;
    qint64 netCents = 0;
    qint64 vatCents = 0;
    qint64 grossCents = 0;
    qint64 usageRows = 0;
};

struct GenerationReport
{
    int companies = 0;         // active companies looked at
    int created = 0;           // invoices finalized now
    int alreadyInvoiced = 0;   // the month was invoiced before: nothing new
    int nothingToBill = 0;     // not live yet in that month, or every amount zero
    QList<qint64> invoiceIds;  // the invoices created now
    QStringList numbers;
    // Only after the month's run failed as a whole and was redone company by company: "Name (id): error"
    // for each company that still could not be invoiced (the others' invoices are made).
    QStringList failures;
};

class InvoiceGenerator final
{
    Q_DECLARE_TR_FUNCTIONS(InvoiceGenerator)
public:
    static constexpr int paymentTermDays = 14;

    // The database must outlive the generator. seller: snapshotted onto every invoice it finalizes.
    InvoiceGenerator(Database &db, SellerInfo seller = {});

    // Finalizes the month's invoice for every active company (companyId > 0: that one) in one transaction,
    // numbered in company order on issuedAtMs's year (0: now): the invoices with their lines, summed from
    // the companies' billing periods of the month, and the periods closed commit together or not at all.
    // Usage rows are not written (they were linked to their period when recorded), except rows on no period,
    // which are linked first. Running a month again creates nothing new.
    // Should that transaction fail for other than a transient reason, each company is tried in a
    // transaction of its own and the ones that still fail are listed in GenerationReport::failures.
    [[nodiscard]] Result<GenerationReport> generateMonth(QDate month, qint64 issuedAtMs = 0, qint64 companyId = 0);
    // The invoice one company would get for the month, computed from usage not yet invoiced; writes
    // nothing. std::nullopt when there is nothing to bill.
    [[nodiscard]] Result<std::optional<InvoicePlan>> preview(qint64 companyId, QDate month);
    // Previews for all active companies (the "next invoice" view).
    [[nodiscard]] Result<QList<InvoicePlan>> previewMonth(QDate month);
    // A credit note reversing a finalized invoice in full (negative quantities and amounts), numbered
    // in the same sequence, linked through corrects_invoice_id, its Stripe push and mail queued in the same
    // transaction. Conflict when one exists already.
    [[nodiscard]] Result<qint64> createCreditNote(qint64 invoiceId, const QString &reason, const Actor &actor, qint64 issuedAtMs = 0);

    // "AP-2026-000001"
    [[nodiscard]] static QString numberFor(int year, int sequence);
    // Base fee for the month given the day the company went live (null: the whole month).
    [[nodiscard]] static qint64 proratedFee(qint64 feeCents, QDate month, QDate liveSince);
    // Parses "YYYY-MM"; an invalid date on bad input.
    [[nodiscard]] static QDate parseMonth(const QString &text);
    // Proposes the previous month's invoice run (dedupe key per month, so one server runs it once).
    [[nodiscard]] static Status enqueueMonthlyRun(Database &db, qint64 nowMs);

private:
    struct Company;
    struct UsageGroup;
    using UsageByCompany = QHash<qint64, QList<UsageGroup>>;
    [[nodiscard]] Result<QList<Company>> companies(qint64 onlyId);
    [[nodiscard]] Result<std::optional<InvoicePlan>> plan(const Company &company, QDate month);
    [[nodiscard]] static std::optional<InvoicePlan> planFrom(const Company &company, QDate month, QList<UsageGroup> usage);
    static void addUsage(QList<UsageGroup> &groups, UsageGroup group);
    // company -> its open billing period starting at periodStart; lock: FOR UPDATE (PostgreSQL).
    [[nodiscard]] Result<QHash<qint64, qint64>> openPeriods(const QList<Company> &companies, qint64 periodStart, bool lock);
    // The usage rows of these periods (company -> period) per company, kind and unit price.
    [[nodiscard]] Result<UsageByCompany> periodUsage(const QHash<qint64, qint64> &periods);
    // What is not invoiced of the month: the rows of the companies' open periods and their rows on no period.
    [[nodiscard]] Result<UsageByCompany> unbilledUsage(const QList<Company> &companies, QDate month);
    // "usage_logs", on SQLite through usage_logs_unlinked (for "period_id IS NULL AND occurred_at ...").
    [[nodiscard]] QString unlinkedRows() const;
    // Inside the run's transaction: a period for each company, the open ones locked, and the month's rows on
    // no period linked to them. Returns company -> period.
    [[nodiscard]] Result<QHash<qint64, qint64>> periodsToClose(const QList<Company> &companies, qint64 periodStart, qint64 periodEnd);
    [[nodiscard]] Result<GenerationReport> finalizeMonth(const QList<Company> &companies, QDate month, qint64 issuedAtMs);
    [[nodiscard]] Result<std::pair<int, int>> nextNumber(int year);

    Database &m_db;
    SellerInfo m_seller;
};

} // namespace askpro
