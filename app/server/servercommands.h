// The askpro-server subcommands; each parses its own options and returns the process exit code.
#pragma once

#include <QCoreApplication>

class QCommandLineParser;
#include <QStringList>

namespace askpro {

class ServerCommands final
{
    Q_DECLARE_TR_FUNCTIONS(ServerCommands)
public:
    // arguments: the program's arguments with the subcommand first (argv[0] removed).
    [[nodiscard]] static int run(const QStringList &arguments);

private:
    [[nodiscard]] static int migrate(const QStringList &arguments);
    [[nodiscard]] static int doctor(const QStringList &arguments);
    [[nodiscard]] static int backup(const QStringList &arguments);
    [[nodiscard]] static int serve(const QStringList &arguments);
    [[nodiscard]] static int credentials(const QStringList &arguments);
    [[nodiscard]] static int recover(const QStringList &arguments);
    [[nodiscard]] static int connectProviders(const QStringList &arguments);
    [[nodiscard]] static int setup(const QStringList &arguments);
    [[nodiscard]] static int health(const QStringList &arguments);
    [[nodiscard]] static int demoSeed(const QStringList &arguments);
    [[nodiscard]] static int invoices(const QStringList &arguments);
    [[nodiscard]] static int users(const QStringList &arguments);
    [[nodiscard]] static int importData(const QStringList &arguments);
    [[nodiscard]] static int rotateKey(const QCommandLineParser &parser);
    [[nodiscard]] static int listCredentials(const QCommandLineParser &parser);
    [[nodiscard]] static int usage();
};

} // namespace askpro
