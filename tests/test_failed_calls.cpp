// Failed-call triage through the admin API of a real server on loopback: the queue's groups and counts,
// the retry preview, correcting the request in the dialog and retrying it (the server's workers run the
// job and write the timeline), marking calls resolved from the keyboard, a business account's queue
// holding its own company only, replaying a stored webhook, and new failures arriving by themselves while
// the queue keeps its place.
#include "apisession.h"
#include "changewatcher.h"
#include "core/clock.h"
#include "dialogs/requestdialog.h"
#include "pages/failedcallspage.h"
#include "queries/calldetailquery.h"
#include "support/supportservice.h"
#include "testdatabase.h"
#include "triagemodel.h"
#include "widgets/calldetailpane.h"

#include <QComboBox>
#include <QDateEdit>
#include <QLabel>
#include <QSignalSpy>

#include <QAbstractButton>
#include <QApplication>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

qint64 insertCall(Database &db, qint64 company, qint64 branch, const QString &id, const QString &outcome, const QString &kind,
                  const QString &reason, bool requested, const QString &requestJson = {}, qint64 resolvedAt = 0)
{
    const qint64 now = nowMs();
    auto inserted = db.insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, from_number, to_number, started_at, outcome, "
                              "failure_kind, failure_reason, appointment_requested, request_json, resolved_at, created_at, updated_at) "
                              "VALUES (?, ?, ?, '+491701234567', '+4930123456', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                              {id, company, branch, now, outcome, kind, reason, requested ? 1 : 0, requestJson,
                               resolvedAt > 0 ? QVariant(resolvedAt) : Database::null(), now, now});
    if (!inserted)
        qFatal("%s", qPrintable(inserted.error().describe()));
    return *inserted;
}

// Accepts the next modal dialog (message box or input dialog) once it opens.
void acceptNextDialog(const QString &text = {})
{
    QTimer::singleShot(50, qApp, [text] {
        QWidget *modal = QApplication::activeModalWidget();
        if (auto *box = qobject_cast<QMessageBox *>(modal)) {
            if (box->button(QMessageBox::Yes)) {
                box->button(QMessageBox::Yes)->click();
            } else {
                box->accept();
                qWarning("unexpected message: %s", qPrintable(box->text()));
            }
        } else if (auto *input = qobject_cast<QInputDialog *>(modal)) {
            input->setTextValue(text);
            input->accept();
        } else if (modal) {
            modal->close();
        } else {
            acceptNextDialog(text); // not open yet
        }
    });
}

} // namespace

class TestFailedCalls final : public QObject
{
    Q_OBJECT
private:
    static void answerRequestDialog()
    {
        auto *dialog = qobject_cast<RequestDialog *>(QApplication::activeModalWidget());
        if (!dialog) {
            QTimer::singleShot(20, qApp, &TestFailedCalls::answerRequestDialog); // not open yet
            return;
        }
        auto *service = dialog->findChild<QComboBox *>();
        QVERIFY(service);
        QVERIFY2(service->findText(u"Kontrolle"_s) >= 0, "the company's services are offered");
        service->setCurrentText(u"Kontrolle"_s);
        dialog->findChild<QDateEdit *>()->setDate(QDate(2030, 6, 1));
        dialog->accept();
    }

    std::shared_ptr<Database> m_db;
    qint64 m_company = 0;
    qint64 m_branch = 0;
    qint64 m_unknownService1 = 0;
    qint64 m_unknownService2 = 0;
    qint64 m_callback = 0;
    qint64 m_unbooked = 0;
    std::unique_ptr<test::ApiSession> m_api;

    // A page whose first answer has come.
    std::unique_ptr<FailedCallsPage> openPage(client::ApiAccount &account)
    {
        auto page = std::make_unique<FailedCallsPage>(account);
        QSignalSpy reloaded(page.get(), &FailedCallsPage::reloaded);
        if (!reloaded.wait(10000))
            qFatal("the triage queue never came");
        return page;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // remembered header states go to a test location
    }

