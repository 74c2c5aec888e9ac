// The admin window opens on a fresh database and its call browser filters in SQL.
#include "callsmodel.h"
#include "core/clock.h"
#include "mainwindow.h"
#include "pages/callspage.h"
#include "testdatabase.h"

#include <QComboBox>
#include <QLineEdit>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestMainWindow final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void opensOnFreshDatabase()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        MainWindow window(db);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.showPage(u"calls"_s));
        QVERIFY(!window.showPage(u"nonsense"_s));
        auto *table = window.findChild<QTableView *>(u"callsTable"_s);
        QVERIFY(table);
        QCOMPARE(table->model()->rowCount(), 0);
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
        CallsPage page(db);
        auto *model = page.model();
        QVERIFY(model->canFetchMore());     // lazily fetched: not every row loaded at once
        QVERIFY(model->rowCount() < 600);
        auto *outcome = page.findChild<QComboBox *>(u"outcomeFilter"_s);
        outcome->setCurrentIndex(outcome->findData(u"failed"_s));
        while (model->canFetchMore())
            model->fetchMore();
        QCOMPARE(model->rowCount(), 200);
        QCOMPARE(model->data(model->index(0, CallQuery::Outcome)).toString(), CallsModel::outcomeLabel(u"failed"_s));

        outcome->setCurrentIndex(0);
        auto *search = page.findChild<QLineEdit *>(u"searchFilter"_s);
        search->setText(u"zahnreinigung"_s);
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(model->data(model->index(0, 0), CallsModel::CallIdRole).toLongLong() > 0, true);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
