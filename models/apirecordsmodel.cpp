// Cells of API list items: the same words, colours and time zones as RecordsModel gave the SQL rows.
#include "apirecordsmodel.h"

#include "labels.h"
#include "statuscolors.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QVariant fieldValue(const client::Json &item, const char *field)
{
    const auto it = item.find(field);
    if (it == item.end() || it->is_null())
        return {};
    if (it->is_number_integer())
        return qint64(it->get<qint64>());
    if (it->is_number())
        return it->get<double>();
    if (it->is_boolean())
        return it->get<bool>();
    if (it->is_string())
        return QString::fromStdString(it->get<std::string>());
    return {};
}

} // namespace

ApiRecordsModel::ApiRecordsModel(client::ApiAccount &account, QString path, QList<Column> columns, const char *zoneField, QObject *parent,
                                 int pageSize)
    : ApiListModel(account, std::move(path), parent, pageSize)
    , m_columns(std::move(columns))
    , m_zoneField(zoneField)
{
}

void ApiRecordsModel::setFilters(const QUrlQuery &filters)
{
    m_filters = filters;
    m_filtersSet = true;
    load();
}

void ApiRecordsModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= m_columns.size() || m_columns.at(column).sortName.isEmpty())
        return;
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    if (m_filtersSet)
        load();
}

void ApiRecordsModel::load()
{
    QUrlQuery query = m_filters;
    if (m_sortColumn >= 0) {
        query.addQueryItem(u"sort"_s, m_columns.at(m_sortColumn).sortName);
        query.addQueryItem(u"order"_s, m_sortOrder == Qt::DescendingOrder ? u"desc"_s : u"asc"_s);
    }
    setQuery(query);
}

int ApiRecordsModel::columnOfField(const char *field) const
{
    for (int c = 0; c < m_columns.size(); ++c) {
        if (qstrcmp(m_columns.at(c).field, field) == 0)
            return c;
    }
    return -1;
}

int ApiRecordsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant ApiRecordsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < m_columns.size())
        return m_columns.at(section).title;
    return ApiListModel::headerData(section, orientation, role);
}

QVariant ApiRecordsModel::cell(const client::Json &item, int column, int role) const
{
    const Column &c = m_columns.at(column);
    const QVariant raw = fieldValue(item, c.field);
    if (role == RawRole)
        return raw;
    if (role == Qt::ForegroundRole) {
        StatusColors::Tone tone = StatusColors::Tone::Neutral;
        if (c.format == Format::Outcome)
            tone = StatusColors::forOutcome(raw.toString());
        else if (c.format == Format::AppointmentStatus)
            tone = StatusColors::forAppointmentStatus(raw.toString());
        else if (c.format == Format::SyncState)
            tone = StatusColors::forSyncState(raw.toString());
        else if (c.format == Format::InboxStatus)
            tone = StatusColors::forInboxStatus(raw.toString());
        else if (c.format == Format::MessageState)
            tone = StatusColors::forMessageState(raw.toString());
        const QColor color = StatusColors::text(tone);
        return color.isValid() ? QVariant(color) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && (c.format == Format::Number || c.format == Format::Duration))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (c.format) {
    case Format::DateTime: {
        if (raw.isNull() || raw.toLongLong() == 0)
            return QString();
        const QTimeZone zone(m_zoneField ? fieldValue(item, m_zoneField).toString().toUtf8() : QByteArray());
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(raw.toLongLong(), Qt::UTC).toTimeZone(zone.isValid() ? zone : QTimeZone::utc()),
                                  QLocale::ShortFormat);
    }
    case Format::Duration: {
        const qint64 seconds = raw.toLongLong() / 1000;
        return u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    }
    case Format::Outcome:
        return Labels::outcome(raw.toString());
    case Format::AppointmentStatus:
        return Labels::appointmentStatus(raw.toString());
    case Format::SyncState:
        return Labels::syncState(raw.toString());
    case Format::InboxStatus:
        return Labels::inboxStatus(raw.toString());
    case Format::MessageState:
        return Labels::messageState(raw.toString());
    case Format::Channel:
        return Labels::channel(raw.toString());
    case Format::MessageKind:
        return Labels::messageKind(raw.toString());
    case Format::MessageReason:
        return Labels::messageReason(raw.toString());
    case Format::YesNo:
        return raw.toBool() || raw.toLongLong() != 0 ? tr("Yes") : tr("No");
    case Format::Number:
    case Format::Text:
        break;
    }
    return raw;
}

} // namespace askpro