    void init()
    {
        QSettings().clear();
        m_db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(m_db);
        std::tie(m_company, m_branch) = test::plantCompanyAndBranch(*m_db, u"+4930123456"_s);
        QVERIFY(m_db->exec(u"INSERT INTO services (company_id, name, duration_minutes, created_at) VALUES (?, 'Zahnreinigung', 45, 0)"_s, {m_company}).ok());
        QVERIFY(m_db->exec(u"INSERT INTO services (company_id, name, duration_minutes, created_at) VALUES (?, 'Kontrolle', 30, 0)"_s, {m_company}).ok());
        const QString reason = u"No service of this company matches \"Massage\""_s;
        const QString massage = uR"({"service":"Massage","date":"2030-05-06","time":"10:00","customer_name":"Eva Roth"})"_s;
        m_unknownService1 = insertCall(*m_db, m_company, m_branch, u"c1"_s, u"failed"_s, u"configuration"_s, reason, true, massage);
        m_unknownService2 = insertCall(*m_db, m_company, m_branch, u"c2"_s, u"failed"_s, u"configuration"_s, reason, true, massage);
        m_callback = insertCall(*m_db, m_company, m_branch, u"c3"_s, u"needs_callback"_s, QString(), u"The requested time is taken"_s, true, massage);
        m_unbooked = insertCall(*m_db, m_company, m_branch, u"c4"_s, u"pending"_s, QString(), QString(), true, massage);
        insertCall(*m_db, m_company, m_branch, u"c5"_s, u"failed"_s, u"transient"_s, u"Cal.com is unavailable"_s, true, massage, nowMs());
        insertCall(*m_db, m_company, m_branch, u"c6"_s, u"booked"_s, QString(), QString(), true, massage);
        insertCall(*m_db, m_company, m_branch, u"c7"_s, u"no_request"_s, QString(), QString(), false);
        m_api = test::startApiSession(m_db, Role::Support);
    }

    void cleanup() { m_api.reset(); }

    void newFailuresAppearWithoutARefresh()
    {
        auto opened = openPage(*m_api->account);
        FailedCallsPage &page = *opened;
        auto *watcher = page.findChild<ChangeWatcher *>();
        QVERIFY(watcher);
        QVERIFY(!watcher->isPolling()); // a hidden page does not poll
        page.resize(1100, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(watcher->isPolling());
        QVERIFY(page.selectCall(m_callback));
        page.tree()->collapseAll();
        page.tree()->expand(page.model()->callIndex(m_callback).parent());

        const qint64 added = insertCall(*m_db, m_company, m_branch, u"c8"_s, u"failed"_s, u"rejected"_s,
                                        u"Cal.com refused the booking: the slot was taken"_s, true);
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->callIndex(added).isValid(), 6000); // the page's own poll, every 3 s
        QCOMPARE(page.model()->totalCalls(), 5);
        QCOMPARE(page.tree()->currentIndex().data(TriageModel::CallIdRole).toLongLong(), m_callback); // still on it
        QVERIFY(page.tree()->isExpanded(page.model()->callIndex(m_callback).parent()));
        QVERIFY(!page.tree()->isExpanded(page.model()->callIndex(added).parent()));

        // A resolution elsewhere (another window, the server) takes the call out of the queue.
        QVERIFY(m_db->exec(u"UPDATE calls SET resolved_at = ?, updated_at = ? WHERE id = ?"_s, {nowMs(), nowMs() + 1, added}).ok());
        QSignalSpy reloaded(&page, &FailedCallsPage::reloaded);
        page.pollNow();
        QVERIFY(reloaded.wait(10000));
        QVERIFY(!page.model()->callIndex(added).isValid());
        QCOMPARE(page.tree()->currentIndex().data(TriageModel::CallIdRole).toLongLong(), m_callback);
        page.hide();
        QVERIFY(!watcher->isPolling());
    }

