// Benchmark (prints figures, never fails for being slow): Retell's inbound call webhook on both engines.
// 50 companies, each with one branch (opening hours, a closure, 6 services, 4 staff) and 4,000 customers
// (200,000 in all). Prints p50/p99 of
//   - the answer itself (InboundCall::answer: the reads and the text, what the route adds to a request), and
//   - a signed POST /webhooks/retell-inbound over loopback, one at a time from a client in this process (HTTP,
//     signature check and answer; the client's own share included, so an upper bound of the server's time).
// Callers alternate between known customers, unknown numbers and an inactive branch's number.
#include "percentile.h"
#include "core/clock.h"
#include "db/database.h"
#include "domain/openinghours.h"
#include "flow/inboundcall.h"
#include "http/askproserver.h"
#include "httptestclient.h"
#include "intake/signatures.h"
#include "security/credentialstore.h"
#include "testdatabase.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;
using namespace askpro;

using askpro::test::percentile;

namespace {

constexpr int companies = 50;
constexpr int customersPerCompany = 4000;
const QByteArray retellKey = "key_bench_inbound_platform";

QString branchNumber(int c)
{
    return u"+4930%1"_s.arg(1000000 + c);
}
QString customerNumber(int c, int i)
{
    return u"+49170%1"_s.arg(c * 100000 + i, 7, 10, QChar(u'0'));
}

bool seed(Database &db)
{
    const qint64 now = nowMs();
    QList<OpeningInterval> weekly;
    for (int day = 1; day <= 5; ++day)
        weekly << OpeningInterval{day, 8 * 60, 12 * 60} << OpeningInterval{day, 13 * 60, 18 * 60};
    weekly << OpeningInterval{6, 9 * 60, 14 * 60};
    const QDate today = QDate::currentDate();
    for (int c = 0; c < companies; ++c) {
        Transaction tx(db, Durability::Relaxed);
        if (!tx.started())
            return false;
        auto company = db.insert(u"INSERT INTO companies (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id"_s,
                                 {u"Firma %1"_s.arg(c), now, now});
        if (!company)
            return false;
        auto branch = db.insert(u"INSERT INTO branches (company_id, name, address, phone_e164, created_at, updated_at) "
                                "VALUES (?, ?, 'Hauptstraße 1, 10115 Berlin', ?, ?, ?) RETURNING id"_s,
                                {*company, u"Filiale %1"_s.arg(c), branchNumber(c), now, now});
        if (!branch)
            return false;
        for (int s = 0; s < 6; ++s) {
            auto service = db.insert(u"INSERT INTO services (company_id, name, duration_minutes, created_at) VALUES (?, ?, ?, ?) RETURNING id"_s,
                                     {*company, u"Leistung %1"_s.arg(s), 15 * (s + 1), now});
            if (!service || !db.exec(u"INSERT INTO event_type_mappings (branch_id, service_id, calcom_event_type_id) VALUES (?, ?, ?)"_s,
                                     {*branch, *service, c * 10 + s})
                                 .ok())
                return false;
        }
        for (int s = 0; s < 4; ++s) {
            if (!db.exec(u"INSERT INTO staff (company_id, branch_id, name, email, created_at) VALUES (?, ?, ?, ?, ?)"_s,
                         {*company, *branch, u"Person %1"_s.arg(s), u"p%1@firma%2.example"_s.arg(s).arg(c), now})
                     .ok())
                return false;
        }
        for (int from = 0; from < customersPerCompany; from += 500) {
            QString sql = u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) VALUES "_s;
            QVariantList params;
            for (int i = from; i < from + 500; ++i) {
                sql += (i == from ? u"(?, ?, ?, ?, ?)"_s : u", (?, ?, ?, ?, ?)"_s);
                params << *company << customerNumber(c, i) << u"Kunde %1"_s.arg(i) << now << now;
            }
            if (!db.exec(sql, params).ok())
                return false;
        }
        if (!tx.commit())
            return false;
        if (!OpeningHours::store(db, *branch, weekly, {{today.addDays(10), today.addDays(12), u"Betriebsferien"_s}}))
            return false;
    }
    // One inactive branch, the number a caller may still dial.
    return db.exec(u"INSERT INTO branches (company_id, name, phone_e164, active, created_at, updated_at) "
                   "SELECT id, 'Alt', '+4930999999', 0, ?, ? FROM companies ORDER BY id LIMIT 1"_s,
                   {now, now})
        .ok();
}

