// CSV writing through QSaveFile, so a failed export never leaves half a file behind.
#include "csvexporter.h"

#include <QDir>
#include <QFileDialog>
#include <QHeaderView>
#include <QMessageBox>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace askpro {

QString CsvExporter::quoted(const QString &field)
{
    if (!field.contains(u',') && !field.contains(u'"') && !field.contains(u'\n') && !field.contains(u'\r'))
        return field;
    QString f = field;
    f.replace(u"\""_s, u"\"\""_s);
    return u'"' + f + u'"';
}

Status CsvExporter::write(QTableView *view, const QString &path)
{
    QAbstractItemModel *model = view->model();
    if (!model)
        return makeError(ErrorKind::Invalid, u"csv.no_model"_s, tr("There is nothing to export."));
    while (model->canFetchMore(QModelIndex()))
        model->fetchMore(QModelIndex());
    QList<int> columns;
    const QHeaderView *header = view->horizontalHeader();
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!view->isColumnHidden(logical))
            columns.append(logical);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(ErrorKind::Invalid, u"csv.open"_s, tr("Cannot write %1").arg(QDir::toNativeSeparators(path)), file.errorString());
    QStringList fields;
    for (const int c : columns)
        fields << quoted(model->headerData(c, Qt::Horizontal).toString());
    file.write(fields.join(u',').toUtf8() + "\r\n");
    for (int r = 0; r < model->rowCount(); ++r) {
        fields.clear();
        for (const int c : columns)
            fields << quoted(model->index(r, c).data(Qt::DisplayRole).toString());
        file.write(fields.join(u',').toUtf8() + "\r\n");
    }
    if (!file.commit())
        return makeError(ErrorKind::Invalid, u"csv.commit"_s, tr("Cannot write %1").arg(QDir::toNativeSeparators(path)), file.errorString());
    return {};
}

void CsvExporter::exportWithDialog(QTableView *view, const QString &baseName, QWidget *parent)
{
    const QString suggested = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) + u'/' + baseName + u".csv"_s;
    const QString path = QFileDialog::getSaveFileName(parent, tr("Export to CSV"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    auto written = write(view, path);
    if (!written)
        QMessageBox::warning(parent, tr("Export to CSV"), written.error().describe());
}

} // namespace askpro
