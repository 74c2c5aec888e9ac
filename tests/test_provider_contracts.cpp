// The provider sandbox against Retell's and Twilio's published API descriptions, over real HTTP on loopback: the
// routes it serves, the fields those require and type, and the answers, as tests/data/provider-contracts.json holds them.
#include "sandbox.h"

#include <QEventLoop>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace Qt::StringLiterals;
using namespace askpro::sandbox;

namespace {

const QString Outside = u"not-a-documented-value"_s;

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonValue json;
};

// The contract file, read once; the derive script writes it from the providers' descriptions.
const QJsonObject &contract()
{
    static const QJsonObject loaded = [] {
        QFile file(QStringLiteral(ASKPRO_PROVIDER_CONTRACTS));
        if (!file.open(QIODevice::ReadOnly))
            return QJsonObject();
        return QJsonDocument::fromJson(file.readAll()).object();
    }();
    return loaded;
}

QJsonObject providerContract(const QString &provider)
{
    return contract()[u"providers"_s][provider].toObject();
}

QJsonObject operation(const QString &provider, const QString &operationId)
{
    for (const QJsonValue &op : providerContract(provider)[u"operations"_s].toArray()) {
        if (op[u"operation_id"_s].toString() == operationId)
            return op.toObject();
    }
    return {};
}

// Fields the sandbox reads, per operation: these must refuse a value of the wrong type or outside the documented enum
// ("filter_criteria.agent" is a field of the object filter_criteria). The sandbox stores other fields as given.
const QHash<QString, QStringList> &fieldsTheSandboxReads()
{
    static const QHash<QString, QStringList> fields{
        {u"createRetellLLM"_s, {u"begin_message"_s, u"default_dynamic_variables"_s, u"general_prompt"_s, u"general_tools"_s,
                                u"model"_s, u"start_speaker"_s}},
        {u"updateRetellLLM"_s, {u"begin_message"_s, u"general_prompt"_s, u"model"_s, u"start_speaker"_s}},
        {u"createAgent"_s, {u"agent_name"_s, u"language"_s, u"response_engine"_s, u"voice_id"_s, u"webhook_events"_s, u"webhook_url"_s}},
        {u"updateAgent"_s, {u"agent_name"_s, u"response_engine"_s, u"voice_id"_s, u"webhook_events"_s, u"webhook_url"_s}},
        {u"createPhoneNumber"_s, {u"area_code"_s, u"country_code"_s, u"inbound_agents"_s, u"inbound_webhook_url"_s, u"nickname"_s,
                                  u"number_provider"_s, u"outbound_agents"_s, u"toll_free"_s}},
        {u"importPhoneNumber"_s, {u"inbound_agents"_s, u"inbound_webhook_url"_s, u"nickname"_s, u"outbound_agents"_s, u"phone_number"_s,
                                  u"sip_trunk_auth_password"_s, u"sip_trunk_auth_username"_s, u"termination_uri"_s}},
        {u"updatePhoneNumber"_s, {u"inbound_agents"_s, u"inbound_webhook_url"_s, u"nickname"_s, u"outbound_agents"_s}},
        {u"createPhoneCall"_s, {u"from_number"_s, u"metadata"_s, u"override_agent_id"_s, u"retell_llm_dynamic_variables"_s, u"to_number"_s}},
        {u"createWebCall"_s, {u"agent_id"_s, u"metadata"_s, u"retell_llm_dynamic_variables"_s}},
        {u"listCallsV3"_s, {u"filter_criteria"_s, u"filter_criteria.agent"_s, u"filter_criteria.start_timestamp"_s, u"limit"_s,
                            u"pagination_key"_s, u"sort_order"_s}},
        {u"listAgentsV2"_s, {u"filter_criteria"_s}},
        {u"CreateMessage"_s, {u"Body"_s, u"From"_s, u"MessagingServiceSid"_s, u"StatusCallback"_s, u"To"_s}},
    };
    return fields;
}

// Query parameters the sandbox reads, per operation.
const QHash<QString, QStringList> &queryTheSandboxReads()
{
    static const QHash<QString, QStringList> parameters{
        {u"listRetellLLMV2"_s, {u"limit"_s}},
        {u"listAgentsV2"_s, {u"limit"_s}},
        {u"listPhoneNumbersV2"_s, {u"limit"_s}},
    };
    return parameters;
}

