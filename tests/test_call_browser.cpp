// The call browser: outcome, text and date filters in SQL, header sorting, keyset paging on both engines, a
// text search that reads on in slices, the detail pane with its timeline and masked payload, polling for
// new calls without losing the selection or the scroll position, saved views (save, recall, rename, delete).
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
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

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

} // namespace

class TestCallBrowser final : public QObject
{
    Q_OBJECT
private:
    std::shared_ptr<Database> m_db;
    qint64 m_failed = 0;
    qint64 m_booked = 0;
    qint64 m_old = 0;
    qint64 m_company = 0;
    qint64 m_branch = 0;

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
    }

    void filtersByOutcomeTextAndDate()
    {
        CallsPage page(m_db);
        auto *model = page.model();
        QCOMPARE(model->rowCount(), 3);

        auto *outcome = page.findChild<QComboBox *>(u"outcomeFilter"_s);
        outcome->setCurrentIndex(outcome->findData(u"failed"_s));
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_failed);
        outcome->setCurrentIndex(outcome->findData(u"booked"_s));
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_booked);
        outcome->setCurrentIndex(0);

        auto *search = page.findChild<QLineEdit *>(u"searchFilter"_s);
        search->setText(u"ZAHNREINIGUNG"_s); // transcript text, any case
        QTRY_COMPARE(model->filter().text, u"ZAHNREINIGUNG"_s);
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old);
        search->setText(u"2222222"_s); // caller number
        QTRY_COMPARE(model->filter().text, u"2222222"_s);
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_failed);
        search->clear();
        QTRY_COMPARE(model->rowCount(), 3);

        auto *period = page.findChild<QComboBox *>(u"periodFilter"_s);
        period->setCurrentIndex(period->findData(u"7d"_s));
        QCOMPARE(model->rowCount(), 2); // the 20-day-old call is outside
        period->setCurrentIndex(period->findData(u"range"_s));
        auto *from = page.findChild<QDateEdit *>(u"fromDate"_s);
        auto *to = page.findChild<QDateEdit *>(u"toDate"_s);
        QVERIFY(from->isVisible() || !page.isVisible());
        const QDate oldDay = QDateTime::fromMSecsSinceEpoch(nowMs() - 20 * day).date();
        from->setDate(oldDay.addDays(-1));
        to->setDate(oldDay.addDays(1));
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old);
    }

    void sortsInSqlByHeader()
    {
        CallsPage page(m_db);
        auto *model = page.model();
        page.table()->sortByColumn(CallQuery::Caller, Qt::AscendingOrder);
        QCOMPARE(model->sortColumn(), int(CallQuery::Caller));
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_booked); // +49170111...
        page.table()->sortByColumn(CallQuery::Caller, Qt::DescendingOrder);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old); // +49170333...
        page.table()->sortByColumn(CallQuery::StartedAt, Qt::AscendingOrder);
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old);
    }

    void failedCallShowsTimelineTranscriptAndMaskedPayload()
    {
        CallsPage page(m_db);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.selectCall(m_failed));
        QCOMPARE(page.detailPane()->callId(), m_failed);

        auto *timeline = page.detailPane()->findChild<QTreeWidget *>(u"timeline"_s);
        QVERIFY(timeline);
        QCOMPARE(timeline->topLevelItemCount(), 3);
        QCOMPARE(timeline->topLevelItem(2)->data(2, Qt::UserRole).toString(), u"error"_s);
        QVERIFY(timeline->topLevelItem(2)->text(3).contains(u"Massage"_s));

        auto *payload = page.detailPane()->findChild<QPlainTextEdit *>(u"payload"_s);
        QVERIFY(payload);
        const QString text = payload->toPlainText();
        QVERIFY(text.contains(u"\"note\": \"keep\""_s));
        QVERIFY(!text.contains(u"SECRET"_s));
        QCOMPARE(int(text.count(u"\u2022\u2022\u2022\u2022"_s)), 3);

        auto *transcript = page.detailPane()->findChild<QTextBrowser *>(u"transcript"_s);
        QVERIFY(transcript->toPlainText().contains(u"Ich möchte eine Massage."_s));
        QVERIFY(transcript->toPlainText().contains(u"Agent"_s));
    }

    void newCallsAppearKeepingTheSelection()
    {
        CallsPage page(m_db);
        QVERIFY(page.selectCall(m_failed));
        const qint64 added = insertCall(*m_db, m_company, m_branch, u"call_new"_s, u"+491704444444"_s, nowMs(), u"booked"_s, u"Agent: Neu"_s);
        page.pollNow();
        QCOMPARE(page.model()->rowCount(), 4);
        QCOMPARE(page.model()->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), added);
        QCOMPARE(page.selectedCallId(), m_failed);
        QCOMPARE(page.detailPane()->callId(), m_failed);
    }

    void savedViewsRecallFilters()
    {
        CallsPage page(m_db);
        auto *outcome = page.findChild<QComboBox *>(u"outcomeFilter"_s);
        outcome->setCurrentIndex(outcome->findData(u"failed"_s));
        page.findChild<QLineEdit *>(u"searchFilter"_s)->setText(u"massage"_s);
        QVERIFY(SavedViewStore(*m_db).save(u"calls"_s, u"Massage-Fehler"_s, page.filterState()).ok());
        QVERIFY(SavedViewStore(*m_db).save(u"calls"_s, u"Massage-Fehler"_s, page.filterState()).ok()); // replaces, no duplicate
        auto views = SavedViewStore(*m_db).list(u"calls"_s);
        QVERIFY(views.ok());
        QCOMPARE(views->size(), 1);

        CallsPage fresh(m_db);
        QCOMPARE(fresh.model()->rowCount(), 3);
        fresh.applyFilterState(views->first().filters);
        QCOMPARE(fresh.model()->rowCount(), 1);
        QCOMPARE(fresh.model()->filter().outcome, u"failed"_s);
        QCOMPARE(fresh.model()->filter().text, u"massage"_s);
    }

    void savedViewsCanBeRenamedAndDeleted()
    {
        CallsPage page(m_db);
        auto *outcome = page.findChild<QComboBox *>(u"outcomeFilter"_s);
        outcome->setCurrentIndex(outcome->findData(u"failed"_s));
        QVERIFY(SavedViewStore(*m_db).save(u"calls"_s, u"Fehler"_s, page.filterState()).ok());
        QVERIFY(SavedViewStore(*m_db).save(u"calls"_s, u"Alle"_s, {}).ok());

        CallsPage fresh(m_db);
        auto *views = fresh.findChild<QComboBox *>(u"savedViews"_s);
        auto *actions = fresh.findChild<QToolButton *>(u"viewActionsButton"_s);
        QCOMPARE(views->count(), 3); // the placeholder and two views
        QVERIFY(!actions->isEnabled()); // no view chosen yet
        views->setCurrentIndex(views->findText(u"Fehler"_s));
        QVERIFY(actions->isEnabled());
        const qint64 id = fresh.selectedViewId();
        QVERIFY(id > 0);

        // Views > Rename view…, answering the dialog as a user would.
        QTimer::singleShot(0, this, [] {
            auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            QCOMPARE(dialog->textValue(), u"Fehler"_s);
            dialog->setTextValue(u"  Fehlgeschlagen "_s);
            dialog->accept();
        });
        fresh.findChild<QAction *>(u"renameViewAction"_s)->trigger();
        QCOMPARE(views->currentText(), u"Fehlgeschlagen"_s);
        QCOMPARE(fresh.selectedViewId(), id);
        QCOMPARE(views->currentData().toMap().value(u"outcome"_s).toString(), u"failed"_s); // same filters
        const Status taken = SavedViewStore(*m_db).rename(id, u"Alle"_s);
        QVERIFY(!taken);
        QCOMPARE(taken.error().kind, ErrorKind::Conflict);
        QCOMPARE(SavedViewStore(*m_db).rename(id, u" "_s).error().kind, ErrorKind::Invalid);

        // Views > Delete view, confirmed.
        QTimer::singleShot(0, this, [] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            QVERIFY(box);
            QVERIFY(box->text().contains(u"Fehlgeschlagen"_s));
            box->button(QMessageBox::Yes)->click();
        });
        fresh.findChild<QAction *>(u"deleteViewAction"_s)->trigger();
        QCOMPARE(views->count(), 2);
        QCOMPARE(views->findText(u"Fehlgeschlagen"_s), -1);
        QCOMPARE(fresh.selectedViewId(), 0);
        QVERIFY(!actions->isEnabled());
        auto left = SavedViewStore(*m_db).list(u"calls"_s);
        QVERIFY(left.ok());
        QCOMPARE(left->size(), 1);
        QCOMPARE(left->first().name, u"Alle"_s);
        QCOMPARE(SavedViewStore(*m_db).remove(id).error().kind, ErrorKind::NotFound);
    }

    void textSearchReadsOnInSlices()
    {
        // 600 newer calls without the word, the match the oldest: with a window of 100 calls per query the
        // first read finds nothing, says it is still searching, and the event loop finds the match.
        const qint64 now = nowMs();
        QVERIFY(m_db->begin().ok());
        for (int i = 0; i < 600; ++i)
            insertCall(*m_db, m_company, m_branch, u"call_bulk_%1"_s.arg(i), u"+4917100%1"_s.arg(i, 5, 10, QLatin1Char('0')),
                       now - 60000 - i * 1000, u"booked"_s, u"Agent: Guten Tag\nUser: Einen Termin bitte"_s);
        QVERIFY(m_db->commit().ok());
        CallsPage page(m_db);
        page.model()->setSearchPace(100, 0); // one query of 100 calls per slice
        auto *progress = page.findChild<QLabel *>(u"searchProgress"_s);
        QSignalSpy searching(page.model(), &CallsModel::searchingChanged);
        page.applyFilterState({{u"text"_s, u"zahnreinigung"_s}});
        QVERIFY(page.model()->isSearching());
        QVERIFY(!progress->isHidden());
        QCOMPARE(page.model()->rowCount(), 0);
        QVERIFY(page.findChild<QLabel *>(u"callsMessage"_s)->text().contains(u"Searching"_s));
        QTRY_VERIFY(!page.model()->isSearching());
        QCOMPARE(page.model()->rowCount(), 1);
        QCOMPARE(page.model()->index(0, 0).data(CallsModel::CallIdRole).toLongLong(), m_old);
        QCOMPARE(page.selectedCallId(), m_old); // the first match is selected once it arrives
        QVERIFY(progress->isHidden());
        QCOMPARE(searching.size(), 2); // on, then off
        QVERIFY(!page.model()->canFetchMore());
    }

    void refreshKeepsTheScrollPosition()
    {
        const qint64 now = nowMs();
        QVERIFY(m_db->begin().ok());
        for (int i = 0; i < 400; ++i)
            insertCall(*m_db, m_company, m_branch, u"call_many_%1"_s.arg(i), u"+4917200%1"_s.arg(i, 5, 10, QLatin1Char('0')),
                       now - 60000 - i * 1000, u"booked"_s, u"Agent: Hallo"_s);
        QVERIFY(m_db->commit().ok());
        CallsPage page(m_db);
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *model = page.model();
        QCOMPARE(model->rowCount(), CallsModel::PageSize); // a page at a time
        while (model->rowCount() < 320 && model->canFetchMore())
            model->fetchMore();
        const qint64 selected = model->index(310, 0).data(CallsModel::CallIdRole).toLongLong();
        QVERIFY(page.selectCall(selected));
        const int scroll = page.table()->verticalScrollBar()->value();
        QVERIFY(scroll > 0);
        const int loaded = model->rowCount();

        insertCall(*m_db, m_company, m_branch, u"call_newest"_s, u"+491705555555"_s, nowMs(), u"booked"_s, u"Agent: Neu"_s);
        page.pollNow();
        QCOMPARE(model->index(0, 0).data(CallsModel::CallIdRole).toLongLong() > 0, true);
        QVERIFY(model->rowCount() >= loaded);
        QCOMPARE(page.selectedCallId(), selected);
        QCOMPARE(page.detailPane()->callId(), selected);
        QCOMPARE(page.table()->verticalScrollBar()->value(), scroll);
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
        CallsModel model(db);
        for (const int column : {int(CallQuery::StartedAt), int(CallQuery::Caller), int(CallQuery::DurationMs), int(CallQuery::Outcome),
                                 int(CallQuery::Branch), int(CallQuery::Customer), int(CallQuery::AppointmentStart), int(CallQuery::Id)}) {
            for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                model.sort(CallQuery::StartedAt, order == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder);
                model.sort(column, order);
                QCOMPARE(model.rowCount(), CallsModel::PageSize);
                model.fetchAll();
                QSet<qint64> seen;
                for (int r = 0; r < model.rowCount(); ++r)
                    seen.insert(model.index(r, 0).data(CallsModel::CallIdRole).toLongLong());
                QCOMPARE(model.rowCount(), 700);
                QCOMPARE(seen, all);
            }
        }
        CallFilter failed;
        failed.outcome = u"failed"_s;
        model.setFilter(failed);
        model.fetchAll();
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
