// Main window wiring: navigation list to page stack, shortcuts, status bar, remembered geometry.
#include "mainwindow.h"

#include "apiaccount.h"
#include "livechannel.h"
#include "jsonfields.h"

#include "languagemenu.h"
#include "pages/appointmentspage.h"
#include "pages/calendarpage.h"
#include "pages/callspage.h"
#include "pages/customerspage.h"
#include "pages/directorypage.h"
#include "pages/failedcallspage.h"
#include "pages/importpage.h"
#include "pages/inboxpage.h"
#include "pages/messagespage.h"
#include "pages/invoicespage.h"
#include "pages/usagepage.h"
#include "pages/healthpage.h"
#include "pages/auditpage.h"
#include "pages/secretspage.h"
#include "pages/templatespage.h"
#include "pages/userspage.h"
#include "statuscolors.h"
#include "widgets/newpasswordfields.h"
#include "setupclient.h"
#include "wizard/setupwizard.h"

#include <QAction>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace askpro {

MainWindow::MainWindow(Actor actor, client::ApiAccount &account, QWidget *parent)
    : QMainWindow(parent)
    , m_actor(std::move(actor))
    , m_account(&account)
{
    setWindowTitle(tr("AskPro Admin: %1 (%2)").arg(m_actor.username, AccessPolicy::roleTitle(m_actor.role)));

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_navigation = new QListWidget(central);
    m_navigation->setObjectName(u"navigation"_s);
    m_navigation->setFixedWidth(170);
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setBackgroundRole(QPalette::Window);
    m_navigation->setSpacing(2);
    m_pages = new QStackedWidget(central);
    layout->addWidget(m_navigation);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    // Each area appears only for those who may use it; the services check again on every call.
    const auto showStatus = [this](const QString &text) { statusBar()->showMessage(text, 8000); };
    FailedCallsPage *failed = nullptr;
    InboxPage *inbox = nullptr;
    AppointmentsPage *appointments = nullptr;
    if (m_actor.can(Permission::ViewCalls)) {
        m_callsPage = new CallsPage(*m_account, m_pages);
        failed = new FailedCallsPage(*m_account, m_pages);
        addPage(u"calls"_s, tr("Calls"), m_callsPage);
        addPage(u"failed"_s, tr("Failed calls"), failed);
        connect(failed, &FailedCallsPage::statusMessage, this, showStatus);
    }
    if (m_actor.can(Permission::ViewCalls)) {
        auto *messages = new MessagesPage(*m_account, m_pages);
        addPage(u"messages"_s, tr("Messages"), messages);
        connect(messages, &MessagesPage::statusMessage, this, showStatus);
        connect(messages, &MessagesPage::openCall, this, &MainWindow::openCall);
    }
    if (m_actor.can(Permission::ViewPayloads)) {
        inbox = new InboxPage(*m_account, m_pages);
        addPage(u"inbox"_s, tr("Webhook inbox"), inbox);
        connect(inbox, &InboxPage::statusMessage, this, showStatus);
    }
    // Appointments, the calendar and customers read and act through the server (the desktop holds no Cal.com
    // key); without a signed-in account there is nothing to show them from.
    if (m_actor.can(Permission::ViewAppointments)) {
        appointments = new AppointmentsPage(*m_account, m_pages);
        auto *calendar = new CalendarPage(*m_account, m_pages);
        addPage(u"appointments"_s, tr("Appointments"), appointments);
        addPage(u"calendar"_s, tr("Calendar"), calendar);
        connect(appointments, &AppointmentsPage::statusMessage, this, showStatus);
        connect(calendar, &CalendarPage::statusMessage, this, showStatus);
        connect(appointments, &AppointmentsPage::openCall, this, &MainWindow::openCall);
        connect(calendar, &CalendarPage::appointmentActivated, this, [this, appointments](qint64 id) {
            showPage(u"appointments"_s);
            appointments->selectAppointment(id);
        });
    }
    if (m_actor.can(Permission::ViewCustomers)) {
        auto *customers = new CustomersPage(*m_account, m_pages);
        addPage(u"customers"_s, tr("Customers"), customers);
        connect(customers, &CustomersPage::statusMessage, this, showStatus);
        connect(customers, &CustomersPage::openCall, this, &MainWindow::openCall);
        connect(customers, &CustomersPage::openAppointment, this, [this, appointments](qint64 id) {
            if (!appointments)
                return;
            showPage(u"appointments"_s);
            appointments->selectAppointment(id);
        });
    }
    // Importing a practice's customer list belongs to its setup, and changes customers.
    if (m_actor.can(Permission::RunSetup) && m_actor.can(Permission::EditCustomers)) {
        auto *import = new ImportPage(*m_account, m_pages);
        addPage(u"import"_s, tr("Import"), import);
        connect(import, &ImportPage::statusMessage, this, showStatus);
        connect(import, &ImportPage::openCustomers, this, [this] {
            if (auto *customers = qobject_cast<CustomersPage *>(page(u"customers"_s))) {
                customers->reload();
                showPage(u"customers"_s);
            }
        });
    }
    // Pages on the admin API (issue 15) need the account; the app always has one.
    if (m_actor.can(Permission::ViewDirectory) && m_account) {
        auto *directory = new DirectoryPage(*m_account, m_pages);
        addPage(u"companies"_s, tr("Companies"), directory);
        connect(directory, &DirectoryPage::statusMessage, this, showStatus);
    }
    if (m_actor.can(Permission::ViewBilling)) {
        auto *invoices = new InvoicesPage(*m_account, m_pages);
        addPage(u"invoices"_s, tr("Invoices"), invoices);
        connect(invoices, &InvoicesPage::statusMessage, this, showStatus);
        auto *usage = new UsagePage(*m_account, m_pages);
        addPage(u"usage"_s, tr("Usage"), usage);
        connect(usage, &UsagePage::statusMessage, this, showStatus);
    }
    if (m_actor.can(Permission::ViewHealth)) {
        auto *health = new HealthPage(*m_account, m_pages);
        addPage(u"health"_s, tr("Health"), health);
        connect(health, &HealthPage::checkChanged, this, [this](const QString &check, const QString &state, const QString &message) {
            statusBar()->showMessage(tr("Health: %1 is now %2. %3").arg(check, state, message), 15000);
        });
    }
    if (m_actor.can(Permission::ViewAudit)) {
        auto *audit = new AuditPage(*m_account, m_pages);
        addPage(u"audit"_s, tr("Audit log"), audit);
        connect(audit, &AuditPage::statusMessage, this, showStatus);
    }
    if (m_actor.can(Permission::ManageUsers) && m_account) {
        auto *users = new UsersPage(*m_account, m_pages);
        addPage(u"users"_s, tr("Users"), users);
        connect(users, &UsersPage::statusMessage, this, showStatus);
    }
    if (m_actor.can(Permission::EditTemplates)) {
        // Platform staff word the platform's texts or any company's; a business owner its own company's.
        auto *templates = new TemplatesPage(
            *m_account, m_actor.isScoped() ? TemplatesPage::Editing::OwnCompany : TemplatesPage::Editing::PlatformAndCompanies, m_pages);
        addPage(u"templates"_s, tr("Message texts"), templates);
        connect(templates, &TemplatesPage::statusMessage, this, showStatus);
    }
    if (m_actor.can(Permission::ManageSecrets) && m_account) {
        auto *secrets = new SecretsPage(*m_account, m_pages);
        addPage(u"keys"_s, tr("Provider keys"), secrets);
        connect(secrets, &SecretsPage::statusMessage, this, showStatus);
    }

    connect(m_navigation, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_navigation->setCurrentRow(0);

    auto *fileMenu = menuBar()->addMenu(tr("&File"));
    if (m_actor.can(Permission::RunSetup)) {
        auto *newBusiness = fileMenu->addAction(tr("&New business…"));
        newBusiness->setObjectName(u"newBusinessAction"_s);
        newBusiness->setShortcut(QKeySequence::New);
        connect(newBusiness, &QAction::triggered, this, [this] { openSetupWizard(); });
        fileMenu->addSeparator();
    }
    if (m_actor.userId > 0) {
        if (m_account) {
            auto *password = fileMenu->addAction(tr("Change &password…"));
            password->setObjectName(u"changePasswordAction"_s);
            connect(password, &QAction::triggered, this, &MainWindow::changeOwnPassword);
        }
        auto *signOut = fileMenu->addAction(tr("Sign &out"));
        signOut->setObjectName(u"signOutAction"_s);
        connect(signOut, &QAction::triggered, this, [this] {
            m_signedOut = true;
            close();
        });
        fileMenu->addSeparator();
    }
    auto *quit = fileMenu->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    auto *goMenu = menuBar()->addMenu(tr("&Go"));
    goMenu->addActions(actions());
    auto *languageMenu = new LanguageMenu(this);
    menuBar()->addMenu(tr("&View"))->addMenu(languageMenu);
    connect(languageMenu, &LanguageMenu::statusMessage, this, showStatus);

    // Signed in, the window works through the server: its address is what matters, not a database.
    m_databaseLabel = new QLabel(tr("Server: %1").arg(m_account->server().toDisplayString()), this);
    m_serverLabel = new QLabel(this);
    m_serverLabel->setObjectName(u"serverHealth"_s);
    m_liveLabel = new QLabel(this);
    m_liveLabel->setObjectName(u"liveUpdates"_s);
    statusBar()->addPermanentWidget(m_liveLabel);
    statusBar()->addPermanentWidget(m_serverLabel);
    statusBar()->addPermanentWidget(m_databaseLabel);
    client::LiveChannel *live = m_account->live();
    connect(live, &client::LiveChannel::connectedChanged, this, &MainWindow::showLiveState);
    showLiveState(live->isConnected());
    m_healthTimer = new QTimer(this);
    m_healthTimer->setInterval(5000);
    connect(m_healthTimer, &QTimer::timeout, this, &MainWindow::refreshServerHealth);
    m_healthTimer->start();
    refreshServerHealth();

    QSettings settings;
    if (!restoreGeometry(settings.value(u"mainwindow/geometry"_s).toByteArray()))
        resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::addPage(const QString &name, const QString &title, QWidget *page)
{
    page->setObjectName(name + u"Page"_s);
    m_pages->addWidget(page);
    m_navigation->addItem(title);
    m_pageNames.append(name);
    const int row = m_navigation->count() - 1;
    // Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth page, as the number row reads.
    auto *action = new QAction(title, this);
    if (row < 10) {
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(row < 9 ? Qt::Key_1 + row : Qt::Key_0)));
        m_navigation->item(row)->setToolTip(action->shortcut().toString(QKeySequence::NativeText));
    }
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

QWidget *MainWindow::page(const QString &name) const
{
    const int row = m_pageNames.indexOf(name);
    return row < 0 ? nullptr : m_pages->widget(row);
}

void MainWindow::openCall(qint64 callId)
{
    if (!m_callsPage)
        return;
    showPage(u"calls"_s);
    if (!m_callsPage->selectCall(callId)) {
        // Not among the rows shown: it may be filtered out, so the whole list is read again to find it.
        m_callsPage->applyFilterState({});
        m_callsPage->selectCall(callId);
    }
}

void MainWindow::showLiveState(bool connected)
{
    // Which of the two ways pages learn of changes: told at once over the live socket, or looking every few seconds.
    m_liveLabel->setText(connected ? tr("live") : tr("polling"));
    m_liveLabel->setToolTip(connected ? tr("Pages update as soon as the server reports a change.")
                                      : tr("No live connection to the server (yet): pages look for changes every few seconds."));
    QPalette p = m_liveLabel->palette();
    p.setColor(QPalette::WindowText, StatusColors::text(connected ? StatusColors::Tone::Good : StatusColors::Tone::Neutral));
    m_liveLabel->setPalette(p);
}

void MainWindow::refreshServerHealth()
{
    auto *call = m_account->get(u"/health/server"_s);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (result.unreachable()) {
            // The pages keep what they show; this says why nothing new arrives.
            m_serverLabel->setText(tr("server: not reachable (%1)").arg(result.errorMessage));
            QPalette p = m_serverLabel->palette();
            p.setColor(QPalette::WindowText, StatusColors::text(StatusColors::Tone::Bad));
            m_serverLabel->setPalette(p);
            m_serverLabel->setToolTip(tr("The shown data stays as it was until the server answers again."));
            return;
        }
        if (!result.ok()) {
            m_serverLabel->setText(tr("server: unknown (%1)").arg(result.errorMessage));
            return;
        }
        const client::Json &b = result.body;
        showServerHealth(client::flag(b, "running"), int(client::number(b, "live_workers")), client::number(b, "queued_jobs"),
                         client::number(b, "running_jobs"), client::number(b, "failed_jobs"));
    });
}

