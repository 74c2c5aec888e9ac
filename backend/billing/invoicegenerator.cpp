// Invoice generation: one transaction for the month's run, usage summed per kind and unit price in SQL,
// numbering under a lock (SQLite: the writer lock of BEGIN IMMEDIATE; PostgreSQL: an advisory xact lock).
#include "billing/invoicegenerator.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "integrations/jsonreply.h"
#include "jobs/jobqueue.h"
#include "support/auditlog.h"

#include <QElapsedTimer>
#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr qint64 numberingLockKey = 0x41505F4E554D; // "AP_NUM": one lock for the whole numbering
// Statement sizes of the month's run: bound values per statement stay far below both engines' limits.
constexpr qsizetype invoicesPerInsert = 100;
constexpr qsizetype linesPerInsert = 300;
constexpr qsizetype invoicesPerTotalsUpdate = 500;
constexpr qsizetype companiesPerLink = 5000;
// Up to this many companies, per-company statements (index probes) instead of one pass over the month.
constexpr qsizetype companiesForSeparateQueries = 8;
// SQLite's month-wide link computes invoice ids over at most this many runs of consecutive company ids.
constexpr qsizetype maxCompanyRuns = 8;

QString lineText(const QString &kind, const QString &language, QDate month, qint64 activeDays)
{
    const bool en = language == u"en"_s;
    if (kind == u"call"_s)
        return en ? u"Calls answered by the AskPro voice agent"_s : u"Vom AskPro-Telefonassistenten angenommene Anrufe"_s;
    if (kind == u"appointment"_s)
        return en ? u"Appointments booked by phone"_s : u"Telefonisch gebuchte Termine"_s;
    const QLocale locale(en ? QLocale::English : QLocale::German);
    const QString monthName = locale.standaloneMonthName(month.month()) + u" "_s + QString::number(month.year());
    if (activeDays < month.daysInMonth())
        return en ? u"AskPro base fee, %1 (prorated: %2 of %3 days)"_s.arg(monthName).arg(activeDays).arg(month.daysInMonth())
                  : u"AskPro Grundgebühr, %1 (anteilig: %2 von %3 Tagen)"_s.arg(monthName).arg(activeDays).arg(month.daysInMonth());
    return en ? u"AskPro base fee, %1"_s.arg(monthName) : u"AskPro Grundgebühr, %1"_s.arg(monthName);
}

qint64 activeDaysIn(QDate month, QDate liveSince)
{
    const QDate first(month.year(), month.month(), 1);
    const QDate last = first.addMonths(1).addDays(-1);
    if (!liveSince.isValid() || liveSince <= first)
        return first.daysInMonth();
    if (liveSince > last)
        return 0;
    return liveSince.daysTo(last) + 1;
}

} // namespace

struct InvoiceGenerator::Company
{
    qint64 id = 0;
    QString name;
    QString address;
    QString vatId;
    QString taxNumber;
    QString email;
    QString language;
    int vatRateBp = 1900;
    qint64 baseFeeCents = 0;
    QDate liveSince;
};

InvoiceGenerator::InvoiceGenerator(Database &db, SellerInfo seller) : m_db(db), m_seller(std::move(seller)) {}

QString InvoiceGenerator::numberFor(int year, int sequence)
{
    return u"AP-%1-%2"_s.arg(year).arg(sequence, 6, 10, QLatin1Char('0'));
}

qint64 InvoiceGenerator::proratedFee(qint64 feeCents, QDate month, QDate liveSince)
{
    const qint64 days = activeDaysIn(month, liveSince);
    return money::divRound(feeCents * days, QDate(month.year(), month.month(), 1).daysInMonth());
}

QDate InvoiceGenerator::parseMonth(const QString &text)
{
    const QDate d = QDate::fromString(text.trimmed() + u"-01"_s, u"yyyy-MM-dd"_s);
    return d;
}

Status InvoiceGenerator::enqueueMonthlyRun(Database &db, qint64 now)
{
    const QDate today = money::localDate(now);
    const QDate previous = QDate(today.year(), today.month(), 1).addMonths(-1);
    const QString month = previous.toString(u"yyyy-MM"_s);
    const QByteArray payload = QByteArray::fromStdString(Json{{"month", month.toStdString()}}.dump());
    auto queued = JobQueue(db).enqueue(u"invoices.generate"_s, payload, u"invoices:"_s + month, 0, 3);
    if (!queued)
        return queued.error();
    if (queued->has_value())
        qCInfo(lcBilling) << "queued the invoice run for" << month;
    return {};
}

