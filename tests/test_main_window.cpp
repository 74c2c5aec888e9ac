// The admin window opens on a fresh database and its call browser filters in SQL; the demo's switch turns
// the sandbox's simulated calls on and off over HTTP; the inbox and customers pages pick up new rows.
#include "apirecordsmodel.h"
#include "apisession.h"
#include "livechannel.h"
#include "labels.h"
#include "callsmodel.h"
#include "changewatcher.h"
#include "core/clock.h"
#include "democallfeed.h"
#include "httptestclient.h"
#include "mainwindow.h"
#include "modal.h"
#include "pages/callspage.h"
#include "pages/inboxpage.h"
#include "sandbox.h"
#include "testdatabase.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestMainWindow final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void opensOnFreshDatabase()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const auto session = test::startApiSession(db, Role::Support);
        MainWindow window(session->actor, *session->account);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.showPage(u"calls"_s));
        QVERIFY(window.showPage(u"failed"_s));
        QVERIFY(!window.showPage(u"nonsense"_s));
        auto *table = window.findChild<QTableView *>(u"callsTable"_s);
        QVERIFY(table);
        auto *model = qobject_cast<CallsModel *>(table->model());
        QVERIFY(model);
        QTRY_VERIFY(!model->isLoading());
        QCOMPARE(model->rowCount(), 0);
        QVERIFY(model->lastError().isEmpty());
        QVERIFY(window.findChild<QLabel *>(u"callsMessage"_s)->text().contains(u"No calls"_s));
        // The status bar says how pages learn of changes: over the live socket once it is open, polling before.
        auto *live = window.findChild<QLabel *>(u"liveUpdates"_s);
        QVERIFY(live);
        QTRY_COMPARE_WITH_TIMEOUT(live->text(), u"live"_s, 10000);
        QVERIFY(session->account->live()->isConnected());
    }

    // File > Change password asks the server (POST /me/password): a wrong current password keeps the form open
    // with the server's reason; the right one changes it, signs out the user's other devices and keeps this window.
    void changeOwnPasswordThroughTheServer()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        auto session = test::startApiSession(db, Role::Support);
        client::ApiAccount otherDevice;
        QVERIFY(otherDevice.setServer(session->account->server()).isEmpty());
        QVERIFY(test::waitFor(otherDevice.signIn(session->actor.username, u"test-passwort-lang"_s, u"laptop"_s)).ok());
        MainWindow window(session->actor, *session->account);
        auto *action = window.findChild<QAction *>(u"changePasswordAction"_s);
        QVERIFY(action);
        QString refusal;
        test::onModal<QDialog>(this, [&](QDialog *dialog) {
            QCOMPARE(dialog->objectName(), u"changePasswordDialog"_s);
            dialog->findChild<QLineEdit *>(u"currentPassword"_s)->setText(u"nicht das passwort"_s);
            dialog->findChild<QLineEdit *>(u"password"_s)->setText(u"ein neues langes passwort"_s);
            dialog->findChild<QLineEdit *>(u"repeatPassword"_s)->setText(u"ein neues langes passwort"_s);
            test::onModal<QMessageBox>(this, [&, dialog](QMessageBox *box) {
                refusal = box->text();
                box->accept();
                QTimer::singleShot(0, this, [dialog] {
                    dialog->findChild<QLineEdit *>(u"currentPassword"_s)->setText(u"test-passwort-lang"_s);
                    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
                });
            });
            dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        action->trigger();
        QVERIFY2(refusal.contains(u"current password is wrong"_s), qPrintable(refusal));
        QVERIFY(window.statusBar()->currentMessage().contains(u"password was changed"_s));
        QCOMPARE(test::waitFor(otherDevice.get(u"/me"_s)).status, 401);        // signed out
        QCOMPARE(test::waitFor(session->account->get(u"/me"_s)).status, 200);  // this window stays signed in
        QVERIFY(test::waitFor(otherDevice.signIn(session->actor.username, u"ein neues langes passwort"_s, u"laptop"_s)).ok());
    }

    void callBrowserFilters()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        for (int i = 0; i < 600; ++i) {
            const QString outcome = i % 3 == 0 ? u"failed"_s : u"booked"_s;
            QVERIFY(db->exec(u"INSERT INTO calls (retell_call_id, company_id, branch_id, from_number, started_at, outcome, transcript, "
                             "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)"_s,
                             {u"call_%1"_s.arg(i), company, branch, u"+49170%1"_s.arg(i, 6, 10, QLatin1Char('0')),
                              nowMs() - i * 60000, outcome, i == 42 ? u"Ich brauche einen Termin für Zahnreinigung"_s : u"Hallo"_s})
                        .ok());
        }
        auto session = test::startApiSession(db, Role::Support);
        CallsPage page(*session->account);
        auto *model = page.model();
        QTRY_VERIFY(!model->isLoading() && model->rowCount() > 0);
        QVERIFY(model->canFetchMore(QModelIndex())); // lazily fetched: not every row loaded at once
        QVERIFY(model->rowCount() < 600);
        auto *outcome = page.findChild<QComboBox *>(u"outcomeFilter"_s);
        outcome->setCurrentIndex(outcome->findData(u"failed"_s));
        QTRY_VERIFY(!model->isLoading() && model->rowCount() > 0 && model->index(0, 0).data(CallsModel::OutcomeRole).toString() == u"failed"_s);
        bool done = false;
        model->loadAll(10000, [&done](bool) { done = true; });
        QTRY_VERIFY(done);
        QCOMPARE(model->rowCount(), 200);
        QCOMPARE(model->data(model->index(0, CallsModel::Outcome)).toString(), Labels::outcome(u"failed"_s));

        outcome->setCurrentIndex(0);
        auto *search = page.findChild<QLineEdit *>(u"searchFilter"_s);
        search->setText(u"zahnreinigung"_s);
        QTRY_COMPARE(model->filter().text, u"zahnreinigung"_s);
        QTRY_VERIFY(!model->isSearching() && !model->isLoading());
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->data(model->index(0, 0), CallsModel::CallIdRole).toLongLong() > 0, true);
    }

    void simulationSwitchTurnsTheSandboxCallsOnAndOff()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        sandbox::Sandbox providers{sandbox::SandboxConfig{}};
        QVERIFY(providers.listen(QHostAddress::LocalHost, 0) > 0);
        sandbox::DemoCallFeed feed(providers, 6, {u"+4930123456"_s});
        providers.setDemoFeed(&feed);
        const QUrl sandboxUrl = providers.baseUrl(sandbox::Provider::Retell).resolved(QUrl(u"/"_s));

        const auto session = test::startApiSession(db, Role::Admin);
        MainWindow plain(session->actor, *session->account);
        QVERIFY(!plain.simulationAction()); // no sandbox: no Demo menu, no switch
        QVERIFY(!plain.findChild<QToolButton *>(u"simulationButton"_s));

        MainWindow window(session->actor, *session->account);
        window.setSandbox(sandboxUrl);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction *simulation = window.simulationAction();
        QVERIFY(simulation);
        QVERIFY(simulation->isCheckable());
        QTRY_VERIFY(simulation->isEnabled()); // the sandbox told its state
        QVERIFY(!simulation->isChecked());
        QCOMPARE(window.simulationText(), u"Simulation off"_s);
        QVERIFY(window.menuBar()->findChild<QMenu *>(u"demoMenu"_s));
        QVERIFY(window.findChild<QToolButton *>(u"simulationButton"_s)->isVisible()); // in the status bar

        // From the keyboard: Ctrl+Shift+D.
        QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(feed.isRunning());
        QTRY_VERIFY(simulation->isEnabled());
        QVERIFY(simulation->isChecked());
        QCOMPARE(window.simulationText(), u"Simulation on: 6 call(s) a minute"_s);

        // And off again through the action (the menu entry and the status-bar button share it).
        simulation->trigger();
        QTRY_VERIFY(!feed.isRunning());
        QTRY_COMPARE(window.simulationText(), u"Simulation off"_s);
        QVERIFY(!simulation->isChecked());

        // Switched elsewhere (curl, another window): the window reads the state again on its 5 s timer.
        feed.start();
        QTRY_VERIFY_WITH_TIMEOUT(simulation->isChecked(), 7000);
        feed.stop();
        providers.setDemoFeed(nullptr);
    }

    void simulationSwitchWithoutSimulatedCalls()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        sandbox::Sandbox providers{sandbox::SandboxConfig{}}; // started without --simulate-to: nothing to switch
        QVERIFY(providers.listen(QHostAddress::LocalHost, 0) > 0);
        const auto session = test::startApiSession(db, Role::Admin);
        MainWindow window(session->actor, *session->account);
        window.setSandbox(providers.baseUrl(sandbox::Provider::Retell).resolved(QUrl(u"/"_s)));
        QTRY_COMPARE(window.simulationText(), u"Simulation: not available"_s);
        QVERIFY(!window.simulationAction()->isEnabled());
        QVERIFY(!window.simulationAction()->isChecked());

        MainWindow unreachable(session->actor, *session->account);
        unreachable.setSandbox(QUrl(u"http://127.0.0.1:1/"_s));
        QTRY_COMPARE(unreachable.simulationText(), u"Simulation: sandbox not reachable"_s);
        QVERIFY(unreachable.simulationAction()->isEnabled()); // worth another try
    }

    void inboxAndCustomersPickUpNewRows()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        Q_UNUSED(branch);
        const auto delivery = [&db](const QString &key) {
            QVERIFY(db->exec(u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status) "
                             "VALUES ('retell', 'call_analyzed', ?, ?, 1, ?, 'failed')"_s,
                             {key, nowMs(), QByteArray("{\"note\":\"keep\",\"api_key\":\"key_SECRET1\"}")})
                        .ok());
        };
        const auto customer = [&db, companyId = company](const QString &name, const QString &phone) {
            QVERIFY(db->exec(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"_s,
                             {companyId, phone, name, nowMs(), nowMs()})
                        .ok());
        };
        delivery(u"k1"_s);
        delivery(u"k2"_s);
        customer(u"Anna Weber"_s, u"+491701111111"_s);
        customer(u"Ben Wolf"_s, u"+491702222222"_s);
        // The customers page reads through a real server, as in the app.
        const auto session = test::startApiSession(db, Role::Admin);
        MainWindow window(session->actor, *session->account);

        auto *inbox = qobject_cast<InboxPage *>(window.page(u"inbox"_s));
        QVERIFY(inbox);
        auto *inboxTable = inbox->findChild<QTableView *>(u"inboxTable"_s);
        auto *inboxModel = qobject_cast<ApiRecordsModel *>(inboxTable->model());
        QVERIFY(inboxModel);
        QTRY_COMPARE(inboxModel->rowCount(), 2);
        inboxTable->selectRow(1);
        const qint64 selectedDelivery = inboxModel->idAt(1);
        QTRY_COMPARE(inbox->shownDeliveryId(), selectedDelivery);
        // The body as the server masked it: the secret never reaches the desktop.
        const QString body = inbox->findChild<QPlainTextEdit *>(u"inboxBody"_s)->toPlainText();
        QVERIFY2(body.contains(u"\"note\": \"keep\""_s) && !body.contains(u"SECRET"_s), qPrintable(body));
        auto *inboxWatcher = inbox->findChild<ChangeWatcher *>();
        QTRY_VERIFY(inboxWatcher->hasBaseline());
        delivery(u"k3"_s);
        QTRY_VERIFY((inboxWatcher->checkNow(), inboxModel->rowCount() == 3));
        QTRY_COMPARE(inboxModel->idAt(inboxTable->currentIndex().row()), selectedDelivery);
        // Processing a delivery is a change too.
        QVERIFY(db->exec(u"UPDATE webhook_inbox SET status = 'processed', processed_at = ? WHERE dedupe_key = 'k1'"_s, {nowMs()}).ok());
        const auto statusOf = [&](qint64 id) { return inboxModel->index(inboxModel->rowOfId(id), 6).data(ApiRecordsModel::RawRole).toString(); };
        QCOMPARE(db->scalar(u"SELECT dedupe_key FROM webhook_inbox WHERE id = ?"_s, {selectedDelivery})->toString(), u"k1"_s); // the oldest
        QTRY_VERIFY((inboxWatcher->checkNow(), statusOf(selectedDelivery) == u"processed"_s));
        // Replay from the page: the server queues the delivery's job again, audited with the user.
        QSignalSpy replayed(inbox, &InboxPage::replayFinished);
        QString preview;
        test::onModal<QMessageBox>(this, [&preview](QMessageBox *box) {
            preview = box->text(); // the server's preview first
            box->button(QMessageBox::Yes)->click();
        });
        inbox->replaySelected();
        QVERIFY(replayed.wait(10000));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.replay' AND entity_id = ? AND actor = ?"_s,
                            {selectedDelivery, session->actor.username})
                     ->toInt(),
                 1);
        QVERIFY2(preview.contains(u"Replaying delivery"_s), qPrintable(preview));
        QCOMPARE(db->scalar(u"SELECT status FROM webhook_inbox WHERE id = ?"_s, {selectedDelivery})->toString(), u"pending"_s);

        QWidget *customers = window.page(u"customers"_s);
        auto *customersTable = customers->findChild<QTableView *>(u"customersTable"_s);
        auto *customersModel = qobject_cast<ApiRecordsModel *>(customersTable->model());
        QVERIFY(customersModel);
        QTRY_COMPARE(customersModel->rowCount(), 2);
        customersTable->selectRow(1); // Ben Wolf
        const qint64 ben = customersModel->idAt(1);
        auto *customersWatcher = customers->findChild<ChangeWatcher *>();
        QTRY_VERIFY(customersWatcher->hasBaseline());
        customer(u"Arno Adler"_s, u"+491703333333"_s); // sorts first
        QTRY_VERIFY((customersWatcher->checkNow(), customersModel->rowCount() == 3));
        QTRY_COMPARE(customersModel->idAt(customersTable->currentIndex().row()), ben);
        QCOMPARE(customersTable->currentIndex().row(), 2);
        // The selected customer's history comes from the server too.
        auto *calls = customers->findChild<QTableView *>(u"customerCalls"_s);
        QVERIFY(calls);
        QCOMPARE(calls->model()->rowCount(), 0);
    }

    // Requests refused for their signature are not in the inbox's table: the page shows the server's counts
    // above it, and the sample of their bodies (masked by the server) on request.
    void inboxShowsRefusedRequests()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const auto session = test::startApiSession(db, Role::Support);
        MainWindow window(session->actor, *session->account);
        auto *inbox = qobject_cast<InboxPage *>(window.page(u"inbox"_s));
        QVERIFY(inbox);
        auto *summary = inbox->findChild<QLabel *>(u"refusedSummary"_s);
        QVERIFY(summary);
        QTRY_VERIFY(summary->text().contains(u"No request refused"_s));
        const QUrl retell = session->account->server().resolved(QUrl(u"/webhooks/retell"_s));
        QCOMPARE(test::httpSend("POST", retell, R"({"note":"unsigned flood","api_key":"key_SECRET2"})").status, 401);
        QSignalSpy shown(inbox, &InboxPage::refusedShown);
        inbox->reloadRefused();
        QVERIFY(shown.wait(10000));
        QVERIFY2(summary->text().contains(u"1 × Retell: signature missing"_s), qPrintable(summary->text()));
        inbox->showRefusedSample();
        QVERIFY(shown.wait(10000));
        const QString body = inbox->findChild<QPlainTextEdit *>(u"inboxBody"_s)->toPlainText();
        QVERIFY2(body.contains(u"unsigned flood"_s) && body.contains(u"127.0.0.1"_s) && !body.contains(u"SECRET2"_s), qPrintable(body));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM webhook_inbox"_s)->toInt(), 0);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