// Twilio's rules beyond its description's schema: a sender (From or MessagingServiceSid) and content are needed too.
const QHash<QString, QStringList> &alsoNeeded()
{
    static const QHash<QString, QStringList> fields{{u"CreateMessage"_s, {u"From"_s, u"Body"_s}}};
    return fields;
}

QStringList typesOf(const QJsonObject &field)
{
    if (field.contains(u"one_of"_s)) {
        QStringList types;
        for (const QJsonValue &type : field[u"one_of"_s].toArray())
            types.append(type.toString());
        return types;
    }
    return field.contains(u"type"_s) ? QStringList{field[u"type"_s].toString()} : QStringList();
}

bool hasType(const QJsonValue &value, const QString &type)
{
    if (type == "string"_L1)
        return value.isString();
    if (type == "integer"_L1)
        return value.isDouble() && value.toDouble() == double(value.toInteger());
    if (type == "number"_L1)
        return value.isDouble();
    if (type == "boolean"_L1)
        return value.isBool();
    if (type == "object"_L1)
        return value.isObject();
    if (type == "array"_L1)
        return value.isArray();
    return true; // a type the description leaves open
}

// What is wrong with one answer field by its documented type, enum and pattern; nested fields one level deep.
QString fieldProblem(const QString &name, const QJsonValue &value, const QJsonObject &field, bool nested = true)
{
    if (value.isNull())
        return field[u"nullable"_s].toBool() ? QString() : u"%1 is null, which is not documented as nullable"_s.arg(name);
    const QStringList types = typesOf(field);
    if (!types.isEmpty() && std::none_of(types.begin(), types.end(), [&](const QString &t) { return hasType(value, t); }))
        return u"%1 is %2, documented as %3"_s.arg(name, QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)),
                                                   types.join(u'|'));
    if (value.isString() && field.contains(u"enum"_s) && !field[u"enum"_s].toArray().contains(value))
        return u"%1 is \"%2\", outside its documented enum"_s.arg(name, value.toString());
    if (value.isString() && field.contains(u"pattern"_s)
        && !QRegularExpression(field[u"pattern"_s].toString()).match(value.toString()).hasMatch())
        return u"%1 \"%2\" does not match %3"_s.arg(name, value.toString(), field[u"pattern"_s].toString());
    if (!nested)
        return {};
    if (value.isArray() && field.contains(u"items"_s)) {
        const QJsonArray items = value.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QString problem = fieldProblem(u"%1[%2]"_s.arg(name).arg(i), items.at(i), field[u"items"_s].toObject(), false);
            if (!problem.isEmpty())
                return problem;
        }
    }
    if (value.isObject() && field.contains(u"fields"_s)) {
        const QJsonObject object = value.toObject();
        for (const QJsonValue &required : field[u"required"_s].toArray()) {
            if (!object.contains(required.toString()))
                return u"%1 lacks its required field %2"_s.arg(name, required.toString());
        }
        const QJsonObject fields = field[u"fields"_s].toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (fields.contains(it.key())) {
                if (QString problem = fieldProblem(name + u'.' + it.key(), it.value(), fields[it.key()].toObject(), false); !problem.isEmpty())
                    return problem;
            }
        }
    }
    return {};
}

// What is wrong with an answer by one documented variant: its type, its required fields, and every documented field
// it carries.
QStringList answerProblems(const QJsonValue &answer, const QJsonObject &variant)
{
    QStringList problems;
    const QString type = variant[u"type"_s].toString();
    if (!type.isEmpty() && !hasType(answer, type))
        return {u"the answer is not a JSON %1"_s.arg(type)};
    if (answer.isArray()) {
        const QJsonArray items = answer.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (QString problem = fieldProblem(u"[%1]"_s.arg(i), items.at(i), variant[u"items"_s].toObject()); !problem.isEmpty())
                problems.append(problem);
        }
        return problems;
    }
    const QJsonObject object = answer.toObject();
    const QJsonObject fields = variant[u"fields"_s].toObject();
    for (const QJsonValue &required : variant[u"required"_s].toArray()) {
        if (!object.contains(required.toString()))
            problems.append(u"the required answer field %1 is missing"_s.arg(required.toString()));
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (fields.contains(it.key())) {
            if (QString problem = fieldProblem(it.key(), it.value(), fields[it.key()].toObject()); !problem.isEmpty())
                problems.append(problem);
        }
    }
    return problems;
}

