// libFuzzer target: the admin API as a signed-in user reaches it, over a real socket to a real server on a
// demo database. The input is "<account byte><METHOD> <path?query>\n<body>": the account byte picks one of the
// demo's accounts (every role, platform and business), so each route's query and body parsing, permission and
// company scope run for each kind of caller. Nothing may crash, hang, read out of bounds or answer 500: a
// malformed request is always the caller's error (4xx), never the server's.
#include "db/database.h"
#include "db/migrator.h"
#include "demo/demoseeder.h"
#include "http/askproserver.h"
#include "security/secretbox.h"
#include "security/sessionstore.h"
#include "security/userstore.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace {

struct Account
{
    askpro::Actor actor;
    QString token;
};

struct Fixture
{
    QTemporaryDir dir;
    std::shared_ptr<askpro::Database> db;
    std::unique_ptr<askpro::AskProServer> server;
    std::unique_ptr<askpro::SessionStore> sessions;
    std::vector<Account> accounts;
    quint16 port = 0;
};

Fixture *fixture = nullptr;

[[noreturn]] void fail(const QString &what)
{
    std::fprintf(stderr, "fuzz_admin_api: %s\n", qPrintable(what));
    std::abort();
}

// The account's token, opened again when an input ended the session (sign-out, a password change).
QString tokenOf(Account &account)
{
    if (fixture->sessions->authenticate(account.token))
        return account.token;
    auto opened = fixture->sessions->open(account.actor, u"fuzz"_s, u"127.0.0.1"_s);
    if (!opened)
        fail(opened.error().describe());
    account.token = opened->token;
    return account.token;
}

// Whether answer holds a whole HTTP response: its head and as many bytes as Content-Length says, or the last
// chunk of a chunked body. Qt keeps the connection open after answering, whatever the request asked.
bool answerComplete(const QByteArray &answer)
{
    const qsizetype headEnd = answer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return false;
    for (const QByteArray &line : answer.left(headEnd).split('\n')) {
        const QByteArray header = line.trimmed().toLower();
        if (header.startsWith("content-length:"))
            return answer.size() - (headEnd + 4) >= header.mid(15).trimmed().toLongLong();
        if (header.startsWith("transfer-encoding:") && header.contains("chunked"))
            return answer.endsWith("\r\n0\r\n\r\n") || answer.mid(headEnd + 4).startsWith("0\r\n\r\n");
    }
    return true; // no body
}

// Sends one request and reads the whole answer; the status code of its first line, 0 when Qt's own HTTP
// parser closed the connection without one.
int exchange(const QByteArray &request)
{
    QTcpSocket socket;
    QByteArray answer;
    bool timedOut = false;
    QEventLoop loop;
    QObject::connect(&socket, &QTcpSocket::readyRead, &loop, [&] {
        answer += socket.readAll();
        if (answerComplete(answer))
            loop.quit();
    });
    QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(10'000, &loop, [&] {
        timedOut = true;
        loop.quit();
    });
    socket.connectToHost(QHostAddress::LocalHost, fixture->port);
    socket.write(request);
    loop.exec();
    if (timedOut)
        fail(u"no answer within 10 s to: "_s + QString::fromLatin1(request.left(300)));
    answer += socket.readAll();
    const QList<QByteArray> statusLine = answer.left(answer.indexOf('\r')).split(' ');
    return statusLine.size() >= 2 ? statusLine.at(1).toInt() : 0;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    qputenv("QT_LOGGING_RULES", "*.debug=false;*.info=false;askpro.*.warning=false;qt.*.warning=false");
    new QCoreApplication(*argc, *argv);
    fixture = new Fixture;
    auto db = askpro::Database::open(u"sqlite:"_s + fixture->dir.filePath(u"fuzz.sqlite"_s));
    if (!db)
        fail(db.error().describe());
    fixture->db = *db;
    if (auto migrated = askpro::Migrator(*fixture->db).migrate(); !migrated)
        fail(migrated.error().describe());
    if (auto seeded = askpro::DemoSeeder(*fixture->db).seed(3); !seeded)
        fail(seeded.error().describe());
    fixture->server = std::make_unique<askpro::AskProServer>(fixture->db, askpro::SecretBox(askpro::SecretBox::newKey()),
                                                             askpro::ServerConfig{}, false);
    auto port = fixture->server->start(QHostAddress::LocalHost, 0);
    if (!port)
        fail(port.error().describe());
    fixture->port = *port;
    fixture->sessions = std::make_unique<askpro::SessionStore>(*fixture->db);
    askpro::UserStore users(*fixture->db);
    for (const QString &name : askpro::DemoSeeder::demoUsernames()) {
        auto actor = users.signIn(name, QString::fromLatin1(askpro::DemoSeeder::demoPassword));
        if (!actor)
            fail(actor.error().describe());
        fixture->accounts.push_back({*actor, {}});
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    Account &account = fixture->accounts.at(data[0] % fixture->accounts.size());
    const QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const qsizetype lineEnd = input.indexOf('\n');
    const QByteArray line = lineEnd < 0 ? input : input.left(lineEnd);
    const QByteArray body = lineEnd < 0 ? QByteArray() : input.mid(lineEnd + 1);
    const qsizetype space = line.indexOf(' ');
    if (space <= 0)
        return 0;
    const QByteArray method = line.left(space);
    const QByteArray target = line.mid(space + 1);
    // Only the request line's shape is Qt's to judge; what reaches the API is what the fuzzer varies.
    static const QByteArrayList methods{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    if (!methods.contains(method))
        return 0;
    for (const char c : target)
        if (c <= ' ' || c == 0x7f)
            return 0;
    if (!target.startsWith("/api/v1/") || target.startsWith("/api/v1/live"))
        return 0;
    const QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                               + "Authorization: Bearer " + tokenOf(account).toLatin1() + "\r\n"
                               + "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                               + "\r\n\r\n" + body;
    const int status = exchange(request);
    if (status >= 500)
        fail(u"answered %1 to: %2 as %3"_s.arg(status).arg(QString::fromLatin1(input.left(300)), account.actor.username));
    return 0;
}
