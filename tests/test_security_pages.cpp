// The sign-in dialog, the users page, the audit page and the provider-keys page, offscreen, on both engines:
// what an administrator does there reaches the backend, is audited, and shows no secret.
#include "apiaccount.h"
#include "apisession.h"
#include "credentialsmodel.h"
#include "messagetemplatesmodel.h"
#include "db/database.h"
#include "dialogs/signindialog.h"
#include "http/askproserver.h"
#include "mainwindow.h"
#include "apirecordsmodel.h"
#include "pages/auditpage.h"
#include "pages/secretspage.h"
#include "pages/templatespage.h"
#include "pages/userspage.h"
#include "queries/auditquery.h"
#include "sessionsmodel.h"
#include "usersmodel.h"
#include "security/userstore.h"
#include "testdatabase.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

QString allText(const QAbstractItemModel &model)
{
    QString text;
    for (int row = 0; row < model.rowCount(); ++row) {
        for (int column = 0; column < model.columnCount(); ++column)
            text += model.index(row, column).data().toString() + u'|';
        text += u'\n';
    }
    return text;
}

} // namespace

class TestSecurityPages final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void signInDialog_data() { test::addEngineRows(); }
    // The dialog signs in through a real server's admin API: the first administrator, wrong and right
    // passwords, and a business account this version of the app turns away.
    void signInDialog()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        AskProServer server(db, SecretBox(SecretBox::newKey()), ServerConfig(), false);
        auto port = server.start(QHostAddress::LocalHost, 0);
        QVERIFY(port.ok());
        client::ApiAccount account;
        QVERIFY(account.setServer(QUrl(u"http://127.0.0.1:%1"_s.arg(*port))).isEmpty());
        SignInDialog first(account, SignInDialog::Mode::CreateFirstAdmin);
        auto *error = first.findChild<QLabel *>(u"signInError"_s);
        // The repeat is checked while typing, and again on submit.
        auto *password = first.findChild<QLineEdit *>(u"password"_s);
        auto *repeat = first.findChild<QLineEdit *>(u"repeatPassword"_s);
        auto *hint = first.findChild<QLabel *>(u"passwordHint"_s);
        QVERIFY(password && repeat && hint && error);
        QVERIFY(first.findChild<QLineEdit *>(u"server"_s)->isReadOnly()); // the first administrator is made on this server
        QTest::keyClicks(password, u"ein langes passwort"_s);
        QVERIFY(!hint->isVisibleTo(&first)); // nothing repeated yet: no complaint
        QTest::keyClicks(repeat, u"ein langes"_s);
        QVERIFY(hint->isVisibleTo(&first));
        QVERIFY(hint->text().contains(u"differ"_s));
        if (const QString dir = qEnvironmentVariable("ASKPRO_SCREENSHOT_DIR"); !dir.isEmpty()) // to look at, not to compare
            QVERIFY(first.grab().save(dir + u"/first-admin-dialog.png"_s));
        QTest::keyClicks(repeat, u" passwort"_s);
        QVERIFY(!hint->isVisibleTo(&first));
        repeat->setText(u"etwas anderes"_s);
        static_cast<QDialog &>(first).accept(); // the OK button
        QCOMPARE(first.result(), int(QDialog::Rejected));
        QVERIFY(error->text().contains(u"differ"_s));
        QVERIFY(password->text().isEmpty() && repeat->text().isEmpty()); // cleared for a fresh try
        first.submit(u"chefin"_s, u"kurz"_s); // too short: the server refuses, the dialog stays
        QTRY_VERIFY(error->isVisibleTo(&first) && error->text().contains(u"characters"_s));
        QCOMPARE(first.result(), int(QDialog::Rejected));
        first.submit(u"chefin"_s, u"ein langes passwort"_s);
        QTRY_COMPARE(first.result(), int(QDialog::Accepted));
        QCOMPARE(first.actor().role, Role::Admin);
        QVERIFY(account.isSignedIn());

        SignInDialog signIn(account, SignInDialog::Mode::SignIn);
        auto *signInError = signIn.findChild<QLabel *>(u"signInError"_s);
        signIn.submit(u"chefin"_s, u"falsches passwort"_s);
        QTRY_VERIFY(signInError->isVisibleTo(&signIn) && signInError->text().contains(u"wrong"_s));
        QCOMPARE(signIn.result(), int(QDialog::Rejected));
        signIn.submit(u"chefin"_s, u"ein langes passwort"_s);
        QTRY_COMPARE(signIn.result(), int(QDialog::Accepted));
        QCOMPARE(signIn.actor().username, u"chefin"_s);

        // A business account signs in too (the customer portal): the actor carries its company.
        const qint64 company = test::plantCompanyAndBranch(*db, u"+4930999999"_s).first;
        QVERIFY(UserStore(*db).create(signIn.actor(), {u"inhaber"_s, {}, u"ein langes passwort"_s, Role::CompanyOwner, u"de"_s, company}).ok());
        SignInDialog business(account, SignInDialog::Mode::SignIn);
        business.submit(u"inhaber"_s, u"ein langes passwort"_s);
        QTRY_COMPARE(business.result(), int(QDialog::Accepted));
        QCOMPARE(business.actor().role, Role::CompanyOwner);
        QCOMPARE(business.actor().companyId, company);
        QVERIFY(business.actor().isScoped());

        // A server address that is not allowed in clear.
        SignInDialog remote(account, SignInDialog::Mode::SignIn);
        remote.findChild<QLineEdit *>(u"server"_s)->setText(u"http://askpro.example.com"_s);
        remote.submit(u"chefin"_s, u"ein langes passwort"_s);
        QVERIFY(remote.findChild<QLabel *>(u"signInError"_s)->text().contains(u"https"_s));
    }

    void sessionsOfAUser_data() { test::addEngineRows(); }
    // The Users page lists the selected user's devices from the server and signs one out.
    void sessionsOfAUser()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        UserStore users(*db);
        const Actor admin = *users.createFirstAdmin({u"admin"_s, u"Alex"_s, u"admin password"_s, Role::Admin, {}});
        QVERIFY(users.create(admin, {u"susi"_s, u"Susi Support"_s, u"support password"_s, Role::Support, u"de"_s, 0}).ok());
        AskProServer server(db, SecretBox(SecretBox::newKey()), ServerConfig(), false);
        auto port = server.start(QHostAddress::LocalHost, 0);
        QVERIFY(port.ok());
        const QUrl base(u"http://127.0.0.1:%1"_s.arg(*port));
        const auto signIn = [&](client::ApiAccount &account, const QString &user, const QString &password, const QString &device) {
            QVERIFY(account.setServer(base).isEmpty());
            bool done = false;
            connect(account.signIn(user, password, device), &client::ApiCall::finished, this, [&](const client::ApiResult &) { done = true; });
            QTRY_VERIFY(done);
            QVERIFY(account.isSignedIn());
        };
        client::ApiAccount adminAccount;
        signIn(adminAccount, u"admin"_s, u"admin password"_s, u"AskPro Admin on office-pc"_s);
        client::ApiAccount laptop;
        signIn(laptop, u"susi"_s, u"support password"_s, u"AskPro Admin on susis-laptop"_s);

        UsersPage page(adminAccount);
        auto *usersTable = page.findChild<QTableView *>(u"usersTable"_s);
        auto *sessionsTable = page.findChild<QTableView *>(u"sessionsTable"_s);
        auto *revoke = page.findChild<QPushButton *>(u"revokeSessionButton"_s);
        QVERIFY(usersTable && sessionsTable && revoke);
        QTRY_COMPARE(page.model()->rowCount(), 2);
        int susiRow = -1;
        for (int row = 0; row < page.model()->rowCount(); ++row) {
            if (page.model()->index(row, 0).data().toString() == u"susi"_s)
                susiRow = row;
        }
        QVERIFY(susiRow >= 0);
        usersTable->setCurrentIndex(page.model()->index(susiRow, 0));
        QTRY_COMPARE(page.sessions()->rowCount(), 1);
        QCOMPARE(page.sessions()->index(0, SessionsModel::Device).data().toString(), u"AskPro Admin on susis-laptop"_s);
        QCOMPARE(page.sessions()->index(0, SessionsModel::Address).data().toString(), u"127.0.0.1"_s);
        QVERIFY(!revoke->isEnabled()); // no device chosen yet
        sessionsTable->setCurrentIndex(page.sessions()->index(0, 0));
        QVERIFY(revoke->isEnabled());
        QSignalSpy status(&page, &UsersPage::statusMessage);
        revoke->click();
        QTRY_COMPARE(status.count(), 1);
        QVERIFY(status.first().first().toString().contains(u"susis-laptop"_s));
        QTRY_COMPARE(page.sessions()->rowCount(), 0);
        // That device has to sign in again.
        QSignalSpy ended(&laptop, &client::ApiAccount::sessionEnded);
        (void)laptop.get(u"/me"_s);
        QTRY_COMPARE(ended.count(), 1);
    }

    void usersAndAuditPages_data() { test::addEngineRows(); }
    // Adding and changing people goes through the server's UserStore: its rules (the last administrator, a
    // business role's company) come back as the refusal's message, and every change is audited.
    void usersAndAuditPages()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const qint64 company = test::plantCompanyAndBranch(*db, u"+4930999999"_s).first;
        auto session = test::startApiSession(db, Role::Admin);
        const Actor admin = session->actor;
        UsersPage page(*session->account);
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(test::waitFor(page.addUser({{"username", "susi"}, {"display_name", "Susi Support"}, {"password", "support password"},
                                            {"role", "support"}, {"language", "de"}}))
                    .ok());
        QTRY_COMPARE(page.model()->rowCount(), 2);
        QVERIFY(allText(*page.model()).contains(u"Susi Support"_s));
        const qint64 susi = db->scalar(u"SELECT id FROM users WHERE username = 'susi'"_s)->toLongLong();
        QVERIFY(test::waitFor(page.changeUser(susi, {{"role", "owner"}})).ok());
        QTRY_VERIFY(allText(*page.model()).contains(u"Owner"_s));
        const client::ApiResult lastAdmin = test::waitFor(page.changeUser(admin.userId, {{"active", false}}));
        QCOMPARE(lastAdmin.status, 409);
        QVERIFY(lastAdmin.errorMessage.contains(u"last active administrator"_s));
        QVERIFY(!allText(*page.model()).contains(u"argon2"_s));

        // A business account needs its company; the company column names it.
        const client::ApiResult noCompany = test::waitFor(page.addUser(
            {{"username", "inhaber"}, {"password", "owner password"}, {"role", "company_owner"}}));
        QCOMPARE(noCompany.status, 400);
        QVERIFY(test::waitFor(page.addUser({{"username", "inhaber"}, {"display_name", "Ina Inhaber"}, {"password", "owner password"},
                                            {"role", "company_owner"}, {"company_id", company}}))
                    .ok());
        QTRY_VERIFY(allText(*page.model()).contains(u"Praxis Test"_s));
        // A password set by the administrator signs the user out everywhere.
        client::ApiAccount laptop;
        QVERIFY(laptop.setServer(session->account->server()).isEmpty());
        QVERIFY(test::waitFor(laptop.signIn(u"susi"_s, u"support password"_s, u"laptop"_s)).ok());
        QCOMPARE(test::waitFor(page.setPassword(susi, u"kurz"_s)).status, 400);
        QVERIFY(test::waitFor(page.setPassword(susi, u"ein neues passwort"_s)).ok());
        QCOMPARE(test::waitFor(laptop.get(u"/me"_s)).status, 401);
        // Deactivated, the row stays and says so.
        QVERIFY(test::waitFor(page.changeUser(susi, {{"active", false}})).ok());
        QTRY_VERIFY(allText(*page.model()).contains(u"Susi Support|Owner|all (AskProAI)|Deutsch|no|"_s));
        if (const QString dir = qEnvironmentVariable("ASKPRO_SCREENSHOT_DIR"); !dir.isEmpty()) { // to look at, not to compare
            page.resize(1100, 600);
            QVERIFY(page.grab().save(dir + u"/users-page.png"_s));
        }

        AuditPage audit(*session->account);
        QTRY_VERIFY(!audit.model()->isLoading());
        QVERIFY2(audit.model()->rowCount() >= 3, qPrintable(audit.model()->lastError())); // create admin, create susi, update susi
        constexpr int actorColumn = 3, actionColumn = 5, entityIdColumn = 7;
        auto *table = audit.findChild<QTableView *>(u"auditTable"_s);
        int updateRow = -1;
        for (int row = 0; row < audit.model()->rowCount(); ++row) {
            if (audit.model()->index(row, actionColumn).data().toString() == u"user.update"_s
                && audit.model()->index(row, entityIdColumn).data(ApiRecordsModel::RawRole).toLongLong() == susi && updateRow < 0)
                updateRow = row;
        }
        QVERIFY(updateRow >= 0);
        QCOMPARE(audit.model()->index(updateRow, actorColumn).data().toString(), admin.username);
        QSignalSpy shown(&audit, &AuditPage::entryShown);
        table->setCurrentIndex(audit.model()->index(updateRow, 0));
        QVERIFY(shown.wait(10000));
        QVERIFY(audit.findChild<QLabel *>(u"auditSummary"_s)->text().contains(u"user.update"_s));
        QSignalSpy loaded(audit.model(), &ApiListModel::loaded);
        audit.showEntity(u"user"_s, susi);
        QVERIFY(loaded.wait(10000));
        QVERIFY(audit.model()->rowCount() >= 2);
        for (int row = 0; row < audit.model()->rowCount(); ++row)
            QCOMPARE(audit.model()->index(row, entityIdColumn).data(ApiRecordsModel::RawRole).toLongLong(), susi);

        // A support user's audit page stays empty: the server refuses the read.
        auto support = test::startApiSession(db, Role::Support, 0, u"sven"_s);
        AuditPage refused(*support->account);
        QSignalSpy failed(refused.model(), &ApiListModel::failed);
        QVERIFY(failed.wait(10000));
        QCOMPARE(refused.model()->rowCount(), 0);
        QVERIFY(!refused.model()->lastError().isEmpty());
    }

    void mainWindowPerRole_data()
    {
        QTest::addColumn<int>("role");
        QTest::addColumn<QStringList>("pages");
        QTest::addColumn<bool>("setup");
        QTest::newRow("admin") << int(Role::Admin)
                               << QStringList{u"calls"_s, u"failed"_s, u"messages"_s, u"inbox"_s, u"appointments"_s, u"calendar"_s, u"customers"_s,
                                              u"import"_s, u"companies"_s, u"invoices"_s, u"usage"_s, u"health"_s, u"audit"_s, u"users"_s, u"templates"_s, u"keys"_s}
                               << true;
        QTest::newRow("owner") << int(Role::Owner)
                               << QStringList{u"calls"_s, u"failed"_s, u"messages"_s, u"inbox"_s, u"appointments"_s, u"calendar"_s, u"customers"_s,
                                              u"companies"_s, u"invoices"_s, u"usage"_s, u"health"_s, u"audit"_s}
                               << false;
        QTest::newRow("support") << int(Role::Support)
                                 << QStringList{u"calls"_s, u"failed"_s, u"messages"_s, u"inbox"_s, u"appointments"_s, u"calendar"_s, u"customers"_s,
                                                u"health"_s}
                                 << false;
        QTest::newRow("onboarding") << int(Role::Onboarding) << QStringList{u"import"_s, u"companies"_s, u"health"_s, u"templates"_s} << true;
        // The customer portal: a business's own people, every page through the server and within their company.
        QTest::newRow("company owner") << int(Role::CompanyOwner)
                                       << QStringList{u"calls"_s, u"failed"_s, u"messages"_s, u"appointments"_s, u"calendar"_s, u"customers"_s,
                                                      u"invoices"_s, u"usage"_s, u"health"_s, u"templates"_s}
                                       << false;
        QTest::newRow("company staff") << int(Role::CompanyStaff)
                                       << QStringList{u"calls"_s, u"failed"_s, u"messages"_s, u"appointments"_s, u"calendar"_s} << false;
    }
    void mainWindowPerRole()
    {
        QFETCH(int, role);
        QFETCH(QStringList, pages);
        QFETCH(bool, setup);
        ASKPRO_FRESH_DB(db, u"sqlite"_s);
        // Signed in to a real server, as the app is: the pages read through it.
        const qint64 company = AccessPolicy::isBusinessRole(Role(role)) ? test::plantCompanyAndBranch(*db, u"+4930123456"_s).first : 0;
        const auto session = test::startApiSession(db, Role(role), company);
        const Actor actor = session->actor;
        MainWindow window(actor, *session->account);
        QCOMPARE(window.pageNames(), pages);
        QCOMPARE(window.findChild<QAction *>(u"newBusinessAction"_s) != nullptr, setup);
        QVERIFY(window.findChild<QAction *>(u"signOutAction"_s));
        QVERIFY(window.windowTitle().contains(actor.username));
        // The wizard opens once the server listed the unfinished setups; without the permission nothing opens.
        QWidget *wizard = nullptr;
        window.openSetupWizard([&wizard](QWidget *opened) { wizard = opened; });
        if (setup) {
            QTRY_VERIFY(wizard);
            QVERIFY(wizard->inherits("askpro::SetupWizard"));
            wizard->close();
        } else {
            QTest::qWait(300);
            QVERIFY(!wizard);
        }
    }

    void templatesPage_data() { test::addEngineRows(); }
    // Issue 17: the message texts are edited with a preview the server fills in, saved through the API, refused
    // with the server's reason, and dropped again.
    void templatesPage()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        auto session = test::startApiSession(db, Role::Admin);
        TemplatesPage page(*session->account, TemplatesPage::Editing::PlatformAndCompanies);
        QTRY_COMPARE(page.model()->rowCount(), 20);
        page.select(0);
        auto *preview = page.findChild<QPlainTextEdit *>(u"previewBody"_s);
        auto *length = page.findChild<QLabel *>(u"previewLength"_s);
        auto *problem = page.findChild<QLabel *>(u"templateProblem"_s);
        auto *body = page.findChild<QPlainTextEdit *>(u"templateBody"_s);
        auto *save = page.findChild<QPushButton *>(u"saveTemplate"_s);
        auto *reset = page.findChild<QPushButton *>(u"resetTemplate"_s);
        QTRY_VERIFY(preview->toPlainText().contains(u"Praxis Mitte"_s) && preview->toPlainText().contains(u"10:00"_s));
        QVERIFY2(length->text().contains(u"1 "_s), qPrintable(length->text()));
        QVERIFY(!save->isEnabled());
        QVERIFY(!reset->isEnabled()); // the shipped text is not the platform's to drop

        body->setPlainText(u"Termin {{datum}}"_s);
        QVERIFY(save->isEnabled());
        QTRY_VERIFY(problem->text().contains(u"{{datum}}"_s));
        const client::ApiResult refused = test::waitFor(page.save());
        QCOMPARE(refused.status, 400);

        body->setPlainText(u"Termin {{date}} um {{time}}. Fragen: {{phone}}"_s);
        QTRY_VERIFY(problem->text().isEmpty());
        QVERIFY(test::waitFor(page.save()).ok());
        QTRY_COMPARE(QString::fromStdString(page.model()->item(0).value("source", std::string())), u"platform"_s);
        QTRY_VERIFY(reset->isEnabled());
        QCOMPARE(db->scalar(u"SELECT body FROM message_templates WHERE company_id IS NULL"_s)->toString(), u"Termin {{date}} um {{time}}. Fragen: {{phone}}"_s);
        QVERIFY(test::waitFor(page.reset()).ok());
        QTRY_COMPARE(QString::fromStdString(page.model()->item(0).value("source", std::string())), u"shipped"_s);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM message_templates"_s)->toInt(), 0);
    }

    void secretsPage_data() { test::addEngineRows(); }
    // Keys go to the server and come back masked only; a role without manage_secrets is refused there; an
    // unreachable server leaves the list as it was and says why.
    void secretsPage()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        auto session = test::startApiSession(db, Role::Admin);
        SecretsPage page(*session->account);
        QVERIFY(!page.findChild<QPushButton *>(u"keychainButton"_s)); // the secrets key is the server operator's
        QVERIFY(page.findChild<QLabel *>(u"secretsInfo"_s)->text().contains(u"askpro-server credentials"_s));
        QVERIFY(test::waitFor(page.store({{"provider", "calcom"}, {"secret", "cal_live_page_key_0001"}, {"webhook_secret", "whsec_page_secret_0001"}}))
                    .ok());
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(allText(*page.model()).contains(u"cal_…0001"_s));
        const client::ApiResult badProvider = test::waitFor(page.store({{"provider", "paypal"}, {"secret", "x"}}));
        QCOMPARE(badProvider.status, 400);
        QCOMPARE(badProvider.errorCode, u"parameter.provider"_s);
        auto *table = page.findChild<QTableView *>(u"secretsTable"_s);
        table->setCurrentIndex(page.model()->index(0, 0));
        QVERIFY(test::waitFor(page.rotate({{"company_id", nullptr}, {"provider", "calcom"}, {"secret", "cal_live_page_key_0002"}, {"grace_hours", 2}}))
                    .ok());
        QTRY_VERIFY(allText(*page.model()).contains(u"cal_…0002"_s));
        const QString shown = allText(*page.model());
        QVERIFY(shown.contains(u"whse…0001"_s)); // the webhook secret was kept
        QVERIFY(!page.model()->index(0, CredentialsModel::PreviousValid).data().toString().isEmpty()); // the grace period
        for (const char *secret : {"cal_live_page_key_0001", "cal_live_page_key_0002", "whsec_page_secret_0001"}) {
            QVERIFY2(!shown.contains(QLatin1StringView(secret)), secret);
            QVERIFY2(test::waitFor(session->account->get(u"/credentials"_s)).body.dump().find(secret) == std::string::npos, secret);
        }
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'credentials.rotate'"_s)->toInt(), 1);
        // A rotation keeps the address sealed with the key, never one changed in the database alone: that is
        // refused, not sealed with the new key.
        QVERIFY(db->exec(u"UPDATE api_credentials SET base_url = 'https://keys.example' WHERE provider = 'calcom'"_s).ok());
        const client::ApiResult changed = test::waitFor(
            session->account->post(u"/credentials/rotate"_s, {{"company_id", nullptr}, {"provider", "calcom"}, {"secret", "cal_live_page_key_0003"}}));
        QVERIFY(!changed.ok());
        QCOMPARE(changed.errorCode, u"credentials.base_url_changed"_s);
        QCOMPARE(db->scalar(u"SELECT hint FROM api_credentials WHERE provider = 'calcom'"_s)->toString(), u"cal_…0002"_s);
        if (const QString dir = qEnvironmentVariable("ASKPRO_SCREENSHOT_DIR"); !dir.isEmpty()) { // to look at, not to compare
            page.resize(1100, 400);
            QVERIFY(page.grab().save(dir + u"/secrets-page.png"_s));
        }

        auto owner = test::startApiSession(db, Role::Owner);
        SecretsPage ownersView(*owner->account);
        QSignalSpy refused(ownersView.model(), &CredentialsModel::failed);
        QVERIFY(refused.wait());
        QCOMPARE(ownersView.model()->rowCount(), 0);
        QCOMPARE(test::waitFor(ownersView.rotate({{"provider", "calcom"}, {"secret", "cal_live_owner_0003"}})).status, 403);

        // The server goes away: the rows stay, the action is refused with the reason.
        session->server.reset();
        const client::ApiResult away = test::waitFor(page.store({{"provider", "stripe"}, {"secret", "sk_live_while_away_0004"}}));
        QVERIFY(away.unreachable());
        QVERIFY(!away.errorMessage.isEmpty());
        QCOMPARE(page.model()->rowCount(), 1);
    }
};

QTEST_MAIN(TestSecurityPages)
#include "test_security_pages.moc"