Result<QList<InvoiceGenerator::Company>> InvoiceGenerator::companies(qint64 onlyId)
{
    auto q = m_db.exec(u"SELECT id, name, address, vat_id, tax_number, billing_email, default_language, vat_rate_bp, base_fee_cents, "
                       "COALESCE(live_since, created_at) FROM companies WHERE active = 1 AND (? = 0 OR id = ?) ORDER BY id"_s,
                       {onlyId, onlyId});
    if (!q)
        return q.error();
    QList<Company> out;
    while (q->next())
        out.append({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toString(), q->value(3).toString(),
                    q->value(4).toString(), q->value(5).toString(), q->value(6).toString() == u"en"_s ? u"en"_s : u"de"_s,
                    q->value(7).toInt(), q->value(8).toLongLong(), money::localDate(q->value(9).toLongLong())});
    return out;
}

struct InvoiceGenerator::UsageGroup
{
    QString kind;
    qint64 unitPriceCents = 0;
    qint64 quantity = 0;
};

std::optional<InvoicePlan> InvoiceGenerator::planFrom(const Company &company, QDate month, QList<UsageGroup> usage)
{
    const auto [start, end] = money::monthRange(month.year(), month.month());
    const qint64 days = activeDaysIn(month, company.liveSince);
    InvoicePlan p{company.id, company.name, company.language, company.vatRateBp, start, end, {}, 0, 0, 0, 0};
    if (days == 0)
        return std::nullopt; // not live yet in this month
    const qint64 fee = proratedFee(company.baseFeeCents, month, company.liveSince);
    int position = 0;
    if (fee > 0)
        p.lines.append({++position, u"base"_s, lineText(u"base"_s, company.language, month, days), 1, fee, fee});
    // One line per kind and unit price, so a price change inside the month shows as two lines.
    std::sort(usage.begin(), usage.end(), [](const UsageGroup &a, const UsageGroup &b) {
        const bool aCall = a.kind == u"call"_s;
        const bool bCall = b.kind == u"call"_s;
        return aCall != bCall ? aCall : a.unitPriceCents < b.unitPriceCents;
    });
    for (const UsageGroup &group : std::as_const(usage)) {
        p.usageRows += group.quantity;
        if (group.unitPriceCents * group.quantity == 0)
            continue;
        p.lines.append({++position, group.kind, lineText(group.kind, company.language, month, days), group.quantity,
                        group.unitPriceCents, group.unitPriceCents * group.quantity});
    }
    for (const InvoiceLine &line : std::as_const(p.lines))
        p.netCents += line.amountCents;
    if (p.lines.isEmpty() || p.netCents == 0)
        return std::nullopt;
    p.vatCents = money::vatOf(p.netCents, p.vatRateBp);
    p.grossCents = p.netCents + p.vatCents;
    return p;
}

Result<std::optional<InvoicePlan>> InvoiceGenerator::plan(const Company &company, QDate month, qint64 invoiceId)
{
    const auto [start, end] = money::monthRange(month.year(), month.month());
    auto q = m_db.exec(u"SELECT kind, unit_price_cents, COUNT(*) FROM usage_logs WHERE company_id = ? AND occurred_at >= ? "
                       "AND occurred_at < ? AND "_s
                           + (invoiceId > 0 ? u"invoice_id = ?"_s : u"invoice_id IS NULL AND 0 = ?"_s)
                           + u" GROUP BY kind, unit_price_cents"_s,
                       {company.id, start, end, invoiceId});
    if (!q)
        return q.error();
    QList<UsageGroup> usage;
    while (q->next())
        usage.append({q->value(0).toString(), q->value(1).toLongLong(), q->value(2).toLongLong()});
    return planFrom(company, month, std::move(usage));
}

