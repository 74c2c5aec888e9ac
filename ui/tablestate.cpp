// Header state is written on every change; QSettings batches the writes itself.
#include "tablestate.h"

#include <QElapsedTimer>
#include <QHeaderView>
#include <QScrollBar>
#include <QSettings>
#include <QTableView>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace askpro {

void TableState::track(QHeaderView *header, const QString &key)
{
    const QString settingsKey = u"tables/"_s + key;
    const QByteArray saved = QSettings().value(settingsKey).toByteArray();
    if (!saved.isEmpty())
        header->restoreState(saved);
    const auto save = [header, settingsKey] { QSettings().setValue(settingsKey, header->saveState()); };
    QObject::connect(header, &QHeaderView::sectionResized, header, save);
    QObject::connect(header, &QHeaderView::sectionMoved, header, save);
    QObject::connect(header, &QHeaderView::sortIndicatorChanged, header, save);
}

void TableState::track(QTableView *view, const QString &key)
{
    track(view->horizontalHeader(), key);
}

void TableState::track(QTreeView *view, const QString &key)
{
    track(view->header(), key);
}

void TableState::setUpTable(QTableView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 10);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
}

void TableState::refreshKeepingPosition(QAbstractItemView *view, int idRole, const std::function<void()> &refresh)
{
    QAbstractItemModel *model = view->model();
    const QModelIndex current = view->selectionModel() ? view->selectionModel()->currentIndex() : QModelIndex();
    const QVariant id = current.isValid() ? current.data(idRole) : QVariant();
    const int column = current.isValid() ? current.column() : 0;
    const int loaded = model->rowCount();
    const int vertical = view->verticalScrollBar()->value();
    const int horizontal = view->horizontalScrollBar()->value();
    refresh();
    // Bounded: a model that searches on in slices (the call browser's text search) fills the rest by itself.
    QElapsedTimer clock;
    clock.start();
    while (model->rowCount() < loaded && model->canFetchMore(QModelIndex()) && clock.elapsed() < 250)
        model->fetchMore(QModelIndex());
    if (id.isValid() && view->selectionModel()) {
        const QModelIndexList found = model->match(model->index(0, 0), idRole, id, 1, Qt::MatchExactly);
        if (!found.isEmpty())
            view->selectionModel()->setCurrentIndex(found.first().siblingAtColumn(column),
                                                    QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    view->verticalScrollBar()->setValue(vertical);
    view->horizontalScrollBar()->setValue(horizontal);
}

} // namespace askpro
