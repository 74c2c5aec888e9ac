// Formatting for the billing models: invoice rows of the admin API, and the usage page's two series.
#include "invoicesmodel.h"

#include "displayformat.h"
#include "jsonfields.h"
#include "statuscolors.h"

#include <QColor>
#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

#include <array>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
// Months, issue and due dates are those of the billing zone (the server's money::billingZone).
const QTimeZone &billingZone()
{
    static const QTimeZone zone("Europe/Berlin");
    return zone;
}

QDate billingDate(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toTimeZone(billingZone()).date();
}

const std::array<QString, InvoicesModel::ColumnCount> sortNames{u"id"_s,          u"number"_s, u"company"_s,   u"period_start"_s, u"gross_cents"_s,
                                                               u"status"_s,      u"issued_at"_s, u"due_at"_s, u"kind"_s};
const std::array<const char *, InvoicesModel::ColumnCount> fields{"id", "number", "company", "period_start", "gross_cents", "status", "issued_at", "due_at", "kind"};
} // namespace

InvoicesModel::InvoicesModel(client::ApiAccount &account, QObject *parent) : ApiListModel(account, u"/invoices"_s, parent)
{
    load();
}

void InvoicesModel::setFilter(const Filter &filter)
{
    m_filter = filter;
    load();
}

void InvoicesModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount || (column == m_sortColumn && order == m_sortOrder))
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    load();
}

void InvoicesModel::load()
{
    QUrlQuery query;
    const auto add = [&query](const QString &name, qint64 value) {
        if (value > 0)
            query.addQueryItem(name, QString::number(value));
    };
    add(u"company_id"_s, m_filter.companyId);
    add(u"from"_s, m_filter.fromMs);
    add(u"to"_s, m_filter.toMs);
    if (!m_filter.status.isEmpty())
        query.addQueryItem(u"status"_s, m_filter.status);
    if (!m_filter.text.trimmed().isEmpty())
        query.addQueryItem(u"q"_s, m_filter.text.trimmed());
    query.addQueryItem(u"sort"_s, sortNames.at(size_t(m_sortColumn)));
    query.addQueryItem(u"order"_s, m_sortOrder == Qt::AscendingOrder ? u"asc"_s : u"desc"_s);
    setQuery(query);
}

QString InvoicesModel::statusLabel(const QString &status)
{
    if (status == u"draft"_s)
        return tr("Draft");
    if (status == u"open"_s)
        return tr("Open");
    if (status == u"paid"_s)
        return tr("Paid");
    if (status == u"overdue"_s)
        return tr("Overdue");
    if (status == u"failed"_s)
        return tr("Payment failed");
    if (status == u"credit_note"_s)
        return tr("Credit note");
    return status;
}

int InvoicesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QVariant InvoicesModel::cell(const client::Json &item, int column, int role) const
{
    if (role == IdRole)
        return client::number(item, "id");
    if (role == StatusRole)
        return client::text(item, "status");
    if (role == KindRole)
        return client::text(item, "kind");
    const char *field = fields.at(size_t(column));
    if (role == Qt::ForegroundRole && column == Status) {
        const QString s = client::text(item, field);
        const auto tone = s == u"paid"_s ? StatusColors::Tone::Good
            : s == u"overdue"_s || s == u"failed"_s ? StatusColors::Tone::Bad
            : s == u"open"_s ? StatusColors::Tone::Warning
                             : StatusColors::Tone::Neutral;
        const QColor c = StatusColors::text(tone);
        return c.isValid() ? QVariant(c) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && column == Total)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (column) {
    case Id:
        return client::number(item, field);
    case PeriodStart:
        return QLocale().toString(billingDate(client::number(item, field)), u"MM/yyyy"_s);
    case IssuedAt:
    case DueAt: {
        const qint64 ms = client::number(item, field);
        return ms <= 0 ? QString() : QLocale().toString(billingDate(ms), QLocale::ShortFormat);
    }
    case Total:
        return DisplayFormat::money(client::number(item, field));
    case Status:
        return statusLabel(client::text(item, field));
    case Kind:
        return client::text(item, field) == u"credit_note"_s ? tr("Credit note") : tr("Invoice");
    default:
        return client::text(item, field);
    }
}