Result<InvoiceGenerator::UsageByCompany> InvoiceGenerator::unbilledUsage(const QList<Company> &list, QDate month,
                                                                         const QSet<qint64> &invoiced)
{
    const auto [start, end] = money::monthRange(month.year(), month.month());
    UsageByCompany usage;
    if (m_db.engine() == Engine::Postgres && list.size() > companiesForSeparateQueries) {
        // One hash aggregate over the month (usage_logs_occurred) beats a thousand index probes.
        QSet<qint64> wanted;
        for (const Company &company : list)
            wanted.insert(company.id);
        auto q = m_db.exec(u"SELECT company_id, kind, unit_price_cents, COUNT(*) FROM usage_logs WHERE occurred_at >= ? AND occurred_at < ? "
                           "AND invoice_id IS NULL GROUP BY company_id, kind, unit_price_cents"_s,
                           {start, end});
        if (!q)
            return q.error();
        while (q->next()) {
            const qint64 companyId = q->value(0).toLongLong();
            if (wanted.contains(companyId))
                usage[companyId].append({q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toLongLong()});
        }
        return usage;
    }
    // Per company (SQLite always: it has no hash aggregate, and one GROUP BY over millions of rows sorts
    // them all). usage_logs_company_time holds kind and price, so a company's month is summed from the
    // index alone. A company without an invoice for the month cannot have rows linked to one (rows are
    // only linked to their own company's invoice of their month), so the invoice_id test, which would
    // need the table, is left out for those; finalizeMonth checks the linked count against these sums.
    for (const Company &company : list) {
        auto q = m_db.exec(u"SELECT kind, unit_price_cents, COUNT(*) FROM usage_logs WHERE company_id = ? AND occurred_at >= ? "
                           "AND occurred_at < ?"_s
                               + (invoiced.contains(company.id) ? u" AND invoice_id IS NULL"_s : QString())
                               + u" GROUP BY kind, unit_price_cents"_s,
                           {company.id, start, end});
        if (!q)
            return q.error();
        QList<UsageGroup> &groups = usage[company.id];
        while (q->next())
            groups.append({q->value(0).toString(), q->value(1).toLongLong(), q->value(2).toLongLong()});
    }
    return usage;
}

Result<std::pair<int, int>> InvoiceGenerator::nextNumber(int year)
{
    if (m_db.engine() == Engine::Postgres) {
        auto locked = m_db.exec(u"SELECT pg_advisory_xact_lock(?)"_s, {numberingLockKey});
        if (!locked)
            return locked.error();
    }
    auto seq = m_db.scalar(u"SELECT COALESCE(MAX(sequence), 0) + 1 FROM invoices WHERE year = ?"_s, {year});
    if (!seq)
        return seq.error();
    return std::pair<int, int>{year, seq->toInt()};
}

