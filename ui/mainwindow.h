// The main window: a thin shell with navigation, the pages and a status bar.
#pragma once

#include <QMainWindow>

#include <memory>

class QListWidget;
class QStackedWidget;
class QLabel;

namespace askpro {

class Database;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(std::shared_ptr<Database> db, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows the page with this name ("calls", ...); false when there is none.
    bool showPage(const QString &name);
    [[nodiscard]] QStringList pageNames() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void addPage(const QString &name, const QString &title, QWidget *page, const QKeySequence &shortcut);

    std::shared_ptr<Database> m_db;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_databaseLabel = nullptr;
    QStringList m_pageNames;
};

} // namespace askpro
