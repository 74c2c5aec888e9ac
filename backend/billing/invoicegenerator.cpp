// Invoice generation: one transaction for the month's run, usage summed per kind and unit price in SQL over
// the companies' billing periods, which the run then closes (usage rows are not written), numbering under a
// lock (SQLite: the writer lock of BEGIN IMMEDIATE; PostgreSQL: an advisory xact lock).
#include "billing/invoicegenerator.h"

#include "billing/invoicemailer.h"
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
constexpr qsizetype periodsPerClose = 500;
constexpr qsizetype idsPerStatement = 5000;
// Up to this many periods, PostgreSQL sums period by period (index probes) instead of in one statement.
constexpr qsizetype periodsForSeparateQueries = 8;

// "?, ?, ?" for count values.
QString placeholders(qsizetype count)
{
    QString out;
    out.reserve(count * 3);
    for (qsizetype i = 0; i < count; ++i)
        out += i == 0 ? u"?"_s : u", ?"_s;
    return out;
}

// "(CAST(? AS BIGINT), CAST(? AS BIGINT)), ..." for count pairs: a VALUES list both engines join against.
QString pairRows(qsizetype count)
{
    QString out;
    for (qsizetype i = 0; i < count; ++i)
        out += (i == 0 ? u""_s : u", "_s) + u"(CAST(? AS BIGINT), CAST(? AS BIGINT))"_s;
    return out;
}

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

Result<std::optional<InvoicePlan>> InvoiceGenerator::plan(const Company &company, QDate month)
{
    auto usage = unbilledUsage({company}, month);
    if (!usage)
        return usage.error();
    return planFrom(company, month, usage->value(company.id));
}

void InvoiceGenerator::addUsage(QList<UsageGroup> &groups, UsageGroup group)
{
    for (UsageGroup &g : groups) {
        if (g.kind == group.kind && g.unitPriceCents == group.unitPriceCents) {
            g.quantity += group.quantity;
            return;
        }
    }
    groups.append(std::move(group));
}

Result<QHash<qint64, qint64>> InvoiceGenerator::openPeriods(const QList<Company> &list, qint64 periodStart, bool lock)
{
    // FOR UPDATE conflicts with the FOR KEY SHARE that recording takes on its period: it waits for the
    // transactions recording usage into these periods right now, and rows recorded later stay unlinked.
    QHash<qint64, qint64> periods;
    for (qsizetype from = 0; from < list.size(); from += idsPerStatement) {
        const qsizetype count = std::min<qsizetype>(idsPerStatement, list.size() - from);
        QVariantList values{periodStart};
        for (qsizetype i = 0; i < count; ++i)
            values << list.at(from + i).id;
        auto q = m_db.exec(u"SELECT company_id, id FROM billing_periods WHERE period_start = ? AND invoice_id IS NULL AND company_id IN ("_s
                               + placeholders(count) + u")"_s + (lock && m_db.engine() == Engine::Postgres ? u" FOR UPDATE"_s : QString()),
                           values);
        if (!q)
            return q.error();
        while (q->next())
            periods.insert(q->value(0).toLongLong(), q->value(1).toLongLong());
    }
    return periods;
}

Result<InvoiceGenerator::UsageByCompany> InvoiceGenerator::periodUsage(const QHash<qint64, qint64> &periods)
{
    UsageByCompany usage;
    QHash<qint64, qint64> companyOf; // period -> company
    QList<qint64> ids;
    for (auto it = periods.begin(); it != periods.end(); ++it) {
        companyOf.insert(it.value(), it.key());
        ids.append(it.value());
    }
    std::sort(ids.begin(), ids.end());
    if (m_db.engine() == Engine::Postgres && ids.size() > periodsForSeparateQueries) {
        // The planner chooses between one pass over the table and the period index for the whole list.
        for (qsizetype from = 0; from < ids.size(); from += idsPerStatement) {
            const qsizetype count = std::min<qsizetype>(idsPerStatement, ids.size() - from);
            QVariantList values;
            for (qsizetype i = 0; i < count; ++i)
                values << ids.at(from + i);
            auto q = m_db.exec(u"SELECT period_id, kind, unit_price_cents, COUNT(*) FROM usage_logs WHERE period_id IN ("_s + placeholders(count)
                                   + u") GROUP BY period_id, kind, unit_price_cents"_s,
                               values);
            if (!q)
                return q.error();
            while (q->next())
                usage[companyOf.value(q->value(0).toLongLong())].append(
                    {q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toLongLong()});
        }
        return usage;
    }
    // Period by period (SQLite always: it has no hash aggregate, and one GROUP BY over millions of rows
    // sorts them all): usage_logs_period holds kind and price, so each period is summed from the index
    // alone, in index order, without a sort.
    for (qint64 id : std::as_const(ids)) {
        auto q = m_db.exec(u"SELECT kind, unit_price_cents, COUNT(*) FROM usage_logs WHERE period_id = ? GROUP BY kind, unit_price_cents"_s, {id});
        if (!q)
            return q.error();
        QList<UsageGroup> &groups = usage[companyOf.value(id)];
        while (q->next())
            groups.append({q->value(0).toString(), q->value(1).toLongLong(), q->value(2).toLongLong()});
    }
    return usage;
}

