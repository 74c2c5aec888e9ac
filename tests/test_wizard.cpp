// The setup wizard offscreen, signed in to a running server over the sandbox with a real SMTP sink: all four
// pages driven like an operator would, every step run by the server, ending with a booked and confirmed test
// call; and the resume offer. The wizard's process holds no database and no key.
#include "apiaccount.h"
#include "apisession.h"
#include "flowfixture.h"
#include "integrations/retellclient.h"
#include "setupclient.h"
#include "testdatabase.h"
#include "wizard/companypage.h"
#include "wizard/connectpage.h"
#include "wizard/phonepage.h"
#include "wizard/setupwizard.h"
#include "wizard/testcallpage.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QTableWidget>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

// Saves the wizard as a PNG when ASKPRO_WIZARD_SHOTS names a folder (to look at what was built).
void shot(QWidget *wizard, const QString &name)
{
    const QString dir = qEnvironmentVariable("ASKPRO_WIZARD_SHOTS");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QCoreApplication::processEvents();
    wizard->grab().save(dir + u'/' + name + u".png"_s, "PNG");
}

struct WizardSetting
{
    std::unique_ptr<test::FlowFixture> flow;
    std::unique_ptr<client::ApiAccount> account; // an administrator (the Stripe key typed is the platform's), signed in to the flow's server
    std::unique_ptr<SetupClient> client;

    // The unfinished setups as the server lists them (what MainWindow hands the wizard).
    [[nodiscard]] QList<SetupRunInfo> unfinished() const
    {
        QList<SetupRunInfo> runs;
        bool answered = false;
        client->unfinishedRuns([&](const Result<QList<SetupRunInfo>> &r) {
            if (r)
                runs = *r;
            answered = true;
        });
        if (!QTest::qWaitFor([&answered] { return answered; }, 10000))
            qWarning("the server did not list the unfinished setups");
        return runs;
    }
};

std::unique_ptr<WizardSetting> makeSetting(const QString &engine)
{
    auto s = std::make_unique<WizardSetting>();
    s->flow = test::FlowFixture::create(engine);
    if (!s->flow)
        return nullptr;
    s->account = test::signInTo(*s->flow->db, s->flow->port, Role::Admin);
    s->client = std::make_unique<SetupClient>(*s->account);
    return s;
}

template<typename T>
T *child(QWidget *parent, const QString &name)
{
    T *w = parent->findChild<T *>(name);
    if (!w)
        qWarning() << "no child" << name;
    return w;
}

} // namespace

