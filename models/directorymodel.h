// One directory table (companies, branches, staff or services) read from the admin API's
// /directory/{entity} route: each row carries every editable field, so an edit form needs no second read.
#pragma once

#include "apilistmodel.h"

namespace askpro {

class DirectoryModel final : public ApiListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DirectoryModel)
public:
    enum class Format { Text, Number, Money, Active };
    struct Column
    {
        QString title;
        std::string key; // the item's field
        Format format = Format::Text;
    };
    // The raw value of a cell (a number, a text, null) for sorting and exports.
    enum Role { RawRole = Qt::UserRole + 1 };

    // path: "/directory/companies"; the list is loaded by reload().
    DirectoryModel(client::ApiAccount &account, const QString &path, QList<Column> columns, QObject *parent = nullptr);

    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // Whether a row is active ("active" is 1 or true).
    [[nodiscard]] static bool isActive(const client::Json &item);

protected:
    [[nodiscard]] QVariant cell(const client::Json &item, int column, int role) const override;

private:
    QList<Column> m_columns;
};

} // namespace askpro
