// Companies, branches, staff and services: one tab each, inactive rows visible and marked, an edit form
// per row and a form for new rows, both saving through DirectoryService (validated and audited).
#pragma once

#include "security/accesspolicy.h"

#include "queries/directoryquery.h"

#include <QWidget>

#include <memory>

class QTabWidget;
class QTableView;

namespace askpro {

class Database;
class RecordsModel;

class DirectoryPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DirectoryPage)
public:
    DirectoryPage(std::shared_ptr<Database> db, Actor actor, QWidget *parent = nullptr);
    ~DirectoryPage() override;

    void reload();
    [[nodiscard]] RecordsModel *model(DirectoryQuery::Entity entity) const;
    // Opens the form for a new row of the current tab (New…, Alt+N); after saving, the row is selected.
    void createInCurrentTab();

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    struct Tab
    {
        DirectoryQuery::Entity entity;
        RecordsModel *model = nullptr;
        QTableView *view = nullptr;
    };
    void editCurrent();
    [[nodiscard]] static QString fieldLabel(const QString &field);
    [[nodiscard]] static QWidget *editorFor(const QString &field, const QVariant &value, QWidget *parent);
    [[nodiscard]] static QVariant valueOf(const QWidget *editor);

    std::shared_ptr<Database> m_db;
    Actor m_actor;
    QTabWidget *m_tabs = nullptr;
    QList<Tab> m_tabList;
};

} // namespace askpro
