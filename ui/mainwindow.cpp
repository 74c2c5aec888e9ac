// Main window wiring: navigation list to page stack, shortcuts, remembered geometry.
#include "mainwindow.h"

#include "db/database.h"
#include "pages/callspage.h"

#include <QAction>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace askpro {

MainWindow::MainWindow(std::shared_ptr<Database> db, QWidget *parent)
    : QMainWindow(parent)
    , m_db(std::move(db))
{
    setWindowTitle(tr("AskPro Admin"));
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_navigation = new QListWidget(central);
    m_navigation->setObjectName(u"navigation"_s);
    m_navigation->setFixedWidth(180);
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_pages = new QStackedWidget(central);
    layout->addWidget(m_navigation);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    addPage(u"calls"_s, tr("Calls"), new CallsPage(m_db, m_pages), QKeySequence(Qt::CTRL | Qt::Key_1));

    connect(m_navigation, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_navigation->setCurrentRow(0);

    auto *fileMenu = menuBar()->addMenu(tr("&File"));
    auto *quit = fileMenu->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    m_databaseLabel = new QLabel(tr("Database: %1").arg(m_db->connectionString().redacted()), this);
    statusBar()->addPermanentWidget(m_databaseLabel);

    QSettings settings;
    if (!restoreGeometry(settings.value(u"mainwindow/geometry"_s).toByteArray()))
        resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::addPage(const QString &name, const QString &title, QWidget *page, const QKeySequence &shortcut)
{
    m_pages->addWidget(page);
    m_navigation->addItem(title);
    m_pageNames.append(name);
    auto *action = new QAction(title, this);
    action->setShortcut(shortcut);
    const int row = m_navigation->count() - 1;
    connect(action, &QAction::triggered, this, [this, row] { m_navigation->setCurrentRow(row); });
    addAction(action);
}

bool MainWindow::showPage(const QString &name)
{
    const int row = m_pageNames.indexOf(name);
    if (row < 0)
        return false;
    m_navigation->setCurrentRow(row);
    return true;
}

QStringList MainWindow::pageNames() const
{
    return m_pageNames;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(u"mainwindow/geometry"_s, saveGeometry());
    event->accept();
}

} // namespace askpro