    void groupsUnresolvedCallsByReason()
    {
        auto opened = openPage(*m_api->account);
        FailedCallsPage &page = *opened;
        TriageModel *model = page.model();
        QCOMPARE(model->totalCalls(), 4); // resolved, booked and no-request calls are not in the queue
        QCOMPARE(model->rowCount(), 3);
        // Configuration errors come first, with their count.
        const QModelIndex first = model->index(0, 0);
        QCOMPARE(first.data(TriageModel::CategoryRole).toString(), u"configuration"_s);
        QCOMPARE(first.data(TriageModel::CountRole).toInt(), 2);
        QCOMPARE(model->rowCount(first), 2);
        QStringList categories;
        for (int r = 0; r < model->rowCount(); ++r)
            categories << model->index(r, 0).data(TriageModel::CategoryRole).toString();
        QCOMPARE(categories, (QStringList{u"configuration"_s, u"requested_unbooked"_s, u"needs_callback"_s}));
        QVERIFY(model->callIndex(m_unbooked).isValid());
        QVERIFY(model->callIndex(m_callback).isValid());

        // Selecting a group means all of its calls.
        page.tree()->selectionModel()->setCurrentIndex(first, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(page.selectedCallIds().size(), 2);
    }

    // The owner of another business sees an empty queue and cannot act on these calls: the server decides.
    void anotherCompanysOwnerSeesNone()
    {
        const auto [otherCompany, otherBranch] = test::plantCompanyAndBranch(*m_db, u"+4940999999"_s);
        Q_UNUSED(otherBranch);
        auto owner = test::startApiSession(m_db, Role::CompanyOwner, otherCompany);
        auto opened = openPage(*owner->account);
        QCOMPARE(opened->model()->totalCalls(), 0);
        QVERIFY(opened->findChild<QLabel *>(u"triageSummary"_s)->text().contains(u"No calls"_s));
        QCOMPARE(test::waitFor(owner->account->get(u"/calls/%1/retry-preview"_s.arg(m_callback))).status, 404);
        QCOMPARE(test::waitFor(owner->account->post(u"/calls/%1/resolve"_s.arg(m_callback), client::Json{{"comment", "x"}})).status, 403);
        QVERIFY(m_db->scalar(u"SELECT resolved_at FROM calls WHERE id = ?"_s, {m_callback})->isNull());
        // And the queue of this company's owner holds this company's calls.
        auto own = test::startApiSession(m_db, Role::CompanyOwner, m_company, u"owner-own"_s);
        QCOMPARE(openPage(*own->account)->model()->totalCalls(), 4);
    }

    void previewIsShownBesideTheQueue()
    {
        auto opened = openPage(*m_api->account);
        QSignalSpy shown(opened.get(), &FailedCallsPage::previewShown);
        QVERIFY(opened->selectCall(m_unknownService1));
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.last().at(0).toLongLong(), m_unknownService1);
        const QString text = opened->findChild<QLabel *>(u"retryPreview"_s)->text();
        QVERIFY2(text.contains(u"Fix first"_s), qPrintable(text));
        QVERIFY2(text.contains(u"Massage"_s), qPrintable(text));
    }

    void previewNamesWhatIsMissing()
    {
        SupportService support(*m_db);
        auto preview = support.previewRetry(m_unknownService1, Actor::system(u"tester"_s));
        QVERIFY(preview.ok());
        QVERIFY(preview->request.has_value());
        QCOMPARE(preview->request->service, u"Massage"_s);
        QVERIFY(!preview->wouldBook());
        const auto has = [&](const QString &subject, RetryPreview::Action action) {
            return std::any_of(preview->items.cbegin(), preview->items.cend(),
                               [&](const RetryPreview::Item &i) { return i.subject == subject && i.action == action; });
        };
        QVERIFY(has(u"service"_s, RetryPreview::Action::Missing));
        QVERIFY(has(u"credentials"_s, RetryPreview::Action::Missing));
        QVERIFY(has(u"customer"_s, RetryPreview::Action::Create));
        QVERIFY(has(u"appointment"_s, RetryPreview::Action::Create));
        QVERIFY(preview->problems.size() >= 2);
    }

