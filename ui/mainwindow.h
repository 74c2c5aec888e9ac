// The main window: a thin shell with navigation to the pages, a shortcut per page (Ctrl+1..n), and
// a status bar with the database and the server's health.
#pragma once

#include "config/serverconfig.h"
#include "security/accesspolicy.h"

#include <QMainWindow>
#include <QUrl>

#include <memory>

class QAction;
class QLabel;
class QListWidget;
class QNetworkAccessManager;
class QStackedWidget;
class QTimer;

namespace askpro {

class CallsPage;
class CredentialStore;
class Database;
namespace client {
class ApiAccount;
}

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    // Without credentials: provider actions (cancel, reschedule) report that no key is available.
    explicit MainWindow(std::shared_ptr<Database> db, QWidget *parent = nullptr);
    // actor: the signed-in person; the window shows the areas their role may use, and every service call
    // and audit row carries them. account: the server the person signed in to (the pages that already read
    // through the admin API use it; null in tests of the other pages).
    MainWindow(std::shared_ptr<Database> db, std::shared_ptr<CredentialStore> credentials, ProviderEndpoints endpoints, Actor actor,
               client::ApiAccount *account = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows the page with this name ("calls", "failed", ...); false when there is none.
    bool showPage(const QString &name);
    [[nodiscard]] QStringList pageNames() const;
    [[nodiscard]] QWidget *page(const QString &name) const;
    // Reads the workers' heartbeats and the job backlog into the status bar (a timer does it every 5 s).
    void refreshServerHealth();
    void showServerHealth(bool running, int workers, qint64 queued, qint64 busy, qint64 failed);
    [[nodiscard]] QString serverHealthText() const;
    // Opens the "New business" setup wizard (File > New business…, Ctrl+N); nullptr, with a status message,
    // when the key that encrypts provider keys is not available.
    QWidget *openSetupWizard();
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

    std::shared_ptr<Database> m_db;
    std::shared_ptr<CredentialStore> m_credentials;
    ProviderEndpoints m_endpoints;
    Actor m_actor;
    client::ApiAccount *m_account = nullptr;
    bool m_signedOut = false;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    CallsPage *m_callsPage = nullptr;
    QLabel *m_databaseLabel = nullptr;
    QLabel *m_serverLabel = nullptr;
    QTimer *m_healthTimer = nullptr;
    QStringList m_pageNames;
    QUrl m_sandboxUrl;
    QNetworkAccessManager *m_sandboxNetwork = nullptr;
    QAction *m_simulation = nullptr;
    QLabel *m_simulationLabel = nullptr;
    bool m_simulationPending = false;
};

} // namespace askpro
