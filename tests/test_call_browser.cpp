// The call browser through the admin API of a real server on loopback: outcome, text and date filters and
// header sorting done by the server, keyset paging on both engines, a text search that reads on request by
// request, the detail pane with its timeline and the payload masked by the server, polling for new calls
// without losing the selection or the scroll position, each user's own saved views (save, recall, rename,
// delete), and a business account that sees its own company's calls only.
#include "apisession.h"
#include "callsmodel.h"
#include "core/clock.h"
#include "pages/callspage.h"
#include "support/payloadtext.h"
#include "support/savedviewstore.h"
#include "testdatabase.h"
#include "widgets/calldetailpane.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDateEdit>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QScrollBar>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QHeaderView>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QTabWidget>
#include <QTreeWidget>

#include <functional>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

constexpr qint64 day = 24LL * 3600 * 1000;

qint64 insertCall(Database &db, qint64 company, qint64 branch, const QString &id, const QString &from, qint64 startedAt,
                  const QString &outcome, const QString &transcript, const QString &payload = {}, const QString &transcriptJson = {})
{
    auto inserted = db.insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, from_number, to_number, started_at, duration_ms, "
                              "outcome, failure_kind, failure_reason, transcript, transcript_json, raw_payload, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, '+4930123456', ?, 95000, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                              {id, company, branch, from, startedAt, outcome, outcome == u"failed"_s ? u"configuration"_s : QString(),
                               outcome == u"failed"_s ? u"No service of this company matches \"Massage\""_s : QString(), transcript,
                               transcriptJson, payload, startedAt, startedAt});
    if (!inserted)
        qFatal("%s", qPrintable(inserted.error().describe()));
    return *inserted;
}

// Runs change, then waits until the model has the answer (and a text search has read to its end).
bool settled(CallsModel *model, const std::function<void()> &change)
{
    QSignalSpy loaded(model, &ApiListModel::loaded);
    change();
    if (!loaded.wait(10000))
        return false;
    return QTest::qWaitFor([model] { return !model->isLoading() && !model->isSearching(); }, 20000);
}

// A page whose first page of calls has come.
std::unique_ptr<CallsPage> openPage(client::ApiAccount &account)
{
    auto page = std::make_unique<CallsPage>(account);
    if (!QTest::qWaitFor([&page] { return !page->model()->isLoading() && page->model()->rowCount() > 0; }, 10000))
        qFatal("the calls never came");
    return page;
}

} // namespace

class TestCallBrowser final : public QObject
{
    Q_OBJECT
private:
    std::shared_ptr<Database> m_db;
    std::unique_ptr<test::ApiSession> m_api;
    qint64 m_failed = 0;
    qint64 m_booked = 0;
    qint64 m_old = 0;
    qint64 m_company = 0;
    qint64 m_branch = 0;

