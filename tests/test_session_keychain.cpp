// "Stay signed in" against a real Secret Service (gnome-keyring in a D-Bus session of the test's own, see
// tests/support/with-keyring.sh) and a real askpro-server on loopback: the token goes into the keychain and
// out again, a kept session resumes without a password, and one the server ended is forgotten.
#include "apiaccount.h"
#include "apisession.h"
#include "dialogs/signindialog.h"
#include "sessionkeychain.h"
#include "testdatabase.h"

#include <QApplication>
#include <QCheckBox>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestSessionKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokenGoesInAndOut()
    {
        const SessionKeychain keychain(QUrl(u"https://askpro.example.org/"_s));
        (void)keychain.remove();
        auto none = keychain.read();
        QVERIFY(!none);
        QVERIFY2(none.error().kind == ErrorKind::NotFound, qPrintable(none.error().message)); // not "no keychain"
        const Status written = keychain.write(u"token-1"_s);
        QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().message));
        const auto read = keychain.read();
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, u"token-1"_s);
        // One entry per server: the same server with or without the trailing slash, another server apart.
        QCOMPARE(SessionKeychain(QUrl(u"https://askpro.example.org"_s)).read().value(), u"token-1"_s);
        QVERIFY(!SessionKeychain(QUrl(u"https://other.example.org"_s)).read());
        QVERIFY(keychain.write(u"token-2"_s).ok());
        QCOMPARE(keychain.read().value(), u"token-2"_s);
        QVERIFY(keychain.remove().ok());
        QVERIFY(!keychain.read());
        QVERIFY(keychain.remove().ok()); // nothing kept is no error
    }

    void keptSessionResumesUntilTheServerEndsIt()
    {
        ASKPRO_FRESH_DB(db, u"sqlite"_s);
        const auto session = test::startApiSession(db, Role::Support);
        const SessionKeychain keychain(session->account->server());
        QVERIFY(keychain.write(session->account->token()).ok());

        // The next start of the app: no password, the same user.
        client::ApiAccount restarted;
        QVERIFY(restarted.setServer(session->account->server()).isEmpty());
        QVERIFY(keychain.resume(restarted));
        QVERIFY(restarted.isSignedIn());
        QCOMPARE(QString::fromStdString(restarted.user().value("username", std::string())),
                 QString::fromStdString(session->account->user().value("username", std::string())));
        const auto actor = SignInDialog::actorOf(restarted);
        QVERIFY(actor);
        QCOMPARE(actor->role, Role::Support);

        // Signed out elsewhere (or revoked): the kept token no longer works and is forgotten.
        QVERIFY(test::waitFor(session->account->signOut()).ok());
        client::ApiAccount again;
        QVERIFY(again.setServer(session->account->server()).isEmpty());
        QVERIFY(!keychain.resume(again));
        QVERIFY(!again.isSignedIn());
        auto gone = keychain.read();
        QVERIFY(!gone && gone.error().kind == ErrorKind::NotFound);
    }

    void unreachableServerKeepsTheToken()
    {
        const SessionKeychain keychain(QUrl(u"http://127.0.0.1:1"_s));
        QVERIFY(keychain.write(u"kept-for-later"_s).ok());
        client::ApiAccount account;
        QVERIFY(account.setServer(QUrl(u"http://127.0.0.1:1"_s)).isEmpty());
        QVERIFY(!keychain.resume(account));
        QCOMPARE(keychain.read().value(), u"kept-for-later"_s); // the next start tries again
        QVERIFY(keychain.remove().ok());
    }

    void dialogOffersToStaySignedIn()
    {
        client::ApiAccount account;
        QVERIFY(account.setServer(QUrl(u"http://127.0.0.1:8080"_s)).isEmpty());
        SignInDialog signIn(account, SignInDialog::Mode::SignIn);
        auto *stay = signIn.findChild<QCheckBox *>(u"staySignedIn"_s);
        QVERIFY(stay);
        QVERIFY(!stay->isChecked()); // never kept unless asked for
        QVERIFY(!signIn.staySignedIn());
        stay->setChecked(true);
        QVERIFY(signIn.staySignedIn());
        if (const QString shot = qEnvironmentVariable("ASKPRO_SIGNIN_SHOT"); !shot.isEmpty()) // to look at it
            QVERIFY(signIn.grab().save(shot, "PNG"));
        SignInDialog firstAdmin(account, SignInDialog::Mode::CreateFirstAdmin);
        QVERIFY(!firstAdmin.findChild<QCheckBox *>(u"staySignedIn"_s));
    }
};

QTEST_MAIN(TestSessionKeychain)
#include "test_session_keychain.moc"