    void correctAndRetryThroughTheServer()
    {
        // Correct the request: the service now exists; the audit keeps before and after.
        SupportService support(*m_db);
        AppointmentRequest corrected;
        corrected.service = u"Zahnreinigung"_s;
        corrected.date = QDate(2030, 5, 7);
        corrected.time = QTime(11, 30);
        corrected.customerName = u"Eva Roth"_s;
        QVERIFY(support.correctRequest(m_unknownService1, corrected, Actor::system(u"tester"_s)).ok());
        QVERIFY(m_db->scalar(u"SELECT before_json FROM audit_log WHERE action = 'call.correct_request' AND entity_id = ?"_s, {m_unknownService1})
                    ->toString()
                    .contains(u"Massage"_s));
        QVERIFY(m_db->scalar(u"SELECT after_json FROM audit_log WHERE action = 'call.correct_request' AND entity_id = ?"_s, {m_unknownService1})
                    ->toString()
                    .contains(u"Zahnreinigung"_s));
        auto preview = support.previewRetry(m_unknownService1, Actor::system(u"tester"_s));
        QVERIFY(preview.ok());
        QVERIFY(std::any_of(preview->items.cbegin(), preview->items.cend(), [](const RetryPreview::Item &i) {
            return i.subject == u"service"_s && i.action == RetryPreview::Action::Reuse;
        }));
        QVERIFY(std::any_of(preview->items.cbegin(), preview->items.cend(), [](const RetryPreview::Item &i) {
            return i.subject == u"event_type"_s && i.action == RetryPreview::Action::Missing;
        }));

        // A real server with workers picks the job up.
        m_api.reset();
        ServerConfig config;
        config.workers = 1;
        config.pollIntervalMs = 100;
        m_api = test::startApiSession(m_db, Role::Support, 0, u"tester"_s, config, true);

        auto opened = openPage(*m_api->account);
        FailedCallsPage &page = *opened;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.selectCall(m_unknownService1));
        page.tree()->setFocus();
        acceptNextDialog(); // the preview lists problems: confirm the retry anyway
        QTest::keyClick(page.tree(), Qt::Key_R);