void MainWindow::showServerHealth(bool running, int workers, qint64 queued, qint64 busy, qint64 failed)
{
    const qint64 backlog = queued + busy;
    m_serverLabel->setText(running ? tr("server: running, %n worker(s), backlog %1", nullptr, workers).arg(backlog)
                                   : tr("server: not running, backlog %1").arg(backlog));
    QPalette p = m_serverLabel->palette();
    const QColor tone = StatusColors::text(running ? StatusColors::Tone::Good : StatusColors::Tone::Warning);
    p.setColor(QPalette::WindowText, tone);
    m_serverLabel->setPalette(p);
    m_serverLabel->setToolTip(tr("Jobs queued: %1, running: %2, failed: %3").arg(queued).arg(busy).arg(failed));
}

void MainWindow::openSetupWizard(std::function<void(QWidget *wizard)> opened)
{
    if (auto allowed = m_actor.require(Permission::RunSetup); !allowed) {
        statusBar()->showMessage(allowed.error().message, 15000);
        return;
    }
    // The client lives exactly as long as the wizard; the runs themselves live on the server.
    auto *client = new SetupClient(*m_account, this);
    client->unfinishedRuns([this, client, opened](const Result<QList<SetupRunInfo>> &unfinished) {
        if (!unfinished) {
            statusBar()->showMessage(tr("New business: %1").arg(unfinished.error().message), 15000);
            client->deleteLater();
            return;
        }
        auto *wizard = new SetupWizard(client, *unfinished, this);
        wizard->setAttribute(Qt::WA_DeleteOnClose);
        connect(wizard, &QObject::destroyed, client, &QObject::deleteLater);
        wizard->show();
        if (opened)
            opened(wizard);
    });
}

