// Exports what a table shows to CSV (RFC 4180, UTF-8): every row of the model, the visible columns
// in their on-screen order, the displayed (formatted) text. Used by every table's "Export" action.
#pragma once

#include "core/result.h"

#include <QCoreApplication>

class QTableView;
class QWidget;

namespace askpro {

class CsvExporter final
{
    Q_DECLARE_TR_FUNCTIONS(CsvExporter)
public:
    // Writes the view's model (fetching rows not yet loaded) to path.
    [[nodiscard]] static Status write(QTableView *view, const QString &path);
    // Asks for a file name (suggesting baseName.csv), writes it and reports errors in a message box.
    static void exportWithDialog(QTableView *view, const QString &baseName, QWidget *parent);
    [[nodiscard]] static QString quoted(const QString &field);
};

} // namespace askpro
