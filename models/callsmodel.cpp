// Presentation of call rows: branch-local times, durations and translated outcomes.
#include "callsmodel.h"

#include "core/clock.h"
#include "domain/phonenumbers.h"
#include "labels.h"
#include "statuscolors.h"

#include <QColor>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

CallsModel::CallsModel(std::shared_ptr<Database> db, QObject *parent)
    : QSqlQueryModel(parent)
    , m_db(std::move(db))
{
    refresh();
}

void CallsModel::setFilter(const CallFilter &filter)
{
    m_filter = filter;
    refresh();
}

void CallsModel::refresh()
{
    auto query = CallQuery::browse(*m_db, m_filter, m_sortColumn, m_sortOrder);
    if (!query) {
        m_lastError = query.error().describe();
        Q_EMIT queryFailed(m_lastError);
        return;
    }
    m_lastError.clear();
    setQuery(std::move(*query));
}

void CallsModel::sort(int column, Qt::SortOrder order)
{
    if (column == CallQuery::TimeZone || (column == m_sortColumn && order == m_sortOrder))
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    refresh();
}

int CallsModel::rowOfCall(qint64 callId, int maxRows)
{
    for (int row = 0;; ++row) {
        if (row >= rowCount()) {
            if (row >= maxRows || !canFetchMore())
                return -1;
            fetchMore();
            if (row >= rowCount())
                return -1;
        }
        if (QSqlQueryModel::data(index(row, CallQuery::Id)).toLongLong() == callId)
            return row;
    }
}

void CallsModel::fetchAll()
{
    while (canFetchMore())
        fetchMore();
}

QString CallsModel::outcomeLabel(const QString &outcome)
{
    return Labels::outcome(outcome);
}

QVariant CallsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (role == CallIdRole)
        return QSqlQueryModel::data(this->index(index.row(), CallQuery::Id)).toLongLong();
    if (role == OutcomeRole)
        return QSqlQueryModel::data(this->index(index.row(), CallQuery::Outcome)).toString();
    const QVariant raw = QSqlQueryModel::data(index, Qt::DisplayRole);
    if (role == Qt::ForegroundRole && index.column() == CallQuery::Outcome) {
        const QColor c = StatusColors::text(StatusColors::forOutcome(raw.toString()));
        return c.isValid() ? QVariant(c) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && index.column() == CallQuery::DurationMs)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return QSqlQueryModel::data(index, role);

    const QTimeZone zone(QSqlQueryModel::data(this->index(index.row(), CallQuery::TimeZone)).toString().toUtf8());
    switch (index.column()) {
    case CallQuery::StartedAt:
    case CallQuery::AppointmentStart:
        if (raw.isNull())
            return QString();
        return QLocale().toString(fromMs(raw.toLongLong()).toTimeZone(zone.isValid() ? zone : QTimeZone::utc()),
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
        return QSqlQueryModel::headerData(section, orientation, role);
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
