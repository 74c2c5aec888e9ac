// askpro-server: the headless server and its operator commands.
#include "core/languageloader.h"
#include "servercommands.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <memory>

#include <sys/prctl.h>
#include <sys/stat.h>

int main(int argc, char *argv[])
{
    // Files the server and its commands make (backups, key files, exports) are its own user's alone, and no
    // other process of that user may attach to it or read a core dump with decrypted provider keys.
    ::umask(077);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // Invoice PDFs lay out text with QtGui: "invoices" and "serve" (whose workers mail invoices) run a
    // headless QGuiApplication on the offscreen platform; every other command stays QtCore only.
    bool documents = false;
    for (int i = 1; i < argc; ++i)
        documents = documents || qstrcmp(argv[i], "invoices") == 0 || qstrcmp(argv[i], "serve") == 0;
    if (documents && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app(documents ? new QGuiApplication(argc, argv) : new QCoreApplication(argc, argv));
    QCoreApplication::setOrganizationName(QStringLiteral("AskProAI"));
    QCoreApplication::setApplicationName(QStringLiteral("askpro"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ASKPRO_VERSION));
    // "askpro-server [--language de|en] COMMAND ...": the option may stand anywhere; else the system's language.
    const QStringList arguments = QCoreApplication::arguments().mid(1);
    askpro::LanguageLoader language;
    language.install(askpro::LanguageLoader::choose(askpro::LanguageLoader::fromArguments(arguments), QString()));
    return askpro::ServerCommands::run(askpro::LanguageLoader::withoutLanguageOption(arguments));
}
