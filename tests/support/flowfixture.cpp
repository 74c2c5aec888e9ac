// The end-to-end fixture: every part real, on loopback.
#include "flowfixture.h"

#include "api/adminapi.h"
#include "core/clock.h"
#include "integrations/calcomclient.h"
#include "integrations/retellclient.h"
#include "security/credentialstore.h"
#include "testdatabase.h"

#include <QTcpServer>
#include <QEventLoop>
#include <QTimeZone>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro::test {

JsonResult await(JsonReply *reply)
{
    JsonResult out = makeError(ErrorKind::Transient, u"test.timeout"_s, u"no answer"_s);
    QEventLoop loop;
    QObject::connect(reply, &JsonReply::finished, &loop, [&](const JsonResult &r) {
        out = r;
        loop.quit();
    });
    QTimer::singleShot(15000, &loop, &QEventLoop::quit);
    loop.exec();
    return out;
}

QDateTime nextWorkdayAt(int hour)
{
    const QTimeZone berlin("Europe/Berlin");
    QDate day = QDateTime::currentDateTime().toTimeZone(berlin).date().addDays(2);
    while (day.dayOfWeek() > 5)
        day = day.addDays(1);
    return QDateTime(day, QTime(hour, 0), berlin);
}

ServerConfig FlowFixture::config() const
    {
        ServerConfig c;
        c.endpoints.retell = providers->baseUrl(sandbox::Provider::Retell);
        c.endpoints.calcom = providers->baseUrl(sandbox::Provider::Calcom);
        c.endpoints.stripe = providers->baseUrl(sandbox::Provider::Stripe);
        c.endpoints.twilio = providers->baseUrl(sandbox::Provider::Twilio);
        if (plannedPort)
            c.publicUrl = QStringLiteral("http://127.0.0.1:%1").arg(plannedPort);
        c.endpoints.timeoutMs = 3000;
        c.smtp.url = smtp.url();
        c.pollIntervalMs = 200;
        if (smsAnswerWaitMs > 0)
            c.smsAnswerWaitMs = smsAnswerWaitMs;
        return c;
    }
QString FlowFixture::callStatus(const QString &callId) const
    {
        auto v = db->scalar(u"SELECT outcome FROM calls WHERE retell_call_id = ?"_s, {callId});
        return v ? v->toString() : QString();
    }
int FlowFixture::count(const QString &sql, const QVariantList &params) const
    {
        auto v = db->scalar(sql, params);
        return v ? v->toInt() : -1;
    }

std::unique_ptr<FlowFixture> FlowFixture::create(const QString &engine, const FlowOptions &options)
{
    auto f = std::make_unique<FlowFixture>();
    f->smsAnswerWaitMs = options.smsAnswerWaitMs;
    f->db = test::freshDatabase(engine);
    if (!f->db || (options.smtp && !f->smtp.start()))
        return nullptr;
    // The server's port must be known before the sandbox (which posts webhooks to it) is built.
    f->providers = std::make_unique<sandbox::Sandbox>(sandbox::SandboxConfig{});
    if (f->providers->listen(QHostAddress::LocalHost, 0) == 0)
        return nullptr;
    {
        // The public URL (Twilio's callbacks and their signatures) names the port before the server listens.
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, 0))
            f->plannedPort = probe.serverPort();
    }
    f->server = std::make_unique<AskProServer>(f->db, f->box, f->config(), options.workers);
    auto port = f->server->start(QHostAddress::LocalHost, f->plannedPort);
    if (!port)
        return nullptr;
    f->port = *port;
    f->server->adminApi().setPublicUrl(u"http://127.0.0.1:%1"_s.arg(f->port)); // setups through the API point providers here
    const QString webhookUrl = u"http://127.0.0.1:%1/webhooks/retell"_s.arg(f->port);

    const qint64 now = nowMs();
    f->companyId = *f->db->insert(u"INSERT INTO companies (name, address, billing_email, created_at, updated_at) "
                                  "VALUES ('Zahnarztpraxis Dr. Berg', 'Friedrichstr. 1, 10117 Berlin', 'rechnung@berg.de', ?, ?) RETURNING id"_s,
                                  {now, now});
    f->branchId = *f->db->insert(u"INSERT INTO branches (company_id, name, address, phone_e164, time_zone, language, created_at, updated_at) "
                                 "VALUES (?, 'Praxis Mitte', 'Friedrichstr. 1, 10117 Berlin', ?, 'Europe/Berlin', 'de', ?, ?) RETURNING id"_s,
                                 {f->companyId, branchNumber, now, now});
    const qint64 serviceId = *f->db->insert(u"INSERT INTO services (company_id, name, duration_minutes, price_cents, created_at) "
                                            "VALUES (?, '30 Min Beratung', ?, 0, ?) RETURNING id"_s,
                                            {f->companyId, options.serviceMinutes, now});

    CalcomClient calcom(&f->network, f->providers->baseUrl(sandbox::Provider::Calcom), "cal_test_sandbox");
    auto eventType = await(calcom.createEventType(u"30 Min Beratung"_s, u"beratung-30"_s, options.serviceMinutes));
    if (!eventType)
        return nullptr;
    f->eventTypeId = jsonInt(*eventType, "id");
    auto mapped = f->db->exec(u"INSERT INTO event_type_mappings (branch_id, service_id, calcom_event_type_id) VALUES (?, ?, ?)"_s,
                              {f->branchId, serviceId, f->eventTypeId});
    auto hook = await(calcom.createWebhook(u"http://127.0.0.1:%1/webhooks/calcom"_s.arg(f->port), "calcom_hook_secret"));

    RetellClient retell(&f->network, f->providers->baseUrl(sandbox::Provider::Retell), "key_sandbox_retell");
    auto llm = await(retell.createLlm(Json{{"general_prompt", "Sie sind die Telefonassistenz."}, {"model", "gpt-4.1"}}));
    if (!llm)
        return nullptr;
    auto agent = await(retell.createAgent(Json{{"response_engine", {{"type", "retell-llm"}, {"llm_id", jsonString(*llm, "llm_id").toStdString()}}},
                                                {"voice_id", "11labs-Adrian"},
                                                {"agent_name", "Praxis Mitte"},
                                                {"language", "de-DE"},
                                                {"webhook_url", webhookUrl.toStdString()}}));
    if (!agent)
        return nullptr;
    f->agentId = jsonString(*agent, "agent_id");
    auto number = await(retell.importPhoneNumber(branchNumber, u"sip.example.org"_s));
    // As connect does: Retell asks our inbound webhook before every call to the number.
    auto bound = await(retell.bindPhoneNumber(branchNumber, f->agentId, u"http://127.0.0.1:%1/webhooks/retell-inbound"_s.arg(f->port)));
    if (!mapped || !hook || !number || !bound)
        return nullptr;
    auto agentStored = f->db->exec(u"UPDATE branches SET retell_agent_id = ? WHERE id = ?"_s, {f->agentId, f->branchId});
    auto retellKey = f->server->credentials().put({std::nullopt, u"retell"_s, {}, "key_sandbox_retell", {}});
    auto calcomKey = f->server->credentials().put({f->companyId, u"calcom"_s, {}, "cal_test_sandbox", "calcom_hook_secret"});
    if (!agentStored || !retellKey || !calcomKey)
        return nullptr;
    return f;
}

} // namespace askpro::test
