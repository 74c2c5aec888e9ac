// Stand-in for the Retell AI API: CRUD for LLMs, agents and phone numbers, calls, and simulated
// inbound calls whose webhooks are signed like Retell's.
#include "retellapi.h"

#include "signatures.h"
#include "webhooksender.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

ApiReply retellError(int status, const QString &message)
{
    return ApiReply::json(status, Json{{"status", "error"}, {"message", toStd(message)}});
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

const Json *findById(const QList<Json> &items, const char *key, const QString &id)
{
    const std::string wanted = toStd(id);
    for (const Json &item : items) {
        if (item.value(key, std::string()) == wanted)
            return &item;
    }
    return nullptr;
}

Json *findById(QList<Json> &items, const char *key, const QString &id)
{
    return const_cast<Json *>(findById(std::as_const(items), key, id));
}

bool removeById(QList<Json> &items, const char *key, const QString &id)
{
    const std::string wanted = toStd(id);
    return items.removeIf([&](const Json &item) { return item.value(key, std::string()) == wanted; }) > 0;
}

// Copies the fields of patch into target, except those a client may never set.
void mergeFields(Json &target, const Json &patch, std::initializer_list<const char *> readOnly)
{
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (std::none_of(readOnly.begin(), readOnly.end(), [&](const char *key) { return it.key() == key; }))
            target[it.key()] = it.value();
    }
}

// The cursor page of a /v2/list-* answer: items after pagination_key, at most limit of them.
Json page(const QList<Json> &items, const char *idKey, const QString &after, qint64 limit)
{
    qsizetype start = 0;
    if (!after.isEmpty()) {
        const std::string key = toStd(after);
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (items.at(i).value(idKey, std::string()) == key)
                start = i + 1;
        }
    }
    Json result{{"items", Json::array()}, {"has_more", false}};
    qsizetype i = start;
    for (; i < items.size() && i - start < limit; ++i)
        result["items"].push_back(items.at(i));
    if (i < items.size() && i > start) {
        result["has_more"] = true;
        result["pagination_key"] = items.at(i - 1).value(idKey, std::string());
    }
    return result;
}

qint64 limitFrom(const ApiRequest &request, const Json &body, qint64 fallback)
{
    if (request.query.hasQueryItem(u"limit"_s))
        return request.query.queryItemValue(u"limit"_s).toLongLong();
    return jsonInt(body, "limit").value_or(fallback);
}

QString paginationKeyFrom(const ApiRequest &request, const Json &body)
{
    if (request.query.hasQueryItem(u"pagination_key"_s))
        return request.query.queryItemValue(u"pagination_key"_s);
    return jsonString(body, "pagination_key");
}

// JSON types of Retell's description for the fields the sandbox reads. Retell refuses another type with 400, also
// where a lenient reader would take it (a number written "415", a boolean written "true").
enum class Type { String, Integer, Boolean, Object, Array, StringOrArray };

struct Field
{
    const char *name;
    Type type;
    bool nullable = false;
};

bool hasType(const Json &value, Type type)
{
    switch (type) {
    case Type::String: return value.is_string();
    case Type::Integer: return value.is_number_integer();
    case Type::Boolean: return value.is_boolean();
    case Type::Object: return value.is_object();
    case Type::Array: return value.is_array();
    case Type::StringOrArray: return value.is_string() || value.is_array();
    }
    return false;
}

QLatin1String typeName(Type type)
{
    static constexpr const char *names[] = {"a string", "an integer", "a boolean", "an object", "an array", "a string or an array"};
    return QLatin1String(names[int(type)]);
}

// Retell's refusal of the first field whose value has another type than documented.
std::optional<ApiReply> wrongType(const Json &body, std::initializer_list<Field> fields)
{
    for (const Field &field : fields) {
        const auto it = body.find(field.name);
        if (it != body.end() && !(it->is_null() && field.nullable) && !hasType(*it, field.type))
            return retellError(400, u"%1 must be %2"_s.arg(QLatin1String(field.name), typeName(field.type)));
    }
    return std::nullopt;
}

// Retell's refusal of a value of key (or of an item, for a list) outside the values its description names.
std::optional<ApiReply> outsideEnum(const Json &body, const char *key, std::initializer_list<const char *> values)
{
    const auto it = body.find(key);
    if (it == body.end() || it->is_null())
        return std::nullopt;
    const auto known = [&values](const Json &value) {
        return value.is_string() && std::any_of(values.begin(), values.end(), [&](const char *v) { return value == v; });
    };
    const bool fits = it->is_array() ? std::all_of(it->begin(), it->end(), known) : known(*it);
    if (fits)
        return std::nullopt;
    QStringList names;
    for (const char *value : values)
        names.append(QLatin1String(value));
    return retellError(400, u"%1 must be one of %2"_s.arg(QLatin1String(key), names.join(u", "_s)));
}