Result<InvoiceGenerator::UsageByCompany> InvoiceGenerator::unbilledUsage(const QList<Company> &list, QDate month)
{
    const auto [start, end] = money::monthRange(month.year(), month.month());
    auto periods = openPeriods(list, start, false);
    if (!periods)
        return periods.error();
    auto usage = periodUsage(*periods);
    if (!usage)
        return usage.error();
    // Plus the month's rows on no period (found through usage_logs_unlinked): for a month not invoiced
    // yet the run links them first; for one invoiced before they are its late usage.
    QSet<qint64> wanted;
    for (const Company &company : list)
        wanted.insert(company.id);
    const bool one = list.size() == 1;
    auto q = m_db.exec(u"SELECT company_id, kind, unit_price_cents, COUNT(*) FROM "_s + unlinkedRows()
                           + u" WHERE period_id IS NULL AND occurred_at >= ? AND occurred_at < ?"_s
                           + (one ? u" AND company_id = ?"_s : QString()) + u" GROUP BY company_id, kind, unit_price_cents"_s,
                       one ? QVariantList{start, end, list.first().id} : QVariantList{start, end});
    if (!q)
        return q.error();
    while (q->next()) {
        const qint64 companyId = q->value(0).toLongLong();
        if (wanted.contains(companyId))
            addUsage((*usage)[companyId], {q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toLongLong()});
    }
    return usage;
}

QString InvoiceGenerator::unlinkedRows() const
{
    // SQLite has no statistics and would rather look up period_id IS NULL in usage_logs_period: all
    // months' unlinked rows, each read from the table for its time.
    return m_db.engine() == Engine::Sqlite ? u"usage_logs INDEXED BY usage_logs_unlinked"_s : u"usage_logs"_s;
}

