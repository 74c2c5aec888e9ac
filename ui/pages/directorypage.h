// Companies, branches, staff and services: one tab each, inactive rows visible and marked, an edit form
// per row and a form for new rows, both saved through the admin API (the server validates and audits).
#pragma once

#include <QWidget>

class QTabWidget;
class QTableView;

namespace askpro {

class DirectoryModel;
namespace client {
class ApiAccount;
}

class DirectoryPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DirectoryPage)
public:
    enum class Entity { Company, Branch, Staff, Service };

    explicit DirectoryPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~DirectoryPage() override;

    // Reads every tab again from the server; the rows stay until the answers replace them.
    void reload();
    [[nodiscard]] DirectoryModel *model(Entity entity) const;
    // Opens the form for a new row of the current tab (New…, Alt+N); after saving, the row is selected.
    void createInCurrentTab();

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    struct Tab
    {
        Entity entity;
        QString path; // "companies": the table's name in routes, settings and exports
        DirectoryModel *model = nullptr;
        QTableView *view = nullptr;
    };
    void editCurrent();
    // The selected branch's weekly hours and closures (GET and PUT /directory/branches/{id}/opening-hours).
    void editOpeningHours();
    void selectWhenLoaded(const Tab &tab, qint64 id);
    [[nodiscard]] const Tab &currentTab() const;
    [[nodiscard]] static QStringList editableFields(Entity entity);
    [[nodiscard]] static QString fieldLabel(const QString &field);
    [[nodiscard]] static QWidget *editorFor(const QString &field, const QVariant &value, QWidget *parent);
    [[nodiscard]] static QVariant valueOf(const QWidget *editor);

    client::ApiAccount &m_account;
    QTabWidget *m_tabs = nullptr;
    QList<Tab> m_tabList;
};

} // namespace askpro