Result<GenerationReport> InvoiceGenerator::finalizeMonth(const QList<Company> &list, QDate month, qint64 issuedAtMs)
{
    QElapsedTimer timer;
    timer.start();
    const auto [start, end] = money::monthRange(month.year(), month.month());
    GenerationReport report;
    report.companies = int(list.size());
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto numbering = nextNumber(money::localDate(issuedAtMs).year()); // takes the numbering lock first
    if (!numbering)
        return numbering.error();
    const auto [year, firstSequence] = *numbering;

    // A month invoiced before stays as it is: usage that arrived later stays open (reconciliation shows it).
    auto existing = m_db.exec(u"SELECT company_id FROM invoices WHERE period_start = ? AND kind = 'invoice'"_s, {start});
    if (!existing)
        return existing.error();
    QSet<qint64> invoiced;
    while (existing->next())
        invoiced.insert(existing->value(0).toLongLong());
    existing->finish();
    QList<Company> open;
    for (const Company &company : list) {
        if (invoiced.contains(company.id))
            ++report.alreadyInvoiced;
        else
            open.append(company);
    }
    auto usage = unbilledUsage(open, month, {});
    if (!usage)
        return usage.error();
    struct Billed
    {
        const Company *company;
        qint64 usageRows = 0;
        qint64 invoiceId = 0;
        QString number;
    };
    QList<Billed> billed;
    qint64 expectedRows = 0;
    for (const Company &company : std::as_const(open)) {
        const auto planned = planFrom(company, month, usage->value(company.id));
        if (!planned) {
            ++report.nothingToBill; // no number used
            continue;
        }
        billed.append({&company, planned->usageRows, 0, numberFor(year, firstSequence + int(billed.size()))});
        expectedRows += planned->usageRows;
    }
    const qint64 summedMs = timer.elapsed();
    if (billed.isEmpty()) {
        auto committed = tx.commit();
        if (!committed)
            return committed.error();
        return report;
    }

    // The invoices, numbered in company order, totals set once the usage is linked.
    const Json seller = Json::parse(m_seller.party.toJson().toStdString());
    const qint64 dueAt = QDateTime(money::localDate(issuedAtMs).addDays(paymentTermDays), QTime(23, 59, 59), QTimeZone(money::billingZone))
                             .toMSecsSinceEpoch();
    const qint64 createdAt = nowMs();
    QHash<qint64, qint64> invoiceOf; // company -> invoice
    for (qsizetype from = 0; from < billed.size(); from += invoicesPerInsert) {
        const qsizetype count = std::min<qsizetype>(invoicesPerInsert, billed.size() - from);
        QString sql = u"INSERT INTO invoices (company_id, kind, number, year, sequence, period_start, period_end, issued_at, due_at, "
                      "status, currency, vat_rate_bp, language, billing_snapshot, created_at) VALUES "_s;
        QVariantList values;
        for (qsizetype i = 0; i < count; ++i) {
            const Company &company = *billed.at(from + i).company;
            const Json snapshot{{"seller", seller},
                                {"buyer", Json::parse(PartyInfo{company.name, company.address, company.vatId, company.taxNumber, company.email}
                                                          .toJson()
                                                          .toStdString())},
                                {"seller_iban", m_seller.iban.toStdString()}};
            sql += (i == 0 ? u""_s : u", "_s) + u"(?, 'invoice', ?, ?, ?, ?, ?, ?, ?, 'open', 'EUR', ?, ?, ?, ?)"_s;
            values << company.id << billed.at(from + i).number << year << firstSequence + int(from + i) << start << end << issuedAtMs << dueAt
                   << company.vatRateBp << company.language << QString::fromStdString(snapshot.dump()) << createdAt;
        }
        auto q = m_db.exec(sql + u" RETURNING company_id, id"_s, values);
        if (!q)
            return q.error();
        while (q->next())
            invoiceOf.insert(q->value(0).toLongLong(), q->value(1).toLongLong());
        q->finish();
    }
    for (Billed &b : billed)
        b.invoiceId = invoiceOf.value(b.company->id);
    const qint64 insertedMs = timer.elapsed();

    // Link the month's open usage rows of these companies in one pass over the month (each page is
    // written once), then sum exactly what was linked into the lines.
    QHash<qint64, QList<UsageGroup>> linked; // invoice -> usage
    if (m_db.engine() == Engine::Postgres) {
        // Read committed: rows may arrive while this runs, so the sums come from the rows the UPDATE
        // linked (RETURNING), not from the earlier aggregate.
        for (qsizetype from = 0; from < billed.size(); from += companiesPerLink) {
            const qsizetype count = std::min<qsizetype>(companiesPerLink, billed.size() - from);
            QString map;
            QVariantList values;
            for (qsizetype i = 0; i < count; ++i) {
                map += (i == 0 ? u""_s : u", "_s) + u"(CAST(? AS BIGINT), CAST(? AS BIGINT))"_s;
                values << billed.at(from + i).company->id << billed.at(from + i).invoiceId;
            }
            values << start << end;
            auto q = m_db.exec(u"WITH linked AS (UPDATE usage_logs SET invoice_id = m.column2 FROM (VALUES "_s + map
                                   + u") AS m WHERE usage_logs.company_id = m.column1 AND usage_logs.occurred_at >= ? "
                                     "AND usage_logs.occurred_at < ? AND usage_logs.invoice_id IS NULL "
                                     "RETURNING usage_logs.invoice_id, usage_logs.kind, usage_logs.unit_price_cents) "
                                     "SELECT invoice_id, kind, unit_price_cents, COUNT(*) FROM linked GROUP BY invoice_id, kind, unit_price_cents"_s,
                               values);
            if (!q)
                return q.error();
            while (q->next())
                linked[q->value(0).toLongLong()].append({q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toLongLong()});
        }
    } else {
        // BEGIN IMMEDIATE holds the only write lock: the rows linked are the rows summed above, which the
        // count of changed rows confirms.
        qint64 changed = 0;
        if (billed.size() <= companiesForSeparateQueries) {
            for (const Billed &b : std::as_const(billed)) {
                auto q = m_db.exec(u"UPDATE usage_logs SET invoice_id = ? WHERE company_id = ? AND occurred_at >= ? AND occurred_at < ? "
                                   "AND invoice_id IS NULL"_s,
                                   {b.invoiceId, b.company->id, start, end});
                if (!q)
                    return q.error();
                changed += q->numRowsAffected();
            }
        } else {
            // SQLite keeps no statistics to choose between the month's index and the table: when the
            // month holds most rows (ids grow with time, so MAX - MIN counts them), read the table in
            // page order; following the index revisits pages in time order and took twice as long.
            auto span = m_db.exec(u"SELECT COALESCE(MAX(id) - MIN(id) + 1, 0) FROM usage_logs"_s);
            if (!span)
                return span.error();
            const bool wholeTable = span->next() && expectedRows * 2 >= span->value(0).toLongLong();
            span->finish();
            const QString time = wholeTable ? u"+usage_logs.occurred_at"_s : u"usage_logs.occurred_at"_s;
            // Invoices were inserted in company order, so over each run of consecutive company ids the
            // invoice id is the company id plus a constant. With a few runs (companies mostly all billed)
            // the UPDATE computes the id instead of looking each row's company up: a third less time.
            struct Run
            {
                qint64 firstCompany;
                qint64 lastCompany;
                qint64 offset;
            };
            QList<Run> runs;
            for (const Billed &b : std::as_const(billed)) {
                const qint64 company = b.company->id;
                if (!runs.isEmpty() && runs.last().lastCompany + 1 == company && company + runs.last().offset == b.invoiceId)
                    runs.last().lastCompany = company;
                else
                    runs.append({company, company, b.invoiceId - company});
            }
            if (runs.size() <= maxCompanyRuns) {
                QString cases;
                QString which;
                QVariantList values;
                for (const Run &run : std::as_const(runs)) {
                    cases += u" WHEN usage_logs.company_id <= ? THEN CAST(? AS BIGINT)"_s;
                    values << run.lastCompany << run.offset;
                }
                for (const Run &run : std::as_const(runs)) {
                    which += (which.isEmpty() ? u""_s : u" OR "_s) + u"+usage_logs.company_id BETWEEN ? AND ?"_s;
                    values << run.firstCompany << run.lastCompany;
                }
                values << start << end;
                auto q = m_db.exec(u"UPDATE usage_logs SET invoice_id = usage_logs.company_id + CASE"_s + cases + u" END WHERE ("_s + which
                                       + u") AND "_s + time + u" >= ? AND "_s + time + u" < ? AND usage_logs.invoice_id IS NULL"_s,
                                   values);
                if (!q)
                    return q.error();
                changed += q->numRowsAffected();
            } else {
                for (qsizetype from = 0; from < billed.size(); from += companiesPerLink) {
                    const qsizetype count = std::min<qsizetype>(companiesPerLink, billed.size() - from);
                    QString map;
                    QVariantList values;
                    for (qsizetype i = 0; i < count; ++i) {
                        map += (i == 0 ? u""_s : u", "_s) + u"(CAST(? AS BIGINT), CAST(? AS BIGINT))"_s;
                        values << billed.at(from + i).company->id << billed.at(from + i).invoiceId;
                    }
                    values << start << end;
                    // "+company_id": walk the month in time (or page) order and look the company up in the
                    // map, rather than visit the table company by company, which rewrites each page once
                    // per company.
                    auto q = m_db.exec(u"UPDATE usage_logs SET invoice_id = m.column2 FROM (VALUES "_s + map
                                           + u") AS m WHERE m.column1 = +usage_logs.company_id AND "_s + time + u" >= ? AND "_s + time
                                           + u" < ? AND usage_logs.invoice_id IS NULL"_s,
                                       values);
                    if (!q)
                        return q.error();
                    changed += q->numRowsAffected();
                }
            }
        }
        if (changed != expectedRows)
            return makeError(ErrorKind::Internal, u"billing.usage_mismatch"_s,
                             tr("The month's usage changed while it was being invoiced (%1 rows linked, %2 summed).").arg(changed).arg(expectedRows));
        for (const Billed &b : std::as_const(billed))
            linked.insert(b.invoiceId, usage->value(b.company->id));
    }
    const qint64 linkedMs = timer.elapsed();

    // Lines and totals from the linked rows.
    QList<InvoiceLine> lines;
    QList<qint64> lineInvoice;
    QVariantList totals;
    for (const Billed &b : std::as_const(billed)) {
        const auto finished = planFrom(*b.company, month, linked.value(b.invoiceId));
        if (!finished)
            return makeError(ErrorKind::Internal, u"billing.usage_mismatch"_s,
                             tr("The usage of company %1 changed while it was being invoiced.").arg(b.company->id));
        for (const InvoiceLine &line : finished->lines) {
            lines.append(line);
            lineInvoice.append(b.invoiceId);
        }
        totals << b.invoiceId << finished->netCents << finished->vatCents << finished->grossCents;
    }
    for (qsizetype from = 0; from < lines.size(); from += linesPerInsert) {
        const qsizetype count = std::min<qsizetype>(linesPerInsert, lines.size() - from);
        QString sql = u"INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_price_cents, amount_cents) VALUES "_s;
        QVariantList values;
        for (qsizetype i = 0; i < count; ++i) {
            const InvoiceLine &line = lines.at(from + i);
            sql += i == 0 ? u"(?, ?, ?, ?, ?, ?, ?)"_s : u", (?, ?, ?, ?, ?, ?, ?)"_s;
            values << lineInvoice.at(from + i) << line.position << line.kind << line.description << line.quantity << line.unitPriceCents
                   << line.amountCents;
        }
        auto added = m_db.exec(sql, values);
        if (!added)
            return added.error();
    }
    constexpr int totalColumns = 4;
    for (qsizetype from = 0; from < totals.size(); from += invoicesPerTotalsUpdate * totalColumns) {
        const qsizetype count = std::min<qsizetype>(invoicesPerTotalsUpdate * totalColumns, totals.size() - from);
        QString map;
        for (qsizetype i = 0; i < count; i += totalColumns)
            map += (i == 0 ? u""_s : u", "_s) + u"(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))"_s;
        auto updated = m_db.exec(u"UPDATE invoices SET net_cents = m.column2, vat_cents = m.column3, gross_cents = m.column4 FROM (VALUES "_s
                                     + map + u") AS m WHERE invoices.id = m.column1"_s,
                                 totals.mid(from, count));
        if (!updated)
            return updated.error();
    }
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    for (const Billed &b : std::as_const(billed)) {
        ++report.created;
        report.invoiceIds.append(b.invoiceId);
        report.numbers.append(b.number);
    }
    qCInfo(lcBilling).nospace() << "invoiced " << month.toString(u"yyyy-MM"_s) << ": " << report.created << " invoices ("
                                << billed.first().number << " .. " << billed.last().number << "), " << expectedRows
                                << " usage rows summed; ms: sums " << summedMs << ", invoices " << insertedMs - summedMs << ", link "
                                << linkedMs - insertedMs << ", lines and commit " << timer.elapsed() - linkedMs;
    return report;
}