// The fields of an LLM the sandbox keeps and answers with; the models are those Retell's description lists.
std::optional<ApiReply> llmProblem(const Json &body)
{
    if (auto refused = wrongType(body, {{"general_prompt", Type::String, true}, {"begin_message", Type::String, true},
                                        {"model", Type::String, true}, {"start_speaker", Type::String},
                                        {"general_tools", Type::Array, true}, {"default_dynamic_variables", Type::Object, true}}))
        return refused;
    if (const Json tools = body.value("general_tools", Json()); tools.is_array()
        && !std::all_of(tools.begin(), tools.end(), [](const Json &tool) { return tool.is_object(); }))
        return retellError(400, u"general_tools must be a list of tool objects"_s);
    if (auto refused = outsideEnum(body, "model", {"claude-4.5-haiku", "claude-4.5-sonnet", "claude-4.6-sonnet", "gemini-2.5-flash-lite",
                                                   "gemini-3.0-flash", "gemini-3.1-flash-lite", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
                                                   "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5.1", "gpt-5.2", "gpt-5.4", "gpt-5.4-mini",
                                                   "gpt-5.4-nano", "gpt-5.5"}))
        return refused;
    return outsideEnum(body, "start_speaker", {"agent", "user"});
}

// start_timestamp of a call filter: {type: "number", op, value} or {type: "range", op: "bt", value: [lower, upper]}.
bool isTimestampFilter(const Json &filter)
{
    if (!filter.is_object())
        return false;
    const Json value = filter.value("value", Json());
    const QString type = jsonString(filter, "type");
    const QString op = jsonString(filter, "op");
    if (type == "number"_L1)
        return value.is_number() && QStringList{u"eq"_s, u"ne"_s, u"gt"_s, u"ge"_s, u"lt"_s, u"le"_s}.contains(op);
    return type == "range"_L1 && op == "bt"_L1 && value.is_array() && value.size() == 2 && value[0].is_number() && value[1].is_number();
}

bool isE164(const QString &number)
{
    static const QRegularExpression pattern(u"^\\+[1-9]\\d{6,14}$"_s);
    return pattern.match(number).hasMatch();
}

// Whether a call passes the filter_criteria of /v3/list-calls, in the forms Retell's description gives: agents as
// [{agent_id}], enum filters as {type: "enum", op: "in", value: [...]}, start_timestamp as a number or range filter.
// Other keys are not Retell's and filter nothing, as at Retell.
bool matchesFilter(const Json &call, const Json &filter)
{
    if (const Json agents = filter.value("agent", Json()); agents.is_array() && !agents.empty()) {
        const Json agentId = call.value("agent_id", Json());
        if (std::none_of(agents.begin(), agents.end(), [&](const Json &agent) { return agent.value("agent_id", Json()) == agentId; }))
            return false;
    }
    for (const char *field : {"call_status", "call_type", "direction"}) {
        const Json values = filter.value(field, Json::object()).value("value", Json());
        if (values.is_array() && std::find(values.begin(), values.end(), call.value(field, Json())) == values.end())
            return false;
    }
    const Json range = filter.value("start_timestamp", Json());
    if (!isTimestampFilter(range))
        return true;
    const qint64 start = call.value("start_timestamp", qint64(0));
    const Json value = range["value"];
    if (jsonString(range, "type") == "range"_L1)
        return start >= value[0].get<double>() && start <= value[1].get<double>();
    const double bound = value.get<double>();
    const QString op = jsonString(range, "op");
    return op == "eq"_L1 ? start == bound : op == "ne"_L1 ? start != bound : op == "gt"_L1 ? start > bound
         : op == "ge"_L1 ? start >= bound : op == "lt"_L1 ? start < bound : start <= bound;
}

} // namespace

