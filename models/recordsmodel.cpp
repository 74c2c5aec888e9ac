// Cell formatting for RecordsModel; the SQL lives in the backend query classes.
#include "recordsmodel.h"

#include "core/clock.h"
#include "displayformat.h"
#include "domain/phonenumbers.h"
#include "labels.h"
#include "statuscolors.h"

#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

RecordsModel::RecordsModel(QList<Column> columns, int zoneColumn, QObject *parent)
    : QSqlQueryModel(parent)
    , m_columns(std::move(columns))
    , m_zoneColumn(zoneColumn)
{
}

void RecordsModel::setLoader(Loader loader, int sortColumn, Qt::SortOrder order)
{
    m_loader = std::move(loader);
    m_sortColumn = sortColumn;
    m_sortOrder = order;
    refresh();
}

bool RecordsModel::refresh()
{
    if (!m_loader)
        return false;
    auto query = m_loader(m_sortColumn, m_sortOrder);
    if (!query) {
        m_lastError = query.error().describe();
        Q_EMIT queryFailed(m_lastError);
        return false;
    }
    m_lastError.clear();
    setQuery(std::move(*query));
    return true;
}

qint64 RecordsModel::idAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return 0;
    return QSqlQueryModel::data(index(row, 0)).toLongLong();
}

void RecordsModel::fetchAll()
{
    while (canFetchMore())
        fetchMore();
}

int RecordsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

void RecordsModel::sort(int column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    refresh();
}

QVariant RecordsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const QVariant raw = QSqlQueryModel::data(index, Qt::DisplayRole);
    if (role == IdRole)
        return idAt(index.row());
    if (role == RawRole)
        return raw;
    const Format format = m_columns.value(index.column()).format;
    if (role == Qt::ForegroundRole) {
        StatusColors::Tone tone = StatusColors::Tone::Neutral;
        if (format == Format::Outcome)
            tone = StatusColors::forOutcome(raw.toString());
        else if (format == Format::AppointmentStatus)
            tone = StatusColors::forAppointmentStatus(raw.toString());
        else if (format == Format::SyncState)
            tone = StatusColors::forSyncState(raw.toString());
        else if (format == Format::InboxStatus)
            tone = raw.toString() == u"failed"_s || raw.toString() == u"rejected"_s ? StatusColors::Tone::Bad
                : raw.toString() == u"pending"_s                                     ? StatusColors::Tone::Warning
                                                                                     : StatusColors::Tone::Neutral;
        else if (format == Format::Active && raw.toInt() == 0)
            tone = StatusColors::Tone::Warning;
        const QColor c = StatusColors::text(tone);
        return c.isValid() ? QVariant(c) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && (format == Format::Number || format == Format::Money || format == Format::Duration))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return QSqlQueryModel::data(index, role);
    switch (format) {
    case Format::DateTime: {
        if (raw.isNull() || raw.toLongLong() == 0)
            return QString();
        const QString zoneId = m_zoneColumn >= 0 ? QSqlQueryModel::data(this->index(index.row(), m_zoneColumn)).toString() : QString();
        const QTimeZone zone(zoneId.toUtf8());
        return QLocale().toString(fromMs(raw.toLongLong()).toTimeZone(zone.isValid() ? zone : QTimeZone::utc()), QLocale::ShortFormat);
    }
    case Format::Duration: {
        const qint64 seconds = raw.toLongLong() / 1000;
        return u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    }
    case Format::Money:
        return DisplayFormat::money(raw.toLongLong());
    case Format::Active:
        return raw.toInt() != 0 ? tr("Active") : tr("Inactive");
    case Format::YesNo:
        return raw.toInt() != 0 ? tr("Yes") : tr("No");
    case Format::Outcome:
        return Labels::outcome(raw.toString());
    case Format::AppointmentStatus:
        return Labels::appointmentStatus(raw.toString());
    case Format::SyncState:
        return Labels::syncState(raw.toString());
    case Format::InboxStatus:
        return Labels::inboxStatus(raw.toString());
    case Format::Phone:
        return raw.toString().isEmpty() ? QString() : PhoneNumbers::display(raw.toString());
    case Format::Number:
    case Format::Text:
        break;
    }
    return raw;
}

QVariant RecordsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section < m_columns.size())
        return m_columns.at(section).title;
    return QSqlQueryModel::headerData(section, orientation, role);
}

} // namespace askpro