void MainWindow::changeOwnPassword()
{
    QDialog dialog(this);
    dialog.setObjectName(u"changePasswordDialog"_s);
    dialog.setWindowTitle(tr("Change password"));
    auto *form = new QFormLayout(&dialog);
    auto *current = new QLineEdit(&dialog);
    current->setObjectName(u"currentPassword"_s);
    current->setEchoMode(QLineEdit::Password);
    form->addRow(tr("&Current password:"), current);
    auto *next = new NewPasswordFields(form, tr("&New password:"), tr("&Repeat new password:"));
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, [&] {
        if (const QString mismatch = next->mismatch(); !mismatch.isEmpty()) {
            QMessageBox::warning(&dialog, dialog.windowTitle(), mismatch);
            return;
        }
        // The server checks the current password and signs this user out everywhere else; this window stays signed in.
        box->setEnabled(false);
        client::ApiCall *call = m_account->post(u"/me/password"_s, client::Json{{"current_password", current->text().toStdString()},
                                                                               {"password", next->password().toStdString()}});
        connect(call, &client::ApiCall::finished, &dialog, [&](const client::ApiResult &result) {
            box->setEnabled(true);
            if (!result.ok()) {
                QMessageBox::warning(&dialog, dialog.windowTitle(), result.errorMessage);
                return;
            }
            dialog.accept();
        });
    });
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted)
        statusBar()->showMessage(tr("Your password was changed; your other devices are signed out."), 8000);
}