// A value of the wrong JSON type for a field documented as types: numbers as digit strings and booleans as the word
// are the wrong types a lenient parser lets through.
QJsonValue wrongTypeFor(const QStringList &types)
{
    if (types.contains(u"integer"_s) || types.contains(u"number"_s))
        return types.contains(u"string"_s) ? QJsonValue(true) : QJsonValue(u"415"_s);
    if (types.contains(u"boolean"_s))
        return QJsonValue(u"true"_s);
    if (types.contains(u"string"_s))
        return QJsonValue(12345);
    return QJsonValue(u"text"_s);
}

// A form value that breaks a documented format or pattern (a form carries only strings, so no other type is wrong).
QString badFormValue(const QJsonObject &field)
{
    const QString format = field[u"format"_s].toString();
    if (format == "phone-number"_L1)
        return u"not a phone number!"_s;
    if (format == "uri"_L1)
        return u"not a uri"_s;
    if (field.contains(u"pattern"_s))
        return u"XX123"_s;
    return {};
}

bool isForm(const QJsonObject &op)
{
    return op[u"request"_s][u"content_type"_s].toString() == "application/x-www-form-urlencoded"_L1;
}

// A JSON pointer-like path "a.b": sets body[a][b].
void setPath(QJsonObject &body, const QString &path, const QJsonValue &value)
{
    const qsizetype dot = path.indexOf(u'.');
    if (dot < 0) {
        body[path] = value;
        return;
    }
    QJsonObject inner = body[path.left(dot)].toObject();
    setPath(inner, path.mid(dot + 1), value);
    body[path.left(dot)] = inner;
}

QJsonObject fieldAt(const QJsonObject &op, const QString &path)
{
    const QStringList parts = path.split(u'.');
    QJsonObject field = op[u"request"_s][u"fields"_s][parts.first()].toObject();
    for (qsizetype i = 1; i < parts.size(); ++i)
        field = field[u"fields"_s][parts.at(i)].toObject();
    return field;
}

} // namespace

