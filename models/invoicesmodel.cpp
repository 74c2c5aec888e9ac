// Formatting for the billing models; the SQL lives in backend/billing/billingquery.
#include "invoicesmodel.h"

#include "billing/invoicedocument.h"
#include "statuscolors.h"

#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

InvoicesModel::InvoicesModel(Database &db, Actor reader, QObject *parent) : QSqlQueryModel(parent), m_db(db), m_reader(std::move(reader)) {}

void InvoicesModel::setFilter(const InvoiceFilter &filter)
{
    m_filter = filter;
    refresh();
}

bool InvoicesModel::refresh()
{
    auto q = BillingQuery::browse(m_db, m_reader, m_filter, m_sortColumn, m_sortOrder);
    if (!q) {
        Q_EMIT queryFailed(q.error().describe());
        return false;
    }
    setQuery(std::move(*q));
    return true;
}

qint64 InvoicesModel::idAt(int row) const
{
    return row < 0 || row >= rowCount() ? 0 : QSqlQueryModel::data(index(row, BillingQuery::Id)).toLongLong();
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

void InvoicesModel::sort(int column, Qt::SortOrder order)
{
    m_sortColumn = column;
    m_sortOrder = order;
    refresh();
}

QVariant InvoicesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const QVariant raw = QSqlQueryModel::data(index, Qt::DisplayRole);
    if (role == IdRole)
        return idAt(index.row());
    if (role == StatusRole)
        return QSqlQueryModel::data(this->index(index.row(), BillingQuery::Status));
    if (role == Qt::ForegroundRole && index.column() == BillingQuery::Status) {
        const QString s = raw.toString();
        const auto tone = s == u"paid"_s ? StatusColors::Tone::Good
            : s == u"overdue"_s || s == u"failed"_s ? StatusColors::Tone::Bad
            : s == u"open"_s ? StatusColors::Tone::Warning
                             : StatusColors::Tone::Neutral;
        const QColor c = StatusColors::text(tone);
        return c.isValid() ? QVariant(c) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && index.column() == BillingQuery::Total)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return QSqlQueryModel::data(index, role);
    switch (index.column()) {
    case BillingQuery::PeriodStart:
        return QLocale().toString(money::localDate(raw.toLongLong()), u"MM/yyyy"_s);
    case BillingQuery::IssuedAt:
    case BillingQuery::DueAt:
        return raw.isNull() ? QString() : QLocale().toString(money::localDate(raw.toLongLong()), QLocale::ShortFormat);
    case BillingQuery::Total:
        return QLocale().toCurrencyString(double(raw.toLongLong()) / 100.0, u"€"_s);
    case BillingQuery::Status:
        return statusLabel(raw.toString());
    case BillingQuery::Kind:
        return raw.toString() == u"credit_note"_s ? tr("Credit note") : tr("Invoice");
    default:
        return raw;
    }
}

QVariant InvoicesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QSqlQueryModel::headerData(section, orientation, role);
    switch (section) {
    case BillingQuery::Id: return tr("Id");
    case BillingQuery::Number: return tr("Number");
    case BillingQuery::Company: return tr("Company");
    case BillingQuery::PeriodStart: return tr("Period");
    case BillingQuery::Total: return tr("Total");
    case BillingQuery::Status: return tr("Status");
    case BillingQuery::IssuedAt: return tr("Issued");
    case BillingQuery::DueAt: return tr("Due");
    case BillingQuery::Kind: return tr("Kind");
    default: return {};
    }
}

DailyUsageModel::DailyUsageModel(QObject *parent) : QAbstractTableModel(parent) {}

void DailyUsageModel::setRows(QList<DailyUsage> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int DailyUsageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DailyUsageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DailyUsageModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || (role != Qt::DisplayRole && role != Qt::EditRole))
        return {};
    const DailyUsage &r = m_rows.at(index.row());
    switch (index.column()) {
    case Day:
        return double(QDateTime(r.day, QTime(0, 0), QTimeZone(money::billingZone)).toMSecsSinceEpoch());
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

void MonthlyRevenueModel::setRows(QList<MonthlyRevenue> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

QStringList MonthlyRevenueModel::monthLabels() const
{
    QStringList labels;
    for (const MonthlyRevenue &r : m_rows)
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
    const MonthlyRevenue &r = m_rows.at(index.row());
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
