// Stand-in for the Retell AI API: CRUD for LLMs, agents and phone numbers, calls, and simulated
// inbound calls whose webhooks are signed like Retell's.
#include "retellapi.h"

#include "signatures.h"
#include "webhooksender.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <climits>
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

bool isE164(const QString &number)
{
    static const QRegularExpression pattern(u"^\\+[1-9]\\d{6,14}$"_s);
    return pattern.match(number).hasMatch();
}

// Whether a call passes the filter_criteria of /v3/list-calls (and the older forms Retell still reads).
bool matchesFilter(const Json &call, const Json &filter)
{
    const auto inList = [&call](const Json &list, const char *field) {
        if (!list.is_array() || list.empty())
            return true;
        const Json value = call.value(field, Json());
        return std::any_of(list.begin(), list.end(), [&](const Json &item) {
            return item.is_object() ? item.value(field, Json()) == value : item == value;
        });
    };
    if (!inList(filter.value("agent_id", Json()), "agent_id") || !inList(filter.value("agent", Json()), "agent_id")
        || !inList(filter.value("call_status", Json()), "call_status") || !inList(filter.value("call_type", Json()), "call_type")
        || !inList(filter.value("direction", Json()), "direction") || !inList(filter.value("to_number", Json()), "to_number")
        || !inList(filter.value("from_number", Json()), "from_number"))
        return false;
    const qint64 start = call.value("start_timestamp", qint64(0));
    qint64 lower = jsonInt(filter, "after_start_timestamp").value_or(LLONG_MIN);
    qint64 upper = jsonInt(filter, "before_start_timestamp").value_or(LLONG_MAX);
    const Json range = filter.value("start_timestamp", Json());
    if (range.is_object()) {
        lower = std::max(lower, jsonInt(range, "lower_threshold").value_or(LLONG_MIN));
        upper = std::min(upper, jsonInt(range, "upper_threshold").value_or(LLONG_MAX));
        const Json bounds = range.value("value", Json());
        if (bounds.is_array() && bounds.size() == 2 && bounds[0].is_number() && bounds[1].is_number()) {
            lower = std::max(lower, bounds[0].get<qint64>());
            upper = std::min(upper, bounds[1].get<qint64>());
        }
    }
    return start >= lower && start <= upper;
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
    m_routes.add("POST"_ba, u"/v2/list-agents"_s, list(&RetellApi::m_agents, "agent_id", true));
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
    m_routes.add("POST"_ba, u"/v3/create-web-call"_s, [this](A r, C) { return createWebCall(r); });
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
    mergeFields(*llm, *body, {"llm_id", "version", "is_published"});
    (*llm)["last_modification_timestamp"] = nowMs();
    return ApiReply::json(200, *llm);
}

ApiReply RetellApi::createAgent(const ApiRequest &request)
{
    const auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (jsonString(*body, "voice_id").isEmpty())
        return retellError(400, u"voice_id is required"_s);
    const Json engine = body->value("response_engine", Json());
    if (!engine.is_object() || jsonString(engine, "type").isEmpty())
        return retellError(400, u"response_engine is required"_s);
    if (jsonString(engine, "type") == "retell-llm"_L1 && !findById(m_llms, "llm_id", jsonString(engine, "llm_id")))
        return retellError(400, u"response_engine.llm_id does not exist"_s);
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
    mergeFields(*agent, *body, {"agent_id", "version", "is_published"});
    (*agent)["last_modification_timestamp"] = nowMs();
    return ApiReply::json(200, *agent);
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
    if (const QString agentId = jsonString(*body, "inbound_agent_id"); !agentId.isEmpty() && !body->contains("inbound_agents"))
        (*body)["inbound_agents"] = Json::array({{{"agent_id", toStd(agentId)}, {"weight", 1}}});
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
    auto body = parseJsonObject(request.body);
    if (!body)
        return retellError(400, u"Request body must be a JSON object"_s);
    if (const QString agentId = jsonString(*body, "inbound_agent_id"); !agentId.isEmpty() && !body->contains("inbound_agents"))
        (*body)["inbound_agents"] = Json::array({{{"agent_id", toStd(agentId)}, {"weight", 1}}});
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
    const Json filter = body->value("filter_criteria", Json::object());
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
    Json result = page(matching, "call_id", paginationKeyFrom(request, *body), std::clamp<qint64>(limitFrom(request, *body, 50), 1, 1000));
    if (jsonBool(*body, "include_total", false))
        result["total"] = matching.size();
    return ApiReply::json(200, result);
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
