// Remembers a table's header state (column widths, order, sort) in QSettings under a key.
#pragma once

#include <QString>

class QTableView;
class QTreeView;
class QHeaderView;

namespace askpro {

class TableState final
{
public:
    // Restores the saved state (when there is one) and saves it again whenever it changes.
    static void track(QHeaderView *header, const QString &key);
    static void track(QTableView *view, const QString &key);
    static void track(QTreeView *view, const QString &key);
    // Standard look of the app's data tables: row selection, alternating rows, no vertical header.
    static void setUpTable(QTableView *view);
};

} // namespace askpro
