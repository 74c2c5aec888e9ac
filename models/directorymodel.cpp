// Directory rows as the server sends them; only presentation here (money, active state, alignment).
#include "directorymodel.h"

#include "displayformat.h"
#include "statuscolors.h"

using namespace Qt::StringLiterals;

namespace askpro {

DirectoryModel::DirectoryModel(client::ApiAccount &account, const QString &path, QList<Column> columns, QObject *parent)
    : ApiListModel(account, path, parent)
    , m_columns(std::move(columns))
{
}

int DirectoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant DirectoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < m_columns.size())
        return m_columns.at(section).title;
    return ApiListModel::headerData(section, orientation, role);
}

bool DirectoryModel::isActive(const client::Json &item)
{
    const client::Json active = item.value("active", client::Json(true));
    return active.is_boolean() ? active.get<bool>() : (active.is_number() && active.get<qint64>() != 0);
}

QVariant DirectoryModel::cell(const client::Json &item, int column, int role) const
{
    const Column &spec = m_columns.at(column);
    const client::Json value = item.value(spec.key, client::Json());
    const auto raw = [&value]() -> QVariant {
        if (value.is_number_integer())
            return value.get<qint64>();
        if (value.is_string())
            return QString::fromStdString(value.get<std::string>());
        if (value.is_boolean())
            return value.get<bool>();
        return {};
    };
    switch (role) {
    case RawRole:
        return raw();
    case Qt::TextAlignmentRole:
        if (spec.format == Format::Number || spec.format == Format::Money)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole: {
        // An inactive row stays listed; its state says so in the warning colour.
        if (spec.format != Format::Active || isActive(item))
            return {};
        const QColor colour = StatusColors::text(StatusColors::Tone::Warning);
        return colour.isValid() ? QVariant(colour) : QVariant();
    }
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        break;
    default:
        return {};
    }
    switch (spec.format) {
    case Format::Money:
        return value.is_number() ? DisplayFormat::money(value.get<qint64>()) : QString();
    case Format::Active:
        return isActive(item) ? tr("Active") : tr("Inactive");
    case Format::Number:
    case Format::Text:
        break;
    }
    return raw();
}

} // namespace askpro
