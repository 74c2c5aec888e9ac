// Header state is written on every change; QSettings batches the writes itself.
#include "tablestate.h"

#include <QHeaderView>
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

} // namespace askpro
