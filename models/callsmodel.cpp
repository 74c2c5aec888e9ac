// Presentation of call rows: branch-local times, durations and translated outcomes.
#include "callsmodel.h"

#include "core/clock.h"

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
    auto query = CallQuery::browse(*m_db, m_filter);
    if (!query) {
        m_lastError = query.error().describe();
        Q_EMIT queryFailed(m_lastError);
        return;
    }
    m_lastError.clear();
    setQuery(std::move(*query));
}

QString CallsModel::outcomeLabel(const QString &outcome)
{
    if (outcome == u"booked"_s)
        return tr("Booked");
    if (outcome == u"no_request"_s)
        return tr("No request");
    if (outcome == u"needs_callback"_s)
        return tr("Needs callback");
    if (outcome == u"failed"_s)
        return tr("Failed");
    if (outcome == u"pending"_s)
        return tr("In progress");
    return outcome;
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
        const QString outcome = raw.toString();
        if (outcome == u"failed"_s)
            return QColor(0xc0, 0x39, 0x2b);
        if (outcome == u"needs_callback"_s)
            return QColor(0xb9, 0x77, 0x0e);
        return {};
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