QVariant InvoicesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return ApiListModel::headerData(section, orientation, role);
    switch (section) {
    case Id: return tr("Id");
    case Number: return tr("Number");
    case Company: return tr("Company");
    case PeriodStart: return tr("Period");
    case Total: return tr("Total");
    case Status: return tr("Status");
    case IssuedAt: return tr("Issued");
    case DueAt: return tr("Due");
    case Kind: return tr("Kind");
    default: return {};
    }
}

DailyUsageModel::DailyUsageModel(QObject *parent) : QAbstractTableModel(parent) {}

QList<UsageDay> DailyUsageModel::fromJson(const client::Json &days)
{
    QList<UsageDay> rows;
    if (!days.is_array())
        return rows;
    for (const client::Json &d : days)
        rows.append({QDate::fromString(client::text(d, "day"), Qt::ISODate), client::number(d, "calls"), client::number(d, "appointments")});
    return rows;
}

void DailyUsageModel::setRows(QList<UsageDay> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int DailyUsageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QList<QList<QPointF>> DailyUsageModel::conversionRuns() const
{
    QList<QList<QPointF>> runs;
    QDate previous;
    for (const UsageDay &r : m_rows) {
        if (r.calls <= 0) {
            previous = QDate();
            continue;
        }
        if (!previous.isValid() || previous.daysTo(r.day) != 1)
            runs.append(QList<QPointF>());
        runs.last().append({double(QDateTime(r.day, QTime(0, 0), billingZone()).toMSecsSinceEpoch()),
                            100.0 * double(r.appointments) / double(r.calls)});
        previous = r.day;
    }
    return runs;
}

int DailyUsageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DailyUsageModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || (role != Qt::DisplayRole && role != Qt::EditRole))
        return {};
    const UsageDay &r = m_rows.at(index.row());
    switch (index.column()) {
    case Day:
        return double(QDateTime(r.day, QTime(0, 0), billingZone()).toMSecsSinceEpoch());
    case Calls: return double(r.calls);
    case Appointments: return double(r.appointments);
    case Conversion: return r.calls == 0 ? 0.0 : 100.0 * double(r.appointments) / double(r.calls);
    default: return {};
    }
}

QVariant DailyUsageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Day: return tr("Day");
    case Calls: return tr("Calls");
    case Appointments: return tr("Appointments");
    case Conversion: return tr("Conversion %");
    default: return {};
    }
}

MonthlyRevenueModel::MonthlyRevenueModel(QObject *parent) : QAbstractTableModel(parent) {}

QList<RevenueMonth> MonthlyRevenueModel::fromJson(const client::Json &months)
{
    QList<RevenueMonth> rows;
    if (!months.is_array())
        return rows;
    for (const client::Json &m : months)
        rows.append({QDate::fromString(client::text(m, "month"), u"yyyy-MM"_s), client::number(m, "base_cents"), client::number(m, "usage_cents")});
    return rows;
}

void MonthlyRevenueModel::setRows(QList<RevenueMonth> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

QStringList MonthlyRevenueModel::monthLabels() const
{
    QStringList labels;
    for (const RevenueMonth &r : m_rows)
        labels << QLocale().toString(r.month, u"MMM yy"_s);
    return labels;
}

int MonthlyRevenueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int MonthlyRevenueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MonthlyRevenueModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || (role != Qt::DisplayRole && role != Qt::EditRole))
        return {};
    const RevenueMonth &r = m_rows.at(index.row());
    switch (index.column()) {
    case Month: return r.month.toString(u"yyyy-MM"_s);
    case Base: return double(r.baseCents) / 100.0;
    case Usage: return double(r.usageCents) / 100.0;
    default: return {};
    }
}

QVariant MonthlyRevenueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Month: return tr("Month");
    case Base: return tr("Base fee (€)");
    case Usage: return tr("Usage (€)");
    default: return {};
    }
}

} // namespace askpro