class TestProviderContracts final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Sandbox> m_sandbox;
    QNetworkAccessManager m_network;
    QHttpServer m_hooks;
    QString m_llmId;
    QString m_agentId;
    QString m_number;
    QString m_callId;

    Reply send(const QString &provider, const QByteArray &method, const QString &path, const QByteArray &body,
               const QByteArray &contentType, const QUrlQuery &query = {})
    {
        QUrl target = m_sandbox->baseUrl(provider == "twilio"_L1 ? Provider::Twilio : Provider::Retell);
        target.setPath(target.path(QUrl::FullyEncoded) + path, QUrl::TolerantMode); // keeps "%2B" as written
        if (!query.isEmpty())
            target.setQuery(query);
        QNetworkRequest request(target);
        request.setTransferTimeout(20'000);
        if (provider == "twilio"_L1) {
            const QByteArray user = (m_sandbox->config().twilioAccountSid + u':' + m_sandbox->config().twilioAuthToken).toUtf8();
            request.setRawHeader("Authorization"_ba, "Basic " + user.toBase64());
        } else {
            request.setRawHeader("Authorization"_ba, "Bearer " + m_sandbox->config().retellApiKey.toUtf8());
        }
        if (!contentType.isEmpty())
            request.setRawHeader("Content-Type"_ba, contentType);
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        Reply result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        const QJsonDocument document = QJsonDocument::fromJson(result.body);
        result.json = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
        return result;
    }

    Reply retell(const QByteArray &method, const QString &path, const QJsonObject &body)
    {
        return send(u"retell"_s, method, path, QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json"_ba);
    }

    // The path with each {parameter} replaced by an object this test created in the sandbox.
    QString pathFor(const QJsonObject &op) const
    {
        QString path = op[u"path"_s].toString();
        const QHash<QString, QString> values{{u"llm_id"_s, m_llmId},
                                             {u"agent_id"_s, m_agentId},
                                             {u"phone_number"_s, m_number},
                                             {u"call_id"_s, m_callId},
                                             {u"AccountSid"_s, m_sandbox->config().twilioAccountSid}};
        for (const QJsonValue &parameter : op[u"path_parameters"_s].toArray()) {
            const QString name = parameter[u"name"_s].toString();
            path.replace(u'{' + name + u'}', QString::fromLatin1(QUrl::toPercentEncoding(values.value(name))));
        }
        return path;
    }

    // A valid value for a field the description requires but gives no usable example of.
    QJsonValue example(const QString &operationId, const QString &field) const
    {
        if (field == "voice_id"_L1)
            return u"11labs-Adrian"_s;
        if (field == "response_engine"_L1)
            return QJsonObject{{u"type"_s, u"retell-llm"_s}, {u"llm_id"_s, m_llmId}};
        if (field == "phone_number"_L1)
            return u"+12125550199"_s; // not the area code the sandbox buys numbers in, so never taken
        if (field == "termination_uri"_L1)
            return u"trunk.example.com"_s;
        if (field == "from_number"_L1)
            return m_number;
        if (field == "to_number"_L1 || field == "To"_L1)
            return u"+14155550123"_s;
        if (field == "agent_id"_L1)
            return m_agentId;
        if (field == "From"_L1)
            return u"+14155550100"_s;
        if (field == "Body"_L1)
            return u"Your appointment is confirmed."_s;
        qWarning("no example value for %s.%s", qPrintable(operationId), qPrintable(field));
        return {};
    }

    // The smallest request the description allows: its required fields (and the provider's rules beyond the schema).
    QJsonObject minimalBody(const QJsonObject &op) const
    {
        const QString id = op[u"operation_id"_s].toString();
        QJsonObject body;
        for (const QJsonValue &field : op[u"request"_s][u"required"_s].toArray())
            body[field.toString()] = example(id, field.toString());
        for (const QString &field : alsoNeeded().value(id))
            body[field] = example(id, field);
        return body;
    }

    Reply sendOperation(const QString &provider, const QJsonObject &op, const QJsonObject &body, const QUrlQuery &query = {})
    {
        if (!op.contains(u"request"_s))
            return send(provider, op[u"method"_s].toString().toLatin1(), pathFor(op), {}, {}, query);
        QByteArray encoded;
        if (isForm(op)) {
            QByteArrayList pairs;
            for (auto it = body.begin(); it != body.end(); ++it)
                pairs.append(QUrl::toPercentEncoding(it.key()) + '=' + QUrl::toPercentEncoding(it.value().toString()));
            encoded = pairs.join('&');
        } else {
            encoded = QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
        return send(provider, op[u"method"_s].toString().toLatin1(), pathFor(op), encoded,
                    op[u"request"_s][u"content_type"_s].toString().toLatin1(), query);
    }

    // A refusal as the provider words it: Retell 400 or 422 with {status: "error", message}, Twilio 400 with
    // {code, message, more_info, status}.
    static QString refusalProblem(const QString &provider, const Reply &reply)
    {
        const QJsonObject json = reply.json.toObject();
        if (provider == "twilio"_L1) {
            if (reply.status != 400)
                return u"answered %1, not 400: %2"_s.arg(reply.status).arg(QString::fromUtf8(reply.body));
            if (json[u"code"_s].toInt() <= 0 || json[u"message"_s].toString().isEmpty() || json[u"more_info"_s].toString().isEmpty()
                || json[u"status"_s].toInt() != 400)
                return u"not Twilio's error shape: %1"_s.arg(QString::fromUtf8(reply.body));
            return {};
        }
        if (reply.status != 400 && reply.status != 422)
            return u"answered %1, not 400 or 422: %2"_s.arg(reply.status).arg(QString::fromUtf8(reply.body));
        if (json[u"status"_s].toString() != "error"_L1 || json[u"message"_s].toString().isEmpty())
            return u"not Retell's error shape: %1"_s.arg(QString::fromUtf8(reply.body));
        return {};
    }

    static void addOperationColumns()
    {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("operationId");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!contract().isEmpty(), ASKPRO_PROVIDER_CONTRACTS " is missing or not JSON");
        // Webhooks of the calls this test starts land here, answered 200 and otherwise ignored.
        m_hooks.setMissingHandler([](const QHttpServerRequest &, QHttpServerResponder &&responder) {
            responder.write(QHttpServerResponder::StatusCode::Ok);
        });
        const quint16 hookPort = m_hooks.listen(QHostAddress::LocalHost, 0);
        QVERIFY(hookPort != 0);
        SandboxConfig config;
        config.retellWebhookUrl = QUrl(u"http://127.0.0.1:%1/hooks/retell"_s.arg(hookPort));
        m_sandbox = std::make_unique<Sandbox>(config);
        QVERIFY(m_sandbox->listen(QHostAddress::LocalHost, 0) != 0);
    }

    // Every row starts from the same objects: an LLM, an agent on it, a number that calls out with the agent, a call.
    void init()
    {
        m_sandbox->reset();
        const Reply llm = retell("POST"_ba, u"/create-retell-llm"_s, {});
        QCOMPARE(llm.status, 201);
        m_llmId = llm.json[u"llm_id"_s].toString();
        const Reply agent = retell("POST"_ba, u"/create-agent"_s,
                                   {{u"voice_id"_s, u"11labs-Adrian"_s},
                                    {u"response_engine"_s, QJsonObject{{u"type"_s, u"retell-llm"_s}, {u"llm_id"_s, m_llmId}}}});
        QCOMPARE(agent.status, 201);
        m_agentId = agent.json[u"agent_id"_s].toString();
        const Reply number = retell("POST"_ba, u"/create-phone-number"_s,
                                    {{u"outbound_agents"_s, QJsonArray{QJsonObject{{u"agent_id"_s, m_agentId}, {u"weight"_s, 1}}}}});
        QCOMPARE(number.status, 201);
        m_number = number.json[u"phone_number"_s].toString();
        const Reply call = retell("POST"_ba, u"/v2/create-web-call"_s, {{u"agent_id"_s, m_agentId}});
        QCOMPARE(call.status, 201);
        m_callId = call.json[u"call_id"_s].toString();
    }

    // The contract is derived from the route tables: a route added or dropped since means the file is stale.
    void contractListsEveryRoute_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::newRow("retell") << u"retell"_s;
        QTest::newRow("twilio") << u"twilio"_s;
    }
    void contractListsEveryRoute()
    {
        QFETCH(QString, provider);
        QStringList served;
        for (const auto &[method, pattern] : m_sandbox->routes(provider == "twilio"_L1 ? Provider::Twilio : Provider::Retell))
            served.append(QString::fromLatin1(method) + u' ' + pattern);
        QStringList listed;
        for (const QJsonValue &route : providerContract(provider)[u"routes"_s].toArray())
            listed.append(route[u"method"_s].toString() + u' ' + route[u"sandbox_pattern"_s].toString());
        served.sort();
        listed.sort();
        QVERIFY2(served == listed, qPrintable(u"the sandbox serves [%1], the contract lists [%2]: run python3 "
                                              u"scripts/derive-provider-contracts.py"_s.arg(served.join(u", "_s), listed.join(u", "_s))));
    }

    void routeIsDocumented_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QJsonObject>("route");
        for (const QString &provider : {u"retell"_s, u"twilio"_s}) {
            for (const QJsonValue &route : providerContract(provider)[u"routes"_s].toArray()) {
                const QString name = provider + u' ' + route[u"method"_s].toString() + u' ' + route[u"sandbox_pattern"_s].toString();
                QTest::newRow(qPrintable(name)) << provider << route.toObject();
            }
        }
    }
    void routeIsDocumented()
    {
        QFETCH(QString, provider);
        QFETCH(QJsonObject, route);
        if (!route[u"in_spec"_s].toBool()) {
            // A documented exception names why the real provider answers a route its description lacks.
            const QStringList methods = route[u"spec_methods"_s].toVariant().toStringList();
            QVERIFY2(!route[u"exception"_s].toString().isEmpty(),
                     qPrintable(u"the description has no %1 %2 (%3): the real provider refuses it"_s.arg(
                         route[u"method"_s].toString(), route[u"sandbox_pattern"_s].toString(),
                         methods.isEmpty() ? u"nothing at that path"_s : u"only "_s + methods.join(u'/'))));
            return;
        }
        // The description's path template is the sandbox's pattern with a parameter wherever the sandbox captures.
        const QStringList pattern = route[u"sandbox_pattern"_s].toString().split(u'/');
        const QStringList path = route[u"path"_s].toString().split(u'/');
        QCOMPARE(pattern.size(), path.size());
        for (qsizetype i = 0; i < pattern.size(); ++i)
            QVERIFY(pattern.at(i) == "*"_L1 ? path.at(i).startsWith(u'{') : pattern.at(i) == path.at(i));
        const QJsonObject op = [&] {
            for (const QJsonValue &o : providerContract(provider)[u"operations"_s].toArray()) {
                if (o[u"path"_s] == route[u"path"_s] && o[u"method"_s] == route[u"method"_s])
                    return o.toObject();
            }
            return QJsonObject();
        }();
        QVERIFY2(!op.isEmpty(), "the contract describes no operation for this route");
        // The sandbox's own identifiers fit the description's path parameters (Twilio's AccountSid is AC + 32 hex).
        for (const QJsonValue &parameter : op[u"path_parameters"_s].toArray()) {
            const qsizetype at = path.indexOf(u'{' + parameter[u"name"_s].toString() + u'}');
            const QString value = QUrl::fromPercentEncoding(pathFor(op).split(u'/').value(at).toUtf8());
            const QString problem = fieldProblem(parameter[u"name"_s].toString(), value, parameter.toObject());
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }

    void validRequestIsAnswered_data()
    {
        addOperationColumns();
        for (const QString &provider : {u"retell"_s, u"twilio"_s}) {
            for (const QJsonValue &op : providerContract(provider)[u"operations"_s].toArray()) {
                const QString name = provider + u' ' + op[u"operation_id"_s].toString();
                QTest::newRow(qPrintable(name)) << provider << op[u"operation_id"_s].toString();
            }
        }
    }
    void validRequestIsAnswered()
    {
        QFETCH(QString, provider);
        QFETCH(QString, operationId);
        const QJsonObject op = operation(provider, operationId);
        const Reply reply = sendOperation(provider, op, minimalBody(op));
        const QJsonObject success = op[u"success"_s].toObject();
        QVERIFY2(reply.status == success[u"status"_s].toInt(),
                 qPrintable(u"answered %1, documented %2: %3"_s.arg(reply.status)
                                .arg(success[u"status"_s].toInt())
                                .arg(QString::fromUtf8(reply.body))));
        const QJsonArray variants = success[u"variants"_s].toArray();
        if (variants.isEmpty()) {
            QVERIFY2(reply.body.isEmpty(), "an answer the description gives no body has one");
            return;
        }
        QStringList problems;
        for (const QJsonValue &variant : variants) {
            const QStringList found = answerProblems(reply.json, variant.toObject());
            if (found.isEmpty())
                return;
            problems.append(found.join(u"; "_s));
        }
        QFAIL(qPrintable(u"the answer fits no documented variant: "_s + problems.join(u" | "_s)));
    }

    void missingRequiredFieldIsRefused_data()
    {
        addOperationColumns();
        QTest::addColumn<QString>("field");
        for (const QString &provider : {u"retell"_s, u"twilio"_s}) {
            for (const QJsonValue &op : providerContract(provider)[u"operations"_s].toArray()) {
                for (const QJsonValue &field : op[u"request"_s][u"required"_s].toArray()) {
                    const QString name = provider + u' ' + op[u"operation_id"_s].toString() + u" without " + field.toString();
                    QTest::newRow(qPrintable(name)) << provider << op[u"operation_id"_s].toString() << field.toString();
                }
            }
        }
    }
    void missingRequiredFieldIsRefused()
    {
        QFETCH(QString, provider);
        QFETCH(QString, operationId);
        QFETCH(QString, field);
        const QJsonObject op = operation(provider, operationId);
        QJsonObject body = minimalBody(op);
        body.remove(field);
        const QString problem = refusalProblem(provider, sendOperation(provider, op, body));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void badValueIsRefused_data()
    {
        addOperationColumns();
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value");
        for (const QString &provider : {u"retell"_s, u"twilio"_s}) {
            for (const QJsonValue &opValue : providerContract(provider)[u"operations"_s].toArray()) {
                const QJsonObject op = opValue.toObject();
                const QString id = op[u"operation_id"_s].toString();
                const auto row = [&](const QString &field, const QString &what, const QJsonValue &value) {
                    QTest::newRow(qPrintable(provider + u' ' + id + u' ' + field + u' ' + what)) << provider << id << field << value;
                };
                for (const QString &field : fieldsTheSandboxReads().value(id)) {
                    const QJsonObject documented = fieldAt(op, field);
                    // A field missing here means the description dropped or renamed it: a finding of its own.
                    if (documented.isEmpty()) {
                        row(field, u"documented"_s, QJsonValue());
                        continue;
                    }
                    if (isForm(op)) {
                        if (const QString bad = badFormValue(documented); !bad.isEmpty())
                            row(field, u"malformed"_s, bad);
                        continue;
                    }
                    const QStringList types = typesOf(documented);
                    if (!types.isEmpty())
                        row(field, u"of the wrong type"_s, wrongTypeFor(types));
                    if (documented.contains(u"enum"_s))
                        row(field, u"outside the enum"_s, Outside);
                    if (documented.contains(u"maximum"_s))
                        row(field, u"above the maximum"_s, documented[u"maximum"_s].toInteger() + 1);
                    const QJsonObject items = documented[u"items"_s].toObject();
                    if (items.contains(u"enum"_s))
                        row(field, u"with an item outside the enum"_s, QJsonArray{Outside});
                    else if (!typesOf(items).isEmpty())
                        row(field, u"with an item of the wrong type"_s, QJsonArray{wrongTypeFor(typesOf(items))});
                    // An object field of one of several documented shapes, each with required fields: {} fits none.
                    if (documented.contains(u"one_of_required"_s))
                        row(field, u"fitting no documented shape"_s, QJsonObject());
                }
                if (op[u"request"_s][u"additional_properties"_s] == QJsonValue(false))
                    row(u"undocumented_field"_s, u"where the body takes no other fields"_s, true);
            }
        }
    }
    void badValueIsRefused()
    {
        QFETCH(QString, provider);
        QFETCH(QString, operationId);
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        const QJsonObject op = operation(provider, operationId);
        QVERIFY2(!value.isUndefined(), qPrintable(u"the description no longer documents %1"_s.arg(field)));
        QJsonObject body = minimalBody(op);
        setPath(body, field, value);
        const QString problem = refusalProblem(provider, sendOperation(provider, op, body));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void badQueryIsRefused_data()
    {
        addOperationColumns();
        QTest::addColumn<QString>("parameter");
        QTest::addColumn<QString>("value");
        for (const QString &provider : {u"retell"_s, u"twilio"_s}) {
            for (const QJsonValue &op : providerContract(provider)[u"operations"_s].toArray()) {
                const QString id = op[u"operation_id"_s].toString();
                for (const QJsonValue &parameter : op[u"query_parameters"_s].toArray()) {
                    const QString name = parameter[u"name"_s].toString();
                    if (!queryTheSandboxReads().value(id).contains(name))
                        continue;
                    const auto row = [&](const QString &what, const QString &value) {
                        QTest::newRow(qPrintable(provider + u' ' + id + u' ' + name + u' ' + what)) << provider << id << name << value;
                    };
                    const QStringList types = typesOf(parameter.toObject());
                    if (types.contains(u"integer"_s) || types.contains(u"number"_s))
                        row(u"not a number"_s, u"ten"_s);
                    if (parameter.toObject().contains(u"maximum"_s))
                        row(u"above the maximum"_s, QString::number(parameter[u"maximum"_s].toInteger() + 1));
                    if (parameter.toObject().contains(u"enum"_s))
                        row(u"outside the enum"_s, Outside);
                }
            }
        }
    }
    void badQueryIsRefused()
    {
        QFETCH(QString, provider);
        QFETCH(QString, operationId);
        QFETCH(QString, parameter);
        QFETCH(QString, value);
        const QJsonObject op = operation(provider, operationId);
        const QString problem = refusalProblem(provider, sendOperation(provider, op, minimalBody(op), QUrlQuery{{parameter, value}}));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
};

QTEST_GUILESS_MAIN(TestProviderContracts)
#include "test_provider_contracts.moc"
