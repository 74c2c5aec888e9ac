// The main window: a thin shell with navigation to the pages, a shortcut per page (Ctrl+1..n), and
// a status bar with the server and its health.
#pragma once

#include "security/accesspolicy.h"

#include <QMainWindow>
#include <QUrl>

#include <functional>

class QAction;
class QLabel;
class QListWidget;
class QNetworkAccessManager;
class QStackedWidget;
class QTimer;

namespace askpro {

class CallsPage;
namespace client {
class ApiAccount;
}

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    // actor: the signed-in person; the window shows the areas their role may use (the server decides again on
    // every request). account: the server the person signed in to; every page reads and acts through it.
    MainWindow(Actor actor, client::ApiAccount &account, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows the page with this name ("calls", "failed", ...); false when there is none.
    bool showPage(const QString &name);
    [[nodiscard]] QStringList pageNames() const;
    [[nodiscard]] QWidget *page(const QString &name) const;
    // Reads the workers' heartbeats and the job backlog into the status bar (a timer does it every 5 s).
    void refreshServerHealth();
    void showLiveState(bool connected);
    void showServerHealth(bool running, int workers, qint64 queued, qint64 busy, qint64 failed);
    [[nodiscard]] QString serverHealthText() const;
    // Opens the "New business" setup wizard (File > New business…, Ctrl+N) once the server listed the unfinished
    // setups; opened() then gets it. Without the permission, or while the server cannot be reached, the status
    // bar says why and nothing opens.
    void openSetupWizard(std::function<void(QWidget *wizard)> opened = {});
    [[nodiscard]] const Actor &actor() const { return m_actor; }
    // True once the window closed through File > Sign out (main() then shows the sign-in again).
    [[nodiscard]] bool signedOut() const { return m_signedOut; }
    // The live demo: a Demo menu and a status-bar switch that turn the sandbox's simulated calls on and off
    // (GET/POST /sandbox/simulation under this base URL) and show their state. Without it neither appears.
    void setSandbox(const QUrl &sandboxUrl);
    // The switch (Demo > Simulated calls, Ctrl+Shift+D); nullptr without a sandbox.
    [[nodiscard]] QAction *simulationAction() const { return m_simulation; }
    [[nodiscard]] QString simulationText() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void addPage(const QString &name, const QString &title, QWidget *page);
    void openCall(qint64 callId);
    void changeOwnPassword();
    // post: switch the simulation to `running`; otherwise only read its state.
    void requestSimulation(bool post, bool running);

    Actor m_actor;
    client::ApiAccount *m_account;
    bool m_signedOut = false;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    CallsPage *m_callsPage = nullptr;
    QLabel *m_databaseLabel = nullptr;
    QLabel *m_serverLabel = nullptr;
    QLabel *m_liveLabel = nullptr;
    QTimer *m_healthTimer = nullptr;
    QStringList m_pageNames;
    QUrl m_sandboxUrl;
    QNetworkAccessManager *m_sandboxNetwork = nullptr;
    QAction *m_simulation = nullptr;
    QLabel *m_simulationLabel = nullptr;
    bool m_simulationPending = false;
    quint64 m_simulationSequence = 0; // the newest request to the sandbox's switch
};

} // namespace askpro
