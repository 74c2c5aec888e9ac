#include "importrowsmodel.h"

#include "jsonfields.h"
#include "statuscolors.h"

using namespace Qt::StringLiterals;

namespace askpro {

ImportRowsModel::ImportRowsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ImportRowsModel::setReport(const client::Json &report)
{
    beginResetModel();
    const client::Json rows = report.is_object() ? report.value("rows", client::Json::array()) : client::Json::array();
    m_rows = rows.is_array() ? rows : client::Json::array();
    m_applied = client::flag(report, "applied");
    refilter();
    endResetModel();
}

void ImportRowsModel::setActionFilter(const QString &action)
{
    if (action == m_filter)
        return;
    beginResetModel();
    m_filter = action;
    refilter();
    endResetModel();
}

void ImportRowsModel::clear()
{
    setReport(client::Json());
}

void ImportRowsModel::refilter()
{
    m_shown.clear();
    for (int i = 0; i < int(m_rows.size()); ++i) {
        if (m_filter.isEmpty() || client::text(m_rows[i], "action") == m_filter)
            m_shown.append(i);
    }
}

QString ImportRowsModel::actionText(const QString &action, bool applied)
{
    if (action == u"create"_s)
        return applied ? tr("Created") : tr("Create");
    if (action == u"update"_s)
        return applied ? tr("Updated") : tr("Update");
    if (action == u"unchanged"_s)
        return tr("Unchanged");
    if (action == u"skip"_s)
        return applied ? tr("Skipped") : tr("Skip");
    return action;
}

int ImportRowsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_shown.size());
}

int ImportRowsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImportRowsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_shown.size())
        return {};
    const client::Json &row = m_rows[m_shown.at(index.row())];
    const QString action = client::text(row, "action");
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Line:
            return client::number(row, "line");
        case Action:
            return actionText(action, m_applied);
        case Name:
            return client::text(row, "name");
        case Phone:
            return client::text(row, "phone");
        case Reason:
            return client::text(row, "reason");
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Action) {
        const StatusColors::Tone tone = action == u"skip"_s ? StatusColors::Tone::Warning
            : action == u"create"_s                          ? StatusColors::Tone::Good
            : action == u"update"_s                          ? StatusColors::Tone::Info
                                                             : StatusColors::Tone::Neutral;
        const QColor colour = StatusColors::text(tone);
        return colour.isValid() ? QVariant(colour) : QVariant();
    }
    if (role == Qt::ToolTipRole && index.column() == Reason)
        return client::text(row, "reason");
    if (role == Qt::TextAlignmentRole && index.column() == Line)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ImportRowsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Line:
        return tr("Line");
    case Action:
        return tr("Action");
    case Name:
        return tr("Name");
    case Phone:
        return tr("Phone");
    case Reason:
        return tr("Reason");
    default:
        return {};
    }
}

} // namespace askpro
