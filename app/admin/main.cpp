// askpro-admin: the desktop admin application.
#include "config/serverconfig.h"
#include "core/languageloader.h"
#include "db/connectionstring.h"
#include "db/database.h"
#include "db/migrator.h"
#include "languagemenu.h"
#include "mainwindow.h"
#include "security/credentialstore.h"
#include "security/secretbox.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

using namespace Qt::StringLiterals;

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
    const QCommandLineOption dbOption(u"db"_s, QApplication::translate("main", "Database connection string (default: $ASKPRO_DB, else the embedded SQLite file)."), u"url"_s);
    const QCommandLineOption screenshotOption(u"screenshot"_s, QApplication::translate("main", "Render PAGE offscreen into FILE (PNG) and exit."), u"page:file"_s);
    parser.addOption(dbOption);
    parser.addOption(screenshotOption);
    parser.addOption({u"language"_s, QApplication::translate("main", "Interface language: de or en (default: the choice under View > Language, else the system's)."), u"lang"_s});
    parser.addPositionalArgument(u"file"_s, QApplication::translate("main", "With --screenshot PAGE: the PNG file to write."));
    parser.process(app);

    QString url = parser.value(dbOption);
    if (url.isEmpty())
        url = qEnvironmentVariable("ASKPRO_DB");
    if (url.isEmpty())
        url = askpro::ConnectionString::defaultUrl();

    auto db = askpro::Database::open(url);
    if (db) {
        auto migrated = askpro::Migrator(**db).migrate();
        if (!migrated) {
            QMessageBox::critical(nullptr, QApplication::translate("main", "AskPro Admin"), migrated.error().describe());
            return 1;
        }
    } else {
        QMessageBox::critical(nullptr, QApplication::translate("main", "AskPro Admin"), db.error().describe());
        return 1;
    }

    // Provider actions (cancel, reschedule) need the server's secrets key; without it they report so.
    const askpro::ServerConfig config = askpro::ServerConfig::fromEnvironment();
    QString keyFile = config.keyFile;
    if (keyFile.isEmpty()) {
        const QString sqlitePath = (*db)->engine() == askpro::Engine::Sqlite ? (*db)->connectionString().path
                                                                             : askpro::ConnectionString::defaultUrl().mid(7);
        keyFile = QFileInfo(sqlitePath).absolutePath() + u"/askpro.key"_s;
    }
    std::shared_ptr<askpro::CredentialStore> credentials;
    if (QFileInfo::exists(keyFile)) {
        if (auto box = askpro::SecretBox::fromKeyFile(keyFile))
            credentials = std::make_shared<askpro::CredentialStore>(**db, *box);
        else
            qWarning("%s", qPrintable(box.error().describe()));
    }
    askpro::MainWindow window(*db, credentials, config.endpoints, qEnvironmentVariable("USER"));
    if (parser.isSet(screenshotOption)) {
        const QString page = parser.value(screenshotOption);
        const QString file = parser.positionalArguments().value(0);
        if (page == u"wizard"_s && !file.isEmpty()) { // the setup wizard's first page
            QWidget *wizard = window.openSetupWizard();
            if (!wizard) {
                qCritical("--screenshot wizard needs the secrets key (askpro.key or ASKPRO_KEY_FILE)");
                return 2;
            }
            QTimer::singleShot(300, wizard, [wizard, file] { QApplication::exit(wizard->grab().save(file, "PNG") ? 0 : 1); });
            return QApplication::exec();
        }
        if (file.isEmpty() || !window.showPage(page)) {
            qCritical("usage: askpro-admin --screenshot PAGE FILE, PAGE one of: %s", qPrintable(window.pageNames().join(u", "_s)));
            return 2;
        }
        window.resize(1280, 800);
        window.show();
        QTimer::singleShot(300, &window, [&window, file] {
            const bool saved = window.grab().save(file, "PNG");
            QApplication::exit(saved ? 0 : 1);
        });
        return QApplication::exec();
    }
    window.show();
    return QApplication::exec();
}