RetellApi::RetellApi(QString apiKey, QUrl defaultWebhookUrl, WebhookSender &sender)
    : m_apiKey(std::move(apiKey)), m_defaultWebhookUrl(std::move(defaultWebhookUrl)), m_sender(sender)
{
    const auto get = [this](QList<Json> RetellApi::*items, const char *key, const char *what) {
        return [this, items, key, what](const ApiRequest &, const QStringList &args) {
            const Json *item = findById(this->*items, key, args.at(0));
            return item ? ApiReply::json(200, *item) : retellError(404, u"%1 not found"_s.arg(QLatin1String(what)));
        };
    };
    const auto remove = [this](QList<Json> RetellApi::*items, const char *key, const char *what) {
        return [this, items, key, what](const ApiRequest &, const QStringList &args) {
            return removeById(this->*items, key, args.at(0)) ? ApiReply::noContent()
                                                            : retellError(404, u"%1 not found"_s.arg(QLatin1String(what)));
        };
    };
    const auto list = [this](QList<Json> RetellApi::*items, const char *key, bool cursor) {
        return [this, items, key, cursor](const ApiRequest &request, const QStringList &) {
            if (!cursor)
                return ApiReply::json(200, Json(QList<Json>(this->*items)));
            const Json body = parseJsonObject(request.body).value_or(Json::object());
            // Retell's default page is 50 and its largest 1000: a client that reads one page misses the rest.
            const qint64 limit = limitFrom(request, body, 50);
            if (limit < 1 || limit > 1000)
                return retellError(400, u"limit must be between 1 and 1000"_s);
            return ApiReply::json(200, page(this->*items, key, paginationKeyFrom(request, body), limit));
        };
    };
    const auto call = [this](const ApiRequest &, const QStringList &args) {
        const auto it = m_calls.constFind(args.at(0));
        return it == m_calls.constEnd() ? retellError(404, u"Call not found"_s) : ApiReply::json(200, *it);
    };
    using A = const ApiRequest &;
    using C = const QStringList &;
    m_routes.add("POST"_ba, u"/create-retell-llm"_s, [this](A r, C) { return createLlm(r); });
    m_routes.add("PATCH"_ba, u"/update-retell-llm/*"_s, [this](A r, C a) { return updateLlm(r, a.at(0)); });
    m_routes.add("GET"_ba, u"/get-retell-llm/*"_s, get(&RetellApi::m_llms, "llm_id", "LLM"));
    m_routes.add("GET"_ba, u"/v2/list-retell-llms"_s, list(&RetellApi::m_llms, "llm_id", true));
    m_routes.add("GET"_ba, u"/list-retell-llms"_s, list(&RetellApi::m_llms, "llm_id", false));
    m_routes.add("DELETE"_ba, u"/delete-retell-llm/*"_s, remove(&RetellApi::m_llms, "llm_id", "LLM"));
    m_routes.add("POST"_ba, u"/create-agent"_s, [this](A r, C) { return createAgent(r); });
    m_routes.add("PATCH"_ba, u"/update-agent/*"_s, [this](A r, C a) { return updateAgent(r, a.at(0)); });
    m_routes.add("GET"_ba, u"/get-agent/*"_s, get(&RetellApi::m_agents, "agent_id", "Agent"));
    m_routes.add("POST"_ba, u"/v2/list-agents"_s, [agents = list(&RetellApi::m_agents, "agent_id", true)](A r, C a) {
        // The body takes filter_criteria and nothing else; paging goes in the query.
        const auto body = parseJsonObject(r.body);
        if (!body)
            return retellError(400, u"Request body must be a JSON object"_s);
        for (auto it = body->begin(); it != body->end(); ++it) {
            if (it.key() != "filter_criteria")
                return retellError(400, u"Unknown field %1"_s.arg(QString::fromStdString(it.key())));
        }
        if (auto refused = wrongType(*body, {{"filter_criteria", Type::Object}}))
            return *refused;
        return agents(r, a);
    });
    m_routes.add("GET"_ba, u"/list-agents"_s, list(&RetellApi::m_agents, "agent_id", false));
    m_routes.add("DELETE"_ba, u"/delete-agent/*"_s, remove(&RetellApi::m_agents, "agent_id", "Agent"));
    m_routes.add("POST"_ba, u"/create-phone-number"_s, [this](A r, C) { return createPhoneNumber(r, false); });
    m_routes.add("POST"_ba, u"/import-phone-number"_s, [this](A r, C) { return createPhoneNumber(r, true); });
    m_routes.add("GET"_ba, u"/get-phone-number/*"_s, get(&RetellApi::m_numbers, "phone_number", "Phone number"));
    m_routes.add("PATCH"_ba, u"/update-phone-number/*"_s, [this](A r, C a) { return updatePhoneNumber(r, a.at(0)); });
    m_routes.add("GET"_ba, u"/v2/list-phone-numbers"_s, list(&RetellApi::m_numbers, "phone_number", true));
    m_routes.add("GET"_ba, u"/list-phone-numbers"_s, list(&RetellApi::m_numbers, "phone_number", false));
    m_routes.add("DELETE"_ba, u"/delete-phone-number/*"_s, remove(&RetellApi::m_numbers, "phone_number", "Phone number"));
    m_routes.add("POST"_ba, u"/v2/create-phone-call"_s, [this](A r, C) { return createPhoneCall(r); });
    m_routes.add("POST"_ba, u"/v2/create-web-call"_s, [this](A r, C) { return createWebCall(r); });
    m_routes.add("GET"_ba, u"/v2/get-call/*"_s, call);
    m_routes.add("POST"_ba, u"/v3/list-calls"_s, [this](A r, C) { return listCalls(r); });
}