class TestWizard final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allFourPagesEndInABookedTestCall_data() { test::addEngineRows(); }
    void allFourPagesEndInABookedTestCall()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = makeSetting(engine);
        QVERIFY(s);
        SetupWizard wizard(s->client.get(), s->unfinished());
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        QCOMPARE(wizard.currentId(), int(SetupWizard::Page_Company));
        QWidget *next = wizard.button(QWizard::NextButton);
        QVERIFY(!next->isEnabled()); // the starred fields are empty

        // Page 1: type the company; a wrong e-mail is explained under its field, then corrected.
        auto *page1 = static_cast<CompanyPage *>(wizard.page(SetupWizard::Page_Company));
        QTest::keyClicks(child<QLineEdit>(page1, u"companyName"_s), u"Physiotherapie Lindner"_s);
        QTest::keyClicks(child<QLineEdit>(page1, u"companyAddress"_s), u"Kastanienallee 5, 10435 Berlin"_s);
        QTest::keyClicks(child<QLineEdit>(page1, u"vatId"_s), u"DE987654321"_s);
        auto *email = child<QLineEdit>(page1, u"billingEmail"_s);
        QTest::keyClicks(email, u"buero(at)lindner"_s);
        Q_EMIT email->editingFinished();
        QVERIFY(page1->visibleErrors().contains(u"company.billing_email"_s));
        email->clear();
        QTest::keyClicks(email, u"buero@lindner.example"_s);
        Q_EMIT email->editingFinished();
        QVERIFY(!page1->visibleErrors().contains(u"company.billing_email"_s));
        QTest::keyClicks(child<QLineEdit>(page1, u"branchName"_s), u"Praxis Prenzlauer Berg"_s);
        child<QCheckBox>(page1, u"supportsEnglish"_s)->setChecked(true);
        auto *services = child<QTableWidget>(page1, u"services"_s);
        QCOMPARE(services->rowCount(), 2);
        QCOMPARE(services->item(0, 0)->text(), u"30 Min Beratung"_s);
        services->item(0, 2)->setText(u"45,00"_s);
        QTest::mouseClick(child<QPushButton>(page1, u"staffAdd"_s), Qt::LeftButton);
        auto *staff = child<QTableWidget>(page1, u"staff"_s);
        staff->item(0, 0)->setText(u"Lea Lindner"_s);
        staff->item(0, 1)->setText(u"lea@lindner.example"_s);
        QTest::keyClicks(child<QLineEdit>(page1, u"retellKey"_s), u"key_sandbox_retell"_s);
        QTest::keyClicks(child<QLineEdit>(page1, u"calcomKey"_s), u"cal_test_sandbox"_s);
        QTest::keyClicks(child<QLineEdit>(page1, u"stripeKey"_s), u"sk_test_sandbox"_s);
        QVERIFY(next->isEnabled());
        shot(&wizard, u"1-company"_s);
        wizard.next();
        QCOMPARE(wizard.currentId(), int(SetupWizard::Page_Phone));

        // Page 2: normalized while typing; a number in use is refused; Retell must confirm before Next.
        auto *page2 = static_cast<PhonePage *>(wizard.page(SetupWizard::Page_Phone));
        auto *number = child<QLineEdit>(page2, u"phoneNumber"_s);
        auto *verify = child<QPushButton>(page2, u"verifyPhone"_s);
        QTest::keyClicks(number, u"030 123456"_s); // the fixture's live branch answers this one
        QCOMPARE(child<QLabel>(page2, u"e164"_s)->text(), test::branchNumber);
        QTRY_VERIFY(child<QLabel>(page2, u"phoneStatus"_s)->text().contains(u"already answers calls for an active branch"_s));
        QVERIFY(!verify->isEnabled());
        number->clear();
        QTest::keyClicks(number, u"030 555 0177"_s);
        QCOMPARE(child<QLabel>(page2, u"e164"_s)->text(), u"+49305550177"_s);
        QTRY_VERIFY(verify->isEnabled()); // once the server said no active branch answers it
        QVERIFY(!next->isEnabled());
        // Retell does not hold it, and no SIP trunk is entered: refused with a reason, nothing imported.
        QTest::mouseClick(verify, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(page2, u"phoneStatus"_s)->text().contains(u"SIP trunk"_s), 15000);
        QVERIFY(!page2->isComplete());
        // A SIP URI is not a host name: said on this page.
        QTest::keyClicks(child<QLineEdit>(page2, u"sipHost"_s), u"sip:trunk.carrier.example:5060"_s);
        QTRY_VERIFY(verify->isEnabled());
        QTest::mouseClick(verify, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(page2, u"phoneStatus"_s)->text().contains(u"not a SIP host name"_s), 15000);
        child<QLineEdit>(page2, u"sipHost"_s)->setText(u"trunk.carrier.example"_s);
        QTest::keyClicks(child<QLineEdit>(page2, u"sipUser"_s), u"lindner"_s);
        QTest::keyClicks(child<QLineEdit>(page2, u"sipPassword"_s), u"trunk-secret"_s);
        QTRY_VERIFY(verify->isEnabled());
        QTest::mouseClick(verify, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page2->isComplete(), 15000);
        QVERIFY(next->isEnabled());
        shot(&wizard, u"2-phone"_s);
        wizard.next();

        // Page 3: the checklist runs by itself to the end.
        auto *page3 = static_cast<ConnectPage *>(wizard.page(SetupWizard::Page_Connect));
        QTRY_VERIFY_WITH_TIMEOUT(page3->isComplete(), 30000);
        for (const QString &step : SetupSteps::all())
            QVERIFY2(page3->stepState(step) == u"done"_s, qPrintable(step));
        QCOMPARE(s->flow->count(u"SELECT COUNT(*) FROM branches WHERE active = 1 AND phone_e164 = '+49305550177'"_s), 1);
        QCOMPARE(s->flow->count(u"SELECT price_cents FROM services WHERE name = '30 Min Beratung' AND company_id = "
                                "(SELECT company_id FROM branches WHERE phone_e164 = '+49305550177')"_s),
                 4500);
        shot(&wizard, u"3-connect"_s);
        wizard.next();
        QCOMPARE(wizard.currentId(), int(SetupWizard::Page_TestCall));

        // Page 4: the sandbox calls; the server books it and mails the confirmation.
        auto *page4 = static_cast<TestCallPage *>(wizard.page(SetupWizard::Page_TestCall));
        auto *startCall = child<QPushButton>(page4, u"startTestCall"_s);
        QTRY_VERIFY(startCall->isEnabled()); // the server said how test calls are placed here: the sandbox
        QVERIFY(child<QLabel>(page4, u"testCallMode"_s)->text().contains(u"sandbox"_s));
        // No made-up caller: without the operator's own number the call is refused with a reason.
        QTest::mouseClick(startCall, Qt::LeftButton);
        QTRY_VERIFY(child<QLabel>(page4, u"testCallResult"_s)->text().contains(u"own phone number"_s));
        QTRY_VERIFY(startCall->isEnabled());
        child<QLineEdit>(page4, u"yourNumber"_s)->setText(u"+49 151 23456789"_s);
        QTest::mouseClick(startCall, Qt::LeftButton);
        const auto testCallState = [page4] {
            QString said = child<QLabel>(page4, u"testCallResult"_s)->text();
            for (const QString &check : TestCallChecks::all())
                said += u" | "_s + check + u": "_s + page4->checkState(check);
            for (QTreeWidgetItem *item : page4->findChild<QTreeWidget *>(u"testCallChecks"_s)->findItems(u"*"_s, Qt::MatchWildcard))
                said += u" | "_s + item->text(1);
            return said;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(page4->booked(), qPrintable(testCallState()), 30000);
        for (const QString &check : TestCallChecks::all())
            QCOMPARE(page4->checkState(check), u"done"_s);
        QCOMPARE(s->flow->count(u"SELECT COUNT(*) FROM appointments a JOIN branches b ON b.id = a.branch_id WHERE b.phone_e164 = '+49305550177'"_s), 1);
        // From the number entered, marked as a test call and never billed.
        QCOMPARE(s->flow->count(u"SELECT COUNT(*) FROM calls WHERE from_number = '+4915123456789' AND test_call = 1"_s), 1);
        QCOMPARE(s->flow->count(u"SELECT COUNT(*) FROM usage_logs"_s), 0);
        QTRY_COMPARE_WITH_TIMEOUT(s->flow->smtp.messages().size(), 1, 10000);
        QVERIFY(s->flow->smtp.messages().first().contains("buero@lindner.example"));
        shot(&wizard, u"4-testcall"_s);
        QVERIFY(wizard.button(QWizard::FinishButton)->isEnabled());
    }

    // The phone step's two ways to a number: import (the SIP trunk's fields) or buy at Retell (country and area
    // code, US and Canada only), each explained on the page before anything is sent.
    void phonePageOffersImportOrBuy()
    {
        auto s = makeSetting(u"sqlite"_s);
        QVERIFY(s);
        SetupWizard wizard(s->client.get(), {});
        wizard.setStartId(SetupWizard::Page_Phone);
        wizard.restart();
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        auto *page = static_cast<PhonePage *>(wizard.page(SetupWizard::Page_Phone));
        auto *verify = child<QPushButton>(page, u"verifyPhone"_s);
        auto *status = child<QLabel>(page, u"phoneStatus"_s);
        QVERIFY(child<QLineEdit>(page, u"sipHost"_s)->isVisible());
        QVERIFY(!child<QLineEdit>(page, u"areaCode"_s)->isVisible());
        child<QRadioButton>(page, u"numberBuy"_s)->setChecked(true);
        QVERIFY(!child<QLineEdit>(page, u"sipHost"_s)->isVisible());
        QVERIFY(child<QLineEdit>(page, u"areaCode"_s)->isVisible());
        QCOMPARE(verify->text(), u"Buy at Retell"_s);
        QTest::keyClicks(child<QLineEdit>(page, u"areaCode"_s), u"41"_s);
        QVERIFY(status->text().contains(u"three-digit area code"_s));
        QVERIFY(!verify->isEnabled());
        QTest::keyClicks(child<QLineEdit>(page, u"areaCode"_s), u"5"_s);
        QVERIFY(verify->isEnabled());
        QVERIFY(status->text().contains(u"415"_s));
        shot(&wizard, u"2-phone-buy"_s);
        QCOMPARE(wizard.input().buyNumber, true);
        QCOMPARE(wizard.input().areaCode, u"415"_s);
        QCOMPARE(wizard.input().countryCode, u"US"_s);
        // A German number cannot be bought: said on the page, nothing to press.
        QTest::keyClicks(child<QLineEdit>(page, u"phoneNumber"_s), u"+49 30 5550177"_s);
        QVERIFY(status->text().contains(u"US and Canadian numbers only"_s));
        QVERIFY(!verify->isEnabled());
        child<QRadioButton>(page, u"numberImport"_s)->setChecked(true);
        QCOMPARE(verify->text(), u"Verify with Retell"_s);
        QTRY_VERIFY(verify->isEnabled()); // importable, once the server said no active branch answers it
    }

    // Undoing a setup that bought its number releases it at Retell, which may be for good: the wizard asks first,
    // and keeping the setup keeps the number.
    void undoAsksBeforeReleasingABoughtNumber()
    {
        auto s = makeSetting(u"sqlite"_s);
        QVERIFY(s);
        SetupInput in;
        in.companyName = u"Bay Dental"_s;
        in.companyAddress = u"1 Market St, San Francisco"_s;
        in.billingEmail = u"office@baydental.example"_s;
        in.defaultLanguage = u"en"_s;
        in.supportedLanguages = {u"en"_s};
        in.branchName = u"Downtown"_s;
        in.branchLanguage = u"en"_s;
        in.timeZone = u"America/Los_Angeles"_s;
        in.buyNumber = true;
        in.areaCode = u"415"_s;
        in.credentials = {"key_sandbox_retell", "cal_test_sandbox", {}};
        qint64 runId = 0;
        s->client->create(in, [&runId](const Result<qint64> &id) { runId = id ? *id : -1; });
        QTRY_VERIFY(runId != 0);
        QVERIFY(runId > 0);
        std::optional<Status> ran;
        s->client->run(runId, [&ran](const Status &st) { ran = st; }, u"connect"_s);
        QTRY_VERIFY_WITH_TIMEOUT(ran.has_value(), 30000);
        QVERIFY2(*ran, qPrintable(*ran ? QString() : ran->error().describe()));
        const QString bought = s->client->lastRun().boughtNumber;
        QVERIFY2(bought.startsWith(u"+1415"_s), qPrintable(bought));
        RetellClient retell(&s->flow->network, s->flow->providers->baseUrl(sandbox::Provider::Retell), "key_sandbox_retell");
        QVERIFY(test::await(retell.phoneNumber(bought)));

        SetupWizard wizard(s->client.get(), {});
        wizard.setRunId(runId);
        auto *connectPage = static_cast<ConnectPage *>(wizard.page(SetupWizard::Page_Connect));
        const auto answer = [](const QString &button) {
            QTimer::singleShot(200, [button] {
                auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
                if (!box || box->objectName() != u"releaseNumberQuestion"_s) {
                    qWarning("no question before releasing the number");
                    return;
                }
                shot(box, u"3-undo-release"_s);
                for (QAbstractButton *b : box->buttons())
                    if (b->text() == button)
                        b->click();
            });
        };
        answer(u"Keep the setup"_s);
        connectPage->undo();
        QTest::qWait(500);
        QVERIFY(test::await(retell.phoneNumber(bought))); // kept
        QVERIFY(s->flow->db->scalar(u"SELECT status FROM setup_runs WHERE id = ?"_s, {runId})->toString() != u"cancelled"_s);
        // The server is the guard, whatever a client asks: a cancel that does not confirm the release is refused at once.
        const auto unconfirmed = test::waitFor(s->account->post(u"/setup/runs/%1/cancel"_s.arg(runId), client::Json::object()));
        QCOMPARE(unconfirmed.status, 409);
        QCOMPARE(unconfirmed.errorCode, u"setup.release_number"_s);
        QCOMPARE(test::waitFor(s->account->post(u"/setup/runs/%1/cancel"_s.arg(runId), {{"release_number", "yes"}})).status, 400);
        QVERIFY(test::await(retell.phoneNumber(bought)));
        answer(u"Release and undo"_s);
        connectPage->undo();
        QTRY_COMPARE_WITH_TIMEOUT(s->flow->db->scalar(u"SELECT status FROM setup_runs WHERE id = ?"_s, {runId})->toString(), u"cancelled"_s, 20000);
        QVERIFY(!test::await(retell.phoneNumber(bought))); // released
    }

    void unfinishedSetupIsOffered()
    {
        auto s = makeSetting(u"sqlite"_s);
        QVERIFY(s);
        SetupInput in;
        in.companyName = u"Kanzlei Hoffmann"_s;
        in.companyAddress = u"Hauptstr. 1, 80331 München"_s;
        in.billingEmail = u"kanzlei@hoffmann.example"_s;
        in.branchName = u"München"_s;
        in.phone = u"089 5550123"_s;
        in.credentials = {"key_sandbox_retell", "cal_test_sandbox", {}};
        qint64 runId = 0;
        s->client->create(in, [&runId](const Result<qint64> &id) { runId = id ? *id : -1; });
        QTRY_VERIFY(runId != 0);
        QVERIFY(runId > 0);
        bool stopped = false;
        s->client->run(runId, [&stopped](const Status &) { stopped = true; }, u"phone"_s);
        QTRY_VERIFY_WITH_TIMEOUT(stopped, 15000);

        // Another operator's wizard, another session: the run is the server's, not a desktop's.
        auto otherAccount = test::signInTo(*s->flow->db, s->flow->port, Role::Admin, 0, nullptr, u"second-operator"_s);
        s->client = std::make_unique<SetupClient>(*otherAccount);
        SetupWizard wizard(s->client.get(), s->unfinished());
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        QCOMPARE(wizard.currentId(), int(SetupWizard::Page_Resume));
        auto *list = wizard.findChild<QListWidget *>(u"unfinishedRuns"_s);
        QCOMPARE(list->count(), 2);
        QCOMPARE(list->currentRow(), 1);
        QVERIFY(list->item(1)->text().contains(u"Kanzlei Hoffmann"_s));
        shot(&wizard, u"0-resume"_s);
        wizard.next();
        QCOMPARE(wizard.runId(), runId);
        QCOMPARE(wizard.currentId(), int(SetupWizard::Page_Company)); // its keys were not stored yet
        QCOMPARE(wizard.findChild<QLineEdit *>(u"companyName"_s)->text(), u"Kanzlei Hoffmann"_s);
    }
};

QTEST_MAIN(TestWizard)
#include "test_wizard.moc"
