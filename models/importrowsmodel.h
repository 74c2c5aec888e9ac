// The rows of an import's report (the dry run's or the applied run's) as a table: line, what happens to the
// row, name, phone and why; one action at a time when filtered. The report comes whole with the import's
// answer (at most 10,000 rows), so this model holds it rather than paging a route.
#pragma once

#include "apiresult.h"

#include <QAbstractTableModel>
#include <QList>

namespace askpro {

class ImportRowsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportRowsModel)
public:
    enum Column { Line, Action, Name, Phone, Reason, ColumnCount };

    explicit ImportRowsModel(QObject *parent = nullptr);

    // The report's rows; an empty action shows all of them, else only rows of that action (create, update,
    // unchanged, skip).
    void setReport(const client::Json &report);
    void setActionFilter(const QString &action);
    [[nodiscard]] QString actionFilter() const { return m_filter; }
    void clear();

    // The words for a row's action ("Create", "Skip"…), in the report's tense: what would happen, or happened.
    [[nodiscard]] static QString actionText(const QString &action, bool applied);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refilter();
    client::Json m_rows = client::Json::array();
    QList<int> m_shown; // indexes into m_rows
    QString m_filter;
    bool m_applied = false;
};

} // namespace askpro
