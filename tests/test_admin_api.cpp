// The admin API over real HTTP on both engines: every route × every role × own/other company against the
// status the route table's policy implies, the OpenAPI file against the route table, sessions (sign-in,
// expiry, revocation, rate limit), bad input, and the call timeline as codes.
#include "api/adminapi.h"
#include "core/clock.h"
#include "demo/demoseeder.h"
#include "documents/invoicepdf.h"
#include "domain/phonenumbers.h"
#include "flow/callstore.h"
#include "http/askproserver.h"
#include "importer/importuploads.h"
#include "jobs/jobqueue.h"
#include "jobs/joboutcome.h"
#include "httptestclient.h"
#include "security/sessionstore.h"
#include "security/userstore.h"
#include "support/savedviewstore.h"
#include "testdatabase.h"

#include <QFile>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using namespace askpro;
using Json = nlohmann::json;

namespace {

const QString password = u"correct horse battery"_s;

struct Company
{
    qint64 id = 0;
    qint64 callId = 0;
    qint64 appointmentId = 0; // started an hour ago, booked, never synced with Cal.com
    qint64 branchId = 0;
    qint64 staffId = 0;
    qint64 serviceId = 0;
    qint64 customerId = 0;
};

struct Fixture
{
    std::shared_ptr<Database> db;
    std::unique_ptr<AskProServer> server;
    QUrl base;
    Company own;   // the business accounts' company
    Company other; // a company they must never see
    QHash<Role, Actor> actors;
};

Company plantCompany(Database &db, const QString &name, const QString &phone)
{
    const qint64 now = nowMs();
    const auto planted = test::plantCompanyAndBranch(db, phone);
    const qint64 company = planted.first;
    const qint64 branch = planted.second;
    (void)db.exec(u"UPDATE companies SET name = ? WHERE id = ?"_s, {name, company});
    auto customer = db.insert(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
                              {company, u"+491701111111"_s, QString(name + u" Kundin"_s), now, now});
    auto call = db.insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, customer_id, from_number, to_number, started_at, "
                          "outcome, failure_reason, raw_payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'failed', 'slot taken', "
                          "'{\"secret\":1}', ?, ?) RETURNING id"_s,
                          {QString(u"call_"_s + name), company, branch, *customer, u"+491701111111"_s, phone, now - 3600'000, now, now});
    auto appointment = db.insert(u"INSERT INTO appointments (company_id, branch_id, customer_id, call_id, starts_at, ends_at, created_at, "
                                 "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                 {company, branch, *customer, *call, now - 3600'000, now - 1800'000, now, now});
    auto staff = db.insert(u"INSERT INTO staff (company_id, branch_id, name, email, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
                           {company, branch, QString(name + u" Team"_s), u"team@example.com"_s, now});
    auto service = db.insert(u"INSERT INTO services (company_id, name, duration_minutes, created_at) VALUES (?, ?, 30, ?) RETURNING id"_s,
                             {company, u"Beratung"_s, now});
    if (!customer || !call || !appointment || !staff || !service)
        qFatal("fixture rows could not be stored");
    return Company{company, *call, *appointment, branch, *staff, *service, *customer};
}

test::HttpAnswer send(const QUrl &base, const QByteArray &method, const QString &path, const QString &token, const QByteArray &body = {})
{
    QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/json"}};
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token.toLatin1()});
    return test::httpSend(method, base.resolved(QUrl(path)), body, headers);
}

QString openSession(Database &db, const Actor &actor)
{
    auto opened = SessionStore(db).open(actor, u"test"_s, u"127.0.0.1"_s);
    if (!opened)
        qFatal("%s", qPrintable(opened.error().describe()));
    return opened->token;
}

QString errorCode(const QByteArray &body)
{
    const Json json = Json::parse(body.toStdString(), nullptr, false);
    if (json.is_discarded() || !json.contains("error"))
        return u"<no error object>"_s;
    return QString::fromStdString(json["error"].value("code", std::string("<no code>")));
}

} // namespace

class TestAdminApi final : public QObject
{
    Q_OBJECT
private:
    Fixture start(const QString &engine)
    {
        Fixture f;
        f.db = test::freshDatabase(engine);
        if (!f.db)
            return f;
        f.own = plantCompany(*f.db, u"Praxis Eigen"_s, u"+4930111111"_s);
        f.other = plantCompany(*f.db, u"Salon Fremd"_s, u"+4930222222"_s);
        UserStore users(*f.db);
        auto admin = users.createFirstAdmin({u"anna"_s, u"Anna Admin"_s, password, Role::Admin, u"de"_s});
        if (!admin)
            qFatal("%s", qPrintable(admin.error().describe()));
        f.actors.insert(Role::Admin, *admin);
        for (Role role : AccessPolicy::roles()) {
            if (role == Role::Admin)
                continue;
            const qint64 company = AccessPolicy::isBusinessRole(role) ? f.own.id : 0;
            const QString name = AccessPolicy::roleCode(role).replace(u'_', u'-');
            auto id = users.create(*admin, {name, name, password, role, u"de"_s, company});
            if (!id)
                qFatal("%s", qPrintable(id.error().describe()));
            f.actors.insert(role, Actor::user(*id, name, role, company));
        }
        ServerConfig config;
        config.invoicePdf = [](const InvoiceDocument &invoice) { return InvoicePdf::render(invoice); };
        f.server = std::make_unique<AskProServer>(f.db, SecretBox(SecretBox::newKey()), config, false);
        auto port = f.server->start(QHostAddress::LocalHost, 0);
        if (!port)
            qFatal("%s", qPrintable(port.error().describe()));
        f.base = QUrl(u"http://127.0.0.1:%1"_s.arg(*port));
        return f;
    }

private Q_SLOTS:
    void initTestCase_data() { test::addEngineRows(); }

