// askpro-admin: the desktop admin application.
#include "apiaccount.h"
#include "core/languageloader.h"
#include "dialogs/signindialog.h"
#include "sessionkeychain.h"
#include "languagemenu.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QHostInfo>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QSettings>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {

// The answer of one request, waited for before the main window exists (sign-in at start-up only).
askpro::client::ApiResult waitFor(askpro::client::ApiCall *call)
{
    askpro::client::ApiResult result;
    QEventLoop loop;
    QObject::connect(call, &askpro::client::ApiCall::finished, &loop, [&](const askpro::client::ApiResult &r) {
        result = r;
        loop.quit();
    });
    loop.exec();
    return result;
}

// The server's status, waiting up to timeoutMs for a server that is still starting (the demo starts it beside us).
askpro::client::ApiResult serverStatus(askpro::client::ApiAccount &account, int timeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        auto status = waitFor(account.get(u"/status"_s));
        if (!status.unreachable() || waited.elapsed() > timeoutMs)
            return status;
        QEventLoop pause;
        QTimer::singleShot(250, &pause, &QEventLoop::quit);
        pause.exec();
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"AskProAI"_s);
    QApplication::setApplicationName(u"askpro"_s);
    QApplication::setApplicationDisplayName(u"AskPro Admin"_s);
    QApplication::setApplicationVersion(QStringLiteral(ASKPRO_VERSION));

    // Before the parser, so that its help is translated too: --language, else View > Language, else the system.
    askpro::LanguageLoader language;
    language.install(askpro::LanguageLoader::choose(askpro::LanguageLoader::fromArguments(QApplication::arguments()),
                                                    QSettings().value(QLatin1StringView(askpro::LanguageMenu::settingsKey)).toString()));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "AskPro Admin: calls, appointments, setup and billing."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(u"server"_s,
                                          QApplication::translate("main", "The askpro-server to sign in to (default: the last one, else "
                                                                          "$ASKPRO_SERVER_URL, else http://127.0.0.1:8080)."),
                                          u"url"_s);
    const QCommandLineOption caOption(u"ca-file"_s, QApplication::translate("main", "Also trust the certificate authorities in this PEM file (a company's own CA)."),
                                      u"file"_s);
    const QCommandLineOption screenshotOption(u"screenshot"_s, QApplication::translate("main", "Render PAGE offscreen into FILE (PNG) and exit."), u"page:file"_s);
    const QCommandLineOption userOption(u"user"_s,
                                        QApplication::translate("main", "Sign in as this user with the password in $ASKPRO_PASSWORD (for "
                                                                        "scripts and screenshots); otherwise the sign-in dialog asks."),
                                        u"name"_s);
    const QCommandLineOption sandboxOption(u"sandbox"_s,
                                           QApplication::translate("main", "Base URL of the provider sandbox of a demo (default: $ASKPRO_SANDBOX_URL): "
                                                                           "Demo > Simulated calls switches its simulated calls on and off."),
                                           u"url"_s);
    parser.addOption(serverOption);
    parser.addOption(caOption);
    parser.addOption(screenshotOption);
    parser.addOption(sandboxOption);
    parser.addOption(userOption);
    parser.addOption({u"language"_s, QApplication::translate("main", "Interface language: de or en (default: the choice under View > Language, else the system's)."), u"lang"_s});
    parser.addPositionalArgument(u"file"_s, QApplication::translate("main", "With --screenshot PAGE: the PNG file to write."));
    parser.process(app);

    // The desktop holds no database and no secrets key: everything goes through the server it signs in to.
    // Sign-in goes to the server: it checks the password, counts failures and opens this device's session.
    askpro::client::ApiAccount account;
    QSettings settings;
    QString serverUrl = parser.value(serverOption);
    if (serverUrl.isEmpty())
        serverUrl = settings.value(u"server"_s).toString();
    if (serverUrl.isEmpty())
        serverUrl = qEnvironmentVariable("ASKPRO_SERVER_URL", u"http://127.0.0.1:8080"_s);
    if (const QString problem = account.setServer(QUrl::fromUserInput(serverUrl)); !problem.isEmpty()) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "AskPro Admin"), problem);
        return 2;
    }
    if (parser.isSet(caOption)) {
        const auto authorities = QSslCertificate::fromPath(parser.value(caOption));
        if (authorities.isEmpty()) {
            QMessageBox::critical(nullptr, QApplication::translate("main", "AskPro Admin"),
                                  QApplication::translate("main", "No PEM certificate in %1.").arg(parser.value(caOption)));
            return 2;
        }
        account.addCaCertificates(authorities);
    }
    auto signIn = [&](bool unattended) -> std::optional<askpro::Actor> {
        const auto status = serverStatus(account, 15000);
        const bool firstAdmin = status.ok() && status.body.value("needs_first_admin", false);
        if (unattended && !firstAdmin && parser.isSet(userOption)) {
            const auto answer = waitFor(account.signIn(parser.value(userOption), qEnvironmentVariable("ASKPRO_PASSWORD"),
                                                       QApplication::translate("main", "AskPro Admin on %1").arg(QHostInfo::localHostName())));
            const auto actor = answer.ok() ? askpro::SignInDialog::actorOf(account) : std::nullopt;
            if (actor)
                return *actor;
            qCritical("%s", answer.ok() ? "the server answered with a user this version does not know" : qPrintable(answer.errorMessage));
            if (parser.isSet(screenshotOption))
                return std::nullopt;
        }
        // A session kept with "stay signed in" needs no password while the server still accepts it.
        if (!firstAdmin && !parser.isSet(userOption) && askpro::SessionKeychain(account.server()).resume(account)) {
            if (const auto kept = askpro::SignInDialog::actorOf(account))
                return *kept;
        }
        askpro::SignInDialog dialog(account, firstAdmin ? askpro::SignInDialog::Mode::CreateFirstAdmin : askpro::SignInDialog::Mode::SignIn);
        if (!status.ok())
            dialog.setHint(status.errorMessage);
        else if (status.body.contains("demo_accounts")) {
            QStringList names;
            for (const auto &name : status.body["demo_accounts"])
                names.append(QString::fromStdString(name.get<std::string>()));
            dialog.setHint(QApplication::translate("main", "Demo accounts: %1; password: %2")
                               .arg(names.join(u", "_s), QString::fromStdString(status.body.value("demo_password", std::string()))));
        }
        if (dialog.exec() != QDialog::Accepted)
            return std::nullopt;
        const askpro::SessionKeychain keychain(account.server());
        if (dialog.staySignedIn()) {
            if (const auto kept = keychain.write(account.token()); !kept)
                QMessageBox::warning(nullptr, QApplication::translate("main", "AskPro Admin"),
                                     QApplication::translate("main", "You are signed in, but only until you close AskPro Admin. %1")
                                         .arg(kept.error().message));
        } else {
            (void)keychain.remove(); // an earlier "stay signed in" ends with a sign-in without it
        }
        return dialog.actor();
    };
    const auto applyUserLanguage = [&](const askpro::Actor &) {
        if (!askpro::LanguageLoader::fromArguments(QApplication::arguments()).isEmpty())
            return; // --language wins
        if (const QString chosen = QString::fromStdString(account.user().value("language", std::string())); !chosen.isEmpty())
            language.install(chosen);
    };
    std::optional<askpro::Actor> actor = signIn(true);
    if (!actor)
        return parser.isSet(screenshotOption) ? 2 : 0;
    settings.setValue(u"server"_s, account.server().toString());
    applyUserLanguage(*actor);
    const QUrl sandboxUrl(parser.isSet(sandboxOption) ? parser.value(sandboxOption) : qEnvironmentVariable("ASKPRO_SANDBOX_URL"));
    auto window = std::make_unique<askpro::MainWindow>(*actor, account);
    window->setSandbox(sandboxUrl);
    if (parser.isSet(screenshotOption)) {
        const QString page = parser.value(screenshotOption);
        const QString file = parser.positionalArguments().value(0);
        if (page == u"wizard"_s && !file.isEmpty()) { // the setup wizard's first page, once the server listed the unfinished setups
            window->openSetupWizard([file](QWidget *wizard) {
                QTimer::singleShot(300, wizard, [wizard, file] { QApplication::exit(wizard->grab().save(file, "PNG") ? 0 : 1); });
            });
            QTimer::singleShot(15000, [] {
                qCritical("--screenshot wizard: the wizard did not open (no permission, or the server did not answer)");
                QApplication::exit(2);
            });
            return QApplication::exec();
        }
        if (file.isEmpty() || !window->showPage(page)) {
            qCritical("usage: askpro-admin --screenshot PAGE FILE, PAGE one of: %s", qPrintable(window->pageNames().join(u", "_s)));
            return 2;
        }
        window->resize(1280, 800);
        window->show();
        // Pages read through the server: time for the list, then the selected row's detail, to arrive.
        QTimer::singleShot(1500, window.get(), [&window, file] {
            const bool saved = window->grab().save(file, "PNG");
            QApplication::exit(saved ? 0 : 1);
        });
        return QApplication::exec();
    }
    // File > Sign out closes the window; the next person signs in to a new one.
    for (;;) {
        window->show();
        const int code = QApplication::exec();
        if (!window->signedOut())
            return code;
        window.reset();
        (void)askpro::SessionKeychain(account.server()).remove();
        (void)waitFor(account.signOut());
        actor = signIn(false);
        if (!actor)
            return 0;
        applyUserLanguage(*actor);
        window = std::make_unique<askpro::MainWindow>(*actor, account);
        window->setSandbox(sandboxUrl);
    }
}
