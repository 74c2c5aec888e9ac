// Paging, background search slices, and the presentation of call rows: branch-local times, durations and
// translated outcomes.
#include "callsmodel.h"

#include "core/clock.h"
#include "domain/phonenumbers.h"
#include "labels.h"
#include "statuscolors.h"

#include <QColor>
#include <QElapsedTimer>
#include <QLocale>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
constexpr qsizetype keepRows = 5000; // refresh() loads at most this many rows again
constexpr int noBudget = -1;
constexpr qint64 searchQueryMs = 30;
constexpr qint64 minWindow = 1000;
constexpr qint64 maxWindow = 200000;
} // namespace

CallsModel::CallsModel(std::shared_ptr<Database> db, QObject *parent)
    : QAbstractTableModel(parent)
    , m_db(std::move(db))
{
    reload(PageSize);
}

void CallsModel::setFilter(const CallFilter &filter)
{
    m_filter = filter;
    reload(PageSize);
}

void CallsModel::refresh()
{
    reload(qBound(qsizetype(PageSize), m_rows.size(), keepRows));
}

void CallsModel::sort(int column, Qt::SortOrder order)
{
    if (column == CallQuery::TimeZone || (column == m_sortColumn && order == m_sortOrder))
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    reload(PageSize);
}

void CallsModel::read(Batch &batch, qsizetype have, qsizetype wanted, int budgetMs)
{
    QElapsedTimer clock;
    clock.start();
    qint64 started = 0; // when the current page's read began
    while (!batch.atEnd && have + batch.rows.size() < wanted) {
        const int limit = int(qMin<qsizetype>(wanted - have - batch.rows.size(), 10000));
        auto page = CallQuery::page(*m_db, m_filter, m_sortColumn, m_sortOrder, batch.next, limit, m_searchWindow);
        if (!page) {
            m_lastError = page.error().describe();
            batch.atEnd = true;
            Q_EMIT queryFailed(m_lastError);
            return;
        }
        batch.rows.append(std::move(page->rows));
        batch.next = page->next;
        batch.atEnd = !batch.next;
        const qint64 elapsed = clock.elapsed();
        qint64 nextCost = elapsed - started;
        // A search's window follows the engine's speed, about searchQueryMs per query on SQLite and PostgreSQL
        // alike; it at most doubles per step, so one fast query (a cached page) cannot make the next one slow.
        if (m_adaptiveWindow && !m_filter.text.trimmed().isEmpty()) {
            const qint64 took = qMax<qint64>(1, elapsed - started);
            const qint64 window
                = qBound<qint64>(minWindow, qMin(qint64(m_searchWindow) * searchQueryMs / took, 2LL * m_searchWindow), maxWindow);
            nextCost = nextCost * window / m_searchWindow;
            m_searchWindow = int(window);
        }
        // Stop where the next page would overrun the budget.
        if (budgetMs != noBudget && elapsed + nextCost >= budgetMs)
            break;
        started = elapsed;
    }
}

void CallsModel::reload(qsizetype wanted)
{
    ++m_generation;
    m_lastError.clear();
    Batch batch;
    const bool searching = !m_filter.text.trimmed().isEmpty();
    read(batch, 0, wanted, searching ? m_sliceMs : noBudget);
    beginResetModel();
    m_rows = std::move(batch.rows);
    m_next = batch.next;
    m_atEnd = batch.atEnd;
    m_wanted = wanted;
    endResetModel();
    updateSearching();
}

void CallsModel::load(int budgetMs)
{
    Batch batch;
    batch.next = m_next;
    batch.atEnd = m_atEnd;
    read(batch, m_rows.size(), m_wanted, budgetMs);
    if (!batch.rows.isEmpty()) {
        beginInsertRows(QModelIndex(), int(m_rows.size()), int(m_rows.size() + batch.rows.size() - 1));
        m_rows.append(std::move(batch.rows));
        endInsertRows();
    }
    m_next = batch.next;
    m_atEnd = batch.atEnd;
    updateSearching();
}