        QTRY_COMPARE(m_db->scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'call.retry'"_s)->toInt(), 1);
        QCOMPARE(m_db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'call.retry' AND entity_id = ? AND actor = 'tester'"_s, {m_unknownService1})->toInt(), 1);
        QVERIFY(m_db->scalar(u"SELECT dedupe_key FROM jobs WHERE kind = 'call.retry'"_s)->toString().startsWith(
            u"support-retry:%1:"_s.arg(m_unknownService1)));

        // The worker ran it: the job is finished and the timeline shows the retry and where it stopped.
        QTRY_VERIFY_WITH_TIMEOUT(m_db->scalar(u"SELECT status FROM jobs WHERE kind = 'call.retry'"_s)->toString() != u"queued"_s
                                     && m_db->scalar(u"SELECT status FROM jobs WHERE kind = 'call.retry'"_s)->toString() != u"running"_s,
                                 20000);
        QVERIFY(m_db->scalar(u"SELECT attempts FROM jobs WHERE kind = 'call.retry'"_s)->toInt() >= 1);
        auto detail = CallDetailQuery::load(*m_db, m_unknownService1);
        QVERIFY(detail.ok() && detail->has_value());
        QStringList steps;
        for (const CallEvent &e : (*detail)->events)
            steps << e.step + u':' + e.status;
        QVERIFY2(steps.contains(u"support:info"_s), qPrintable(steps.join(u", "_s)));
        QVERIFY2(steps.contains(u"retry:info"_s), qPrintable(steps.join(u", "_s))); // "Booking retried", written by the worker
        // The service matched this time; the missing event type mapping is what stops it now.
        QVERIFY2((*detail)->failureReason.contains(u"event type"_s, Qt::CaseInsensitive) || (*detail)->failureKind == u"configuration"_s,
                 qPrintable((*detail)->failureReason));
    }

    // E opens the request in a dialog; what is saved there goes to the server, audited with the user's name.
    void editTheRequestInTheDialog()
    {
        auto opened = openPage(*m_api->account);
        FailedCallsPage &page = *opened;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.selectCall(m_callback));
        QTRY_COMPARE(page.findChild<CallDetailPane *>()->shownCallId(), m_callback); // its company names the services offered
        QTimer::singleShot(0, this, [this] { answerRequestDialog(); });
        QSignalSpy finished(&page, &FailedCallsPage::actionFinished);
        page.tree()->setFocus();
        QTest::keyClick(page.tree(), Qt::Key_E);
        QVERIFY(finished.wait(10000));
        const QString stored = m_db->scalar(u"SELECT request_json FROM calls WHERE id = ?"_s, {m_callback})->toString();
        QVERIFY2(stored.contains(u"Kontrolle"_s) && stored.contains(u"2030-06-01"_s), qPrintable(stored));
        QCOMPARE(m_db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'call.correct_request' AND entity_id = ? AND actor = ?"_s,
                              {m_callback, m_api->actor.username})
                     ->toInt(),
                 1);
    }


    void bulkRetryAndResolveFromTheKeyboard()
    {
        auto opened = openPage(*m_api->account);
        FailedCallsPage &page = *opened;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.tree()->setFocus();
        const QModelIndex group = page.model()->index(0, 0);
        page.tree()->selectionModel()->setCurrentIndex(group, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        acceptNextDialog();
        QTest::keyClick(page.tree(), Qt::Key_R);
        QTRY_COMPARE(m_db->scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'call.retry'"_s)->toInt(), 2);

        acceptNextDialog(u"Kundin zurückgerufen"_s);
        QTest::keyClick(page.tree(), Qt::Key_M);
        QTRY_COMPARE(page.model()->totalCalls(), 2);
        QCOMPARE(m_db->scalar(u"SELECT COUNT(*) FROM calls WHERE resolved_at IS NOT NULL AND resolution_comment = 'Kundin zurückgerufen'"_s)->toInt(), 2);
        QCOMPARE(m_db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'call.resolve' AND actor = ?"_s, {m_api->actor.username})->toInt(), 2);
        QTRY_COMPARE(page.model()->rowCount(), 2); // the configuration group is gone
    }

    void replaysAStoredWebhook()
    {
        QVERIFY(m_db->exec(u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status, error) "
                           "VALUES ('retell', 'call_analyzed', 'k1', 1, 1, ?, 'failed', 'boom')"_s,
                           {QByteArray("{\"event\":\"call_analyzed\"}")})
                    .ok());
        const qint64 inboxId = m_db->scalar(u"SELECT id FROM webhook_inbox WHERE dedupe_key = 'k1'"_s)->toLongLong();
        auto job = SupportService(*m_db).replayWebhook(inboxId, Actor::system(u"tester"_s));
        QVERIFY2(job.ok(), job.ok() ? "" : qPrintable(job.error().describe()));
        QCOMPARE(m_db->scalar(u"SELECT status FROM webhook_inbox WHERE id = ?"_s, {inboxId})->toString(), u"pending"_s);
        QCOMPARE(m_db->scalar(u"SELECT kind FROM jobs WHERE id = ?"_s, {*job})->toString(), u"retell.event"_s);
        QCOMPARE(m_db->scalar(u"SELECT payload FROM jobs WHERE id = ?"_s, {*job})->toString(), u"{\"inbox_id\":%1}"_s.arg(inboxId));
        QCOMPARE(m_db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.replay' AND entity_id = ?"_s, {inboxId})->toInt(), 1);

        QVERIFY(m_db->exec(u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status) "
                           "VALUES ('stripe', 'invoice.paid', 'k2', 1, 1, ?, 'processed')"_s,
                           {QByteArray("{}")})
                    .ok());
        const qint64 stripeId = m_db->scalar(u"SELECT id FROM webhook_inbox WHERE dedupe_key = 'k2'"_s)->toLongLong();
        auto refused = SupportService(*m_db).replayWebhook(stripeId, Actor::system(u"tester"_s));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Invalid);
    }
};

QTEST_MAIN(TestFailedCalls)
#include "test_failed_calls.moc"