void run(const QString &engine, int requests)
{
    auto db = test::freshDatabase(engine);
    if (!db || !seed(*db)) {
        std::printf("inbound webhook (%s): cannot seed the database\n", qPrintable(engine));
        return;
    }
    ServerConfig config;
    config.endpoints.retell = config.endpoints.calcom = config.endpoints.stripe = QUrl(u"http://127.0.0.1:9"_s);
    AskProServer server(db, SecretBox(SecretBox::newKey()), config, false);
    if (!server.credentials().put({std::nullopt, u"retell"_s, {}, retellKey, {}}).ok()) {
        std::printf("inbound webhook (%s): cannot store the key\n", qPrintable(engine));
        return;
    }
    auto port = server.start(QHostAddress::LocalHost, 0);
    if (!port) {
        std::printf("inbound webhook (%s): %s\n", qPrintable(engine), qPrintable(port.error().describe()));
        return;
    }
    const QUrl url(u"http://127.0.0.1:%1/webhooks/retell-inbound"_s.arg(*port));
    const auto request = [](int i) {
        const int c = i % companies;
        QString from = customerNumber(c, (i * 7919) % customersPerCompany);
        QString to = branchNumber(c);
        if (i % 4 == 1)
            from = u"+4915100000000"_s; // nobody's customer
        if (i % 20 == 3)
            to = u"+4930999999"_s; // the inactive branch
        return InboundRequest{from, to, u"agent_bench"_s};
    };
    const SignerScope scope = SignerScope::of(Signer{true, {}}, u"retell"_s, u"b.company_id"_s);

    std::vector<double> answerMs;
    std::vector<double> httpMs;
    int wrong = 0;
    InboundCall inbound(*db);
    for (int i = 0; i < requests + 100; ++i) { // the first 100 warm the caches and prepared statements
        QElapsedTimer t;
        t.start();
        auto answer = inbound.answer(request(i), scope, QDateTime::currentDateTimeUtc());
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (!answer || answer->kind == InboundAnswer::Kind::UnknownNumber)
            ++wrong;
        if (i >= 100)
            answerMs.push_back(ms);
    }
    for (int i = 0; i < requests + 100; ++i) {
        const InboundRequest r = request(i);
        const QByteArray body = QByteArray::fromStdString(
            Json{{"event", "call_inbound"},
                 {"call_inbound", {{"agent_id", r.agentId.toStdString()}, {"from_number", r.fromNumber.toStdString()}, {"to_number", r.toNumber.toStdString()}}}}
                .dump());
        QElapsedTimer t;
        t.start();
        const auto answer = test::httpSend("POST", url, body, {{"Content-Type", "application/json"},
                                                               {"x-retell-signature", WebhookSignatures::signRetell(body, retellKey, nowMs())}});
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (answer.status != 200 || !answer.body.contains("current_date"))
            ++wrong;
        if (i >= 100)
            httpMs.push_back(ms);
    }
    std::printf("inbound webhook, %s, %d companies, %d customers, %d requests each way:\n", qPrintable(engine), companies,
                companies * customersPerCompany, requests);
    std::printf("  answer (reads + text): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", percentile(answerMs, 50), percentile(answerMs, 99),
                percentile(answerMs, 100));
    std::printf("  signed POST over loopback: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", percentile(httpMs, 50), percentile(httpMs, 99),
                percentile(httpMs, 100));
    std::printf("  wrong answers: %d\n", wrong);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Inbound call webhook benchmark: answer time on both engines."_s);
    parser.addHelpOption();
    const QCommandLineOption engines(u"engine"_s, u"sqlite or postgresql (repeatable; default: both when a cluster is up)."_s, u"name"_s);
    const QCommandLineOption requests(u"requests"_s, u"Requests measured each way (default 2000)."_s, u"n"_s, u"2000"_s);
    parser.addOptions({engines, requests});
    parser.process(app);
    QStringList list = parser.values(engines);
    if (list.isEmpty())
        list = test::postgresAvailable() ? QStringList{u"sqlite"_s, u"postgresql"_s} : QStringList{u"sqlite"_s};
    qputenv("QT_LOGGING_RULES", "askpro.*.info=false;askpro.*.warning=false;qt.*=false");
    for (const QString &engine : std::as_const(list))
        run(engine, parser.value(requests).toInt());
    return 0;
}
