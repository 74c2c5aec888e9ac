// The customer import through the admin API: an upload, its file in chunks (base64 in JSON, each within the
// request limit), the dry-run report (computed once, kept with the upload) and the apply, which a job of the
// server's queue runs: the request thread also stores webhooks and must never wait for an import. Admin and
// onboarding (RunSetup, and EditCustomers checked by ImportUploads); the company scope is part of every
// statement of ImportUploads.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"
#include "importer/importuploads.h"
#include "jobs/workerpool.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

Json toJson(const QJsonObject &object)
{
    return Json::parse(QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString());
}

Json uploadJson(const ImportUpload &upload)
{
    return Json{{"id", upload.id},
                {"company_id", upload.companyId},
                {"file_name", upload.fileName.toStdString()},
                {"bytes", upload.bytes},
                {"state", upload.state.toStdString()},
                {"run_id", upload.runId > 0 ? Json(upload.runId) : Json(nullptr)},
                {"progress", Json{{"rows", upload.rowsDone}, {"bytes", upload.bytesDone}}},
                {"error", upload.error.isEmpty() ? Json(nullptr) : Json(upload.error.toStdString())},
                {"cancelling", upload.state == u"applying"_s && !upload.cancelRequestedBy.isEmpty()}};
}

} // namespace