ApiReply RetellApi::handle(const ApiRequest &request)
{
    const QString token = request.bearerToken();
    if (token.isEmpty())
        return retellError(401, u"Missing API key in Authorization header"_s);
    if (token != m_apiKey)
        return retellError(401, u"Invalid API key"_s);
    if (auto reply = m_routes.dispatch(request))
        return *reply;
    return retellError(404, u"Cannot %1 %2"_s.arg(QString::fromLatin1(request.method), request.path()));
}

ApiReply RetellApi::errorReply(int status, const QString &message) const
{
    return retellError(status, message);
}

void RetellApi::reset()
{
    m_llms.clear();
    m_agents.clear();
    m_numbers.clear();
    m_calls.clear();
    m_inboundAnswers.clear();
    m_soldOut.clear();
}

ApiReply RetellApi::createLlm(const ApiRequest &request)
{
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (auto refused = llmProblem(*body))
        return *refused;
    Json llm{{"llm_id", toStd(u"llm_"_s + randomHex(26))}, {"version", 0}, {"is_published", false},
             {"model", "gpt-4.1"}, {"start_speaker", "agent"}, {"general_prompt", Json()}, {"begin_message", Json()},
             {"general_tools", Json::array()}, {"default_dynamic_variables", Json::object()}};
    mergeFields(llm, *body, {"llm_id", "version", "is_published"});
    llm["last_modification_timestamp"] = nowMs();
    m_llms.append(llm);
    return ApiReply::json(201, llm);
}

ApiReply RetellApi::updateLlm(const ApiRequest &request, const QString &id)
{
    Json *llm = findById(m_llms, "llm_id", id);
    if (!llm)
        return retellError(404, u"LLM not found"_s);
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (auto refused = llmProblem(*body))
        return *refused;
    mergeFields(*llm, *body, {"llm_id", "version", "is_published"});
    (*llm)["last_modification_timestamp"] = nowMs();
    return ApiReply::json(200, *llm);
}

ApiReply RetellApi::createAgent(const ApiRequest &request)
{
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (!body->contains("voice_id"))
        return retellError(400, u"voice_id is required"_s);
    if (!body->contains("response_engine"))
        return retellError(400, u"response_engine is required"_s);
    if (auto refused = agentProblem(*body))
        return *refused;
    Json agent{{"agent_id", toStd(u"agent_"_s + randomHex(26))}, {"version", 0}, {"is_published", false},
               {"agent_name", Json()}, {"language", "en-US"}, {"webhook_url", Json()}};
    mergeFields(agent, *body, {"agent_id", "version", "is_published"});
    agent["last_modification_timestamp"] = nowMs();
    m_agents.append(agent);
    return ApiReply::json(201, agent);
}

ApiReply RetellApi::updateAgent(const ApiRequest &request, const QString &id)
{
    Json *agent = findById(m_agents, "agent_id", id);
    if (!agent)
        return retellError(404, u"Agent not found"_s);
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (auto refused = agentProblem(*body))
        return *refused;
    mergeFields(*agent, *body, {"agent_id", "version", "is_published"});
    (*agent)["last_modification_timestamp"] = nowMs();
    return ApiReply::json(200, *agent);
}

std::optional<ApiReply> RetellApi::agentProblem(const Json &body) const
{
    if (auto refused = wrongType(body, {{"agent_name", Type::String, true},
                                        {"language", Type::StringOrArray},
                                        {"response_engine", Type::Object},
                                        {"voice_id", Type::String},
                                        {"webhook_url", Type::String, true},
                                        {"webhook_events", Type::Array, true}}))
        return refused;
    if (auto refused = outsideEnum(body, "webhook_events",
                                   {"call_analyzed", "call_ended", "call_started", "transcript_updated", "transfer_bridged",
                                    "transfer_cancelled", "transfer_ended", "transfer_started"}))
        return refused;
    if (!body.contains("response_engine"))
        return std::nullopt;
    // One of three engines, each with its own required reference.
    const Json &engine = body["response_engine"];
    const QString type = jsonString(engine, "type");
    const char *reference = type == "retell-llm"_L1 ? "llm_id" : type == "custom-llm"_L1 ? "llm_websocket_url"
                          : type == "conversation-flow"_L1 ? "conversation_flow_id" : nullptr;
    if (!reference)
        return retellError(400, u"response_engine.type must be one of retell-llm, custom-llm, conversation-flow"_s);
    if (!engine.contains(reference) || !engine[reference].is_string())
        return retellError(400, u"response_engine.%1 is required"_s.arg(QLatin1String(reference)));
    if (type == "retell-llm"_L1 && !findById(m_llms, "llm_id", jsonString(engine, "llm_id")))
        return retellError(400, u"response_engine.llm_id does not exist"_s);
    return std::nullopt;
}