Result<GenerationReport> InvoiceGenerator::generateMonth(QDate month, qint64 issuedAtMs, qint64 companyId)
{
    if (!month.isValid())
        return makeError(ErrorKind::Invalid, u"billing.bad_month"_s, tr("The month must be given as YYYY-MM."));
    const qint64 issued = issuedAtMs > 0 ? issuedAtMs : nowMs();
    auto list = companies(companyId);
    if (!list)
        return list.error();
    auto report = finalizeMonth(*list, month, issued);
    if (report || report.error().isTransient() || list->size() <= 1)
        return report; // a transient failure left nothing behind: the job runs the month again
    // One company's data must not hold up everyone's invoice: company by company, each on its own.
    qCWarning(lcBilling) << "the invoice run for" << month.toString(u"yyyy-MM"_s) << "failed as one transaction ("
                         << report.error().describe() << "); invoicing company by company";
    GenerationReport merged;
    merged.companies = int(list->size());
    for (const Company &company : std::as_const(*list)) {
        auto one = finalizeMonth({company}, month, issued);
        if (!one) {
            qCWarning(lcBilling) << "no invoice for company" << company.id << ":" << one.error().describe();
            merged.failures.append(u"%1 (%2): %3"_s.arg(company.name).arg(company.id).arg(one.error().describe()));
            continue;
        }
        merged.created += one->created;
        merged.alreadyInvoiced += one->alreadyInvoiced;
        merged.nothingToBill += one->nothingToBill;
        merged.invoiceIds += one->invoiceIds;
        merged.numbers += one->numbers;
    }
    return merged;
}

