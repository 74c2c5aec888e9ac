// askpro-server: the headless server and its operator commands.
#include "servercommands.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("AskProAI"));
    QCoreApplication::setApplicationName(QStringLiteral("askpro"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ASKPRO_VERSION));
    return askpro::ServerCommands::run(QCoreApplication::arguments().mid(1));
}