QString RetellApi::checkAgentWeights(const Json &body, const char *key) const
{
    const Json agents = body.value(key, Json());
    if (agents.is_null())
        return {};
    if (!agents.is_array())
        return u"%1 must be a list of {agent_id, weight}"_s.arg(QLatin1String(key));
    double sum = 0;
    for (const Json &entry : agents) {
        if (!findById(m_agents, "agent_id", jsonString(entry, "agent_id")))
            return u"Agent %1 not found"_s.arg(jsonString(entry, "agent_id"));
        sum += jsonNumber(entry, "weight").value_or(0.0);
    }
    if (!agents.empty() && std::abs(sum - 1.0) > 1e-6)
        return u"The weights of %1 must sum to 1"_s.arg(QLatin1String(key));
    return {};
}

ApiReply RetellApi::createPhoneNumber(const ApiRequest &request, bool import)
{
    auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    QString number = jsonString(*body, "phone_number");
    if (import && (number.isEmpty() || jsonString(*body, "termination_uri").isEmpty()))
        return retellError(400, u"phone_number and termination_uri are required"_s);
    for (const char *key : {"termination_uri", "sip_trunk_auth_username", "sip_trunk_auth_password", "country_code", "phone_number"})
        if (body->contains(key) && !(*body)[key].is_string())
            return retellError(400, u"%1 must be a string"_s.arg(QLatin1String(key)));
    if (auto refused = wrongType(*body, {{"nickname", Type::String}, {"inbound_webhook_url", Type::String, true}}))
        return *refused;
    if (import) {
        // The elastic SIP trunk's termination host: a host name, never a URI with scheme, port or path.
        static const QRegularExpression host(u"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z][A-Za-z0-9-]*$"_s);
        const QString uri = jsonString(*body, "termination_uri");
        if (!host.match(uri).hasMatch() || uri.endsWith(u".invalid"_s))
            return retellError(400, u"termination_uri %1 is not a SIP trunk host name"_s.arg(uri));
    } else {
        // Retell sells US and Canadian numbers only.
        const QString country = body->contains("country_code") ? jsonString(*body, "country_code") : u"US"_s;
        if (country != u"US"_s && country != u"CA"_s)
            return retellError(400, u"country_code must be one of US, CA"_s);
        if (body->contains("area_code")) {
            const Json &code = (*body)["area_code"];
            if (!code.is_number_integer() || code.get<qint64>() < 200 || code.get<qint64>() > 999)
                return retellError(400, u"area_code must be a 3 digit integer"_s);
        }
        if (!number.isEmpty() && !number.startsWith(u"+1"_s))
            return retellError(400, u"phone_number must be a US or Canadian number in E.164 format"_s);
        if (body->contains("toll_free") && !(*body)["toll_free"].is_boolean())
            return retellError(400, u"toll_free must be a boolean"_s);
        if (body->contains("number_provider")) {
            const QString provider = jsonString(*body, "number_provider");
            if (provider != u"twilio"_s && provider != u"telnyx"_s)
                return retellError(400, u"number_provider must be one of twilio, telnyx"_s);
        }
        if (body->contains("nickname") && !(*body)["nickname"].is_string())
            return retellError(400, u"nickname must be a string"_s);
    }
    if (!import && number.isEmpty()) {
        // Any free number of the area code; a free one is always found unless the area code is used up.
        const qint64 areaCode = jsonInt(*body, "area_code").value_or(415);
        if (m_soldOut.contains(areaCode))
            return retellError(400, u"No phone numbers available for area code %1"_s.arg(areaCode));
        for (int attempt = 0; attempt < 100 && (number.isEmpty() || findById(m_numbers, "phone_number", number)); ++attempt)
            number = u"+1"_s + QString::number(areaCode) + u"555"_s + QString::number(m_random.bounded(10000)).rightJustified(4, u'0');
        if (findById(m_numbers, "phone_number", number))
            return retellError(400, u"No phone numbers available for area code %1"_s.arg(areaCode));
    }
    if (!isE164(number))
        return retellError(400, u"phone_number must be in E.164 format"_s);
    if (findById(m_numbers, "phone_number", number))
        return retellError(409, u"Phone number %1 already exists"_s.arg(number));
    for (const char *key : {"inbound_agents", "outbound_agents"}) {
        if (const QString problem = checkAgentWeights(*body, key); !problem.isEmpty())
            return retellError(400, problem);
    }
    Json phone{{"phone_number", toStd(number)},
               {"phone_number_type", import ? "custom" : "retell-twilio"},
               {"phone_number_pretty", toStd(number)},
               {"area_code", number.startsWith(u"+1"_s) ? Json(number.mid(2, 3).toInt()) : Json()},
               {"nickname", Json()},
               {"inbound_agents", Json::array()},
               {"outbound_agents", Json::array()},
               {"inbound_webhook_url", Json()}};
    mergeFields(phone, *body, {"phone_number", "phone_number_type", "sip_trunk_auth_password"});
    phone["last_modification_timestamp"] = nowMs();
    m_numbers.append(phone);
    return ApiReply::json(201, phone);
}