Result<std::optional<InvoicePlan>> InvoiceGenerator::preview(qint64 companyId, QDate month)
{
    auto list = companies(companyId);
    if (!list)
        return list.error();
    if (list->isEmpty())
        return makeError(ErrorKind::NotFound, u"billing.no_company"_s, tr("There is no active company %1.").arg(companyId));
    return plan(list->first(), month, 0);
}

Result<QList<InvoicePlan>> InvoiceGenerator::previewMonth(QDate month)
{
    auto list = companies(0);
    if (!list)
        return list.error();
    const auto [start, end] = money::monthRange(month.year(), month.month());
    auto existing = m_db.exec(u"SELECT company_id FROM invoices WHERE period_start = ? AND kind = 'invoice'"_s, {start});
    if (!existing)
        return existing.error();
    QSet<qint64> invoiced;
    while (existing->next())
        invoiced.insert(existing->value(0).toLongLong());
    existing->finish();
    auto usage = unbilledUsage(*list, month, invoiced);
    if (!usage)
        return usage.error();
    QList<InvoicePlan> out;
    for (const Company &company : std::as_const(*list)) {
        if (auto p = planFrom(company, month, usage->value(company.id)))
            out.append(*p);
    }
    return out;
}

Result<qint64> InvoiceGenerator::createCreditNote(qint64 invoiceId, const QString &reason, const Actor &actor, qint64 issuedAtMs)
{
    if (auto allowed = actor.require(Permission::ManageBilling); !allowed)
        return allowed.error();
    if (reason.trimmed().isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.reason_missing"_s, tr("A credit note needs a reason."));
    const qint64 issued = issuedAtMs > 0 ? issuedAtMs : nowMs();
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    auto numbering = nextNumber(money::localDate(issued).year());
    if (!numbering)
        return numbering.error();
    auto original = InvoiceDocument::load(m_db, invoiceId);
    if (!original)
        return original.error();
    if (original->isCreditNote() || original->number.isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.not_creditable"_s, tr("Only a finalized invoice can be credited."));
    auto existing = m_db.scalar(u"SELECT COUNT(*) FROM invoices WHERE corrects_invoice_id = ?"_s, {invoiceId});
    if (!existing)
        return existing.error();
    if (existing->toInt() > 0)
        return makeError(ErrorKind::Conflict, u"billing.already_credited"_s, tr("Invoice %1 has a credit note already.").arg(original->number));
    const auto [year, sequence] = *numbering;
    const QString number = numberFor(year, sequence);
    auto snapshot = m_db.scalar(u"SELECT billing_snapshot FROM invoices WHERE id = ?"_s, {invoiceId});
    if (!snapshot)
        return snapshot.error();
    const qint64 dueAt = QDateTime(money::localDate(issued), QTime(23, 59, 59), QTimeZone(money::billingZone)).toMSecsSinceEpoch();
    auto id = m_db.insert(u"INSERT INTO invoices (company_id, kind, number, year, sequence, corrects_invoice_id, period_start, period_end, "
                          "issued_at, due_at, status, currency, net_cents, vat_rate_bp, vat_cents, gross_cents, language, billing_snapshot, "
                          "note, created_at) VALUES (?, 'credit_note', ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                          {original->companyId, number, year, sequence, invoiceId, original->periodStart, original->periodEnd, issued, dueAt,
                           original->currency, -original->netCents, original->vatRateBp, -original->vatCents, -original->grossCents,
                           original->language, snapshot->toString(), reason.trimmed(), nowMs()});
    if (!id)
        return id.error();
    for (const InvoiceLine &line : std::as_const(original->lines)) {
        auto added = m_db.exec(u"INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_price_cents, amount_cents) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                               {*id, line.position, line.kind, line.description, -line.quantity, line.unitPriceCents, -line.amountCents});
        if (!added)
            return added.error();
    }
    const QString after = QString::fromStdString(
        Json{{"credit_note", number.toStdString()}, {"corrects", original->number.toStdString()}, {"reason", reason.trimmed().toStdString()}}
            .dump());
    auto audited = AuditLog(m_db).write(actor, u"invoice.credit_note"_s, u"invoice"_s, invoiceId, QString(), after);
    if (!audited)
        return audited.error();
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    return *id;
}

} // namespace askpro