void MainWindow::setSandbox(const QUrl &sandboxUrl)
{
    if (m_simulation || !sandboxUrl.isValid() || sandboxUrl.isEmpty())
        return;
    m_sandboxUrl = sandboxUrl;
    m_sandboxNetwork = new QNetworkAccessManager(this);
    m_simulation = new QAction(tr("&Simulated calls"), this);
    m_simulation->setObjectName(u"simulationAction"_s);
    m_simulation->setCheckable(true);
    m_simulation->setEnabled(false); // until the sandbox has told its state
    m_simulation->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_simulation->setToolTip(tr("While on, the sandbox places a simulated call every few seconds: watch them arrive, get booked, "
                                "and some fail (%1)")
                                 .arg(m_simulation->shortcut().toString(QKeySequence::NativeText)));
    auto *demo = menuBar()->addMenu(tr("&Demo"));
    demo->setObjectName(u"demoMenu"_s);
    demo->addAction(m_simulation);
    // The same switch in the status bar, where a newcomer sees it.
    auto *button = new QToolButton(this);
    button->setObjectName(u"simulationButton"_s);
    button->setDefaultAction(m_simulation);
    m_simulationLabel = new QLabel(tr("Simulation: asking the sandbox…"), this);
    m_simulationLabel->setObjectName(u"simulationState"_s);
    statusBar()->insertPermanentWidget(0, button);
    statusBar()->insertPermanentWidget(1, m_simulationLabel);
    connect(m_simulation, &QAction::triggered, this, [this](bool on) { requestSimulation(true, on); });
    // Someone may switch it elsewhere (another window, curl): the health timer reads it again.
    connect(m_healthTimer, &QTimer::timeout, this, [this] {
        if (!m_simulationPending)
            requestSimulation(false, false);
    });
    requestSimulation(false, false);
}