    [[nodiscard]] client::ApiAccount &account() const { return *m_api->account; }

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
        const qint64 now = nowMs();
        m_booked = insertCall(*m_db, m_company, m_branch, u"call_booked"_s, u"+491701111111"_s, now - 3600000, u"booked"_s,
                              u"Agent: Guten Tag\nUser: Einen Termin bitte"_s);
        const QString payload = uR"({"event":"call_analyzed","call":{"call_id":"call_failed","access_token":"tok_SECRET123",)"
                                uR"("metadata":{"api_key":"key_SECRET456","note":"keep"},"x_signature":"sig_SECRET789"}})"_s;
        const QString turns = uR"([{"role":"agent","content":"Praxis Test, guten Tag!"},{"role":"user","content":"Ich möchte eine Massage."}])"_s;
        m_failed = insertCall(*m_db, m_company, m_branch, u"call_failed"_s, u"+491702222222"_s, now - 7200000, u"failed"_s,
                              u"Agent: Praxis Test\nUser: Massage bitte"_s, payload, turns);
        m_old = insertCall(*m_db, m_company, m_branch, u"call_old"_s, u"+491703333333"_s, now - 20 * day, u"no_request"_s,
                           u"Agent: Hallo\nUser: Wann haben Sie geöffnet? Zahnreinigung?"_s);
        for (const auto &[step, status, message] : {std::tuple{u"received"_s, u"ok"_s, u"Retell event call_ended received"_s},
                                                    std::tuple{u"request"_s, u"ok"_s, u"Appointment request: Massage"_s},
                                                    std::tuple{u"failed"_s, u"error"_s, u"No service of this company matches \"Massage\""_s}}) {
            QVERIFY(m_db->exec(u"INSERT INTO call_events (call_id, at, step, status, message) VALUES (?, ?, ?, ?, ?)"_s,
                               {m_failed, nowMs(), step, status, message})
                        .ok());
        }
        m_api = test::startApiSession(m_db, Role::Support);
    }

    void cleanup() { m_api.reset(); }

    void filtersByOutcomeTextAndDate()
    {
        auto opened = openPage(account());
        CallsPage &page = *opened;
        auto *model = page.model();
        QCOMPARE(model->rowCount(), 3);

        auto *outcome = page.findChild<QComboBox *>(u"outcomeFilter"_s);
        QVERIFY(settled(model, [&] { outcome->setCurrentIndex(outcome->findData(u"failed"_s)); }));
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_failed);
        QVERIFY(settled(model, [&] { outcome->setCurrentIndex(outcome->findData(u"booked"_s)); }));
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_booked);
        QVERIFY(settled(model, [&] { outcome->setCurrentIndex(0); }));

        auto *search = page.findChild<QLineEdit *>(u"searchFilter"_s);
        QVERIFY(settled(model, [&] { search->setText(u"ZAHNREINIGUNG"_s); })); // transcript text, any case
        QCOMPARE(model->filter().text, u"ZAHNREINIGUNG"_s);
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old);
        QVERIFY(settled(model, [&] { search->setText(u"2222222"_s); })); // caller number
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_failed);
        QVERIFY(settled(model, [&] { search->clear(); }));
        QCOMPARE(model->rowCount(), 3);

        auto *period = page.findChild<QComboBox *>(u"periodFilter"_s);
        QVERIFY(settled(model, [&] { period->setCurrentIndex(period->findData(u"7d"_s)); }));
        QCOMPARE(model->rowCount(), 2); // the 20-day-old call is outside
        QVERIFY(settled(model, [&] { period->setCurrentIndex(period->findData(u"range"_s)); }));
        auto *from = page.findChild<QDateEdit *>(u"fromDate"_s);
        auto *to = page.findChild<QDateEdit *>(u"toDate"_s);
        const QDate oldDay = QDateTime::fromMSecsSinceEpoch(nowMs() - 20 * day).date();
        QVERIFY(settled(model, [&] {
            from->setDate(oldDay.addDays(-1));
            to->setDate(oldDay.addDays(1));
        }));
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old);
    }

    void sortsOnTheServerByHeader()
    {
        auto opened = openPage(account());
        CallsPage &page = *opened;
        auto *model = page.model();
        QVERIFY(settled(model, [&] { page.table()->sortByColumn(CallsModel::Caller, Qt::AscendingOrder); }));
        QCOMPARE(model->sortColumn(), int(CallsModel::Caller));
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_booked); // +49170111...
        QVERIFY(settled(model, [&] { page.table()->sortByColumn(CallsModel::Caller, Qt::DescendingOrder); }));
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old); // +49170333...
        QVERIFY(settled(model, [&] { page.table()->sortByColumn(CallsModel::StartedAt, Qt::AscendingOrder); }));
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old);
    }

    void failedCallShowsTimelineTranscriptAndMaskedPayload()
    {
        auto opened = openPage(account());
        CallsPage &page = *opened;
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.selectCall(m_failed));
        QTRY_COMPARE(page.detailPane()->shownCallId(), m_failed);

        auto *timeline = page.detailPane()->findChild<QTreeWidget *>(u"timeline"_s);
        QVERIFY(timeline);
        QCOMPARE(timeline->topLevelItemCount(), 3);
        QCOMPARE(timeline->topLevelItem(2)->data(2, Qt::UserRole).toString(), u"error"_s);
        QVERIFY(timeline->topLevelItem(2)->text(3).contains(u"Massage"_s));

        // The server masked the payload: the secrets never reached this process.
        auto *payload = page.detailPane()->findChild<QPlainTextEdit *>(u"payload"_s);
        QVERIFY(payload);
        const QString text = payload->toPlainText();
        QVERIFY(text.contains(u"\"note\": \"keep\""_s));
        QVERIFY(!text.contains(u"SECRET"_s));
        QVERIFY(QString::fromStdString(page.detailPane()->detail().dump()).indexOf(u"SECRET"_s) < 0);
        QCOMPARE(int(text.count(u"\u2022\u2022\u2022\u2022"_s)), 3);

        auto *transcript = page.detailPane()->findChild<QTextBrowser *>(u"transcript"_s);
        QVERIFY(transcript->toPlainText().contains(u"Ich möchte eine Massage."_s));
        QVERIFY(transcript->toPlainText().contains(u"Agent"_s));
    }

    // A business account: its own company's calls, no payload tab, and another company's call is not found.
    void aBusinessAccountSeesItsOwnCalls()
    {
        const auto [otherCompany, otherBranch] = test::plantCompanyAndBranch(*m_db, u"+4940555555"_s);
        const qint64 foreign = insertCall(*m_db, otherCompany, otherBranch, u"call_foreign"_s, u"+491709999999"_s, nowMs(), u"booked"_s, u"Agent: Fremd"_s);
        auto owner = test::startApiSession(m_db, Role::CompanyOwner, m_company);
        auto opened = openPage(*owner->account);
        CallsPage &page = *opened;
        QCOMPARE(page.model()->rowCount(), 3);
        QCOMPARE(page.model()->rowOfId(foreign), -1);
        QVERIFY(page.findChild<QComboBox *>(u"companyFilter"_s)->isHidden());
        QTRY_VERIFY(page.detailPane()->shownCallId() > 0); // the first row's detail
        auto *header = page.detailPane()->findChild<QLabel *>(u"callHeader"_s);
        QVERIFY(!header->text().isEmpty());
        page.detailPane()->showCall(foreign);
        QTRY_VERIFY(header->text().isEmpty()); // not found: nothing of it is shown
        QCOMPARE(page.detailPane()->shownCallId(), 0);
        page.detailPane()->showCall(m_failed);
        QTRY_COMPARE(page.detailPane()->shownCallId(), m_failed);
        QVERIFY(!page.detailPane()->detail().contains("payload"));
        auto *tabs = page.detailPane()->findChild<QTabWidget *>(u"callTabs"_s);
        QCOMPARE(tabs->count(), 3); // overview, conversation and messages
    }

    // Company staff see callers masked, and the server will not sort by them: the header keeps the sort in force.
    void staffCannotSortByTheMaskedCaller()
    {
        auto staff = test::startApiSession(m_db, Role::CompanyStaff, m_company);
        auto opened = openPage(*staff->account);
        CallsPage &page = *opened;
        auto *model = page.model();
        QTRY_COMPARE(model->rowCount(), 3);
        QVERIFY(!model->isSortable(CallsModel::Caller));
        QVERIFY(model->isSortable(CallsModel::DurationMs));
        QSignalSpy failed(model, &ApiListModel::failed);
        page.table()->sortByColumn(CallsModel::Caller, Qt::AscendingOrder);
        QTest::qWait(200);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(model->sortColumn(), int(CallsModel::StartedAt));
        QCOMPARE(page.table()->horizontalHeader()->sortIndicatorSection(), int(CallsModel::StartedAt));
        QVERIFY2(model->index(0, CallsModel::Caller).data().toString().contains(u"•"_s), qPrintable(model->index(0, CallsModel::Caller).data().toString()));
        QVERIFY(settled(model, [&] { page.table()->sortByColumn(CallsModel::DurationMs, Qt::DescendingOrder); }));
        QCOMPARE(model->sortColumn(), int(CallsModel::DurationMs));
    }

    void newCallsAppearKeepingTheSelection()
    {
        auto opened = openPage(account());
        CallsPage &page = *opened;
        QVERIFY(page.selectCall(m_failed));
        QTRY_COMPARE(page.detailPane()->shownCallId(), m_failed);
        const qint64 added = insertCall(*m_db, m_company, m_branch, u"call_new"_s, u"+491704444444"_s, nowMs(), u"booked"_s, u"Agent: Neu"_s);
        QVERIFY(settled(page.model(), [&] { page.pollNow(); }));
        QCOMPARE(page.model()->rowCount(), 4);
        QCOMPARE(page.model()->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), added);
        QCOMPARE(page.selectedCallId(), m_failed);
        QCOMPARE(page.detailPane()->callId(), m_failed);
    }

    void savedViewsRecallFilters()
    {
        auto opened = openPage(account());
        CallsPage &page = *opened;
        auto *outcome = page.findChild<QComboBox *>(u"outcomeFilter"_s);
        QVERIFY(settled(page.model(), [&] { outcome->setCurrentIndex(outcome->findData(u"failed"_s)); }));
        QVERIFY(settled(page.model(), [&] { page.findChild<QLineEdit *>(u"searchFilter"_s)->setText(u"massage"_s); }));
        QSignalSpy reloaded(&page, &CallsPage::viewsReloaded);
        page.saveView(u"Massage-Fehler"_s);
        QVERIFY(reloaded.wait(10000));
        page.saveView(u"Massage-Fehler"_s); // replaces, no duplicate
        QVERIFY(reloaded.wait(10000));
        auto views = SavedViewStore(*m_db, m_api->actor.userId).list(u"calls"_s);
        QVERIFY(views.ok());
        QCOMPARE(views->size(), 1);
        QCOMPARE(page.findChild<QComboBox *>(u"savedViews"_s)->currentText(), u"Massage-Fehler"_s);

        auto fresh = openPage(account());
        QCOMPARE(fresh->model()->rowCount(), 3);
        auto *box = fresh->findChild<QComboBox *>(u"savedViews"_s);
        QTRY_COMPARE(box->count(), 2);
        QVERIFY(settled(fresh->model(), [&] { fresh->applyFilterState(box->itemData(1).toMap()); }));
        QCOMPARE(fresh->model()->rowCount(), 1);
        QCOMPARE(fresh->model()->filter().outcome, u"failed"_s);
        QCOMPARE(fresh->model()->filter().text, u"massage"_s);

        // Views are their user's own: another agent sees none of them and cannot change them.
        auto other = test::startApiSession(m_db, Role::Support, 0, u"other-agent"_s);
        auto theirs = openPage(*other->account);
        QTest::qWait(300);
        QCOMPARE(theirs->findChild<QComboBox *>(u"savedViews"_s)->count(), 1); // the placeholder only
        QCOMPARE(test::waitFor(other->account->remove(u"/saved-views/%1"_s.arg(views->first().id))).status, 404);
        QCOMPARE(SavedViewStore(*m_db, m_api->actor.userId).list(u"calls"_s)->size(), 1);
    }

    void savedViewsCanBeRenamedAndDeleted()
    {
        auto opened = openPage(account());
        CallsPage &page = *opened;
        auto *outcome = page.findChild<QComboBox *>(u"outcomeFilter"_s);
        QVERIFY(settled(page.model(), [&] { outcome->setCurrentIndex(outcome->findData(u"failed"_s)); }));
        QVERIFY(SavedViewStore(*m_db, m_api->actor.userId).save(u"calls"_s, u"Fehler"_s, page.filterState()).ok());
        QVERIFY(SavedViewStore(*m_db, m_api->actor.userId).save(u"calls"_s, u"Alle"_s, {}).ok());

        auto fresh = openPage(account());
        auto *views = fresh->findChild<QComboBox *>(u"savedViews"_s);
        auto *actions = fresh->findChild<QToolButton *>(u"viewActionsButton"_s);
        QTRY_COMPARE(views->count(), 3); // the placeholder and two views
        QVERIFY(!actions->isEnabled()); // no view chosen yet
        views->setCurrentIndex(views->findText(u"Fehler"_s));
        QVERIFY(actions->isEnabled());
        const qint64 id = fresh->selectedViewId();
        QVERIFY(id > 0);

        // Views > Rename view…, answering the dialog as a user would.
        QTimer::singleShot(0, this, [] {
            auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            QCOMPARE(dialog->textValue(), u"Fehler"_s);
            dialog->setTextValue(u"  Fehlgeschlagen "_s);
            dialog->accept();
        });
        QSignalSpy reloaded(fresh.get(), &CallsPage::viewsReloaded);
        fresh->findChild<QAction *>(u"renameViewAction"_s)->trigger();
        QVERIFY(reloaded.wait(10000));
        QCOMPARE(views->currentText(), u"Fehlgeschlagen"_s);
        QCOMPARE(fresh->selectedViewId(), id);
        QCOMPARE(views->currentData().toMap().value(u"outcome"_s).toString(), u"failed"_s); // same filters
        const client::ApiResult taken = test::waitFor(account().patch(u"/saved-views/%1"_s.arg(id), client::Json{{"name", "Alle"}}));
        QCOMPARE(taken.status, 409);
        QCOMPARE(test::waitFor(account().patch(u"/saved-views/%1"_s.arg(id), client::Json{{"name", " "}})).status, 400);

        // Views > Delete view, confirmed.
        QTimer::singleShot(0, this, [] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            QVERIFY(box);
            QVERIFY(box->text().contains(u"Fehlgeschlagen"_s));
            box->button(QMessageBox::Yes)->click();
        });
        fresh->findChild<QAction *>(u"deleteViewAction"_s)->trigger();
        QVERIFY(reloaded.wait(10000));
        QCOMPARE(views->count(), 2);
        QCOMPARE(views->findText(u"Fehlgeschlagen"_s), -1);
        QCOMPARE(fresh->selectedViewId(), 0);
        QVERIFY(!actions->isEnabled());
        auto left = SavedViewStore(*m_db, m_api->actor.userId).list(u"calls"_s);
        QVERIFY(left.ok());
        QCOMPARE(left->size(), 1);
        QCOMPARE(left->first().name, u"Alle"_s);
        QCOMPARE(test::waitFor(account().remove(u"/saved-views/%1"_s.arg(id))).status, 404);
    }

    void textSearchReadsOnRequestByRequest()
    {
        // 600 newer calls without the text, the match the oldest: with 100 calls examined per request the
        // first answer holds nothing, the page says it is still searching, and the next requests find the match.
        // Two characters, fewer than a trigram: the substring indexes cannot name candidates (test_call_search).
        const qint64 now = nowMs();
        QVERIFY(m_db->begin().ok());
        for (int i = 0; i < 600; ++i)
            insertCall(*m_db, m_company, m_branch, u"call_bulk_%1"_s.arg(i), u"+4917100%1"_s.arg(i, 5, 10, QLatin1Char('0')),
                       now - 60000 - i * 1000, u"booked"_s, u"Agent: Guten Tag\nUser: Einen Termin bitte"_s);
        QVERIFY(m_db->commit().ok());
        auto opened = openPage(account());
        CallsPage &page = *opened;
        page.model()->setSearchScan(100);
        auto *progress = page.findChild<QLabel *>(u"searchProgress"_s);
        QSignalSpy searching(page.model(), &CallsModel::searchingChanged);
        QSignalSpy loaded(page.model(), &ApiListModel::loaded);
        page.applyFilterState({{u"text"_s, u"g?"_s}}); // of "Zahnreinigung?"
        QVERIFY(page.model()->isSearching());
        QVERIFY(!progress->isHidden());
        QVERIFY(loaded.wait(10000)); // the first answer: no match among the newest 100 calls, and a cursor
        QVERIFY(page.model()->isSearching());
        QCOMPARE(page.model()->rowCount(), 0);
        QVERIFY(page.findChild<QLabel *>(u"callsMessage"_s)->text().contains(u"Searching"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!page.model()->isSearching(), 20000);
        QVERIFY2(loaded.size() >= 6, qPrintable(QString::number(loaded.size()))); // request by request
        QCOMPARE(page.model()->rowCount(), 1);
        QCOMPARE(page.model()->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old);
        QTRY_COMPARE(page.selectedCallId(), m_old); // the first match is selected once it arrives
        QVERIFY(progress->isHidden());
        QCOMPARE(searching.size(), 2); // on, then off
        QVERIFY(!page.model()->canFetchMore(QModelIndex()));
    }

    void refreshKeepsTheScrollPosition()
    {
        const qint64 now = nowMs();
        QVERIFY(m_db->begin().ok());
        for (int i = 0; i < 400; ++i)
            insertCall(*m_db, m_company, m_branch, u"call_many_%1"_s.arg(i), u"+4917200%1"_s.arg(i, 5, 10, QLatin1Char('0')),
                       now - 60000 - i * 1000, u"booked"_s, u"Agent: Hallo"_s);
        QVERIFY(m_db->commit().ok());
        auto opened = openPage(account());
        CallsPage &page = *opened;
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *model = page.model();
        QTRY_VERIFY(!model->isLoading());
        QCOMPARE(model->rowCount(), CallsModel::PageSize); // a page at a time
        QVERIFY(settled(model, [&] { model->fetchMore(QModelIndex()); }));
        QVERIFY(model->rowCount() > 320);
        const qint64 selected = model->index(310, 0).data(CallsModel::CallIdRole).toLongLong();
        QVERIFY(page.selectCall(selected));
        QTRY_COMPARE(page.detailPane()->shownCallId(), selected);
        const int scroll = page.table()->verticalScrollBar()->value();
        QVERIFY(scroll > 0);
        const int loaded = model->rowCount();

        insertCall(*m_db, m_company, m_branch, u"call_newest"_s, u"+491705555555"_s, nowMs(), u"booked"_s, u"Agent: Neu"_s);
        QVERIFY(settled(model, [&] { page.pollNow(); }));
        QVERIFY(model->rowCount() >= loaded);
        QCOMPARE(page.selectedCallId(), selected);
        QCOMPARE(page.detailPane()->callId(), selected);
        QCOMPARE(page.table()->verticalScrollBar()->value(), scroll);
    }

    // A call further down than the loaded rows is found by reading on (an appointment's "Open the call").
    void selectingAnUnloadedCallReadsOn()
    {
        const qint64 now = nowMs();
        QVERIFY(m_db->begin().ok());
        for (int i = 0; i < 600; ++i)
            insertCall(*m_db, m_company, m_branch, u"call_deep_%1"_s.arg(i), u"+4917300%1"_s.arg(i, 5, 10, QLatin1Char('0')),
                       now - 60000 - i * 1000, u"booked"_s, u"Agent: Hallo"_s);
        QVERIFY(m_db->commit().ok());
        auto opened = openPage(account());
        QCOMPARE(opened->model()->rowOfId(m_old), -1); // the oldest, beyond the first page
        QVERIFY(!opened->selectCall(m_old));
        QTRY_COMPARE_WITH_TIMEOUT(opened->selectedCallId(), m_old, 10000);
        QTRY_COMPARE(opened->detailPane()->shownCallId(), m_old);
    }

    // Keyset paging must visit every call exactly once in every sort, with ties (equal times, names and
    // durations) broken by the id, on both engines.
    void pagingVisitsEveryCallOnce_data()
    {
        test::addEngineRows();
    }

    void pagingVisitsEveryCallOnce()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930999999"_s);
        const qint64 now = nowMs();
        QSet<qint64> all;
        QVERIFY(db->begin().ok());
        for (int i = 0; i < 700; ++i) {
            auto id = db->insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, from_number, started_at, duration_ms, outcome, "
                                 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                 {u"call_p%1"_s.arg(i), company, branch, u"+49170%1"_s.arg(i % 37), i % 5 == 0 ? Database::null() : QVariant(now - (i / 3) * 1000),
                                  (i % 11) * 1000, i % 2 ? u"booked"_s : u"failed"_s, now - (i / 4) * 1000, now});
            QVERIFY(id.ok());
            all.insert(*id);
        }
        QVERIFY(db->commit().ok());
        auto api = test::startApiSession(db, Role::Support);
        CallsModel model(*api->account);
        const auto loadAll = [&model] {
            bool complete = false;
            bool done = false;
            model.loadAll(100000, [&](bool whole) {
                complete = whole;
                done = true;
            });
            return QTest::qWaitFor([&] { return done; }, 20000) && complete;
        };
        for (const int column : {int(CallsModel::StartedAt), int(CallsModel::Caller), int(CallsModel::DurationMs), int(CallsModel::Outcome),
                                 int(CallsModel::Branch), int(CallsModel::Customer), int(CallsModel::AppointmentStart), int(CallsModel::Id)}) {
            for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                model.sort(CallsModel::StartedAt, order == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder);
                QVERIFY(settled(&model, [&] { model.sort(column, order); }));
                QCOMPARE(model.rowCount(), CallsModel::PageSize);
                QVERIFY(loadAll());
                QSet<qint64> seen;
                for (int r = 0; r < model.rowCount(); ++r)
                    seen.insert(model.index(r, 0).data(CallsModel::CallIdRole).toLongLong());
                QCOMPARE(model.rowCount(), 700);
                QCOMPARE(seen, all);
            }
        }
        CallsModel::Filter failed;
        failed.outcome = u"failed"_s;
        QVERIFY(settled(&model, [&] { model.setFilter(failed); }));
        QVERIFY(loadAll());
        QCOMPARE(model.rowCount(), 350);
    }

    void transcriptTurns_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("turns");
        QTest::addColumn<QString>("lastText");
        QTest::newRow("transcript_object") << uR"([{"role":"agent","content":"Hallo"},{"role":"user","content":"Termin"}])"_s << QString() << 2 << u"Termin"_s;
        QTest::newRow("text form") << QString() << u"Agent: Hallo\nUser: Termin\nmorgen"_s << 2 << u"Termin\nmorgen"_s;
        QTest::newRow("bad json falls back") << u"{oops"_s << u"Agent: Hallo"_s << 1 << u"Hallo"_s;
        QTest::newRow("empty") << QString() << QString() << 0 << QString();
    }

    void transcriptTurns()
    {
        QFETCH(QString, json);
        QFETCH(QString, text);
        QFETCH(int, turns);
        QFETCH(QString, lastText);
        const auto parsed = PayloadText::transcriptTurns(json, text);
        QCOMPARE(parsed.size(), turns);
        if (turns > 0)
            QCOMPARE(parsed.last().text, lastText);
    }
};

QTEST_MAIN(TestCallBrowser)
#include "test_call_browser.moc"
