// askpro-server: the headless server and its operator commands.
#include "core/languageloader.h"
#include "servercommands.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <memory>

int main(int argc, char *argv[])
{
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
