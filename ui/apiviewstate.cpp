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
    // The row to find again is the one current when the answer replaces the rows, not when the reload began:
    // the user (or a test) may pick another row while the request is out.
    struct Place {
        qint64 id = 0;
        int column = 0;
        int vertical = 0;
    };
    auto place = std::make_shared<Place>();
    const auto remember = [view, model, place] {
        const QModelIndex current = view->selectionModel() ? view->selectionModel()->currentIndex() : QModelIndex();
        place->id = current.isValid() ? model->idAt(current.row()) : 0;
        place->column = current.isValid() ? current.column() : 0;
        place->vertical = view->verticalScrollBar()->value();
    };
    remember();
    auto connections = std::make_shared<QList<QMetaObject::Connection>>();
    const auto finish = [connections] {
        for (const QMetaObject::Connection &c : std::as_const(*connections))
            QObject::disconnect(c);
    };
    connections->append(QObject::connect(model, &QAbstractItemModel::modelAboutToBeReset, view, remember));
    connections->append(QObject::connect(model, &ApiListModel::loaded, view, [view, model, place, finish] {
        finish();
        const int row = place->id > 0 ? model->rowOfId(place->id) : -1;
        if (row >= 0 && view->selectionModel())
            view->selectionModel()->setCurrentIndex(model->index(row, place->column), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        view->verticalScrollBar()->setValue(place->vertical);
    }));
    connections->append(QObject::connect(model, &ApiListModel::failed, view, finish));
    model->reload();
}

} // namespace askpro