// A search that found fewer rows than asked for and has calls left goes on from the event loop, a slice
// at a time, so the window stays responsive and shows the first matches at once.
void CallsModel::updateSearching()
{
    const bool searching = !m_atEnd && m_rows.size() < m_wanted;
    if (searching && !m_continuationQueued) {
        m_continuationQueued = true;
        QTimer::singleShot(0, this, [this, generation = m_generation] {
            m_continuationQueued = false;
            if (generation == m_generation)
                load(m_sliceMs);
            else
                updateSearching();
        });
    }
    if (searching != m_searching) {
        m_searching = searching;
        Q_EMIT searchingChanged(searching);
    }
}

int CallsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CallsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(CallQuery::ColumnCount);
}

bool CallsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_atEnd;
}

void CallsModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || m_atEnd)
        return;
    m_wanted = qMax(m_wanted, m_rows.size() + PageSize);
    load(m_filter.text.trimmed().isEmpty() ? noBudget : m_sliceMs);
}

int CallsModel::rowOfCall(qint64 callId, int maxRows)
{
    for (int row = 0;; ++row) {
        if (row >= m_rows.size()) {
            if (row >= maxRows || m_atEnd)
                return -1;
            m_wanted = qMax(m_wanted, m_rows.size() + PageSize);
            load(noBudget);
            if (row >= m_rows.size())
                return -1;
        }
        if (m_rows.at(row).value(CallQuery::Id).toLongLong() == callId)
            return row;
    }
}

void CallsModel::fetchAll()
{
    while (!m_atEnd) {
        m_wanted = m_rows.size() + 10000;
        load(noBudget);
    }
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

QString CallsModel::outcomeLabel(const QString &outcome)
{
    return Labels::outcome(outcome);
}

QVariant CallsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= CallQuery::ColumnCount)
        return {};
    const QVariantList &row = m_rows.at(index.row());
    if (role == CallIdRole)
        return row.at(CallQuery::Id).toLongLong();
    if (role == OutcomeRole)
        return row.at(CallQuery::Outcome).toString();
    const QVariant raw = row.at(index.column());
    if (role == Qt::ForegroundRole && index.column() == CallQuery::Outcome) {
        const QColor c = StatusColors::text(StatusColors::forOutcome(raw.toString()));
        return c.isValid() ? QVariant(c) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && index.column() == CallQuery::DurationMs)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};

    switch (index.column()) {
    case CallQuery::StartedAt:
    case CallQuery::AppointmentStart:
        if (raw.isNull())
            return QString();
        return QLocale().toString(fromMs(raw.toLongLong()).toTimeZone(zone(row.at(CallQuery::TimeZone).toString())),
                                  QLocale::ShortFormat);
    case CallQuery::DurationMs: {
        const qint64 seconds = raw.toLongLong() / 1000;
        return u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    }
    case CallQuery::Outcome:
        return outcomeLabel(raw.toString());
    case CallQuery::Caller:
        return raw.toString().isEmpty() ? QString() : PhoneNumbers::display(raw.toString());
    default:
        return raw;
    }
}

QVariant CallsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case CallQuery::Id: return tr("No.");
    case CallQuery::StartedAt: return tr("Time");
    case CallQuery::TimeZone: return tr("Time zone");
    case CallQuery::Company: return tr("Company");
    case CallQuery::Branch: return tr("Branch");
    case CallQuery::Caller: return tr("Caller");
    case CallQuery::Customer: return tr("Customer");
    case CallQuery::DurationMs: return tr("Duration");
    case CallQuery::Outcome: return tr("Outcome");
    case CallQuery::FailureReason: return tr("Reason");
    case CallQuery::AppointmentStart: return tr("Appointment");
    default: return {};
    }
}

} // namespace askpro