void MainWindow::requestSimulation(bool post, bool running)
{
    QNetworkRequest request(m_sandboxUrl.resolved(QUrl(u"/sandbox/simulation"_s)));
    request.setTransferTimeout(5000);
    QNetworkReply *reply = nullptr;
    if (post) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        reply = m_sandboxNetwork->post(request, QJsonDocument(QJsonObject{{u"running"_s, running}}).toJson(QJsonDocument::Compact));
        m_simulation->setEnabled(false); // one switch at a time
        m_simulationLabel->setText(running ? tr("Simulation: starting…") : tr("Simulation: stopping…"));
    } else {
        reply = m_sandboxNetwork->get(request);
    }
    m_simulationPending = true;
    // Only the newest request's answer counts: a reading sent before a switch can come back after it (the two
    // go over different connections) and would show the state of before.
    const quint64 sequence = ++m_simulationSequence;
    connect(reply, &QNetworkReply::finished, this, [this, reply, post, sequence] {
        reply->deleteLater();
        if (sequence != m_simulationSequence)
            return;
        m_simulationPending = false;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject state = QJsonDocument::fromJson(reply->readAll()).object();
        if (status == 200) {
            const bool on = state.value(u"running"_s).toBool();
            m_simulation->setChecked(on);
            m_simulation->setEnabled(true);
            m_simulationLabel->setText(on ? tr("Simulation on: %n call(s) a minute", nullptr, state.value(u"calls_per_minute"_s).toInt())
                                          : tr("Simulation off"));
            if (post)
                statusBar()->showMessage(on ? tr("Simulated calls are on: new calls arrive in a few seconds.") : tr("Simulated calls are off."),
                                         8000);
            return;
        }
        // The switch shows what is known: off and unusable when the sandbox cannot simulate or cannot be reached.
        m_simulation->setChecked(false);
        m_simulation->setEnabled(status == 0); // unreachable: worth another try; 409: it has no numbers to call
        const QString why = status == 409 ? tr("the sandbox runs without simulated calls") : reply->errorString();
        m_simulationLabel->setText(status == 409 ? tr("Simulation: not available") : tr("Simulation: sandbox not reachable"));
        m_simulationLabel->setToolTip(why);
        if (post)
            statusBar()->showMessage(tr("The simulated calls could not be switched: %1").arg(why), 15000);
    });
}

QString MainWindow::simulationText() const
{
    return m_simulationLabel ? m_simulationLabel->text() : QString();
}

QString MainWindow::serverHealthText() const
{
    return m_serverLabel->text();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(u"mainwindow/geometry"_s, saveGeometry());
    event->accept();
}

} // namespace askpro
