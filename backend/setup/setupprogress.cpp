// Steps, checks and a run's JSON shared by the setup's server side and the wizard.
#include "setup/setupprogress.h"

#include "integrations/jsonreply.h"

using namespace Qt::StringLiterals;

namespace askpro {

Json SetupRunInfo::toJson() const
{
    return Json{{"id", id},
                {"company_id", companyId > 0 ? Json(companyId) : Json()},
                {"branch_id", branchId > 0 ? Json(branchId) : Json()},
                {"status", status.toStdString()},
                {"step", step.toStdString()},
                {"last_error", lastError.toStdString()},
                {"updated_at", updatedAt},
                {"input", input.toJson(false)},
                {"bought_number", boughtNumber.toStdString()}};
}

Result<SetupRunInfo> SetupRunInfo::fromJson(const Json &json)
{
    if (!json.is_object() || jsonInt(json, "id") <= 0)
        return makeError(ErrorKind::Invalid, u"setup.run"_s, SetupSteps::tr("The server described a setup run this version cannot read."));
    SetupRunInfo run;
    run.id = jsonInt(json, "id");
    run.companyId = jsonInt(json, "company_id");
    run.branchId = jsonInt(json, "branch_id");
    run.status = jsonString(json, "status");
    run.step = jsonString(json, "step");
    run.lastError = jsonString(json, "last_error");
    run.updatedAt = jsonInt(json, "updated_at");
    run.boughtNumber = jsonString(json, "bought_number");
    if (const auto input = json.find("input"); input != json.end() && input->is_object()) {
        auto read = SetupInput::fromJson(*input);
        if (!read)
            return read.error();
        run.input = *read;
    }
    return run;
}

QStringList SetupSteps::all()
{
    return {u"store"_s, u"phone"_s, u"credentials"_s, u"connect"_s, u"billing"_s, u"activate"_s};
}

QString SetupSteps::title(const QString &step)
{
    if (step == u"store"_s)
        return tr("Save company, branch, services and staff");
    if (step == u"phone"_s)
        return tr("Verify the phone number with Retell");
    if (step == u"credentials"_s)
        return tr("Store the API keys encrypted");
    if (step == u"connect"_s)
        return tr("Connect Cal.com and the Retell voice agent");
    if (step == u"billing"_s)
        return tr("Set up billing in Stripe");
    if (step == u"activate"_s)
        return tr("Go live");
    return step;
}

bool SetupSteps::pastCredentials(const SetupRunInfo &run)
{
    return run.status == u"live"_s || all().indexOf(run.step) > all().indexOf(u"credentials"_s);
}

QStringList TestCallChecks::all()
{
    return {u"webhook"_s, u"call"_s, u"appointment"_s, u"email"_s};
}

QString TestCallChecks::title(const QString &check)
{
    if (check == u"webhook"_s)
        return tr("Webhook received");
    if (check == u"call"_s)
        return tr("Call stored");
    if (check == u"appointment"_s)
        return tr("Appointment booked");
    if (check == u"email"_s)
        return tr("Confirmation e-mail sent");
    return check;
}

} // namespace askpro