ApiReply RetellApi::updatePhoneNumber(const ApiRequest &request, const QString &number)
{
    Json *phone = findById(m_numbers, "phone_number", number);
    if (!phone)
        return retellError(404, u"Phone number not found"_s);
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (auto refused = wrongType(*body, {{"nickname", Type::String, true}, {"inbound_webhook_url", Type::String, true}}))
        return *refused;
    for (const char *key : {"inbound_agents", "outbound_agents"}) {
        if (const QString problem = checkAgentWeights(*body, key); !problem.isEmpty())
            return retellError(400, problem);
    }
    mergeFields(*phone, *body, {"phone_number", "phone_number_type"});
    (*phone)["last_modification_timestamp"] = nowMs();
    return ApiReply::json(200, *phone);
}

Json RetellApi::pickAgent(const Json &number, const char *key)
{
    const Json agents = number.value(key, Json::array());
    if (!agents.is_array() || agents.empty())
        return Json();
    double roll = m_random.generateDouble();
    for (const Json &entry : agents) {
        roll -= jsonNumber(entry, "weight").value_or(0.0);
        if (roll < 0)
            return entry.value("agent_id", Json());
    }
    return agents.back().value("agent_id", Json());
}

ApiReply RetellApi::createPhoneCall(const ApiRequest &request)
{
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (auto refused = wrongType(*body, {{"from_number", Type::String}, {"to_number", Type::String}, {"override_agent_id", Type::String},
                                         {"metadata", Type::Object}, {"retell_llm_dynamic_variables", Type::Object}}))
        return *refused;
    const QString from = jsonString(*body, "from_number");
    const QString to = jsonString(*body, "to_number");
    if (!isE164(from) || !isE164(to))
        return retellError(400, u"from_number and to_number must be E.164 numbers"_s);
    const Json *number = findById(m_numbers, "phone_number", from);
    if (!number)
        return retellError(404, u"from_number %1 is not a number of this account"_s.arg(from));
    Json agentId = body->contains("override_agent_id") ? (*body)["override_agent_id"] : pickAgent(*number, "outbound_agents");
    if (agentId.is_null())
        return retellError(400, u"No outbound agent is set for %1"_s.arg(from));
    const QString callId = u"call_"_s + randomHex(32);
    Json call{{"call_type", "phone_call"}, {"call_id", toStd(callId)}, {"agent_id", agentId}, {"agent_version", 0},
              {"call_status", "registered"}, {"direction", "outbound"}, {"from_number", toStd(from)}, {"to_number", toStd(to)},
              {"metadata", body->value("metadata", Json::object())},
              {"retell_llm_dynamic_variables", body->value("retell_llm_dynamic_variables", Json::object())},
              {"start_timestamp", nowMs()}};
    m_calls.insert(callId, call);
    QTimer::singleShot(OutboundCallMs, &m_sender, [this, callId] { finishOutboundCall(callId); });
    return ApiReply::json(201, call);
}

void RetellApi::finishOutboundCall(const QString &callId)
{
    const auto it = m_calls.constFind(callId);
    if (it == m_calls.constEnd())
        return; // the sandbox was reset meanwhile
    const Json registered = *it;
    SimulatedCallOptions options;
    options.fromNumber = jsonString(registered, "from_number");
    options.toNumber = jsonString(registered, "to_number");
    options.scenario = CallScenario::NoRequest;
    Json call = CallSimulator::buildCall(options, callId, registered["agent_id"], nowMs());
    call["direction"] = "outbound";
    call["metadata"] = registered["metadata"];
    call["retell_llm_dynamic_variables"] = registered["retell_llm_dynamic_variables"];
    m_calls.insert(callId, call);
    deliverCallEvents(call, WebhookCopies{}, 50);
}

