// One-shot connections to the model's answer; a failed reload leaves the rows, so nothing is to be restored.
#include "apiviewstate.h"

#include "apilistmodel.h"

#include <QItemSelectionModel>
#include <QScrollBar>
#include <QTableView>

#include <memory>

namespace askpro {

void ApiViewState::reloadKeepingSelection(QTableView *view, ApiListModel *model)
{
    const QModelIndex current = view->selectionModel() ? view->selectionModel()->currentIndex() : QModelIndex();
    const qint64 id = current.isValid() ? model->idAt(current.row()) : 0;
    const int column = current.isValid() ? current.column() : 0;
    const int vertical = view->verticalScrollBar()->value();
    auto loaded = std::make_shared<QMetaObject::Connection>();
    auto failed = std::make_shared<QMetaObject::Connection>();
    *loaded = QObject::connect(model, &ApiListModel::loaded, view, [view, model, id, column, vertical, loaded, failed] {
        QObject::disconnect(*loaded);
        QObject::disconnect(*failed);
        const int row = id > 0 ? model->rowOfId(id) : -1;
        if (row >= 0 && view->selectionModel())
            view->selectionModel()->setCurrentIndex(model->index(row, column), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        view->verticalScrollBar()->setValue(vertical);
    });
    *failed = QObject::connect(model, &ApiListModel::failed, view, [loaded, failed] {
        QObject::disconnect(*loaded);
        QObject::disconnect(*failed);
    });
    model->reload();
}

} // namespace askpro