QList<ApiRoute> importRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"POST", u"/api/v1/imports"_s, A::Permission, Permission::RunSetup, IdScope::None, false,
                   u"Starts a customer import into a company: answers the id that the file's chunks, the report and the apply name"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       if (!r.body.is_object() || !r.body.contains("company_id") || !r.body.at("company_id").is_number_integer())
                           return makeError(ErrorKind::Invalid, u"parameter.company_id"_s,
                                            AdminApi::tr("Parameter %1: %2.").arg(u"company_id"_s, AdminApi::tr("a positive whole number is expected")));
                       auto fileName = r.bodyText("file_name", false);
                       if (!fileName)
                           return fileName.error();
                       QJsonObject mapping;
                       if (r.body.contains("mapping") && !r.body.at("mapping").is_null()) {
                           if (!r.body.at("mapping").is_object())
                               return makeError(ErrorKind::Invalid, u"parameter.mapping"_s,
                                                AdminApi::tr("Parameter %1: %2.").arg(u"mapping"_s, ImportUploads::tr("an object of field and column names is expected")));
                           mapping = QJsonDocument::fromJson(QByteArray::fromStdString(r.body.at("mapping").dump())).object();
                       }
                       auto id = ImportUploads(db).create(r.actor, r.body.at("company_id").get<qint64>(), *fileName, mapping);
                       if (!id)
                           return id.error();
                       return ApiReply::json(Json{{"id", *id}}, 201);
                   },
                   R"({"company_id": {companyId}, "file_name": "kunden.csv", "mapping": {"phone": "Telefon"}})"});
    routes.append({"POST", u"/api/v1/imports/{importId}/chunks"_s, A::Permission, Permission::RunSetup, IdScope::Company, false,
                   u"Appends a chunk of the file (base64 in data) at offset, which must be the bytes stored so far (else 409 with them in bytes); answers the new size"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"importId"_s);
                       if (!id)
                           return id.error();
                       auto data = r.bodyText("data");
                       if (!data)
                           return data.error();
                       const auto decoded = QByteArray::fromBase64Encoding(data->toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
                       if (!decoded)
                           return makeError(ErrorKind::Invalid, u"parameter.data"_s,
                                            AdminApi::tr("Parameter %1: %2.").arg(u"data"_s, ImportUploads::tr("base64 is expected")));
                       qint64 offset = -1;
                       if (r.body.contains("offset") && !r.body.at("offset").is_null()) {
                           if (!r.body.at("offset").is_number_integer() || r.body.at("offset").get<qint64>() < 0)
                               return makeError(ErrorKind::Invalid, u"parameter.offset"_s,
                                                AdminApi::tr("Parameter %1: %2.").arg(u"offset"_s, AdminApi::tr("a positive whole number is expected")));
                           offset = r.body.at("offset").get<qint64>();
                       }
                       ImportUploads uploads(db);
                       auto bytes = uploads.append(r.actor, *id, offset, *decoded);
                       if (!bytes && bytes.error().code == u"import.offset"_s) {
                           // With the size the server holds, so a client resumes without reading words.
                           auto upload = uploads.find(r.actor, *id);
                           if (!upload)
                               return upload.error();
                           return ApiReply::json(Json{{"error", {{"code", bytes.error().code.toStdString()}, {"message", bytes.error().message.toStdString()}}},
                                                      {"bytes", upload->bytes}},
                                                 409);
                       }
                       if (!bytes)
                           return bytes.error();
                       return ApiReply::json(Json{{"bytes", *bytes}});
                   },
                   R"({"data": "QW5uYTswMzAgNTU1MDAwMQo="})"});
    routes.append({"GET", u"/api/v1/imports/{importId}"_s, A::Permission, Permission::RunSetup, IdScope::Company, false,
                   u"The import's state, its apply's progress and error, and its report: the dry run over the stored file (computed once "
                   "by a job, meanwhile 202 with state checking; then kept until another chunk comes: would create, update, leave, skip, "
                   "each row with its reason; without view_customers the rows about known customers are redacted), or the applied run's"_s,
                   [&db, pool = context.pool](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"importId"_s);
                       if (!id)
                           return id.error();
                       ImportUploads uploads(db);
                       auto report = uploads.report(r.actor, *id);
                       auto upload = uploads.find(r.actor, *id);
                       if (!report) {
                           // A mapping the file does not fit: the refusal names the file's columns to choose from.
                           const QStringList columns = upload ? ImportUploads::checkColumns(*upload) : QStringList();
                           if (columns.isEmpty() || report.error().kind != ErrorKind::Invalid)
                               return report.error();
                           Json body = uploadJson(*upload);
                           body["error"] = Json{{"code", report.error().code.toStdString()}, {"message", report.error().message.toStdString()}};
                           body["columns"] = Json::array();
                           for (const QString &column : columns)
                               body["columns"].push_back(column.toStdString());
                           return ApiReply::json(body, 400);
                       }
                       if (!upload)
                           return upload.error();
                       Json body = uploadJson(*upload);
                       body["report"] = report->isEmpty() ? Json(nullptr) : toJson(*report);
                       if (upload->state != u"checking"_s)
                           return ApiReply::json(body);
                       if (pool)
                           pool->wakeOne();
                       return ApiReply::json(body, 202);
                   }});
    routes.append({"PATCH", u"/api/v1/imports/{importId}"_s, A::Permission, Permission::RunSetup, IdScope::Company, false,
                   u"Replaces the mapping (field code to column name, null: not imported; {} detects again) of an import not yet "
                   "applied; the report is checked again with it on the next GET"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"importId"_s);
                       if (!id)
                           return id.error();
                       if (!r.body.is_object() || !r.body.contains("mapping") || !r.body.at("mapping").is_object())
                           return makeError(ErrorKind::Invalid, u"parameter.mapping"_s,
                                            AdminApi::tr("Parameter %1: %2.").arg(u"mapping"_s, ImportUploads::tr("an object of field and column names is expected")));
                       const QJsonObject mapping = QJsonDocument::fromJson(QByteArray::fromStdString(r.body.at("mapping").dump())).object();
                       auto state = ImportUploads(db).setMapping(r.actor, *id, mapping);
                       if (!state)
                           return state.error();
                       return ApiReply::json(Json{{"id", *id}, {"state", state->toStdString()}});
                   },
                   R"({"mapping": {"phone": "Telefon", "notes": null}})"});
    routes.append({"POST", u"/api/v1/imports/{importId}/apply"_s, A::Permission, Permission::RunSetup, IdScope::Company, false,
                   u"Queues the apply (once; again after a failure): a job applies it in short batches under a new import run, and a database "
                   "error undoes the run. Answers 202 with the import's URL, where state, progress and the report follow"_s,
                   [&db, pool = context.pool](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"importId"_s);
                       if (!id)
                           return id.error();
                       auto job = ImportUploads(db).requestApply(r.actor, *id);
                       if (!job)
                           return job.error();
                       if (pool)
                           pool->wakeOne();
                       const QString url = u"/api/v1/imports/%1"_s.arg(*id);
                       return ApiReply::json(Json{{"id", *id}, {"state", "queued"}, {"job_id", *job}, {"url", url.toStdString()}}, 202);
                   }});
    routes.append({"POST", u"/api/v1/imports/{importId}/cancel"_s, A::Permission, Permission::RunSetup, IdScope::Company, false,
                   u"Stops the apply: a queued one ends failed at once, a running one after its batch, with its run undone (nothing "
                   "half-applied stays). An import not being applied is left as it is; an applied one is 409. Answers the state"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"importId"_s);
                       if (!id)
                           return id.error();
                       auto state = ImportUploads(db).requestCancel(r.actor, *id);
                       if (!state)
                           return state.error();
                       return ApiReply::json(Json{{"id", *id}, {"state", state->toStdString()}, {"cancelling", *state == u"applying"_s}});
                   }});
    return routes;
}

} // namespace askpro