ApiReply RetellApi::createWebCall(const ApiRequest &request)
{
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (!body->contains("agent_id"))
        return retellError(400, u"agent_id is required"_s);
    if (auto refused = wrongType(*body, {{"agent_id", Type::String},
                                         {"metadata", Type::Object},
                                         {"retell_llm_dynamic_variables", Type::Object}}))
        return *refused;
    const QString agentId = jsonString(*body, "agent_id");
    if (!findById(m_agents, "agent_id", agentId))
        return retellError(404, u"Agent not found"_s);
    const QString callId = u"call_"_s + randomHex(32);
    Json call{{"call_type", "web_call"}, {"access_token", toStd(randomAlnum(40))}, {"call_id", toStd(callId)},
              {"agent_id", toStd(agentId)}, {"agent_version", 0}, {"call_status", "registered"},
              {"metadata", body->value("metadata", Json::object())},
              {"retell_llm_dynamic_variables", body->value("retell_llm_dynamic_variables", Json::object())},
              {"start_timestamp", nowMs()}};
    m_calls.insert(callId, call);
    return ApiReply::json(201, call);
}

ApiReply RetellApi::listCalls(const ApiRequest &request) const
{
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (auto refused = wrongType(*body, {{"filter_criteria", Type::Object}, {"limit", Type::Integer}, {"pagination_key", Type::String},
                                         {"sort_order", Type::String}}))
        return *refused;
    if (auto refused = outsideEnum(*body, "sort_order", {"ascending", "descending"}))
        return *refused;
    const qint64 limit = limitFrom(request, *body, 50);
    if (limit < 1 || limit > 1000)
        return retellError(400, u"limit must be between 1 and 1000"_s);
    const Json filter = body->value("filter_criteria", Json::object());
    if (auto refused = wrongType(filter, {{"agent", Type::Array}}))
        return *refused;
    for (const Json &agent : filter.value("agent", Json::array())) {
        if (!agent.is_object() || !agent.value("agent_id", Json()).is_string())
            return retellError(400, u"filter_criteria.agent must be a list of {agent_id}"_s);
    }
    if (filter.contains("start_timestamp") && !isTimestampFilter(filter["start_timestamp"]))
        return retellError(400, u"filter_criteria.start_timestamp must be a number filter {type, op, value} "
                                u"or a range {type: range, op: bt, value}"_s);
    const bool ascending = jsonString(*body, "sort_order") == "ascending"_L1;
    QList<Json> matching;
    for (const Json &call : m_calls) {
        if (matchesFilter(call, filter)) {
            Json summary = call;
            for (const char *heavy : {"transcript", "transcript_object", "transcript_with_tool_calls", "recording_url"})
                summary.erase(heavy);
            matching.append(summary);
        }
    }
    std::sort(matching.begin(), matching.end(), [ascending](const Json &a, const Json &b) {
        const auto key = [](const Json &c) { return std::pair(c.value("start_timestamp", qint64(0)), c.value("call_id", std::string())); };
        return ascending ? key(a) < key(b) : key(b) < key(a);
    });
    return ApiReply::json(200, page(matching, "call_id", paginationKeyFrom(request, *body), limit));
}

QString RetellApi::simulateCall(const SimulatedCallOptions &options)
{
    const QString callId = u"call_"_s + randomHex(32);
    const Json *number = findById(m_numbers, "phone_number", options.toNumber);
    const Json agentId = number ? pickAgent(*number, "inbound_agents") : Json();
    Json call = CallSimulator::buildCall(options, callId, agentId, nowMs());
    m_calls.insert(callId, call);
    const QString inboundUrl = number ? jsonString(*number, "inbound_webhook_url") : QString();
    if (inboundUrl.isEmpty()) {
        deliverCallEvents(call, options.webhooks, options.eventSpacingMs);
        return callId;
    }
    // As Retell does before it connects an inbound call: ask the number's inbound webhook (10 s, 3 retries) and
    // start the call with what it answers. The call's events follow the answer, or its final failure.
    const Json request{{"event", "call_inbound"},
                       {"call_inbound", {{"agent_id", agentId}, {"agent_version", 0}, {"from_number", toStd(options.fromNumber)},
                                         {"to_number", toStd(options.toNumber)}}}};
    const WebhookCopies copies = options.webhooks;
    const int spacing = options.eventSpacingMs;
    m_sender.send({u"retell"_s, u"call_inbound"_s, QUrl(inboundUrl), QByteArray::fromStdString(request.dump()),
                   [key = m_apiKey](const QByteArray &raw) { return HeaderList{{"x-retell-signature"_ba, signatures::retell(raw, key, nowMs())}}; },
                   [this, callId, copies, spacing](int status, const QByteArray &body) {
                       auto it = m_calls.find(callId);
                       if (it == m_calls.end())
                           return; // reset meanwhile
                       applyInboundAnswer(*it, status, body);
                       deliverCallEvents(*it, copies, spacing);
                   }});
    return callId;
}

