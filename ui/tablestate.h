// Remembers a table's header state (column widths, order, sort) in QSettings under a key, and keeps a
// table's place when its rows are re-read.
#pragma once

#include <QString>

#include <functional>

class QAbstractItemView;
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
    // Runs refresh (which re-reads the view's model from its first row) and puts the view back where it was:
    // as many rows loaded as before (fetching for at most 250 ms), the current row found again by its idRole
    // value, the scroll position.
    // The auto-refresh of every page goes through here.
    static void refreshKeepingPosition(QAbstractItemView *view, int idRole, const std::function<void()> &refresh);
};

} // namespace askpro
