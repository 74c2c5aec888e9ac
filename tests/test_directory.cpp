// The directory: new companies, branches, staff and services through DirectoryService::create, validated like
// edits and audited, on both engines; and the directory page's forms, offscreen, through a real server.
#include "apisession.h"
#include "db/database.h"
#include "directorymodel.h"
#include "modal.h"
#include "pages/directorypage.h"
#include "support/directoryservice.h"
#include "testdatabase.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

using E = DirectoryQuery::Entity;

qint64 audits(Database &db, const QString &action, qint64 id)
{
    return db.scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?"_s, { action, id })->toLongLong();
}

} // namespace

class TestDirectory final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void createsEveryEntityValidatedAndAudited_data() { test::addEngineRows(); }

    void createsEveryEntityValidatedAndAudited()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        DirectoryService directory(*db);
        const Actor admin = Actor::system(u"tester"_s);

        auto company = directory.create(
            E::Company, { { u"name"_s, u"  Praxis Neu "_s }, { u"billing_email"_s, u"rechnung@neu.example"_s } }, admin);
        QVERIFY2(company.ok(), qPrintable(company.ok() ? QString() : company.error().describe()));
        auto record = DirectoryQuery::record(*db, E::Company, *company);
        QCOMPARE(record->value(u"name"_s).toString(), u"Praxis Neu"_s); // trimmed as an edit trims
        QCOMPARE(record->value(u"active"_s).toInt(), 1); // active unless told otherwise
        QCOMPARE(audits(*db, u"company.create"_s, *company), 1);
        const QString after = db->scalar(u"SELECT after_json FROM audit_log WHERE action = 'company.create'"_s)->toString();
        QVERIFY(after.contains(u"Praxis Neu"_s));

        auto branch = directory.create(
            E::Branch, { { u"company_id"_s, *company }, { u"name"_s, u"Mitte"_s }, { u"phone_e164"_s, u"030 1234567"_s } },
            admin);
        QVERIFY2(branch.ok(), qPrintable(branch.ok() ? QString() : branch.error().describe()));
        record = DirectoryQuery::record(*db, E::Branch, *branch);
        QCOMPARE(record->value(u"phone_e164"_s).toString(), u"+49301234567"_s); // normalized to E.164
        QCOMPARE(record->value(u"time_zone"_s).toString(), u"Europe/Berlin"_s);
        QCOMPARE(audits(*db, u"branch.create"_s, *branch), 1);

        auto staff = directory.create(E::Staff,
                                      { { u"company_id"_s, *company },
                                        { u"branch_id"_s, *branch },
                                        { u"name"_s, u"Dr. Anna Sommer"_s },
                                        { u"email"_s, u"anna@neu.example"_s },
                                        { u"calcom_user_id"_s, 0 } },
                                      admin);
        QVERIFY2(staff.ok(), qPrintable(staff.ok() ? QString() : staff.error().describe()));
        QCOMPARE(db->scalar(u"SELECT branch_id FROM staff WHERE id = ?"_s, { *staff })->toLongLong(), *branch);
        QVERIFY(db->scalar(u"SELECT calcom_user_id FROM staff WHERE id = ?"_s, { *staff })->isNull());
        QCOMPARE(audits(*db, u"staff.create"_s, *staff), 1);

        auto service = directory.create(E::Service,
                                        { { u"company_id"_s, *company },
                                          { u"name"_s, u"Beratung"_s },
                                          { u"duration_minutes"_s, 30 },
                                          { u"price_cents"_s, 4500 } },
                                        admin);
        QVERIFY2(service.ok(), qPrintable(service.ok() ? QString() : service.error().describe()));
        QCOMPARE(audits(*db, u"service.create"_s, *service), 1);

        // Refusals: each names the rule; nothing is written.
        const qint64 rowsBefore = db->scalar(u"SELECT COUNT(*) FROM audit_log"_s)->toLongLong();
        const auto kind = [](const Result<qint64> &r) { return r.ok() ? ErrorKind::Transient : r.error().kind; };
        QCOMPARE(kind(directory.create(E::Company, { { u"name"_s, u" "_s } }, admin)), ErrorKind::Invalid);
        QCOMPARE(kind(directory.create(E::Company, { { u"name"_s, u"X"_s }, { u"stripe_customer_id"_s, u"cus_1"_s } }, admin)),
                 ErrorKind::Invalid);
        QCOMPARE(kind(directory.create(E::Branch, { { u"company_id"_s, *company }, { u"name"_s, u"Ohne Nummer"_s } }, admin)),
                 ErrorKind::Invalid);
        QCOMPARE(kind(directory.create(
                     E::Branch,
                     { { u"company_id"_s, 9999 }, { u"name"_s, u"Nirgends"_s }, { u"phone_e164"_s, u"+49301111111"_s } }, admin)),
                 ErrorKind::Invalid);
        QCOMPARE(
            kind(directory.create(
                E::Branch,
                { { u"company_id"_s, *company }, { u"name"_s, u"Zweite"_s }, { u"phone_e164"_s, u"+49 30 1234567"_s } }, admin)),
            ErrorKind::Conflict); // the number is answered by Mitte
        QCOMPARE(kind(directory.create(E::Branch,
                                       { { u"company_id"_s, *company },
                                         { u"name"_s, u"Zone"_s },
                                         { u"phone_e164"_s, u"+49302222222"_s },
                                         { u"time_zone"_s, u"Mars/Olympus"_s } },
                                       admin)),
                 ErrorKind::Invalid);
        QCOMPARE(kind(directory.create(E::Staff, { { u"company_id"_s, *company }, { u"name"_s, u"Ohne Mail"_s } }, admin)),
                 ErrorKind::Invalid);
        QCOMPARE(
            kind(directory.create(
                E::Staff, { { u"company_id"_s, *company }, { u"name"_s, u"Doppelt"_s }, { u"email"_s, u"ANNA@neu.example"_s } },
                admin)),
            ErrorKind::Conflict);
        auto other = directory.create(E::Company, { { u"name"_s, u"Andere Firma"_s } }, admin);
        QVERIFY(other.ok());
        QCOMPARE(kind(directory.create(E::Staff,
                                       { { u"company_id"_s, *other },
                                         { u"branch_id"_s, *branch },
                                         { u"name"_s, u"Falsch"_s },
                                         { u"email"_s, u"f@andere.example"_s } },
                                       admin)),
                 ErrorKind::Invalid); // Mitte belongs to Praxis Neu
        QCOMPARE(kind(directory.create(E::Service, { { u"company_id"_s, *company }, { u"name"_s, u"Ohne Dauer"_s } }, admin)),
                 ErrorKind::Invalid);
        QCOMPARE(kind(directory.create(
                     E::Service, { { u"company_id"_s, *company }, { u"name"_s, u"Beratung"_s }, { u"duration_minutes"_s, 15 } },
                     admin)),
                 ErrorKind::Conflict);
        QCOMPARE(kind(directory.create(E::Service,
                                       { { u"company_id"_s, *company },
                                         { u"name"_s, u"Minus"_s },
                                         { u"duration_minutes"_s, 15 },
                                         { u"price_cents"_s, -1 } },
                                       admin)),
                 ErrorKind::Invalid);
        // Support may read the directory but not change it.
        const Actor support = Actor::user(0, u"sam"_s, Role::Support);
        QCOMPARE(kind(directory.create(E::Company, { { u"name"_s, u"Verboten"_s } }, support)), ErrorKind::Unauthorized);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log"_s)->toLongLong(), rowsBefore + 1); // only "Andere Firma"
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM branches"_s)->toLongLong(), 1);
    }

    // The page reads and writes through a real server: a refused save keeps the form open with what was
    // typed, the corrected one saves and is selected, the staff form's branches follow the company, an edit
    // sends only the changed fields.
    void newFormOnThePage()
    {
        using PE = DirectoryPage::Entity;
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const qint64 company = test::plantCompanyAndBranch(*db, u"+4930123456"_s).first; // lambdas below capture it
        auto session = test::startApiSession(db, Role::Onboarding);
        DirectoryPage page(*session->account);
        page.resize(1100, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model(PE::Company)->rowCount(), 1);
        QTRY_COMPARE(page.model(PE::Branch)->rowCount(), 1);
        QCOMPARE(page.model(PE::Branch)->index(0, 4).data().toString(), u"+49 30 123456"_s); // as people dial it
        auto *tabs = page.findChild<QTabWidget *>(u"directoryTabs"_s);
        auto *create = page.findChild<QPushButton *>(u"newRecord"_s);
        QVERIFY(create->isEnabled());
        QVERIFY(create->text().contains(u'&')); // Alt+N

        // Services tab: a refused save keeps the form open with what was typed; the corrected one saves.
        tabs->setCurrentIndex(3);
        QSignalSpy status(&page, &DirectoryPage::statusMessage);
        bool refusedShown = false;
        test::onModal<QDialog>(this, [&](QDialog *dialog) {
            QCOMPARE(dialog->objectName(), u"newRecordDialog"_s);
            QCOMPARE(dialog->findChild<QComboBox *>(u"company_id"_s)->currentData().toLongLong(), company);
            QCOMPARE(dialog->findChild<QSpinBox *>(u"duration_minutes"_s)->value(), 30);
            QVERIFY(dialog->findChild<QCheckBox *>(u"active"_s)->isChecked());
            dialog->findChild<QLineEdit *>(u"name"_s)->setText(u"Zahnreinigung"_s);
            dialog->findChild<QSpinBox *>(u"duration_minutes"_s)->setValue(0); // refused by the server
            test::onModal<QMessageBox>(this, [&, dialog](QMessageBox *box) {
                refusedShown = box->text().contains(u"minute"_s);
                box->accept();
                QTimer::singleShot(0, this, [dialog] {
                    QCOMPARE(dialog->findChild<QLineEdit *>(u"name"_s)->text(), u"Zahnreinigung"_s); // still there
                    dialog->findChild<QSpinBox *>(u"duration_minutes"_s)->setValue(45);
                    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
                });
            });
            dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
        });
        create->click();
        QVERIFY(refusedShown);
        QCOMPARE(db->scalar(u"SELECT duration_minutes FROM services WHERE name = 'Zahnreinigung'"_s)->toInt(), 45);
        auto *services = page.findChild<QTableView *>(u"servicesTable"_s);
        QTRY_COMPARE(services->currentIndex().siblingAtColumn(2).data().toString(), u"Zahnreinigung"_s); // the new row is selected
        QCOMPARE(status.size(), 1);
        QVERIFY(status.first().first().toString().contains(u"Zahnreinigung"_s));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'service.create'"_s)->toInt(), 1);

        // Staff tab: the branch list follows the chosen company.
        tabs->setCurrentIndex(2);
        test::onModal<QDialog>(this, [&](QDialog *dialog) {
            auto *branches = dialog->findChild<QComboBox *>(u"branch_id"_s);
            QCOMPARE(branches->count(), 2); // (every branch) and Filiale Mitte
            branches->setCurrentIndex(1);
            dialog->findChild<QLineEdit *>(u"name"_s)->setText(u"Dr. Jonas Weber"_s);
            dialog->findChild<QLineEdit *>(u"email"_s)->setText(u"jonas@praxis.example"_s);
            dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
        });
        create->click();
        QCOMPARE(
            db->scalar(u"SELECT COUNT(*) FROM staff WHERE email = 'jonas@praxis.example' AND branch_id IS NOT NULL"_s)->toInt(),
            1);
        QTRY_COMPARE(page.model(PE::Staff)->rowCount(), 1);

        // Cancel writes nothing.
        tabs->setCurrentIndex(0);
        test::onModal<QDialog>(this, [](QDialog *dialog) { dialog->reject(); });
        create->click();
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM companies"_s)->toInt(), 1);

        // Edit: deactivating the company sends only "active"; the row stays listed and says so.
        auto *companies = page.findChild<QTableView *>(u"companiesTable"_s);
        companies->setCurrentIndex(page.model(PE::Company)->index(0, 1));
        test::onModal<QDialog>(this, [](QDialog *dialog) {
            QCOMPARE(dialog->objectName(), u"editRecordDialog"_s);
            QCOMPARE(dialog->findChild<QLineEdit *>(u"name"_s)->text(), u"Praxis Test"_s);
            dialog->findChild<QCheckBox *>(u"active"_s)->setChecked(false);
            dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
        });
        page.findChild<QPushButton *>(u"editRecord"_s)->click();
        QCOMPARE(db->scalar(u"SELECT active FROM companies WHERE id = ?"_s, {company})->toInt(), 0);
        QTRY_COMPARE(page.model(PE::Company)->index(0, 5).data().toString(), u"Inactive"_s);
        QCOMPARE(status.last().first().toString(), u"Saved."_s);
        const QString after = db->scalar(u"SELECT after_json FROM audit_log WHERE action = 'company.update'"_s)->toString();
        QVERIFY2(after.contains(u"\"active\":0"_s), qPrintable(after));
        if (const QString dir = qEnvironmentVariable("ASKPRO_SCREENSHOT_DIR"); !dir.isEmpty()) // to look at, not to compare
            QVERIFY(page.grab().save(dir + u"/directory-page.png"_s));
    }

    // Opening hours of the selected branch: shown as the server has them, a malformed day keeps the form open
    // and is named, the corrected week and a closure are saved (audited), and the form shows them next time.
    void openingHoursOnThePage()
    {
        using PE = DirectoryPage::Entity;
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const qint64 branch = test::plantCompanyAndBranch(*db, u"+4930123456"_s).second;
        auto session = test::startApiSession(db, Role::Onboarding);
        DirectoryPage page(*session->account);
        page.resize(1100, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model(PE::Branch)->rowCount(), 1);
        auto *hours = page.findChild<QPushButton *>(u"openingHours"_s);
        QVERIFY(!hours->isEnabled()); // on the Companies tab
        page.findChild<QTabWidget *>(u"directoryTabs"_s)->setCurrentIndex(1);
        QVERIFY(hours->isEnabled());
        page.findChild<QTableView *>(u"branchesTable"_s)->setCurrentIndex(page.model(PE::Branch)->index(0, 1));

        bool namedTheDay = false;
        test::onModal<QDialog>(this, [&](QDialog *dialog) {
            QCOMPARE(dialog->objectName(), u"openingHoursDialog"_s);
            QPushButton *save = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save);
            QTRY_VERIFY(save->isEnabled()); // the current (empty) hours have arrived
            QCOMPARE(dialog->findChild<QLineEdit *>(u"weekday1"_s)->text(), QString());
            dialog->findChild<QLineEdit *>(u"weekday1"_s)->setText(u"08:00-12:00, 13:00-18:00"_s);
            dialog->findChild<QLineEdit *>(u"weekday2"_s)->setText(u"ab acht"_s);
            dialog->findChild<QLineEdit *>(u"weekday6"_s)->setText(u"9:00–14:00"_s);
            dialog->findChild<QPlainTextEdit *>(u"closures"_s)->setPlainText(u"2026-12-24 2026-12-26 Weihnachten\n2026-10-03 Feiertag"_s);
            test::onModal<QMessageBox>(this, [&, dialog](QMessageBox *box) {
                namedTheDay = box->text().contains(QLocale().dayName(2));
                box->accept();
                QTimer::singleShot(0, this, [dialog] {
                    dialog->findChild<QLineEdit *>(u"weekday2"_s)->setText(u"08:00-18:00"_s);
                    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
                });
            });
            save->click();
        });
        QSignalSpy status(&page, &DirectoryPage::statusMessage);
        hours->click();
        QVERIFY(namedTheDay);
        QCOMPARE(status.size(), 1);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM branch_opening_hours WHERE branch_id = ?"_s, {branch})->toInt(), 4);
        QCOMPARE(db->scalar(u"SELECT opens_minute FROM branch_opening_hours WHERE weekday = 6"_s)->toInt(), 9 * 60);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM branch_closures WHERE branch_id = ?"_s, {branch})->toInt(), 2);
        QCOMPARE(db->scalar(u"SELECT last_day FROM branch_closures WHERE reason = 'Feiertag'"_s)->toString(), u"2026-10-03"_s);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'branch.opening_hours'"_s)->toInt(), 1);

        // Opened again: the saved week, as the agent says it below.
        test::onModal<QDialog>(this, [&](QDialog *dialog) {
            QTRY_VERIFY(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->isEnabled());
            QCOMPARE(dialog->findChild<QLineEdit *>(u"weekday1"_s)->text(), u"08:00-12:00, 13:00-18:00"_s);
            QCOMPARE(dialog->findChild<QPlainTextEdit *>(u"closures"_s)->toPlainText(), u"2026-10-03 Feiertag\n2026-12-24 2026-12-26 Weihnachten"_s);
            QVERIFY(!dialog->findChild<QLabel *>(u"hoursSummary"_s)->text().isEmpty());
            if (const QString dir = qEnvironmentVariable("ASKPRO_SCREENSHOT_DIR"); !dir.isEmpty())
                QVERIFY(dialog->grab().save(dir + u"/opening-hours.png"_s));
            dialog->reject();
        });
        hours->click();
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'branch.opening_hours'"_s)->toInt(), 1);
    }

    // Roles without view_directory are refused by the server; roles without edit_directory get no New/Edit.
    void pageFollowsThePermissions()
    {
        using PE = DirectoryPage::Entity;
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        auto owner = test::startApiSession(db, Role::Owner);
        DirectoryPage readOnly(*owner->account);
        QTRY_COMPARE(readOnly.model(PE::Branch)->rowCount(), 1);
        QVERIFY(!readOnly.findChild<QPushButton *>(u"newRecord"_s)->isEnabled());
        QVERIFY(!readOnly.findChild<QPushButton *>(u"editRecord"_s)->isEnabled());
        auto staff = test::startApiSession(db, Role::CompanyStaff, 1);
        DirectoryPage refused(*staff->account);
        QSignalSpy failed(refused.model(PE::Company), &DirectoryModel::failed);
        QVERIFY(failed.wait());
        QCOMPARE(refused.model(PE::Company)->rowCount(), 0);
    }
};

QTEST_MAIN(TestDirectory)
#include "test_directory.moc"