Result<QHash<qint64, qint64>> InvoiceGenerator::periodsToClose(const QList<Company> &list, qint64 periodStart, qint64 periodEnd)
{
    // Every company being invoiced gets a period, also one with no usage yet: its invoice closes it, and a
    // first usage recorded meanwhile conflicts with it (waits, then stays unlinked) instead of opening the
    // month again.
    const qint64 createdAt = nowMs();
    for (qsizetype from = 0; from < list.size(); from += idsPerStatement) {
        const qsizetype count = std::min<qsizetype>(idsPerStatement, list.size() - from);
        QVariantList values{periodStart, createdAt};
        for (qsizetype i = 0; i < count; ++i)
            values << list.at(from + i).id;
        values << periodStart;
        auto made = m_db.exec(u"INSERT INTO billing_periods (company_id, period_start, created_at) SELECT c.id, ?, ? FROM companies c "
                              "WHERE c.id IN ("_s
                                  + placeholders(count)
                                  + u") AND NOT EXISTS (SELECT 1 FROM billing_periods p WHERE p.company_id = c.id AND p.period_start = ?) "
                                    "ON CONFLICT (company_id, period_start) DO NOTHING"_s,
                              values);
        if (!made)
            return made.error();
    }
    auto periods = openPeriods(list, periodStart, true);
    if (!periods)
        return periods.error();
    // The fallback: rows of the month on no period (written around UsageRollup, or before migration 0006
    // could place them) join their company's period now. Found through usage_logs_unlinked, so this costs
    // nothing when recording linked everything.
    QList<qint64> ids = periods->values();
    std::sort(ids.begin(), ids.end());
    const QString target = unlinkedRows();
    for (qsizetype from = 0; from < ids.size(); from += idsPerStatement) {
        const qsizetype count = std::min<qsizetype>(idsPerStatement, ids.size() - from);
        QVariantList values{periodStart, periodEnd, periodStart};
        for (qsizetype i = 0; i < count; ++i)
            values << ids.at(from + i);
        auto linked = m_db.exec(u"UPDATE "_s + target
                                    + u" SET period_id = p.id FROM billing_periods p WHERE usage_logs.period_id IS NULL "
                                      "AND usage_logs.occurred_at >= ? AND usage_logs.occurred_at < ? AND p.company_id = usage_logs.company_id "
                                      "AND p.period_start = ? AND p.id IN ("_s
                                    + placeholders(count) + u")"_s,
                                values);
        if (!linked)
            return linked.error();
        if (const int n = linked->numRowsAffected(); n > 0)
            qCInfo(lcBilling) << "linked" << n << "usage rows that had no billing period";
    }
    return periods;
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
    auto periods = periodsToClose(open, start, end);
    if (!periods)
        return periods.error();
    const qint64 linkedMs = timer.elapsed();
    auto usage = periodUsage(*periods);
    if (!usage)
        return usage.error();
    struct Billed
    {
        const Company *company;
        InvoicePlan plan;
        qint64 invoiceId = 0;
        QString number;
    };
    QList<Billed> billed;
    qint64 summedRows = 0;
    for (const Company &company : std::as_const(open)) {
        if (!periods->contains(company.id)) // made above unless closed, and a closed period has its invoice
            return makeError(ErrorKind::Internal, u"billing.no_period"_s, u"Company %1 has no open billing period"_s.arg(company.id));
        auto planned = planFrom(company, month, usage->value(company.id));
        if (!planned) {
            ++report.nothingToBill; // no number used
            continue;
        }
        summedRows += planned->usageRows;
        billed.append({&company, std::move(*planned), 0, numberFor(year, firstSequence + int(billed.size()))});
    }
    const qint64 summedMs = timer.elapsed();
    if (billed.isEmpty()) {
        auto committed = tx.commit(); // the periods made stay open
        if (!committed)
            return committed.error();
        return report;
    }

    // The invoices, numbered in company order.
    const Json seller = Json::parse(m_seller.party.toJson().toStdString());
    const qint64 dueAt = QDateTime(money::localDate(issuedAtMs).addDays(paymentTermDays), QTime(23, 59, 59), QTimeZone(money::billingZone))
                             .toMSecsSinceEpoch();
    const qint64 createdAt = nowMs();
    QHash<qint64, qint64> invoiceOf; // company -> invoice
    for (qsizetype from = 0; from < billed.size(); from += invoicesPerInsert) {
        const qsizetype count = std::min<qsizetype>(invoicesPerInsert, billed.size() - from);
        QString sql = u"INSERT INTO invoices (company_id, kind, number, year, sequence, period_start, period_end, issued_at, due_at, "
                      "status, currency, net_cents, vat_rate_bp, vat_cents, gross_cents, language, billing_snapshot, created_at) VALUES "_s;
        QVariantList values;
        for (qsizetype i = 0; i < count; ++i) {
            const Billed &b = billed.at(from + i);
            const Company &company = *b.company;
            const Json snapshot{{"seller", seller},
                                {"buyer", Json::parse(PartyInfo{company.name, company.address, company.vatId, company.taxNumber, company.email}
                                                          .toJson()
                                                          .toStdString())},
                                {"seller_iban", m_seller.iban.toStdString()}};
            sql += (i == 0 ? u""_s : u", "_s) + u"(?, 'invoice', ?, ?, ?, ?, ?, ?, ?, 'open', 'EUR', ?, ?, ?, ?, ?, ?, ?)"_s;
            values << company.id << b.number << year << firstSequence + int(from + i) << start << end << issuedAtMs << dueAt
                   << b.plan.netCents << company.vatRateBp << b.plan.vatCents << b.plan.grossCents << company.language
                   << QString::fromStdString(snapshot.dump()) << createdAt;
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

    // The lines, then the periods closed: ~1,000 period rows, no usage row written.
    QList<InvoiceLine> lines;
    QList<qint64> lineInvoice;
    QVariantList closing;
    for (const Billed &b : std::as_const(billed)) {
        for (const InvoiceLine &line : b.plan.lines) {
            lines.append(line);
            lineInvoice.append(b.invoiceId);
        }
        closing << periods->value(b.company->id) << b.invoiceId;
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
    constexpr int closeColumns = 2;
    for (qsizetype from = 0; from < closing.size(); from += periodsPerClose * closeColumns) {
        const qsizetype count = std::min<qsizetype>(periodsPerClose * closeColumns, closing.size() - from);
        auto closed = m_db.exec(u"UPDATE billing_periods SET invoice_id = m.column2 FROM (VALUES "_s + pairRows(count / closeColumns)
                                    + u") AS m WHERE billing_periods.id = m.column1"_s,
                                closing.mid(from, count));
        if (!closed)
            return closed.error();
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
                                << billed.first().number << " .. " << billed.last().number << "), " << summedRows
                                << " usage rows summed; ms: periods " << linkedMs << ", sums " << summedMs - linkedMs << ", invoices "
                                << insertedMs - summedMs << ", lines, closing and commit " << timer.elapsed() - insertedMs;
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
    return plan(list->first(), month);
}

Result<QList<InvoicePlan>> InvoiceGenerator::previewMonth(QDate month)
{
    auto list = companies(0);
    if (!list)
        return list.error();
    auto usage = unbilledUsage(*list, month);
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
    // Like an invoice: to Stripe (as a credit note of the corrected invoice) and by mail to the customer.
    auto followUps = InvoiceMailer::queueFollowUps(m_db, {*id});
    if (!followUps)
        return followUps.error();
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    return *id;
}

} // namespace askpro
