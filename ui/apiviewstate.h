// Keeps a table's place while its API list model re-reads its rows asynchronously (after an action or a live
// update): the current row is found again by its id when the answer arrives, and the scroll position stays.
#pragma once

class QTableView;

namespace askpro {

class ApiListModel;

class ApiViewState final
{
public:
    // Reloads model (shown in view) and re-selects the current row's item when the first page is back.
    static void reloadKeepingSelection(QTableView *view, ApiListModel *model);
};

} // namespace askpro
