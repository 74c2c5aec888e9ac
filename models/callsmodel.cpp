// The filter as the route's query parameters, the text search's reading on, and the presentation of call
// rows: branch-local times, durations and translated outcomes.
#include "callsmodel.h"

#include "apiaccount.h"
#include "domain/phonenumbers.h"
#include "jsonfields.h"
#include "labels.h"
#include "statuscolors.h"

#include <QColor>
#include <QDateTime>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
// The route's sort names, in Column order ("" : not sortable).
const std::array<QString, CallsModel::ColumnCount> sortNames{u"id"_s,       u"started_at"_s, QString(),      u"company"_s,
                                                             u"branch"_s,   u"caller"_s,     u"customer"_s,  u"duration"_s,
                                                             u"outcome"_s,  u"failure"_s,    u"appointment_start"_s};
const std::array<const char *, CallsModel::ColumnCount> fields{"id",       "started_at",  "time_zone", "company",        "branch",           "caller",
                                                               "customer", "duration_ms", "outcome",   "failure_reason", "appointment_start"};
} // namespace

CallsModel::CallsModel(client::ApiAccount &account, QObject *parent)
    : ApiListModel(account, u"/calls"_s, parent)
{
    // A search that found fewer matches than a page reads on while calls are left.
    connect(this, &ApiListModel::loaded, this, &CallsModel::readOn);
    connect(this, &ApiListModel::failed, this, [this] { setSearching(false); });
    load();
}

void CallsModel::setFilter(const Filter &filter)
{
    m_filter = filter;
    load();
}

void CallsModel::sort(int column, Qt::SortOrder order)
{
    if (!isSortable(column) || (column == m_sortColumn && order == m_sortOrder)) {
        Q_EMIT sortRefused(m_sortColumn, m_sortOrder);
        return;
    }
    m_sortColumn = column;
    m_sortOrder = order;
    load();
}

bool CallsModel::isSortable(int column) const
{
    if (column < 0 || column >= ColumnCount || sortNames.at(size_t(column)).isEmpty())
        return false;
    // The server refuses it: the next page's cursor would carry the full number of a caller shown masked.
    return column != Caller || account().can(u"view_customers"_s);
}

void CallsModel::load()
{
    QUrlQuery query;
    const auto add = [&query](const QString &name, qint64 value) {
        if (value > 0)
            query.addQueryItem(name, QString::number(value));
    };
    add(u"from"_s, m_filter.fromMs);
    add(u"to"_s, m_filter.toMs);
    add(u"company_id"_s, m_filter.companyId);
    add(u"branch_id"_s, m_filter.branchId);
    if (!m_filter.outcome.isEmpty())
        query.addQueryItem(u"outcome"_s, m_filter.outcome);
    const QString text = m_filter.text.trimmed();
    if (!text.isEmpty()) {
        query.addQueryItem(u"q"_s, text);
        add(u"scan"_s, m_scan);
    }
    query.addQueryItem(u"sort"_s, sortNames.at(size_t(m_sortColumn)));
    query.addQueryItem(u"order"_s, m_sortOrder == Qt::AscendingOrder ? u"asc"_s : u"desc"_s);
    setSearching(!text.isEmpty());
    setQuery(query);
}

void CallsModel::readOn()
{
    const bool more = m_searching && rowCount() < PageSize && canFetchMore(QModelIndex());
    if (more)
        fetchMore(QModelIndex());
    else
        setSearching(false);
}

void CallsModel::setSearching(bool searching)
{
    if (searching == m_searching)
        return;
    m_searching = searching;
    Q_EMIT searchingChanged(searching);
}

int CallsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QTimeZone CallsModel::zone(const QString &id) const
{
    auto it = m_zones.constFind(id);
    if (it == m_zones.cend()) {
        QTimeZone z(id.toUtf8());
        it = m_zones.insert(id, z.isValid() ? z : QTimeZone::utc());
    }
    return *it;
}

QVariant CallsModel::cell(const client::Json &item, int column, int role) const
{
    if (role == CallIdRole)
        return client::number(item, "id");
    if (role == OutcomeRole)
        return client::text(item, "outcome");
    const char *field = fields.at(size_t(column));
    if (role == Qt::ForegroundRole && column == Outcome) {
        const QColor c = StatusColors::text(StatusColors::forOutcome(client::text(item, field)));
        return c.isValid() ? QVariant(c) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && column == DurationMs)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};

    switch (column) {
    case Id:
        return client::number(item, field);
    case StartedAt:
    case AppointmentStart: {
        const qint64 ms = client::number(item, field);
        if (ms <= 0)
            return QString();
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toTimeZone(zone(client::text(item, "time_zone"))),
                                  QLocale::ShortFormat);
    }
    case DurationMs: {
        const qint64 seconds = client::number(item, field) / 1000;
        return u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    }
    case Outcome: {
        const QString outcome = Labels::outcome(client::text(item, field));
        // A test call from the setup: shown as such, and never billed.
        return client::flag(item, "test_call") ? tr("%1 (test call)").arg(outcome) : outcome;
    }
    case Caller: {
        const QString caller = client::text(item, field);
        return caller.isEmpty() ? QString() : PhoneNumbers::display(caller);
    }
    default:
        return client::text(item, field);
    }
}

QVariant CallsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return ApiListModel::headerData(section, orientation, role);
    switch (section) {
    case Id: return tr("No.");
    case StartedAt: return tr("Time");
    case TimeZone: return tr("Time zone");
    case Company: return tr("Company");
    case Branch: return tr("Branch");
    case Caller: return tr("Caller");
    case Customer: return tr("Customer");
    case DurationMs: return tr("Duration");
    case Outcome: return tr("Outcome");
    case FailureReason: return tr("Reason");
    case AppointmentStart: return tr("Appointment");
    default: return {};
    }
}

} // namespace askpro
