// The setup wizard's routes: runs are created, started, cancelled and followed here, so the desktop never holds
// the database or the secrets key. Keys sent with a run stay in the server's memory until stored encrypted.
#include "api/adminapi.h"
#include "api/routefamilies.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "setup/setuphost.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The body as a setup's input (with the keys the operator typed); Invalid naming what is wrong.
Result<SetupInput> inputOf(const ApiRequest &r)
{
    if (!r.body.is_object())
        return makeError(ErrorKind::Invalid, u"body.input"_s, u"The body must be a setup input object"_s);
    return SetupInput::fromJson(r.body);
}

const QByteArray sampleInput = R"({"company": {"name": "Praxis Matrix {n}", "address": "Hauptstr. 1, 10115 Berlin",
 "billing_email": "matrix{n}@praxis.example"}, "branch": {"name": "Mitte", "phone": "030 7770{n}"},
 "credentials": {"retell_api_key": "key_matrix", "calcom_api_key": "cal_matrix"}})";

} // namespace

QList<ApiRoute> setupRoutes(const ApiContext &context)
{
    Database &db = context.db;
    SetupHost &host = context.setup;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/setup/runs"_s, A::Permission, Permission::RunSetup, IdScope::None, false,
                   u"Setups that neither went live nor were cancelled, newest first, without their keys"_s,
                   [&host](const ApiRequest &) -> Result<ApiReply> {
                       auto runs = host.unfinishedRuns();
                       if (!runs)
                           return runs.error();
                       Json items = Json::array();
                       for (const SetupRunInfo &run : std::as_const(*runs))
                           items.push_back(run.toJson());
                       return ApiReply::json(Json{{"items", items}});
                   }});
    routes.append({"POST", u"/api/v1/setup/runs"_s, A::Permission, Permission::RunSetup, IdScope::None, false,
                   u"Records a new setup for valid input (nothing done yet); its keys stay in the server's memory until stored encrypted"_s,
                   [&host](const ApiRequest &r) -> Result<ApiReply> {
                       auto input = inputOf(r);
                       if (!input)
                           return input.error();
                       auto id = host.create(r.actor, *input);
                       if (!id)
                           return id.error();
                       return ApiReply::json(Json{{"id", *id}}, 201);
                   },
                   sampleInput});
    routes.append({"GET", u"/api/v1/setup/runs/{runId}"_s, A::Permission, Permission::RunSetup, IdScope::None, false,
                   u"One setup: its run, whether a step is running, the outcome of the latest start or cancel, and its progress lines after since"_s,
                   [&host](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"runId"_s);
                       auto since = r.integer(u"since"_s, 0, 0, std::numeric_limits<qint64>::max());
                       if (!id)
                           return id.error();
                       if (!since)
                           return since.error();
                       auto state = host.state(*id, *since);
                       if (!state)
                           return state.error();
                       return ApiReply::json(*state);
                   }});
    routes.append({"PUT", u"/api/v1/setup/runs/{runId}/input"_s, A::Permission, Permission::RunSetup, IdScope::None, false,
                   u"Replaces an unfinished setup's input (the wizard's Back); keys given replace the kept ones"_s,
                   [&host](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"runId"_s);
                       if (!id)
                           return id.error();
                       auto input = inputOf(r);
                       if (!input)
                           return input.error();
                       if (auto updated = host.updateInput(r.actor, *id, *input); !updated)
                           return updated.error();
                       return ApiReply::json(Json{{"id", *id}});
                   },
                   sampleInput});
    routes.append({"POST", u"/api/v1/setup/runs/{runId}/run"_s, A::Permission, Permission::RunSetup, IdScope::None, false,
                   u"Runs the setup's remaining steps up to last_step (default activate) in the background; answers the action to follow"_s,
                   [&host](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"runId"_s);
                       auto lastStep = r.bodyText("last_step", false);
                       if (!id)
                           return id.error();
                       if (!lastStep)
                           return lastStep.error();
                       auto action = host.start(r.actor, *id, lastStep->isEmpty() ? u"activate"_s : *lastStep);
                       if (!action)
                           return action.error();
                       return ApiReply::json(Json{{"id", *id}, {"action", *action}}, 202);
                   },
                   R"({"last_step": "store"})"});
    routes.append({"POST", u"/api/v1/setup/runs/{runId}/cancel"_s, A::Permission, Permission::RunSetup, IdScope::None, false,
                   u"Removes what the setup created at the providers and here, then marks it cancelled, in the background; a number the "
                   "setup bought is released only with release_number true (else 409 setup.release_number)"_s,
                   [&host](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"runId"_s);
                       if (!id)
                           return id.error();
                       const Json release = r.body.is_object() ? r.body.value("release_number", Json(false)) : Json(false);
                       if (!release.is_boolean())
                           return makeError(ErrorKind::Invalid, u"body.release_number"_s,
                                            AdminApi::tr("Field %1: true or false is expected.").arg(u"release_number"_s));
                       auto action = host.cancel(r.actor, *id, release.get<bool>());
                       if (!action)
                           return action.error();
                       return ApiReply::json(Json{{"id", *id}, {"action", *action}}, 202);
                   },
                   R"({"release_number": true})"});
    routes.append({"GET", u"/api/v1/setup/phone-in-use"_s, A::Permission, Permission::RunSetup, IdScope::None, false,
                   u"Whether an active branch (other than except_branch) answers the number, given in any form libphonenumber reads"_s,
                   [&host](const ApiRequest &r) -> Result<ApiReply> {
                       auto except = r.integer(u"except_branch"_s, 0, 0, std::numeric_limits<qint64>::max());
                       if (!except)
                           return except.error();
                       auto e164 = PhoneNumbers::toE164(r.text(u"number"_s));
                       if (!e164)
                           return makeError(ErrorKind::Invalid, u"parameter.number"_s, e164.error().message);
                       auto used = host.phoneInUse(*e164, *except);
                       if (!used)
                           return used.error();
                       return ApiReply::json(Json{{"e164", e164->toStdString()}, {"in_use", *used}});
                   },
                   /* sampleBody */ {},
                   /* sampleQuery */ "number=030%205550199"});
    routes.append({"POST", u"/api/v1/setup/branches/{branchId}/test-call"_s, A::Permission, Permission::RunSetup, IdScope::Company, false,
                   u"Starts a test call from your_number, the operator's own phone: simulated by the sandbox in a demo; live, waits 10 minutes for that phone's call to the branch's number"_s,
                   [&db, &host](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"branchId"_s);
                       auto scope = r.companyScope();
                       auto number = r.bodyText("your_number", false);
                       for (const Status &check : {id ? Status() : id.error(), scope ? Status() : scope.error(), number ? Status() : number.error()})
                           if (!check)
                               return check.error();
                       if (auto found = requireInScope(db, u"branches"_s, *id, *scope); !found)
                           return found.error();
                       if (auto started = host.startTestCall(*id, number->trimmed()); !started)
                           return started.error();
                       return ApiReply::json(host.testCallState(*id), 202);
                   },
                   R"({"your_number": "+4915112345678"})"});
    routes.append({"GET", u"/api/v1/setup/branches/{branchId}/test-call"_s, A::Permission, Permission::RunSetup, IdScope::Company, false,
                   u"The latest test call to the branch: mode (sandbox or live), call id, error, and each check's state and message"_s,
                   [&db, &host](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"branchId"_s);
                       auto scope = r.companyScope();
                       if (!id)
                           return id.error();
                       if (!scope)
                           return scope.error();
                       if (auto found = requireInScope(db, u"branches"_s, *id, *scope); !found)
                           return found.error();
                       return ApiReply::json(host.testCallState(*id));
                   }});
    return routes;
}

} // namespace askpro