void RetellApi::applyInboundAnswer(Json &call, int status, const QByteArray &body)
{
    // What the sandbox was told, for tests and the demo: Retell itself keeps only the variables and metadata.
    Json record{{"http_status", status}};
    const Json answer = Json::parse(body.toStdString(), nullptr, false);
    const Json inbound = answer.is_object() ? answer.value("call_inbound", Json()) : Json();
    if (status >= 200 && status < 300 && inbound.is_object()) {
        if (const Json vars = inbound.value("dynamic_variables", Json()); vars.is_object()) {
            Json strings = Json::object();
            for (const auto &[key, value] : vars.items()) {
                if (value.is_string()) // Retell takes string values only
                    strings[key] = value;
            }
            call["retell_llm_dynamic_variables"] = strings;
            record["dynamic_variables"] = strings.size();
        }
        if (const Json meta = inbound.value("metadata", Json()); meta.is_object()) {
            Json merged = call.value("metadata", Json::object());
            if (!merged.is_object())
                merged = Json::object();
            merged.update(meta);
            call["metadata"] = merged;
        }
        if (const QString agent = jsonString(inbound, "override_agent_id"); !agent.isEmpty() && findById(m_agents, "agent_id", agent))
            call["agent_id"] = toStd(agent);
    }
    m_inboundAnswers.append(record);
}

void RetellApi::deliverCallEvents(const Json &call, const WebhookCopies &copies, int spacingMs)
{
    QUrl url = m_defaultWebhookUrl;
    Json events = Json::array({"call_started", "call_ended", "call_analyzed"});
    if (const Json *agent = findById(m_agents, "agent_id", jsonString(call, "agent_id"))) {
        if (const QString own = jsonString(*agent, "webhook_url"); !own.isEmpty())
            url = QUrl(own);
        if (agent->contains("webhook_events") && (*agent)["webhook_events"].is_array())
            events = (*agent)["webhook_events"];
    }
    const auto wanted = [&events](const char *event) { return std::find(events.begin(), events.end(), event) != events.end(); };

    Json started = call;
    started["call_status"] = "ongoing";
    for (const char *later : {"end_timestamp", "duration_ms", "transcript", "transcript_object", "transcript_with_tool_calls",
                              "recording_url", "disconnection_reason", "call_cost", "latency", "call_analysis"})
        started.erase(later);
    Json ended = call;
    ended.erase("call_analysis");

    const bool connected = jsonString(call, "call_status") != "not_connected"_L1;
    const QList<std::tuple<const char *, Json, int>> plan{{"call_started", started, connected ? copies.callStarted : 0},
                                                           {"call_ended", ended, copies.callEnded},
                                                           {"call_analyzed", call, copies.callAnalyzed}};
    int delay = 0;
    for (const auto &[event, payload, count] : plan) {
        if (!wanted(event))
            continue;
        const QByteArray body = QByteArray::fromStdString(Json{{"event", event}, {"call", payload}}.dump());
        for (int copy = 0; copy < count; ++copy) {
            m_sender.send({u"retell"_s, QString::fromLatin1(event), url, body,
                           [key = m_apiKey](const QByteArray &raw) {
                               return HeaderList{{"x-retell-signature"_ba, signatures::retell(raw, key, nowMs())}};
                           }},
                          delay);
        }
        delay += spacingMs;
    }
}

QByteArray RetellApi::sign(const QByteArray &body) const
{
    return signatures::retell(body, m_apiKey, nowMs());
}

std::optional<Json> RetellApi::call(const QString &callId) const
{
    const auto it = m_calls.constFind(callId);
    return it == m_calls.constEnd() ? std::nullopt : std::optional<Json>(*it);
}

QList<Json> RetellApi::calls() const
{
    QList<Json> result = m_calls.values();
    std::sort(result.begin(), result.end(), [](const Json &a, const Json &b) {
        return a.value("start_timestamp", qint64(0)) < b.value("start_timestamp", qint64(0));
    });
    return result;
}

} // namespace askpro::sandbox