    // Every route, every role, the own and the other company: the status follows from the route's policy alone,
    // so a route added without a policy, or with a handler that forgets the company scope, fails here.
    void routeMatrix()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        int checked = 0;
        for (const ApiRoute &route : f.server->adminApi().routes()) {
            if (route.access == ApiRoute::Access::Public)
                continue; // sign-in: signIn() below
            for (Role role : AccessPolicy::roles()) {
                const Actor &actor = f.actors.value(role);
                for (bool ownTarget : {true, false}) {
                    if (route.idScope == IdScope::None && !ownTarget)
                        continue;
                    const QString token = openSession(*f.db, actor);
                    const Company &company = ownTarget ? f.own : f.other;
                    // The other user of a user-scoped route: the administrator, or for the administrator the support agent.
                    const Actor &otherUser = f.actors.value(role == Role::Admin ? Role::Support : Role::Admin);
                    QString path = route.path;
                    const QHash<QString, std::function<QString()>> values{
                        {u"callId"_s, [&] { return QString::number(company.callId); }},
                        {u"appointmentId"_s, [&] { return QString::number(company.appointmentId); }},
                        {u"companyId"_s, [&] { return QString::number(company.id); }},
                        {u"branchId"_s, [&] { return QString::number(company.branchId); }},
                        {u"staffId"_s, [&] { return QString::number(company.staffId); }},
                        {u"serviceId"_s, [&] { return QString::number(company.serviceId); }},
                        {u"customerId"_s, [&] { return QString::number(company.customerId); }},
                        // A new open invoice per request: mark-paid and credit-note change theirs for good.
                        {u"invoiceId"_s, [&] { return QString::number(test::plantInvoice(*f.db, company.id, 1000 + checked, 1 + checked)); }},
                        {u"userId"_s, [&] { return QString::number(ownTarget ? actor.userId : otherUser.userId); }},
                        {u"deliveryId"_s,
                         [&] {
                             return QString::number(*f.db->insert(u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, "
                                                                  "signature_ok, body, status, error) VALUES ('retell', 'call_analyzed', ?, ?, 1, ?, "
                                                                  "'failed', 'boom') RETURNING id"_s,
                                                                  {u"matrix-%1"_s.arg(checked), nowMs(), QByteArray("{\"api_key\":\"k\"}")}));
                         }},
                        // A new unfinished setup per request: a run, a cancel or an edit changes it for good.
                        {u"runId"_s,
                         [&] {
                             return QString::number(*f.db->insert(
                                 u"INSERT INTO setup_runs (status, step, input, created_at, updated_at) VALUES ('failed', 'store', ?, ?, ?) RETURNING id"_s,
                                 {u"{\"company\": {\"name\": \"Matrix %1\", \"address\": \"Hauptstr. 1, 10115 Berlin\", "
                                  "\"billing_email\": \"m%1@praxis.example\"}, \"branch\": {\"name\": \"Mitte\", \"phone\": \"030 5551%1\"}}"_s.arg(checked),
                                  nowMs(), nowMs()}));
                         }},
                        // A new upload per request holding a small file: an apply closes its upload for good. Its second
                        // row is the company's customer's number, which only a reader who may view customers learns.
                        {u"importId"_s,
                         [&] {
                             const qint64 upload = *f.db->insert(u"INSERT INTO import_uploads (company_id, file_name, created_at, updated_at) "
                                                                 "VALUES (?, 'matrix.csv', ?, ?) RETURNING id"_s,
                                                                 {company.id, nowMs(), nowMs()});
                             const QByteArray csv = u"Name;Telefon\nMatrix %1;030 5557%2\nBekannt;0170 1111111\n"_s.arg(checked)
                                                        .arg(checked, 3, 10, QChar(u'0'))
                                                        .toUtf8();
                             (void)f.db->exec(u"INSERT INTO import_chunks (upload_id, start_offset, data) VALUES (?, 0, ?)"_s, {upload, csv});
                             (void)f.db->exec(u"UPDATE import_uploads SET bytes = ? WHERE id = ?"_s, {qint64(csv.size()), upload});
                             return QString::number(upload);
                         }},
                        {u"messageId"_s,
                         [&] {
                             return QString::number(*f.db->insert(u"INSERT INTO notifications (company_id, call_id, kind, dedupe_key, recipient, "
                                                                  "subject, body, channel, status, created_at) VALUES (?, ?, 'confirmation', ?, "
                                                                  "'+4917012345678', '', 'Ihr Termin', 'sms', 'sent', ?) RETURNING id"_s,
                                                                  {company.id, company.callId, u"matrix-message-%1"_s.arg(checked), nowMs()}));
                         }},
                        {u"entryId"_s,
                         [&] { return QString::number(f.db->scalar(u"SELECT MAX(id) FROM audit_log"_s)->toLongLong()); }},
                        {u"viewId"_s,
                         [&] {
                             const qint64 owner = ownTarget ? actor.userId : otherUser.userId;
                             return QString::number(*SavedViewStore(*f.db, owner).save(u"calls"_s, u"Sicht %1"_s.arg(checked), {}));
                         }},
                        {u"sessionId"_s,
                         [&] {
                             const QString target = openSession(*f.db, ownTarget ? actor : otherUser);
                             return QString::number(SessionStore(*f.db).authenticate(target)->sessionId);
                         }},
                    };
                    static const QRegularExpression parameter(u"\\{(\\w+)\\}"_s);
                    for (const auto &match : parameter.globalMatch(route.path)) {
                        const QString name = match.captured(1);
                        QVERIFY2(values.contains(name), qPrintable(u"no fixture for path parameter %1 of %2"_s.arg(name, route.path)));
                        path.replace(match.captured(0), values.value(name)());
                    }
                    int expected = 200; // any 2xx
                    if (route.access == ApiRoute::Access::Permission && !actor.can(route.permission))
                        expected = 403;
                    else if (!ownTarget && route.idScope == IdScope::Company && actor.isScoped())
                        expected = 404;
                    else if (!ownTarget && route.idScope == IdScope::User && !actor.can(Permission::ManageUsers))
                        expected = 404;
                    else if (!ownTarget && route.idScope == IdScope::Own)
                        expected = 404;
                    // The sample body's placeholders (ApiRoute::sampleBody): each request a new valid row.
                    QByteArray body = route.sampleBody;
                    body.replace("{companyId}", QByteArray::number(company.id))
                        .replace("{n}", QByteArray::number(checked))
                        .replace("{password}", password.toUtf8());
                    if (!route.sampleQuery.isEmpty())
                        path += u'?' + QString::fromLatin1(route.sampleQuery);
                    const auto answer = send(f.base, route.method, path, token, body);
                    const QString what = u"%1 %2 as %3 (%4 target): %5 %6"_s.arg(QString::fromLatin1(route.method), path, AccessPolicy::roleCode(role),
                                                                               ownTarget ? u"own"_s : u"other"_s)
                                             .arg(answer.status)
                                             .arg(QString::fromUtf8(answer.body.left(300)));
                    if (expected == 200)
                        QVERIFY2(answer.status >= 200 && answer.status < 300, qPrintable(what));
                    else
                        QVERIFY2(answer.status == expected, qPrintable(what + u" (expected %1)"_s.arg(expected)));
                    if (expected == 200 && route.method == "GET" && route.path == u"/api/v1/imports/{importId}"_s) {
                        // The first look queues the dry run (this fixture runs no workers: done here), the next reads it.
                        QVERIFY2(answer.status == 202 && Json::parse(answer.body.toStdString())["state"] == "checking", qPrintable(what));
                        const qint64 upload = path.section(u'/', -1).toLongLong();
                        const qint64 job = f.db->scalar(u"SELECT job_id FROM import_uploads WHERE id = ?"_s, {upload})->toLongLong();
                        const QByteArray payload = f.db->scalar(u"SELECT payload FROM jobs WHERE id = ?"_s, {job})->toString().toUtf8();
                        QVERIFY2(ImportUploads(*f.db).runCheckJob(job, payload).kind == JobOutcome::Kind::Done, qPrintable(what));
                        const auto checked = send(f.base, route.method, path, token, body);
                        QVERIFY2(checked.status == 200, qPrintable(what));
                        // The dry run's rows about known customers: whole for those who may view customers; counts,
                        // actions and a masked number for the rest (onboarding), decided by the server.
                        const Json report = Json::parse(checked.body.toStdString())["report"];
                        const Json known = report["rows"][1];
                        QVERIFY2(report["created"].get<int>() == 1 && report["unchanged"].get<int>() == 1, qPrintable(what));
                        QCOMPARE(known["action"].get<std::string>(), std::string("unchanged"));
                        const bool sees = actor.can(Permission::ViewCustomers);
                        QVERIFY2(checked.body.contains("+491701111111") == sees, qPrintable(what));
                        QVERIFY2(known["customer_id"].get<qint64>() == (sees ? company.customerId : 0), qPrintable(what));
                        QVERIFY2(report.value("redacted", false) == !sees, qPrintable(what));
                    }
                    // Without a token every one of these routes is closed, with one shape of answer.
                    const auto anonymous = send(f.base, route.method, path, QString());
                    QVERIFY2(anonymous.status == 401 && errorCode(anonymous.body) == u"unauthorized"_s, qPrintable(what));
                    ++checked;
                }
            }
        }
        QVERIFY(checked > 50);
    }

    // Issue 19: a customer CSV sent in chunks, its dry-run report, one apply; onboarding may, support may not.
    void importInChunks()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const QString onboarding = openSession(*f.db, f.actors.value(Role::Onboarding));
        const QString support = openSession(*f.db, f.actors.value(Role::Support));
        const QByteArray body = QByteArray("{\"company_id\": ") + QByteArray::number(f.own.id) + ", \"file_name\": \"kunden.csv\"}";
        QCOMPARE(send(f.base, "POST", u"/api/v1/imports"_s, support, body).status, 403);
        const auto created = send(f.base, "POST", u"/api/v1/imports"_s, onboarding, body);
        QCOMPARE(created.status, 201);
        const qint64 id = Json::parse(created.body.toStdString())["id"].get<qint64>();
        // Windows-1252, cut inside a quoted note: the chunks join into one stream on the server.
        const QByteArray csv = QString(u"Kundennummer;Name;Telefon;Notiz\r\n1;Jörg Weiß;030 5550101;\"zwei\r\nZeilen\"\r\n"
                                       "2;Doppelt;030 5550101;\r\n3;Falsch;12;\r\n"_s).toLatin1();
        const QString chunks = u"/api/v1/imports/%1/chunks"_s.arg(id);
        const auto chunk = [&](qint64 offset, const QByteArray &data) {
            return send(f.base, "POST", chunks, onboarding,
                        QByteArray("{\"offset\": ") + QByteArray::number(offset) + ", \"data\": \"" + data.toBase64() + "\"}");
        };
        QCOMPARE(chunk(0, csv.left(40)).status, 200);
        const auto wrongOffset = chunk(0, csv.mid(40));
        QCOMPARE(wrongOffset.status, 409);
        QCOMPARE(errorCode(wrongOffset.body), u"import.offset"_s);
        QCOMPARE(Json::parse(wrongOffset.body.toStdString())["bytes"].get<qint64>(), 40); // where to go on from
        const auto second = chunk(40, csv.mid(40));
        QCOMPARE(second.status, 200);
        QCOMPARE(Json::parse(second.body.toStdString())["bytes"].get<qint64>(), qint64(csv.size()));

        // The dry run is a job: the first look answers at once that the file is being checked.
        const auto runCheck = [&](qint64 upload) {
            const qint64 job = f.db->scalar(u"SELECT job_id FROM import_uploads WHERE id = ?"_s, {upload})->toLongLong();
            QCOMPARE(f.db->scalar(u"SELECT kind FROM jobs WHERE id = ?"_s, {job})->toString(), QString::fromLatin1(ImportUploads::CheckJobKind));
            const QByteArray payload = f.db->scalar(u"SELECT payload FROM jobs WHERE id = ?"_s, {job})->toString().toUtf8();
            QCOMPARE(ImportUploads(*f.db).runCheckJob(job, payload).kind, JobOutcome::Kind::Done);
        };
        const auto checking = send(f.base, "GET", u"/api/v1/imports/%1"_s.arg(id), onboarding);
        QCOMPARE(checking.status, 202);
        QCOMPARE(Json::parse(checking.body.toStdString())["state"].get<std::string>(), std::string("checking"));
        QVERIFY(Json::parse(checking.body.toStdString())["report"].is_null());
        runCheck(id);
        const auto dry = send(f.base, "GET", u"/api/v1/imports/%1"_s.arg(id), onboarding);
        QCOMPARE(dry.status, 200);
        QCOMPARE(Json::parse(dry.body.toStdString())["state"].get<std::string>(), std::string("open"));
        Json report = Json::parse(dry.body.toStdString())["report"];
        QCOMPARE(report["created"].get<int>(), 1);
        QCOMPARE(report["skipped"].get<int>(), 2);
        QCOMPARE(report["rows"][0]["name"].get<std::string>(), std::string("Jörg Weiß"));
        QCOMPARE(f.db->scalar(u"SELECT COUNT(*) FROM customers WHERE phone_e164 = '+49305550101'"_s)->toInt(), 0);

        // The dry run is computed once and kept: a second look reads the stored report.
        QVERIFY(!f.db->scalar(u"SELECT report_json FROM import_uploads WHERE id = ?"_s, {id})->toString().isEmpty());
        QVERIFY(f.db->exec(u"UPDATE import_uploads SET report_json = ? WHERE id = ?"_s,
                           {f.db->scalar(u"SELECT report_json FROM import_uploads WHERE id = ?"_s, {id})->toString().replace(u"\"created\":1"_s,
                                                                                                                          u"\"created\":77"_s),
                            id}));
        QCOMPARE(Json::parse(send(f.base, "GET", u"/api/v1/imports/%1"_s.arg(id), onboarding).body.toStdString())["report"]["created"].get<int>(), 77);

        // The apply is a job: the request answers at once with where to look, the job's worker does the work.
        const auto applied = send(f.base, "POST", u"/api/v1/imports/%1/apply"_s.arg(id), onboarding);
        QCOMPARE(applied.status, 202);
        QCOMPARE(Json::parse(applied.body.toStdString())["url"].get<std::string>(), u"/api/v1/imports/%1"_s.arg(id).toStdString());
        QCOMPARE(f.db->scalar(u"SELECT COUNT(*) FROM customers WHERE phone_e164 = '+49305550101'"_s)->toInt(), 0);
        const auto queued = Json::parse(send(f.base, "GET", u"/api/v1/imports/%1"_s.arg(id), onboarding).body.toStdString());
        QCOMPARE(queued["state"].get<std::string>(), std::string("queued"));
        QCOMPARE(send(f.base, "POST", u"/api/v1/imports/%1/apply"_s.arg(id), onboarding).status, 409);
        {
            // What the server's worker does with it (this fixture runs no workers).
            JobQueue queue(*f.db);
            const qint64 jobId = f.db->scalar(u"SELECT job_id FROM import_uploads WHERE id = ?"_s, {id})->toLongLong();
            QCOMPARE(f.db->scalar(u"SELECT kind FROM jobs WHERE id = ?"_s, {jobId})->toString(), QString::fromLatin1(ImportUploads::ApplyJobKind));
            const QByteArray payload = f.db->scalar(u"SELECT payload FROM jobs WHERE id = ?"_s, {jobId})->toString().toUtf8();
            const JobOutcome ran = ImportUploads(*f.db).runApplyJob(jobId, payload);
            QVERIFY2(ran.kind == JobOutcome::Kind::Done, qPrintable(ran.error.describe()));
            QVERIFY(queue.complete(jobId));
        }
        QCOMPARE(f.db->scalar(u"SELECT notes FROM customers WHERE phone_e164 = '+49305550101'"_s)->toString(), u"zwei\nZeilen"_s);
        QCOMPARE(f.db->scalar(u"SELECT company_id FROM customers WHERE phone_e164 = '+49305550101'"_s)->toLongLong(), f.own.id);
        QCOMPARE(send(f.base, "POST", u"/api/v1/imports/%1/apply"_s.arg(id), onboarding).status, 409);
        QCOMPARE(chunk(csv.size(), "4;Mehr;030 5550102\r\n").status, 409);
        const auto after = Json::parse(send(f.base, "GET", u"/api/v1/imports/%1"_s.arg(id), onboarding).body.toStdString());
        QCOMPARE(after["state"].get<std::string>(), std::string("applied"));
        QVERIFY(after["run_id"].get<qint64>() > 0);
        QCOMPARE(after["report"]["created"].get<int>(), 1);
        QCOMPARE(after["report"]["applied"].get<bool>(), true);
        QCOMPARE(after["progress"]["rows"].get<int>(), 3);
        // A spreadsheet is refused with the message to save it as CSV.
        const auto xlsx = send(f.base, "POST", u"/api/v1/imports"_s, onboarding, body);
        const qint64 xlsxId = Json::parse(xlsx.body.toStdString())["id"].get<qint64>();
        QCOMPARE(send(f.base, "POST", u"/api/v1/imports/%1/chunks"_s.arg(xlsxId), onboarding,
                      QByteArray("{\"data\": \"") + QByteArray("PK\x03\x04 sheet", 10).toBase64() + "\"}")
                     .status,
                 200);
        QCOMPARE(send(f.base, "GET", u"/api/v1/imports/%1"_s.arg(xlsxId), onboarding).status, 202);
        runCheck(xlsxId);
        const auto refused = send(f.base, "GET", u"/api/v1/imports/%1"_s.arg(xlsxId), onboarding);
        QCOMPARE(refused.status, 400);
        QCOMPARE(errorCode(refused.body), u"import.spreadsheet"_s);
    }

    // A business account's lists hold its own company only; the filter for another company is "not found".
    void companyScopeInLists()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const QString owner = openSession(*f.db, f.actors.value(Role::CompanyOwner));
        for (const QString &list : {u"/api/v1/calls"_s, u"/api/v1/appointments"_s}) {
            const auto answer = send(f.base, "GET", list, owner);
            QCOMPARE(answer.status, 200);
            const Json items = Json::parse(answer.body.toStdString())["items"];
            QCOMPARE(int(items.size()), 1);
            QCOMPARE(items[0]["id"].get<qint64>(), list.endsWith(u"calls"_s) ? f.own.callId : f.own.appointmentId);
            QCOMPARE(send(f.base, "GET", list + u"?company_id=%1"_s.arg(f.other.id), owner).status, 404);
        }
        // Platform staff see both companies, and may narrow to one.
        const QString support = openSession(*f.db, f.actors.value(Role::Support));
        QCOMPARE(Json::parse(send(f.base, "GET", u"/api/v1/calls"_s, support).body.toStdString())["items"].size(), size_t(2));
        const Json narrowed = Json::parse(send(f.base, "GET", u"/api/v1/calls?company_id=%1"_s.arg(f.other.id), support).body.toStdString());
        QCOMPARE(narrowed["items"].size(), size_t(1));
        QCOMPARE(narrowed["items"][0]["id"].get<qint64>(), f.other.callId);
        // A business owner's call detail has no payload; support's has it, its secrets masked on the server.
        const Json ownerView = Json::parse(send(f.base, "GET", u"/api/v1/calls/%1"_s.arg(f.own.callId), owner).body.toStdString());
        QVERIFY(!ownerView.contains("payload"));
        QVERIFY(!ownerView.contains("raw_payload"));
        const Json supportView = Json::parse(send(f.base, "GET", u"/api/v1/calls/%1"_s.arg(f.own.callId), support).body.toStdString());
        const std::string payload = supportView.value("payload", std::string());
        QVERIFY2(payload.find("\"secret\"") != std::string::npos && payload.find(": 1") == std::string::npos, payload.c_str());
        QVERIFY(!supportView.contains("raw_payload"));
    }

    // Company staff (no view_customers) see the other party of a call masked by the delivery log's one rule, in
    // the list, the triage queue and the detail; their own number stays readable, and they can neither search
    // nor sort by the number they do not see. The owner (view_customers) sees it whole.
    void otherPartyMaskedForStaff()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const QString caller = u"+491701111111"_s;
        const std::string masked = PhoneNumbers::maskedRecipient(caller).toStdString();
        QCOMPARE(masked, std::string("+49170\u2022\u2022\u202211"));
        const QString staff = openSession(*f.db, f.actors.value(Role::CompanyStaff));
        const QString owner = openSession(*f.db, f.actors.value(Role::CompanyOwner));
        const auto json = [&f](const QString &path, const QString &token) {
            const auto answer = send(f.base, "GET", path, token);
            return answer.status == 200 ? Json::parse(answer.body.toStdString()) : Json(answer.status);
        };
        QCOMPARE(json(u"/api/v1/calls"_s, staff)["items"][0]["caller"].get<std::string>(), masked);
        QCOMPARE(json(u"/api/v1/calls"_s, owner)["items"][0]["caller"].get<std::string>(), caller.toStdString());
        QCOMPARE(json(u"/api/v1/triage"_s, staff)["items"][0]["caller"].get<std::string>(), masked);
        QCOMPARE(json(u"/api/v1/triage"_s, owner)["items"][0]["caller"].get<std::string>(), caller.toStdString());
        const Json staffDetail = json(u"/api/v1/calls/%1"_s.arg(f.own.callId), staff);
        QCOMPARE(staffDetail["from_number"].get<std::string>(), masked);
        QCOMPARE(staffDetail["to_number"].get<std::string>(), std::string("+4930111111"));
        QCOMPARE(json(u"/api/v1/calls/%1"_s.arg(f.own.callId), owner)["from_number"].get<std::string>(), caller.toStdString());
        // An outbound call's other party is the number called.
        QVERIFY(f.db->exec(u"UPDATE calls SET direction = 'outbound', from_number = '+4930111111', to_number = ? WHERE id = ?"_s,
                           {caller, f.own.callId}));
        const Json outbound = json(u"/api/v1/calls/%1"_s.arg(f.own.callId), staff);
        QCOMPARE(outbound["from_number"].get<std::string>(), std::string("+4930111111"));
        QCOMPARE(outbound["to_number"].get<std::string>(), masked);
        QCOMPARE(json(u"/api/v1/calls"_s, staff)["items"][0]["caller"].get<std::string>(), masked);
        // No probing: a number search finds nothing for staff, the owner's finds the call; sorting by caller is refused.
        QCOMPARE(json(u"/api/v1/calls?q=1701111111"_s, staff)["items"].size(), size_t(0));
        QCOMPARE(json(u"/api/v1/calls?q=1701111111"_s, owner)["items"].size(), size_t(1));
        const auto sorted = send(f.base, "GET", u"/api/v1/calls?sort=caller"_s, staff);
        QCOMPARE(sorted.status, 400);
        QCOMPARE(errorCode(sorted.body), u"parameter.sort"_s);
        QCOMPARE(send(f.base, "GET", u"/api/v1/calls?sort=caller"_s, owner).status, 200);
    }

    // The change stamps a page polls: a business account's cover its own company only, and a list the role
    // may not see is refused rather than left out.
    void changesWithinScope()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const QString owner = openSession(*f.db, f.actors.value(Role::CompanyOwner));
        const QString support = openSession(*f.db, f.actors.value(Role::Support));
        const auto stamps = [&](const QString &token, const QString &query) {
            const auto answer = send(f.base, "GET", u"/api/v1/changes"_s + query, token);
            return std::make_pair(answer.status, Json::parse(answer.body.toStdString(), nullptr, false));
        };
        const auto [ownerStatus, ownerView] = stamps(owner, u"?tables=calls,appointments"_s);
        QCOMPARE(ownerStatus, 200);
        QCOMPARE(ownerView["calls"]["last_id"].get<qint64>(), f.own.callId);
        const auto [supportStatus, supportView] = stamps(support, QString());
        QCOMPARE(supportStatus, 200);
        QCOMPARE(supportView["calls"]["last_id"].get<qint64>(), qMax(f.own.callId, f.other.callId));
        QVERIFY(supportView.contains("inbox"));
        QVERIFY(!stamps(owner, QString()).second.contains("inbox")); // not theirs to see
        QCOMPARE(stamps(owner, u"?tables=inbox"_s).first, 403);
        QCOMPARE(stamps(support, u"?tables=calls,bookings"_s).first, 400);

        // Another company's new call moves support's stamp, not the owner's.
        QVERIFY(f.db->exec(u"UPDATE calls SET updated_at = updated_at + 1000 WHERE id = ?"_s, {f.other.callId}));
        QVERIFY(stamps(owner, u"?tables=calls,appointments"_s).second == ownerView);
        QVERIFY(stamps(support, QString()).second != supportView);
    }

    // A call's timeline goes out as codes with their arguments for the client to word; entries written before
    // codes keep their message, with an empty code.
    void timelineAsCodes()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const QDateTime start = QDateTime::fromMSecsSinceEpoch(1'800'000'000'000, QTimeZone::utc());
        QVERIFY(CallStore(*f.db).addEvent(f.own.callId, timeline::calcomBooked(start, u"bk_1"_s, QTimeZone::utc())));
        QVERIFY(f.db->exec(u"INSERT INTO call_events (call_id, at, step, status, message) VALUES (?, ?, 'booking', 'ok', 'Booked at Cal.com')"_s,
                           {f.own.callId, nowMs()}));
        const QString support = openSession(*f.db, f.actors.value(Role::Support));
        const Json detail = Json::parse(send(f.base, "GET", u"/api/v1/calls/%1"_s.arg(f.own.callId), support).body.toStdString());
        const Json &events = detail["events"];
        QCOMPARE(events.size(), size_t(2));
        QCOMPARE(events[0].value("code", std::string()), std::string("calcom.booked"));
        QCOMPARE(events[0]["args"].value("uid", std::string()), std::string("bk_1"));
        QCOMPARE(events[0]["args"].value("start", qint64(0)), qint64(1'800'000'000'000));
        QCOMPARE(events[1].value("code", std::string("-")), std::string());
        QVERIFY(events[1]["args"].is_object() && events[1]["args"].empty());
        QCOMPARE(events[1].value("message", std::string()), std::string("Booked at Cal.com"));
    }

    // The OpenAPI file lists exactly the routes of the table, each with the permission the table gives it.
    void openApiMatchesRoutes()
    {
        QFETCH_GLOBAL(QString, engine);
        if (engine != u"sqlite"_s)
            return; // the route table does not depend on the engine
        Fixture f = start(engine);
        QVERIFY(f.server);
        QFile file(QStringLiteral(ASKPRO_SOURCE_DIR "/docs/api/openapi.json"));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const Json spec = Json::parse(file.readAll().toStdString(), nullptr, false);
        QVERIFY(!spec.is_discarded());
        QCOMPARE(QString::fromStdString(spec.value("openapi", std::string())).left(2), u"3."_s);
        QSet<QString> documented;
        for (const auto &[path, operations] : spec["paths"].items()) {
            for (const auto &[method, operation] : operations.items())
                documented.insert(QString::fromStdString(method).toUpper() + u' ' + QString::fromStdString(path));
        }
        QSet<QString> routed;
        for (const ApiRoute &route : f.server->adminApi().routes()) {
            const QString key = QString::fromLatin1(route.method) + u' ' + route.path.mid(QStringLiteral("/api/v1").size());
            routed.insert(key);
            const QString method = QString::fromLatin1(route.method).toLower();
            const std::string specPath = route.path.mid(QStringLiteral("/api/v1").size()).toStdString();
            if (!spec["paths"].contains(specPath) || !spec["paths"][specPath].contains(method.toStdString()))
                continue; // reported below
            const Json &operation = spec["paths"][specPath][method.toStdString()];
            QString access = u"public"_s;
            if (route.access == ApiRoute::Access::SignedIn)
                access = u"signed-in"_s;
            else if (route.access == ApiRoute::Access::Permission)
                access = AccessPolicy::permissionCode(route.permission);
            QCOMPARE(QString::fromStdString(operation.value("x-askpro-access", std::string())), access);
        }
        const QSet<QString> missing = routed - documented;
        const QSet<QString> extra = documented - routed;
        QVERIFY2(missing.isEmpty(), qPrintable(u"routes missing from docs/api/openapi.json: "_s + QStringList(missing.values()).join(u", "_s)));
        QVERIFY2(extra.isEmpty(), qPrintable(u"docs/api/openapi.json entries without a route: "_s + QStringList(extra.values()).join(u", "_s)));
    }

    void signIn()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const auto answer = send(f.base, "POST", u"/api/v1/sessions"_s, QString(),
                                 R"({"user":"company-owner","password":"correct horse battery","client":"askpro-admin on laptop"})");
        QCOMPARE(answer.status, 201);
        const Json json = Json::parse(answer.body.toStdString());
        const QString token = QString::fromStdString(json["token"].get<std::string>());
        QVERIFY(token.size() >= 43); // 256 bits in base64url
        QCOMPARE(json["user"]["role"].get<std::string>(), std::string("company_owner"));
        QCOMPARE(json["user"]["company_id"].get<qint64>(), f.own.id);
        // Only the hash is stored.
        QCOMPARE(f.db->scalar(u"SELECT COUNT(*) FROM sessions WHERE token_hash = ?"_s, {token})->toInt(), 0);
        QCOMPARE(f.db->scalar(u"SELECT COUNT(*) FROM sessions WHERE token_hash = ?"_s, {SessionStore::tokenHash(token)})->toInt(), 1);
        QCOMPARE(f.db->scalar(u"SELECT client_name FROM sessions WHERE token_hash = ?"_s, {SessionStore::tokenHash(token)})->toString(),
                 u"askpro-admin on laptop"_s);
        // The audit row names the user and the company.
        QCOMPARE(f.db->scalar(u"SELECT company_id FROM audit_log WHERE action = 'session.open' ORDER BY id DESC"_s)->toLongLong(), f.own.id);
        QCOMPARE(send(f.base, "GET", u"/api/v1/me"_s, token).status, 200);
        // Sign-out ends exactly this session.
        QCOMPARE(send(f.base, "DELETE", u"/api/v1/sessions/current"_s, token).status, 204);
        QCOMPARE(send(f.base, "GET", u"/api/v1/me"_s, token).status, 401);
        // A wrong password is 401 with no hint which part was wrong; lockout rules apply as before.
        const auto wrong = send(f.base, "POST", u"/api/v1/sessions"_s, QString(), R"({"user":"company-owner","password":"nope"})");
        QCOMPARE(wrong.status, 401);
        QCOMPARE(errorCode(wrong.body), u"signin.failed"_s);
    }

    // A fresh server: the status says it needs its first administrator, which only its own machine may create.
    // Behind a trusted proxy the client's address comes from X-Forwarded-For, from anyone else it is ignored.
    void firstAdministrator()
    {
        QFETCH_GLOBAL(QString, engine);
        auto db = test::freshDatabase(engine);
        QVERIFY(db);
        ServerConfig config;
        config.trustedProxies = {QHostAddress(u"127.0.0.1"_s)};
        AskProServer server(db, SecretBox(SecretBox::newKey()), config, false);
        auto port = server.start(QHostAddress::LocalHost, 0);
        QVERIFY(port.ok());
        const QUrl base(u"http://127.0.0.1:%1"_s.arg(*port));
        const auto status = [&] { return Json::parse(send(base, "GET", u"/api/v1/status"_s, QString()).body.toStdString()); };
        QCOMPARE(status()["needs_first_admin"].get<bool>(), true);
        QVERIFY(!status().contains("demo_accounts"));
        const QByteArray body = R"({"user":"anna","password":"correct horse battery","display_name":"Anna"})";
        const auto remote = test::httpSend("POST", base.resolved(QUrl(u"/api/v1/first-admin"_s)), body,
                                           {{"Content-Type", "application/json"}, {"X-Forwarded-For", "203.0.113.5"}});
        QCOMPARE(remote.status, 403);
        // A forged hop before the proxy's own changes nothing: the proxy's last hop is the client.
        const auto forged = test::httpSend("POST", base.resolved(QUrl(u"/api/v1/first-admin"_s)), body,
                                           {{"Content-Type", "application/json"}, {"X-Forwarded-For", "127.0.0.1, 203.0.113.5"}});
        QCOMPARE(forged.status, 403);
        const auto local = send(base, "POST", u"/api/v1/first-admin"_s, QString(), body);
        QCOMPARE(local.status, 201);
        const Json created = Json::parse(local.body.toStdString());
        QCOMPARE(created["user"]["role"].get<std::string>(), std::string("admin"));
        QCOMPARE(send(base, "GET", u"/api/v1/me"_s, QString::fromStdString(created["token"].get<std::string>())).status, 200);
        QCOMPARE(status()["needs_first_admin"].get<bool>(), false);
        const auto again = send(base, "POST", u"/api/v1/first-admin"_s, QString(), R"({"user":"mallory","password":"correct horse battery"})");
        QCOMPARE(again.status, 409);
        QCOMPARE(errorCode(again.body), u"user.first_exists"_s);
    }

    void signInRateLimitedPerAddress()
    {
        QFETCH_GLOBAL(QString, engine);
        if (engine != u"sqlite"_s)
            return; // the limit lives in the server process, not the database
        Fixture f = start(engine);
        QVERIFY(f.server);
        int limited = 0;
        for (int i = 0; i < 12; ++i) {
            const auto answer = send(f.base, "POST", u"/api/v1/sessions"_s, QString(), R"({"user":"nobody","password":"wrong password"})");
            QVERIFY(answer.status == 401 || answer.status == 429);
            limited += answer.status == 429;
        }
        QCOMPARE(limited, 2); // ten a minute
    }

    // Sessions end on sign-out, revocation, password, role or activation changes, after 12 h idle and 30 days in all.
    void sessionLifetime()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        qint64 now = nowMs();
        SessionStore sessions(*f.db, [&now] { return now; });
        const Actor staff = f.actors.value(Role::CompanyStaff);
        auto opened = sessions.open(staff, u"test"_s, u"127.0.0.1"_s);
        QVERIFY(opened.ok());
        now += SessionStore::idleMs - 1000;
        QVERIFY(sessions.authenticate(opened->token).ok()); // used in time: idle expiry moves on
        now += SessionStore::idleMs - 1000;
        QVERIFY(sessions.authenticate(opened->token).ok());
        now += SessionStore::idleMs + 1;
        QVERIFY(!sessions.authenticate(opened->token).ok()); // idle
        QCOMPARE(f.db->scalar(u"SELECT end_reason FROM sessions WHERE id = ?"_s, {opened->info.id})->toString(), u"idle"_s);

        auto longLived = sessions.open(staff, u"test"_s, u"127.0.0.1"_s);
        QVERIFY(longLived.ok());
        for (qint64 used = 0; used < SessionStore::absoluteMs; used += SessionStore::idleMs / 2) {
            now += SessionStore::idleMs / 2;
            if (now < longLived->info.expiresAtMs)
                QVERIFY(sessions.authenticate(longLived->token).ok());
        }
        now = longLived->info.expiresAtMs;
        QVERIFY(!sessions.authenticate(longLived->token).ok()); // 30 days in all, however busy

        UserStore users(*f.db);
        const Actor admin = f.actors.value(Role::Admin);
        const auto stillValid = [&](const QString &token) { return send(f.base, "GET", u"/api/v1/me"_s, token).status == 200; };
        QString token = openSession(*f.db, staff);
        QVERIFY(stillValid(token));
        QVERIFY(users.setPassword(admin, staff.userId, u"another good password"_s).ok());
        QVERIFY(!stillValid(token));
        token = openSession(*f.db, staff);
        QVERIFY(users.update(admin, staff.userId, UserChanges{{}, Role::CompanyOwner, {}, {}, {}}).ok());
        QVERIFY(!stillValid(token));
        token = openSession(*f.db, staff);
        QVERIFY(users.update(admin, staff.userId, UserChanges{{}, {}, {}, false, {}}).ok());
        QVERIFY(!stillValid(token));
        // Revoked by an administrator through the API.
        const QString adminToken = openSession(*f.db, admin);
        const QString support = openSession(*f.db, f.actors.value(Role::Support));
        const qint64 supportSession = SessionStore(*f.db).authenticate(support)->sessionId;
        const Json listed = Json::parse(
            send(f.base, "GET", u"/api/v1/users/%1/sessions"_s.arg(f.actors.value(Role::Support).userId), adminToken).body.toStdString());
        QCOMPARE(listed["items"].size(), size_t(1));
        QCOMPARE(listed["items"][0]["id"].get<qint64>(), supportSession);
        QCOMPARE(send(f.base, "DELETE", u"/api/v1/sessions/%1"_s.arg(supportSession), adminToken).status, 204);
        QVERIFY(!stillValid(support));
    }

    // A business role comes with an existing company and a platform role without one; the database says so too.
    void businessAccountsNeedACompany()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        UserStore users(*f.db);
        const Actor admin = f.actors.value(Role::Admin);
        const auto refused = [&](const NewUser &user) {
            auto created = users.create(admin, user);
            return !created.ok() && created.error().code == u"user.company"_s;
        };
        QVERIFY(refused({u"no-company"_s, {}, password, Role::CompanyOwner, u"de"_s, 0}));
        QVERIFY(refused({u"no-such-company"_s, {}, password, Role::CompanyStaff, u"de"_s, 999999}));
        QVERIFY(refused({u"staff-with-company"_s, {}, password, Role::Support, u"de"_s, f.own.id}));
        const qint64 staffId = f.actors.value(Role::CompanyStaff).userId;
        QVERIFY(!users.update(admin, staffId, UserChanges{{}, {}, {}, {}, qint64(0)}).ok());
        // Moving to a platform role drops the company.
        QVERIFY(users.update(admin, staffId, UserChanges{{}, Role::Support, {}, {}, {}}).ok());
        QCOMPARE(users.find(staffId)->companyId, 0);
        QVERIFY(!f.db->exec(u"UPDATE users SET company_id = ? WHERE id = ?"_s, {f.own.id, staffId}).ok());
        QVERIFY(!f.db->exec(u"UPDATE users SET role = 'company_owner' WHERE id = ?"_s, {staffId}).ok());
    }

    // The demo's owner of one business, signed in through the API, sees that business and nothing else.
    void demoOwnerSeesOwnCompanyOnly()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f;
        f.db = test::freshDatabase(engine);
        QVERIFY(f.db);
        auto seeded = DemoSeeder(*f.db).seed(3);
        QVERIFY2(seeded.ok(), seeded.ok() ? "" : qPrintable(seeded.error().describe()));
        ServerConfig config;
        config.invoicePdf = [](const InvoiceDocument &invoice) { return InvoicePdf::render(invoice); };
        f.server = std::make_unique<AskProServer>(f.db, SecretBox(SecretBox::newKey()), config, false);
        auto port = f.server->start(QHostAddress::LocalHost, 0);
        QVERIFY(port.ok());
        f.base = QUrl(u"http://127.0.0.1:%1"_s.arg(*port));
        const auto signedIn = send(f.base, "POST", u"/api/v1/sessions"_s, QString(),
                                   QByteArray::fromStdString(Json{{"user", "praxis-weber"}, {"password", DemoSeeder::demoPassword}}.dump()));
        QCOMPARE(signedIn.status, 201);
        const QString token = QString::fromStdString(Json::parse(signedIn.body.toStdString())["token"].get<std::string>());
        const qint64 weber = f.db->scalar(u"SELECT id FROM companies WHERE name = 'Zahnarztpraxis Dr. Weber'"_s)->toLongLong();
        QVERIFY(weber > 0);
        QVERIFY(f.db->scalar(u"SELECT COUNT(*) FROM calls WHERE company_id <> ?"_s, {weber})->toInt() > 0);
        const Json calls = Json::parse(send(f.base, "GET", u"/api/v1/calls?limit=1000"_s, token).body.toStdString());
        QVERIFY(calls["items"].size() > 0);
        for (const Json &call : calls["items"])
            QCOMPARE(call["company"].get<std::string>(), std::string("Zahnarztpraxis Dr. Weber"));
        const Json appointments = Json::parse(send(f.base, "GET", u"/api/v1/appointments?limit=1000"_s, token).body.toStdString());
        QVERIFY(appointments["items"].size() > 0);
        for (const Json &appointment : appointments["items"]) {
            const qint64 id = appointment["id"].get<qint64>();
            QCOMPARE(f.db->scalar(u"SELECT company_id FROM appointments WHERE id = ?"_s, {id})->toLongLong(), weber);
        }
        // What the owner may not see at all.
        for (const QString &closed : {u"/api/v1/audit"_s, u"/api/v1/users"_s, u"/api/v1/companies"_s})
            QCOMPARE(send(f.base, "GET", closed, token).status, 403);
    }

    // A branch's opening hours: replaced and read back by platform staff who edit the directory (audited),
    // refused with the entry named when malformed; business accounts neither read nor change them (no directory).
    void openingHours()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const QString admin = openSession(*f.db, f.actors.value(Role::Admin));
        const QString owner = openSession(*f.db, f.actors.value(Role::CompanyOwner));
        const QString own = u"/api/v1/directory/branches/%1/opening-hours"_s.arg(f.own.branchId);
        const QByteArray week = R"({"weekly": [{"weekday": 1, "opens": "08:00", "closes": "12:00"}, {"weekday": 1, "opens": "13:00", "closes": "18:00"},
                                               {"weekday": 6, "opens": "09:00", "closes": "14:00"}],
                                    "closures": [{"first_day": "2026-12-24", "last_day": "2026-12-26", "reason": "Weihnachten"}]})";
        QCOMPARE(send(f.base, "PUT", own, admin, week).status, 204);
        const auto read = send(f.base, "GET", own, admin);
        QCOMPARE(read.status, 200);
        const Json hours = Json::parse(read.body.toStdString());
        QCOMPARE(hours["weekly"].size(), size_t(3));
        QCOMPARE(hours["weekly"][1]["opens"].get<std::string>(), std::string("13:00"));
        QCOMPARE(hours["closures"][0]["reason"].get<std::string>(), std::string("Weihnachten"));
        QCOMPARE(QString::fromStdString(hours["text"].get<std::string>()),
                 u"Montag 08:00–12:00 und 13:00–18:00 Uhr; Dienstag bis Freitag geschlossen; Samstag 09:00–14:00 Uhr; Sonntag geschlossen"_s);
        QCOMPARE(f.db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'branch.opening_hours'"_s)->toInt(), 1);

        const auto bad = send(f.base, "PUT", own, admin, R"({"weekly": [{"weekday": 1, "opens": "18:00", "closes": "08:00"}], "closures": []})");
        QCOMPARE(bad.status, 400);
        QVERIFY2(bad.body.contains("weekly[0]"), bad.body.constData());
        QCOMPARE(send(f.base, "PUT", own, admin, R"({"weekly": []})").status, 400);
        QCOMPARE(send(f.base, "PUT", own, owner, week).status, 403);
        QCOMPARE(Json::parse(send(f.base, "GET", own, admin).body.toStdString())["weekly"].size(), size_t(3)); // unchanged

        QCOMPARE(send(f.base, "GET", own, owner).status, 403);
        const QString other = u"/api/v1/directory/branches/%1/opening-hours"_s.arg(f.other.branchId);
        QCOMPARE(Json::parse(send(f.base, "GET", other, admin).body.toStdString())["weekly"].size(), size_t(0));
        QCOMPARE(send(f.base, "GET", u"/api/v1/directory/branches/999999/opening-hours"_s, admin).status, 404);
        QCOMPARE(send(f.base, "PUT", u"/api/v1/directory/branches/999999/opening-hours"_s, admin, week).status, 404);
    }

    // The appointment list pages by key: every appointment once, in order, whatever the page size; filters and
    // the company scope hold on every page.
    void appointmentPages()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const qint64 now = nowMs();
        const qint64 branch = f.own.branchId;
        for (int i = 0; i < 7; ++i) {
            auto id = f.db->insert(u"INSERT INTO appointments (company_id, branch_id, starts_at, ends_at, status, created_at, updated_at) "
                                   "SELECT company_id, branch_id, ?, ?, 'booked', ?, ? FROM appointments WHERE id = ? RETURNING id"_s,
                                   {now + (i + 1) * 3600'000LL, now + (i + 1) * 3600'000LL + 1800'000, now, now, f.own.appointmentId});
            QVERIFY(id);
        }
        const QString owner = openSession(*f.db, f.actors.value(Role::CompanyOwner));
        QList<qint64> seen;
        QString after;
        for (int pages = 0; pages < 10; ++pages) {
            const auto answer = send(f.base, "GET", u"/api/v1/appointments?limit=3&order=desc&after="_s + after, owner);
            QCOMPARE(answer.status, 200);
            const Json page = Json::parse(answer.body.toStdString());
            for (const Json &item : page["items"])
                seen.append(item["id"].get<qint64>());
            if (page["next"].is_null())
                break;
            after = QString::fromStdString(page["next"].get<std::string>());
        }
        QCOMPARE(seen.size(), 8); // the fixture's own appointment and the seven added; none of the other company
        QVERIFY(!seen.contains(f.other.appointmentId));
        QCOMPARE(QSet<qint64>(seen.cbegin(), seen.cend()).size(), 8);
        QCOMPARE(seen.constLast(), f.own.appointmentId); // the earliest start comes last, newest first
        const Json upcoming = Json::parse(send(f.base, "GET", u"/api/v1/appointments?tab=upcoming&branch_id=%1"_s.arg(branch), owner).body.toStdString());
        QCOMPARE(upcoming["items"].size(), size_t(7));
        QCOMPARE(send(f.base, "GET", u"/api/v1/appointments?branch_id=%1"_s.arg(f.other.branchId), owner).status, 404);
        // The week: the branch's appointments overlapping [from, to), within the caller's company.
        const Json week = Json::parse(
            send(f.base, "GET", u"/api/v1/calendar?branch_id=%1&from=%2&to=%3"_s.arg(branch).arg(now - 86400'000).arg(now + 3 * 3600'000), owner)
                .body.toStdString());
        QCOMPARE(week["items"].size(), size_t(3)); // the fixture's (started an hour ago) and two of the added
        QCOMPARE(send(f.base, "GET", u"/api/v1/calendar?branch_id=%1"_s.arg(f.other.branchId), owner).status, 404);
        QCOMPARE(send(f.base, "GET", u"/api/v1/calendar?from=1000&to=99999999999"_s, owner).status, 400);
        const Json branches = Json::parse(send(f.base, "GET", u"/api/v1/branches"_s, owner).body.toStdString());
        QCOMPARE(branches["items"].size(), size_t(1));
        QCOMPARE(branches["items"][0]["id"].get<qint64>(), f.own.branchId);
        QVERIFY(!branches["items"][0]["time_zone"].get<std::string>().empty());
    }

    // Cancel and reschedule go to Cal.com from the server: refused at once (this appointment has no Cal.com
    // booking), the answer is 202 with the reason on the appointment; no-show is local and audited with the company.
    void appointmentActions()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const QString staff = openSession(*f.db, f.actors.value(Role::CompanyStaff));
        const QString path = u"/api/v1/appointments/%1"_s.arg(f.own.appointmentId);
        auto answer = send(f.base, "POST", path + u"/cancel"_s, staff, R"({"reason":"Patient krank"})");
        QCOMPARE(answer.status, 202);
        Json appointment = Json::parse(answer.body.toStdString());
        QCOMPARE(appointment["sync_state"].get<std::string>(), std::string("failed"));
        QVERIFY(!appointment["sync_error"].get<std::string>().empty());
        QCOMPARE(appointment["status"].get<std::string>(), std::string("booked")); // Cal.com never agreed
        QCOMPARE(send(f.base, "POST", path + u"/reschedule"_s, staff, R"({"starts_at":1000})").status, 400);
        QCOMPARE(errorCode(send(f.base, "POST", path + u"/reschedule"_s, staff, R"({"starts_at":"tomorrow"})").body), u"parameter.starts_at"_s);
        QCOMPARE(send(f.base, "POST", path + u"/reschedule"_s, staff, R"({"starts_at":4102480800000})").status, 202);
        answer = send(f.base, "POST", path + u"/no-show"_s, staff);
        QCOMPARE(answer.status, 200);
        QCOMPARE(Json::parse(answer.body.toStdString())["status"].get<std::string>(), std::string("no_show"));
        auto audit = f.db->exec(u"SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.no_show' AND entity_id = ? AND company_id = ?"_s,
                                {f.own.appointmentId, f.own.id});
        QVERIFY(audit && audit->next());
        QCOMPARE(audit->value(0).toInt(), 1);
        // Another company's appointment is not found, and nothing is changed there.
        QCOMPARE(send(f.base, "POST", u"/api/v1/appointments/%1/no-show"_s.arg(f.other.appointmentId), staff).status, 404);
        auto other = f.db->scalar(u"SELECT status FROM appointments WHERE id = ?"_s, {f.other.appointmentId});
        QVERIFY(other);
        QCOMPARE(other->toString(), u"booked"_s);
        // Cancelled: a second cancel is a conflict.
        QVERIFY(f.db->exec(u"UPDATE appointments SET status = 'cancelled' WHERE id = ?"_s, {f.own.appointmentId}));
        QCOMPARE(errorCode(send(f.base, "POST", path + u"/cancel"_s, staff).body), u"appointments.already_cancelled"_s);
    }

    // Customers page by key within the company; a customer's calls and appointments answer 404 across companies.
    void customerPages()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const qint64 now = nowMs();
        for (int i = 0; i < 5; ++i)
            QVERIFY(f.db->exec(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"_s,
                               {f.own.id, u"+4917022222%1"_s.arg(i), u"Kunde %1"_s.arg(i), now, now}));
        const QString owner = openSession(*f.db, f.actors.value(Role::CompanyOwner));
        QStringList names;
        QString after;
        for (int pages = 0; pages < 10; ++pages) {
            const Json page = Json::parse(send(f.base, "GET", u"/api/v1/customers?limit=2&sort=name&after="_s + after, owner).body.toStdString());
            for (const Json &item : page["items"])
                names.append(QString::fromStdString(item["name"].get<std::string>()));
            if (page["next"].is_null())
                break;
            after = QString::fromStdString(page["next"].get<std::string>());
        }
        QCOMPARE(names, (QStringList{u"Kunde 0"_s, u"Kunde 1"_s, u"Kunde 2"_s, u"Kunde 3"_s, u"Kunde 4"_s, u"Praxis Eigen Kundin"_s}));
        const Json found = Json::parse(send(f.base, "GET", u"/api/v1/customers?q=eigen"_s, owner).body.toStdString());
        QCOMPARE(found["items"].size(), size_t(1));
        QCOMPARE(found["items"][0]["calls"].get<qint64>(), 1);
        QCOMPARE(found["items"][0]["appointments"].get<qint64>(), 1);
        const Json calls = Json::parse(send(f.base, "GET", u"/api/v1/customers/%1/calls"_s.arg(f.own.customerId), owner).body.toStdString());
        QCOMPARE(calls["items"].size(), size_t(1));
        QCOMPARE(calls["items"][0]["id"].get<qint64>(), f.own.callId);
        const Json appointments =
            Json::parse(send(f.base, "GET", u"/api/v1/customers/%1/appointments"_s.arg(f.own.customerId), owner).body.toStdString());
        QCOMPARE(appointments["items"][0]["id"].get<qint64>(), f.own.appointmentId);
        QCOMPARE(send(f.base, "GET", u"/api/v1/customers/%1/calls"_s.arg(f.other.customerId), owner).status, 404);
    }

    // Issue 17: the texts of the messages, per company over the platform's over the shipped ones; refused with the
    // reason when a placeholder is unknown or missing; a business owner edits its own company's only.
    void messageTemplates()
    {
        QFETCH_GLOBAL(QString, engine);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const QString owner = openSession(*f.db, f.actors.value(Role::CompanyOwner));
        const QString admin = openSession(*f.db, f.actors.value(Role::Admin));
        const QString support = openSession(*f.db, f.actors.value(Role::Support));
        QCOMPARE(send(f.base, "GET", u"/api/v1/message-templates"_s, support).status, 403);
        const auto itemOf = [](const Json &list, const char *kind, const char *channel, const char *language) {
            for (const Json &item : list["items"]) {
                if (item["kind"] == kind && item["channel"] == channel && item["language"] == language)
                    return item;
            }
            return Json();
        };
        Json mine = Json::parse(send(f.base, "GET", u"/api/v1/message-templates"_s, owner).body.toStdString());
        QCOMPARE(mine["company_id"].get<qint64>(), f.own.id);
        QCOMPARE(mine["items"].size(), size_t(20));
        QCOMPARE(itemOf(mine, "confirmation", "sms", "de")["source"].get<std::string>(), std::string("shipped"));
        QCOMPARE(itemOf(mine, "confirmation", "sms", "de")["required"].size(), size_t(3));

        const auto put = [&](const QString &token, const Json &body) { return send(f.base, "PUT", u"/api/v1/message-templates"_s, token, QByteArray::fromStdString(body.dump())); };
        const Json unknown{{"kind", "confirmation"}, {"channel", "sms"}, {"language", "de"}, {"body", "Termin {{datum}} {{date}} {{time}} {{phone}}"}};
        auto refused = put(owner, unknown);
        QCOMPARE(refused.status, 400);
        QCOMPARE(errorCode(refused.body), u"templates.placeholder"_s);
        QVERIFY2(refused.body.contains("{{datum}}"), refused.body.constData());
        const Json missing{{"kind", "confirmation"}, {"channel", "sms"}, {"language", "de"}, {"body", "Termin am {{date}}, Fragen: {{phone}}"}};
        refused = put(owner, missing);
        QCOMPARE(refused.status, 400);
        QCOMPARE(errorCode(refused.body), u"templates.missing"_s);
        QVERIFY2(refused.body.contains("{{time}}"), refused.body.constData());
        const Json noSubject{{"kind", "reminder"}, {"channel", "email"}, {"language", "en"}, {"body", "{{date}} {{time}}"}};
        QCOMPARE(errorCode(put(owner, noSubject).body), u"templates.subject"_s);

        const Json ownText{{"kind", "confirmation"}, {"channel", "sms"}, {"language", "de"}, {"body", "Bis {{date}} um {{time}}! Fragen: {{phone}}"}};
        auto saved = put(owner, ownText);
        QVERIFY2(saved.status == 200, saved.body.constData());
        QCOMPARE(Json::parse(saved.body.toStdString())["source"].get<std::string>(), std::string("company"));
        Json otherCompany = ownText;
        otherCompany["company_id"] = f.other.id;
        QCOMPARE(put(owner, otherCompany).status, 404);
        QCOMPARE(send(f.base, "GET", u"/api/v1/message-templates?company_id=%1"_s.arg(f.other.id), owner).status, 404);

        // The platform's text applies to every company without its own.
        const Json platform{{"kind", "reminder"}, {"channel", "sms"}, {"language", "en"}, {"body", "Tomorrow {{date}} {{time}}; questions: {{phone}}"}};
        QCOMPARE(put(admin, platform).status, 200);
        mine = Json::parse(send(f.base, "GET", u"/api/v1/message-templates"_s, owner).body.toStdString());
        QCOMPARE(itemOf(mine, "confirmation", "sms", "de")["source"].get<std::string>(), std::string("company"));
        QCOMPARE(itemOf(mine, "reminder", "sms", "en")["source"].get<std::string>(), std::string("platform"));
        QCOMPARE(itemOf(mine, "reminder", "sms", "en")["updated_by"].get<std::string>(), f.actors.value(Role::Admin).username.toStdString());
        const Json theirs = Json::parse(send(f.base, "GET", u"/api/v1/message-templates?company_id=%1"_s.arg(f.other.id), admin).body.toStdString());
        QCOMPARE(itemOf(theirs, "confirmation", "sms", "de")["source"].get<std::string>(), std::string("shipped"));
        QCOMPARE(itemOf(theirs, "reminder", "sms", "en")["source"].get<std::string>(), std::string("platform"));

        // The preview fills a sample in and counts the SMS; a text that could not be saved says why.
        Json preview = ownText;
        preview["body"] = "Bis {{date}} um {{time}}, {{name}}! Fragen: {{phone}} – Grüße von {{company}}";
        auto filled = Json::parse(send(f.base, "POST", u"/api/v1/message-templates/preview"_s, owner, QByteArray::fromStdString(preview.dump())).body.toStdString());
        QVERIFY(filled["problem"].is_null());
        const std::string text = filled["body"].get<std::string>();
        QVERIFY2(text.find("Jana Weber") != std::string::npos && text.find("10:00") != std::string::npos, text.c_str());
        QCOMPARE(filled["encoding"].get<std::string>(), std::string("ucs2")); // the dash is not GSM-7
        QCOMPARE(filled["segments"].get<int>(), 2);
        preview["body"] = "{{nmae}}";
        filled = Json::parse(send(f.base, "POST", u"/api/v1/message-templates/preview"_s, owner, QByteArray::fromStdString(preview.dump())).body.toStdString());
        QCOMPARE(filled["problem_code"].get<std::string>(), std::string("templates.placeholder"));

        // Reset: the company's text goes, the shipped one applies again; audited both ways.
        const auto reset = send(f.base, "DELETE", u"/api/v1/message-templates?kind=confirmation&channel=sms&language=de"_s, owner);
        QVERIFY2(reset.status == 200, reset.body.constData());
        QCOMPARE(Json::parse(reset.body.toStdString())["source"].get<std::string>(), std::string("shipped"));
        QCOMPARE(f.db->scalar(u"SELECT COUNT(*) FROM message_templates WHERE company_id = ?"_s, {f.own.id})->toInt(), 0);
        QCOMPARE(f.db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'template.save' AND company_id = ?"_s, {f.own.id})->toInt(), 1);
        QCOMPARE(f.db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'template.reset'"_s)->toInt(), 1);
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("malformed limit") << QByteArray("GET") << u"/api/v1/calls?limit=abc"_s << QByteArray() << 400 << u"parameter.limit"_s;
        QTest::newRow("limit too large") << QByteArray("GET") << u"/api/v1/calls?limit=100000"_s << QByteArray() << 400 << u"parameter.limit"_s;
        QTest::newRow("unknown sort") << QByteArray("GET") << u"/api/v1/calls?sort=password"_s << QByteArray() << 400 << u"parameter.sort"_s;
        QTest::newRow("forged cursor") << QByteArray("GET") << u"/api/v1/calls?after=bm90IGEgY3Vyc29y"_s << QByteArray() << 400 << u"parameter.after"_s;
        QTest::newRow("appointment sort unknown") << QByteArray("GET") << u"/api/v1/appointments?sort=notes"_s << QByteArray() << 400
                                                  << u"parameter.sort"_s;
        QTest::newRow("appointment cursor forged") << QByteArray("GET") << u"/api/v1/appointments?after=e30"_s << QByteArray() << 400
                                                   << u"parameter.after"_s;
        QTest::newRow("customer cursor forged") << QByteArray("GET") << u"/api/v1/customers?after=%%%"_s << QByteArray() << 400 << u"parameter.after"_s;
        QTest::newRow("reschedule without start") << QByteArray("POST") << u"/api/v1/appointments/1/reschedule"_s << QByteArray("{}") << 400
                                                  << u"parameter.starts_at"_s;
        QTest::newRow("id not a number") << QByteArray("GET") << u"/api/v1/calls/abc"_s << QByteArray() << 400 << u"parameter.callId"_s;
        QTest::newRow("id of nothing") << QByteArray("GET") << u"/api/v1/calls/999999"_s << QByteArray() << 404 << u"calls.missing"_s;
        QTest::newRow("unknown route") << QByteArray("GET") << u"/api/v1/passwords"_s << QByteArray() << 404 << u"route.unknown"_s;
        QTest::newRow("wrong method") << QByteArray("PUT") << u"/api/v1/calls"_s << QByteArray() << 405 << u"method.not_allowed"_s;
        QTest::newRow("body not JSON") << QByteArray("POST") << u"/api/v1/sessions"_s << QByteArray("user=anna") << 400 << u"body.invalid"_s;
        QTest::newRow("sign-in without password") << QByteArray("POST") << u"/api/v1/sessions"_s << QByteArray(R"({"user":"anna"})") << 400
                                                  << u"parameter.password"_s;
        QTest::newRow("body nested too deep") << QByteArray("POST") << u"/api/v1/sessions"_s
                                              << (QByteArray("{\"user\":") + QByteArray(100000, '[') + QByteArray(100000, ']') + "}") << 400
                                              << u"body.too_deep"_s;
        QTest::newRow("oversized body") << QByteArray("POST") << u"/api/v1/calls/1/retry"_s << QByteArray(AdminApi::maxBodyBytes + 1, ' ') << 413
                                        << u"body.too_large"_s;
    }
    void badInput()
    {
        QFETCH_GLOBAL(QString, engine);
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, code);
        Fixture f = start(engine);
        QVERIFY(f.server);
        const auto answer = send(f.base, method, path, openSession(*f.db, f.actors.value(Role::Admin)), body);
        QCOMPARE(answer.status, status);
        QCOMPARE(errorCode(answer.body), code);
    }
};

// A QGuiApplication (offscreen): the server renders invoice PDFs, as askpro-server serve does.
QTEST_MAIN(TestAdminApi)
#include "test_admin_api.moc"
