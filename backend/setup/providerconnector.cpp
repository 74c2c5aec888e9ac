// The connect steps, chained asynchronously; each one looks before it creates.
#include "providerconnector.h"

#include "core/logging.h"
#include "db/database.h"
#include "integrations/calcomclient.h"
#include "integrations/retellclient.h"
#include "security/credentialstore.h"

#include <QFile>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace askpro {

struct ProviderConnector::Run
{
    qint64 branchId = 0;
    qint64 companyId = 0;
    QString companyName;
    QString branchName;
    QString address;
    QString phone;
    QString language;
    qint64 calcomTeamId = 0; // a company with a Cal.com team gets round-robin event types hosted by the branch's staff
    QList<qint64> hostUserIds;
    struct Service
    {
        qint64 id;
        QString name;
        int minutes;
    };
    QList<Service> services;
    Credential retell;
    Credential calcom;
    std::unique_ptr<RetellClient> retellClient;
    std::unique_ptr<CalcomClient> calcomClient;
    QString llmId;
    QString agentId;
    std::function<void(const Status &)> done;
};

namespace {

// Lists come bare, wrapped in "items" (Retell v2) or in "data" (already unwrapped for Cal.com).
Json itemsOf(const Json &result)
{
    if (result.is_array())
        return result;
    for (const char *key : {"items", "data", "eventTypes", "webhooks"}) {
        if (result.contains(key) && result[key].is_array())
            return result[key];
    }
    return Json::array();
}

QString templateText(const QString &name, const QString &language)
{
    QFile file(u":/askpro/templates/%1_%2.txt"_s.arg(name, language == u"en"_s ? u"en"_s : u"de"_s));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

Json customTool(const QString &name, const QString &description, const QString &url, const Json &properties, const Json &required)
{
    return Json{{"type", "custom"},
                {"name", name.toStdString()},
                {"description", description.toStdString()},
                {"url", url.toStdString()},
                {"method", "POST"},
                {"speak_during_execution", false},
                {"speak_after_execution", true},
                {"timeout_ms", 10000},
                {"parameters", {{"type", "object"}, {"properties", properties}, {"required", required}}}};
}

} // namespace

ProviderConnector::ProviderConnector(Database &db, CredentialStore &credentials, QNetworkAccessManager *network,
                                     ProviderEndpoints endpoints, QString publicUrl, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_network(network)
    , m_endpoints(std::move(endpoints))
    , m_publicUrl(std::move(publicUrl))
{
    while (m_publicUrl.endsWith(u'/'))
        m_publicUrl.chop(1);
}

ProviderConnector::~ProviderConnector() = default;

Result<QList<qint64>> ProviderConnector::activeBranchIds(Database &db)
{
    auto q = db.exec(u"SELECT id FROM branches WHERE active = 1 ORDER BY id"_s);
    if (!q)
        return q.error();
    QList<qint64> ids;
    while (q->next())
        ids << q->value(0).toLongLong();
    return ids;
}

void ProviderConnector::fail(const std::shared_ptr<Run> &run, const QString &step, const Error &error)
{
    Q_EMIT progress(step, u"failed"_s, error.describe());
    qCWarning(lcFlow) << "connecting branch" << run->branchId << "failed at" << step << ":" << error.describe();
    if (run->done) {
        auto done = std::move(run->done);
        run->done = nullptr;
        done(error);
    }
}

void ProviderConnector::record(const ProviderResource &resource)
{
    m_created.append(resource);
    Q_EMIT resourceCreated(resource);
}

void ProviderConnector::onReply(const std::shared_ptr<Run> &run, const QString &step, JsonReply *reply,
                                std::function<void(const Json &)> handler)
{
    connect(reply, &JsonReply::finished, this, [this, run, step, handler](const JsonResult &result) {
        if (!result) {
            fail(run, step, result.error());
            return;
        }
        handler(*result);
    });
}

void ProviderConnector::connectBranch(qint64 branchId, std::function<void(const Status &)> done)
{
    auto run = std::make_shared<Run>();
    run->branchId = branchId;
    run->done = std::move(done);
    auto q = m_db.exec(u"SELECT b.company_id, c.name, b.name, b.address, b.phone_e164, b.language, COALESCE(b.retell_llm_id, ''), "
                       "COALESCE(b.retell_agent_id, ''), COALESCE(c.calcom_team_id, 0) FROM branches b JOIN companies c ON c.id = b.company_id WHERE b.id = ?"_s,
                       {branchId});
    if (!q || !q->next()) {
        fail(run, u"branch"_s, q ? makeError(ErrorKind::NotFound, u"setup.branch"_s, tr("Branch %1 does not exist").arg(branchId)) : q.error());
        return;
    }
    run->companyId = q->value(0).toLongLong();
    run->companyName = q->value(1).toString();
    run->branchName = q->value(2).toString();
    run->address = q->value(3).toString();
    run->phone = q->value(4).toString();
    run->language = q->value(5).toString();
    run->llmId = q->value(6).toString();
    run->agentId = q->value(7).toString();
    run->calcomTeamId = q->value(8).toLongLong();
    q->finish();
    auto services = m_db.exec(u"SELECT id, name, duration_minutes FROM services WHERE company_id = ? AND active = 1 ORDER BY id"_s,
                              {run->companyId});
    while (services && services->next())
        run->services.append({services->value(0).toLongLong(), services->value(1).toString(), services->value(2).toInt()});

    auto hosts = m_db.exec(u"SELECT calcom_user_id FROM staff WHERE branch_id = ? AND active = 1 AND calcom_user_id IS NOT NULL ORDER BY id"_s,
                           {branchId});
    while (hosts && hosts->next())
        run->hostUserIds.append(hosts->value(0).toLongLong());

    auto retell = m_credentials.get(std::nullopt, u"retell"_s);
    auto calcom = m_credentials.get(run->companyId, u"calcom"_s);
    if (!retell || !calcom) {
        fail(run, u"credentials"_s, !retell ? retell.error() : calcom.error());
        return;
    }
    run->retell = *retell;
    run->calcom = *calcom;
    run->retellClient = std::make_unique<RetellClient>(m_network, retell->baseUrl.isEmpty() ? m_endpoints.retell : QUrl(retell->baseUrl),
                                                       retell->secret, m_endpoints.timeoutMs);
    run->calcomClient = std::make_unique<CalcomClient>(m_network, calcom->baseUrl.isEmpty() ? m_endpoints.calcom : QUrl(calcom->baseUrl),
                                                       calcom->secret, m_endpoints.timeoutMs);
    eventTypes(run, [this, run] {
        calcomWebhook(run, [this, run] {
            retellLlm(run, [this, run] {
                retellAgent(run, [this, run] {
                    phoneNumber(run, [this, run] {
                        auto stored = m_db.exec(u"UPDATE branches SET retell_llm_id = ?, retell_agent_id = ?, updated_at = ? WHERE id = ?"_s,
                                                {run->llmId, run->agentId, QDateTime::currentMSecsSinceEpoch(), run->branchId});
                        if (!stored) {
                            fail(run, u"branch"_s, stored.error());
                            return;
                        }
                        if (run->done) {
                            auto done = std::move(run->done);
                            run->done = nullptr;
                            done({});
                        }
                    });
                });
            });
        });
    });
}

void ProviderConnector::eventTypes(const std::shared_ptr<Run> &run, Next next)
{
    const QString step = u"calcom.event_types"_s;
    Q_EMIT progress(step, u"running"_s, tr("Cal.com: event types for %n services", nullptr, int(run->services.size())));
    JsonReply *listed = run->calcomTeamId > 0 ? run->calcomClient->teamEventTypes(run->calcomTeamId) : run->calcomClient->eventTypes();
    onReply(run, step, listed, [this, run, step, next](const Json &result) {
        QHash<QString, qint64> bySlug;
        for (const Json &type : itemsOf(result))
            bySlug.insert(jsonString(type, "slug"), jsonInt(type, "id"));
        // One service after the other, each reused by its slug or created.
        auto pending = std::make_shared<QList<Run::Service>>(run->services);
        auto nextService = std::make_shared<std::function<void()>>();
        *nextService = [this, run, step, next, pending, bySlug, nextService] {
            if (pending->isEmpty()) {
                Q_EMIT progress(step, u"done"_s, tr("Cal.com event types ready"));
                next();
                return;
            }
            const Run::Service service = pending->takeFirst();
            const QString slug = u"askpro-%1-%2"_s.arg(run->branchId).arg(service.id);
            auto map = [this, run, service, nextService](qint64 eventTypeId) {
                auto mapped = m_db.exec(u"INSERT INTO event_type_mappings (branch_id, service_id, calcom_event_type_id) VALUES (?, ?, ?) "
                                        "ON CONFLICT (branch_id, service_id) DO UPDATE SET calcom_event_type_id = excluded.calcom_event_type_id"_s,
                                        {run->branchId, service.id, eventTypeId});
                if (!mapped) {
                    fail(run, u"calcom.event_types"_s, mapped.error());
                    return;
                }
                (*nextService)();
            };
            if (bySlug.contains(slug)) {
                map(bySlug.value(slug));
                return;
            }
            JsonReply *creating = run->calcomTeamId > 0
                ? run->calcomClient->createTeamEventType(run->calcomTeamId, service.name, slug, service.minutes, run->hostUserIds)
                : run->calcomClient->createEventType(service.name, slug, service.minutes);
            onReply(run, step, creating,
                    [this, run, map](const Json &created) {
                        record({u"calcom"_s, u"event_type"_s, QString::number(jsonInt(created, "id")), run->companyId});
                        map(jsonInt(created, "id"));
                    });
        };
        (*nextService)();
    });
}

void ProviderConnector::calcomWebhook(const std::shared_ptr<Run> &run, Next next)
{
    const QString step = u"calcom.webhook"_s;
    const QString subscriber = url(u"/webhooks/calcom"_s);
    Q_EMIT progress(step, u"running"_s, tr("Cal.com: booking webhook to %1").arg(subscriber));
    onReply(run, step, run->calcomClient->webhooks(), [this, run, step, next, subscriber](const Json &result) {
        QString existing;
        for (const Json &hook : itemsOf(result))
            if (jsonString(hook, "subscriberUrl") == subscriber)
                existing = jsonString(hook, "id");
        if (!existing.isEmpty() && !run->calcom.webhookSecret.isEmpty()) {
            Q_EMIT progress(step, u"done"_s, tr("Cal.com webhook already registered"));
            next();
            return;
        }
        // Without its secret a registered webhook cannot be verified: replace it with one we know.
        auto create = [this, run, step, next, subscriber] {
            QByteArray secret(32, Qt::Uninitialized);
            for (char &c : secret)
                c = char(QRandomGenerator::system()->bounded(256));
            secret = secret.toHex();
            onReply(run, step, run->calcomClient->createWebhook(subscriber, secret), [this, run, step, next, secret](const Json &created) {
                record({u"calcom"_s, u"webhook"_s, jsonString(created, "id"), run->companyId});
                Credential updated = run->calcom;
                updated.webhookSecret = secret;
                auto stored = m_credentials.put(updated);
                if (!stored) {
                    fail(run, step, stored.error());
                    return;
                }
                run->calcom = updated;
                Q_EMIT progress(step, u"done"_s, tr("Cal.com webhook registered with a new secret"));
                next();
            });
        };
        if (existing.isEmpty())
            create();
        else
            onReply(run, step, run->calcomClient->deleteWebhook(existing), [create](const Json &) { create(); });
    });
}

Json ProviderConnector::llmDefinition(const std::shared_ptr<Run> &run) const
{
    QStringList serviceNames;
    for (const auto &s : run->services)
        serviceNames << s.name;
    QString prompt = templateText(u"agent_prompt"_s, run->language);
    prompt.replace(u"{{company}}"_s, run->companyName).replace(u"{{branch}}"_s, run->branchName);
    prompt.replace(u"{{address}}"_s, run->address).replace(u"{{services}}"_s, serviceNames.join(u", "_s));
    const bool english = run->language == u"en"_s;
    const Json dateProps = {{"service", {{"type", "string"}, {"description", "The service the caller wants"}}},
                            {"date", {{"type", "string"}, {"description", "Date, YYYY-MM-DD"}}},
                            {"time", {{"type", "string"}, {"description", "Time, HH:MM (24 h)"}}}};
    Json bookingProps = dateProps;
    bookingProps["customer_name"] = {{"type", "string"}};
    bookingProps["customer_email"] = {{"type", "string"}};
    bookingProps["staff_preference"] = {{"type", "string"}};
    bookingProps["notes"] = {{"type", "string"}};
    bookingProps["agreed_to_alternatives"] = {{"type", "boolean"}};
    const Json tools = Json::array(
        {customTool(u"check_availability"_s, u"Checks which times are free on a day for a service."_s, url(u"/functions/check-availability"_s),
                    dateProps, Json::array({"service", "date"})),
         customTool(u"book_appointment"_s, u"Books the appointment the caller agreed to."_s, url(u"/functions/book-appointment"_s),
                    bookingProps, Json::array({"service", "date", "time", "customer_name"})),
         customTool(u"collect_appointment_data"_s, u"Records everything the caller said about the appointment."_s,
                    url(u"/functions/collect-appointment-data"_s), bookingProps, Json::array())});
    return Json{{"general_prompt", prompt.toStdString()},
                {"begin_message", english ? "Hello, this is " + run->companyName.toStdString() + ". How can I help?"
                                          : "Guten Tag, hier ist " + run->companyName.toStdString() + ". Wie kann ich helfen?"},
                {"model", "gpt-4.1"},
                {"start_speaker", "agent"},
                {"general_tools", tools},
                {"default_dynamic_variables", {{"askpro_branch_id", QString::number(run->branchId).toStdString()}}}};
}

void ProviderConnector::retellLlm(const std::shared_ptr<Run> &run, Next next)
{
    const QString step = u"retell.llm"_s;
    Q_EMIT progress(step, u"running"_s, tr("Retell: the agent's prompt and booking tools"));
    onReply(run, step, run->retellClient->listLlms(), [this, run, step, next](const Json &result) {
        for (const Json &llm : itemsOf(result)) {
            const Json vars = llm.value("default_dynamic_variables", Json::object());
            if (jsonString(llm, "llm_id") == run->llmId || jsonString(vars, "askpro_branch_id") == QString::number(run->branchId)) {
                run->llmId = jsonString(llm, "llm_id");
                // Reused, and brought up to date: prompt, services and tool URLs may have changed.
                onReply(run, step, run->retellClient->updateLlm(run->llmId, llmDefinition(run)), [this, step, next](const Json &) {
                    Q_EMIT progress(step, u"done"_s, tr("Retell LLM updated"));
                    next();
                });
                return;
            }
        }
        onReply(run, step, run->retellClient->createLlm(llmDefinition(run)), [this, run, step, next](const Json &created) {
            run->llmId = jsonString(created, "llm_id");
            record({u"retell"_s, u"llm"_s, run->llmId});
            Q_EMIT progress(step, u"done"_s, tr("Retell LLM created"));
            next();
        });
    });
}

void ProviderConnector::retellAgent(const std::shared_ptr<Run> &run, Next next)
{
    const QString step = u"retell.agent"_s;
    const QString name = u"AskPro %1 · %2 (#%3)"_s.arg(run->companyName, run->branchName).arg(run->branchId);
    Q_EMIT progress(step, u"running"_s, tr("Retell: voice agent %1").arg(name));
    onReply(run, step, run->retellClient->listAgents(), [this, run, step, next, name](const Json &result) {
        const Json changes = {{"agent_name", name.toStdString()},
                              {"response_engine", {{"type", "retell-llm"}, {"llm_id", run->llmId.toStdString()}}},
                              {"language", run->language == u"en"_s ? "en-US" : "de-DE"},
                              {"webhook_url", url(u"/webhooks/retell"_s).toStdString()},
                              {"webhook_events", Json::array({"call_started", "call_ended", "call_analyzed"})}};
        for (const Json &agent : itemsOf(result)) {
            if (jsonString(agent, "agent_id") == run->agentId || jsonString(agent, "agent_name") == name) {
                run->agentId = jsonString(agent, "agent_id");
                onReply(run, step, run->retellClient->updateAgent(run->agentId, changes), [this, step, next](const Json &) {
                    Q_EMIT progress(step, u"done"_s, tr("Retell agent updated"));
                    next();
                });
                return;
            }
        }
        Json agent = changes;
        agent["voice_id"] = run->language == u"en"_s ? "11labs-Adrian" : "11labs-Carola";
        onReply(run, step, run->retellClient->createAgent(agent), [this, run, step, next](const Json &created) {
            run->agentId = jsonString(created, "agent_id");
            record({u"retell"_s, u"agent"_s, run->agentId});
            Q_EMIT progress(step, u"done"_s, tr("Retell agent created"));
            next();
        });
    });
}

void ProviderConnector::phoneNumber(const std::shared_ptr<Run> &run, Next next)
{
    const QString step = u"retell.phone_number"_s;
    Q_EMIT progress(step, u"running"_s, tr("Retell: number %1 answered by the agent").arg(run->phone));
    auto bind = [this, run, step, next] {
        onReply(run, step, run->retellClient->bindPhoneNumber(run->phone, run->agentId, url(u"/webhooks/retell-inbound"_s)), [this, step, next](const Json &) {
            Q_EMIT progress(step, u"done"_s, tr("Phone number bound to the agent"));
            next();
        });
    };
    JsonReply *lookup = run->retellClient->phoneNumber(run->phone);
    connect(lookup, &JsonReply::finished, this, [this, run, step, bind](const JsonResult &result) {
        if (result) {
            bind();
            return;
        }
        if (result.error().kind != ErrorKind::NotFound) {
            fail(run, step, result.error());
            return;
        }
        // Not in the account: imported over the carrier trunk the operator named, never a made-up termination.
        if (m_sipHost.isEmpty()) {
            fail(run, step, makeError(ErrorKind::Configuration, u"connect.number_missing"_s,
                                      tr("Retell does not hold %1: import it with your carrier's SIP trunk (the setup's phone step, "
                                         "or connect --sip-host).").arg(run->phone)));
            return;
        }
        onReply(run, step, run->retellClient->importPhoneNumber(run->phone, m_sipHost, m_sipUser, m_sipPassword), [this, run, bind](const Json &) {
            record({u"retell"_s, u"phone_number"_s, run->phone});
            bind();
        });
    });
}

void ProviderConnector::remove(QList<ProviderResource> resources, std::function<void(const Status &)> done)
{
    if (resources.isEmpty()) {
        done({});
        return;
    }
    const ProviderResource resource = resources.takeLast();
    const bool retell = resource.provider == u"retell"_s;
    auto credential = m_credentials.get(retell ? std::nullopt : std::optional<qint64>(resource.companyId), resource.provider);
    if (!credential) {
        done(credential.error());
        return;
    }
    const QUrl base = credential->baseUrl.isEmpty() ? (retell ? m_endpoints.retell : m_endpoints.calcom) : QUrl(credential->baseUrl);
    JsonReply *reply = nullptr;
    if (retell) {
        RetellClient client(m_network, base, credential->secret, m_endpoints.timeoutMs);
        reply = resource.kind == u"agent"_s        ? client.deleteAgent(resource.id)
              : resource.kind == u"llm"_s          ? client.deleteLlm(resource.id)
              : resource.kind == u"phone_number"_s ? client.deletePhoneNumber(resource.id)
                                                   : nullptr;
    } else {
        CalcomClient calcom(m_network, base, credential->secret, m_endpoints.timeoutMs);
        reply = resource.kind == u"event_type"_s ? calcom.deleteEventType(resource.id.toLongLong()) : calcom.deleteWebhook(resource.id);
    }
    if (!reply) { // a kind this connector never creates
        remove(resources, std::move(done));
        return;
    }
    connect(reply, &JsonReply::finished, this, [this, resources, done](const JsonResult &result) {
        if (!result && result.error().kind != ErrorKind::NotFound) {
            done(result.error());
            return;
        }
        remove(resources, done);
    });
}

} // namespace askpro
