// The setup steps, chained asynchronously. Each step is idempotent: it first finds what it would create
// (rows by name or number, provider objects by slug, name or metadata) and reuses it.
#include "setup/setuprunner.h"

#include "core/clock.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "integrations/calcomclient.h"
#include "integrations/retellclient.h"
#include "integrations/stripeclient.h"
#include "setup/providerconnector.h"
#include "support/auditlog.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro {

Q_LOGGING_CATEGORY(lcSetup, "askpro.setup", QtInfoMsg)

namespace {

const QString Store = u"store"_s;
const QString Phone = u"phone"_s;
const QString Credentials = u"credentials"_s;
const QString Connect = u"connect"_s;
const QString Billing = u"billing"_s;
const QString Activate = u"activate"_s;

Json itemsOf(const Json &result)
{
    if (result.is_array())
        return result;
    for (const char *key : {"items", "data"})
        if (result.contains(key) && result[key].is_array())
            return result[key];
    return Json::array();
}

QString resourceId(const Json &resources, const QString &provider, const QString &kind)
{
    for (const Json &r : resources)
        if (jsonString(r, "provider") == provider && jsonString(r, "kind") == kind)
            return jsonString(r, "id");
    return {};
}

bool createdHere(const Json &resources, const QString &provider, const QString &kind, const QString &id)
{
    for (const Json &r : resources)
        if (jsonString(r, "provider") == provider && jsonString(r, "kind") == kind && jsonString(r, "id") == id)
            return !jsonBool(r, "reused");
    return false;
}

// The shape of an E.164 number as a provider names it (not whether a carrier would route it).
bool looksE164(const QString &number)
{
    static const QRegularExpression shape(u"^\\+[1-9][0-9]{7,14}$"_s);
    return shape.match(number).hasMatch();
}

} // namespace

struct SetupRunner::Active
{
    qint64 runId = 0;
    SetupInput input;
    qint64 companyId = 0;
    qint64 branchId = 0;
    Json resources = Json::array();
    int stepIndex = 0;
    int lastIndex = 0;
    int attempts = 0;
    Actor actor; // who started this run: its keys and audit rows name them, whoever starts the next one
    Done done;
    std::function<void()> afterStop; // a cancel waiting for the current step to end
};

QStringList SetupRunner::steps()
{
    return SetupSteps::all();
}

QString SetupRunner::stepTitle(const QString &step)
{
    return SetupSteps::title(step);
}

QString SetupRunner::plainWords(const Error &error)
{
    QString provider; // the transport's name starts the code: "Cal.com.unavailable", "Retell.timeout"
    for (const QString &name : {u"Retell"_s, u"Cal.com"_s, u"Stripe"_s})
        if (error.code.startsWith(name + u'.'))
            provider = name;
    const bool known = !provider.isEmpty();
    const QString said = error.providerText.isEmpty() ? QString() : tr(" It said: \"%1\".").arg(error.providerText.left(200));
    if (!known)
        return error.describe();
    switch (error.kind) {
    case ErrorKind::Transient:
        return tr("%1 is not answering properly right now (%2). Nothing was lost: press Retry in a moment.").arg(provider, error.message);
    case ErrorKind::Configuration:
        if (error.code.endsWith(u".unauthorized"_s))
            return tr("%1 refused the API key. Check the key on the first page and press Retry.").arg(provider) + said;
        return error.describe();
    case ErrorKind::Rejected:
    case ErrorKind::Invalid:
        return tr("%1 refused the request.").arg(provider) + said;
    case ErrorKind::NotFound:
        return tr("%1 does not know an object the setup expected.").arg(provider) + said;
    default:
        return error.describe();
    }
}

SetupRunner::SetupRunner(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints,
                         QString publicUrl, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_network(network)
    , m_endpoints(std::move(endpoints))
    , m_publicUrl(std::move(publicUrl))
{
}

SetupRunner::~SetupRunner() = default;

Result<qint64> SetupRunner::create(const SetupInput &input)
{
    if (auto allowed = m_actor.require(Permission::RunSetup); !allowed)
        return allowed.error();
    if (auto valid = input.check(); !valid)
        return valid.error();
    const qint64 now = nowMs();
    const QString inputText = QString::fromUtf8(jsonText(input.toJson(false))); // without keys
    auto id = m_db.insert(u"INSERT INTO setup_runs (status, step, input, resources, created_at, updated_at) "
                          "VALUES ('running', ?, ?, '[]', ?, ?) RETURNING id"_s,
                          {Store, inputText, now, now});
    if (!id)
        return id.error();
    if (auto logged = AuditLog(m_db).write(m_actor, u"setup.start"_s, u"setup_run"_s, *id, QString(), inputText); !logged)
        return logged.error();
    m_secrets.insert(*id, input.credentials);
    qCInfo(lcSetup) << "setup run" << *id << "created for" << input.companyName;
    return *id;
}

Status SetupRunner::updateInput(qint64 runId, const SetupInput &input)
{
    if (auto valid = input.check(); !valid)
        return valid.error();
    if (m_active.contains(runId))
        return makeError(ErrorKind::Conflict, u"setup.busy"_s, tr("The setup is still working on a step; wait until it ends."));
    auto q = m_db.exec(u"UPDATE setup_runs SET input = ?, step = ?, updated_at = ? WHERE id = ? AND status IN ('running', 'failed')"_s,
                       {QString::fromUtf8(jsonText(input.toJson(false))), Store, nowMs(), runId});
    if (!q)
        return q.error();
    if (q->numRowsAffected() != 1)
        return makeError(ErrorKind::Conflict, u"setup.finished"_s, tr("Setup %1 has already finished and cannot change.").arg(runId));
    setCredentials(runId, input.credentials);
    return {};
}

void SetupRunner::setCredentials(qint64 runId, const SetupCredentials &credentials)
{
    SetupCredentials &kept = m_secrets[runId];
    if (!credentials.retellApiKey.isEmpty())
        kept.retellApiKey = credentials.retellApiKey;
    if (!credentials.calcomApiKey.isEmpty())
        kept.calcomApiKey = credentials.calcomApiKey;
    if (!credentials.stripeApiKey.isEmpty())
        kept.stripeApiKey = credentials.stripeApiKey;
    if (!credentials.sipPassword.isEmpty())
        kept.sipPassword = credentials.sipPassword;
}

Result<SetupRunInfo> SetupRunner::info(qint64 runId)
{
    auto q = m_db.exec(u"SELECT id, COALESCE(company_id, 0), status, step, input, resources, last_error, updated_at FROM setup_runs WHERE id = ?"_s,
                       {runId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"setup.unknown_run"_s, tr("There is no setup run %1.").arg(runId));
    SetupRunInfo info;
    info.id = q->value(0).toLongLong();
    info.companyId = q->value(1).toLongLong();
    info.status = q->value(2).toString();
    info.step = q->value(3).toString();
    const QByteArray inputText = q->value(4).toString().toUtf8();
    const QByteArray resourcesText = q->value(5).toString().toUtf8();
    info.lastError = q->value(6).toString();
    info.updatedAt = q->value(7).toLongLong();
    q->finish();
    auto inputJson = parseJson(inputText, u"setup input"_s);
    if (inputJson) {
        if (auto input = SetupInput::fromJson(*inputJson))
            info.input = *input;
    }
    auto resources = parseJson(resourcesText, u"setup resources"_s);
    info.resources = resources && resources->is_array() ? *resources : Json::array();
    info.branchId = resourceId(info.resources, u"askpro"_s, u"branch"_s).toLongLong();
    for (const Json &r : info.resources)
        if (jsonString(r, "provider") == u"retell"_s && jsonString(r, "kind") == u"phone_number"_s && jsonBool(r, "bought"))
            info.boughtNumber = jsonString(r, "id");
    if (const auto kept = m_secrets.constFind(runId); kept != m_secrets.constEnd())
        info.input.credentials = *kept;
    return info;
}

Result<QList<SetupRunInfo>> SetupRunner::unfinishedRuns()
{
    QList<qint64> ids;
    {
        auto q = m_db.exec(u"SELECT id FROM setup_runs WHERE status IN ('running', 'failed') ORDER BY updated_at DESC, id DESC"_s);
        if (!q)
            return q.error();
        while (q->next())
            ids << q->value(0).toLongLong();
    }
    QList<SetupRunInfo> runs;
    for (qint64 id : std::as_const(ids)) {
        auto run = info(id);
        if (!run)
            return run.error();
        runs << *run;
    }
    return runs;
}

Result<bool> SetupRunner::phoneInUse(const QString &e164, qint64 exceptBranchId)
{
    auto n = m_db.scalar(u"SELECT COUNT(*) FROM branches WHERE phone_e164 = ? AND active = 1 AND id <> ?"_s, {e164, exceptBranchId});
    if (!n)
        return n.error();
    return n->toLongLong() > 0;
}

// ---- running ----

void SetupRunner::run(qint64 runId, Done done, const QString &lastStep)
{
    if (m_active.contains(runId)) {
        done(makeError(ErrorKind::Conflict, u"setup.busy"_s, tr("Setup %1 is already running.").arg(runId)));
        return;
    }
    auto loaded = info(runId);
    if (!loaded) {
        done(loaded.error());
        return;
    }
    if (loaded->status == u"cancelled"_s) {
        done(makeError(ErrorKind::Rejected, u"setup.cancelled"_s, tr("Setup %1 was cancelled; start a new one.").arg(runId)));
        return;
    }
    if (loaded->status == u"superseded"_s) {
        done(makeError(ErrorKind::Rejected, u"setup.superseded"_s, loaded->lastError));
        return;
    }
    auto a = std::make_shared<Active>();
    a->runId = runId;
    a->input = loaded->input;
    a->companyId = loaded->companyId;
    a->branchId = loaded->branchId;
    a->resources = loaded->resources;
    a->actor = m_actor;
    a->done = std::move(done);
    a->stepIndex = loaded->status == u"live"_s ? int(steps().size()) : std::max<int>(0, int(steps().indexOf(loaded->step)));
    a->lastIndex = std::max<int>(0, int(steps().indexOf(lastStep)));
    if (a->stepIndex > a->lastIndex) { // nothing left to do up to there
        auto finished = std::move(a->done);
        finished({});
        return;
    }
    m_active.insert(runId, a);
    runStep(a);
}

Status SetupRunner::persist(const ActivePtr &a, const QString &status, const QString &step, const QString &lastError)
{
    auto q = m_db.exec(u"UPDATE setup_runs SET status = ?, step = ?, resources = ?, last_error = ?, company_id = ?, updated_at = ? WHERE id = ?"_s,
                       {status, step, QString::fromUtf8(jsonText(a->resources)), lastError,
                        a->companyId > 0 ? QVariant(a->companyId) : Database::null(), nowMs(), a->runId});
    if (!q)
        return q.error();
    return {};
}

void SetupRunner::addResource(const ActivePtr &a, const QString &provider, const QString &kind, const QString &id, bool reused)
{
    Json entry{{"provider", provider.toStdString()}, {"kind", kind.toStdString()}, {"id", id.toStdString()}, {"company_id", a->companyId}};
    if (reused)
        entry["reused"] = true;
    a->resources.push_back(entry);
}

void SetupRunner::runStep(const ActivePtr &a)
{
    const QString step = steps().at(a->stepIndex);
    if (a->afterStop) {
        finish(a, makeError(ErrorKind::Rejected, u"setup.cancelled"_s, tr("The setup was cancelled.")));
        return;
    }
    if (auto saved = persist(a, u"running"_s, step, {}); !saved) {
        finish(a, saved.error());
        return;
    }
    Q_EMIT progress(a->runId, step, u"running"_s, stepTitle(step));
    if (step == Store) {
        const Status stored = storeCompany(a);
        stepFinished(a, step, stored, tr("Company, branch, %n service(s) and staff saved", nullptr, int(a->input.services.size())));
    } else if (step == Phone) {
        verifyPhone(a);
    } else if (step == Credentials) {
        auto stored = storeCredentials(a);
        stepFinished(a, step, stored ? Status() : Status(stored.error()), stored ? *stored : QString());
    } else if (step == Connect) {
        connectProviders(a);
    } else if (step == Billing) {
        setUpBilling(a);
    } else {
        const Status live = activate(a);
        stepFinished(a, step, live, tr("%1 is live: calls to %2 are answered").arg(a->input.companyName, a->input.phoneE164() ? *a->input.phoneE164() : a->input.phone));
    }
}

void SetupRunner::stepFinished(const ActivePtr &a, const QString &step, const Status &status, const QString &message, const QString &state)
{
    if (!status) {
        const Error &error = status.error();
        if (error.isTransient() && a->attempts < m_autoRetries && !a->afterStop) {
            ++a->attempts;
            const int delay = int(std::max<qint64>(200LL * a->attempts, std::chrono::milliseconds(error.retryAfter).count()));
            Q_EMIT progress(a->runId, step, u"running"_s, tr("%1 Trying again (%2 of %3)…").arg(plainWords(error)).arg(a->attempts).arg(m_autoRetries));
            QTimer::singleShot(delay, this, [this, a] { runStep(a); });
            return;
        }
        const QString words = plainWords(error);
        qCWarning(lcSetup) << "setup run" << a->runId << "failed at" << step << ":" << error.describe();
        (void)persist(a, u"failed"_s, step, words);
        Q_EMIT progress(a->runId, step, u"failed"_s, words);
        Error shown = error;
        shown.message = words;
        shown.providerText.clear();
        finish(a, shown);
        return;
    }
    a->attempts = 0;
    Q_EMIT progress(a->runId, step, state, message);
    ++a->stepIndex;
    const bool live = a->stepIndex >= steps().size();
    if (auto saved = persist(a, live ? u"live"_s : u"running"_s, live ? u"done"_s : steps().at(a->stepIndex), {}); !saved) {
        finish(a, saved.error());
        return;
    }
    if (live || a->stepIndex > a->lastIndex) {
        finish(a, {});
        return;
    }
    runStep(a);
}

void SetupRunner::finish(const ActivePtr &a, const Status &status)
{
    m_active.remove(a->runId);
    if (status && a->stepIndex >= steps().size())
        m_secrets.remove(a->runId); // stored encrypted by now; nothing to keep in memory
    auto done = std::move(a->done);
    a->done = nullptr;
    auto afterStop = std::move(a->afterStop);
    a->afterStop = nullptr;
    if (done)
        done(status);
    if (afterStop)
        afterStop();
}

// (a) One transaction: the company (found by name, or new), its first branch (inactive), services, staff.
Status SetupRunner::storeCompany(const ActivePtr &a)
{
    const SetupInput &in = a->input;
    if (auto valid = in.check(); !valid)
        return valid.error();
    // Empty while a number to be bought by area code is not bought yet; the phone step stores it then.
    const QString phone = in.numberPending() ? QString() : *in.phoneE164();
    const qint64 now = nowMs();
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    Json resources = a->resources;
    const auto remember = [&resources, this, a](const QString &kind, qint64 id, bool reused) {
        Json entry{{"provider", "askpro"}, {"kind", kind.toStdString()}, {"id", QString::number(id).toStdString()}, {"company_id", a->companyId}};
        if (reused)
            entry["reused"] = true;
        resources.push_back(entry);
    };
    qint64 companyId = a->companyId;
    if (companyId == 0) {
        auto found = m_db.scalar(u"SELECT id FROM companies WHERE lower(name) = lower(?) AND active = 1 ORDER BY id LIMIT 1"_s,
                                 {in.companyName.trimmed()});
        if (!found)
            return found.error();
        if (found->isValid()) {
            companyId = found->toLongLong();
            a->companyId = companyId;
            remember(u"company"_s, companyId, true);
        }
    }
    const QVariantList companyValues{in.companyName.trimmed(), in.companyAddress.trimmed(), in.vatId.trimmed().toUpper().remove(u' '),
                                     in.billingEmail.trimmed(), in.defaultLanguage, in.supportedLanguages.join(u','), now};
    if (companyId == 0) {
        auto id = m_db.insert(u"INSERT INTO companies (name, address, vat_id, billing_email, default_language, supported_languages, "
                              "updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                              companyValues + QVariantList{now});
        if (!id)
            return id.error();
        companyId = *id;
        a->companyId = companyId;
        remember(u"company"_s, companyId, false);
    } else {
        auto updated = m_db.exec(u"UPDATE companies SET name = ?, address = ?, vat_id = ?, billing_email = ?, default_language = ?, "
                                 "supported_languages = ?, updated_at = ? WHERE id = ?"_s,
                                 companyValues + QVariantList{companyId});
        if (!updated)
            return updated.error();
    }
    const QString branchAddress = in.branchAddress.trimmed().isEmpty() ? in.companyAddress.trimmed() : in.branchAddress.trimmed();
    qint64 branchId = a->branchId;
    if (branchId == 0) {
        // By number; a number still to be bought by area code: by name, so a re-run finds the branch that holds the
        // number an earlier run bought.
        auto found = phone.isEmpty()
                         ? m_db.scalar(u"SELECT id FROM branches WHERE company_id = ? AND lower(name) = lower(?) ORDER BY active DESC, id LIMIT 1"_s,
                                       {companyId, in.branchName.trimmed()})
                         : m_db.scalar(u"SELECT id FROM branches WHERE company_id = ? AND phone_e164 = ? ORDER BY active DESC, id LIMIT 1"_s,
                                       {companyId, phone});
        if (!found)
            return found.error();
        if (found->isValid()) {
            branchId = found->toLongLong();
            remember(u"branch"_s, branchId, true);
        }
    }
    if (branchId == 0) {
        auto id = m_db.insert(u"INSERT INTO branches (company_id, name, address, phone_e164, time_zone, language, active, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id"_s,
                              {companyId, in.branchName.trimmed(), branchAddress, phone, in.timeZone, in.branchLanguage, now, now});
        if (!id)
            return id.error();
        branchId = *id;
        remember(u"branch"_s, branchId, false);
    } else {
        // A number to be bought keeps the one the branch holds (bought by an earlier run).
        auto updated = m_db.exec(u"UPDATE branches SET name = ?, address = ?, phone_e164 = CASE WHEN ? = '' THEN phone_e164 ELSE ? END, "
                                 "time_zone = ?, language = ?, updated_at = ? WHERE id = ?"_s,
                                 {in.branchName.trimmed(), branchAddress, phone, phone, in.timeZone, in.branchLanguage, now, branchId});
        if (!updated)
            return updated.error();
    }
    a->branchId = branchId;

    QStringList names;
    for (const SetupService &s : in.services) {
        names << s.name.trimmed();
        auto found = m_db.scalar(u"SELECT id FROM services WHERE company_id = ? AND name = ?"_s, {companyId, s.name.trimmed()});
        if (!found)
            return found.error();
        if (found->isValid()) {
            auto updated = m_db.exec(u"UPDATE services SET duration_minutes = ?, price_cents = ?, active = 1 WHERE id = ?"_s,
                                     {s.minutes, s.priceCents, found->toLongLong()});
            if (!updated)
                return updated.error();
            continue;
        }
        auto id = m_db.insert(u"INSERT INTO services (company_id, name, duration_minutes, price_cents, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
                              {companyId, s.name.trimmed(), s.minutes, s.priceCents, now});
        if (!id)
            return id.error();
        remember(u"service"_s, *id, false);
    }
    // Services this run created that the operator removed again (Back, edit) stop being offered.
    for (const Json &r : resources) {
        if (jsonString(r, "provider") != u"askpro"_s || jsonString(r, "kind") != u"service"_s || jsonBool(r, "reused"))
            continue;
        auto name = m_db.scalar(u"SELECT name FROM services WHERE id = ?"_s, {jsonString(r, "id").toLongLong()});
        if (name && name->isValid() && !names.contains(name->toString())) {
            auto off = m_db.exec(u"UPDATE services SET active = 0 WHERE id = ?"_s, {jsonString(r, "id").toLongLong()});
            if (!off)
                return off.error();
        }
    }
    for (const SetupStaff &p : in.staff) {
        const QString email = p.email.trimmed().toLower();
        auto found = m_db.scalar(u"SELECT id FROM staff WHERE company_id = ? AND lower(email) = ?"_s, {companyId, email});
        if (!found)
            return found.error();
        if (found->isValid()) {
            auto updated = m_db.exec(u"UPDATE staff SET name = ?, branch_id = ?, active = 1 WHERE id = ?"_s,
                                     {p.name.trimmed(), branchId, found->toLongLong()});
            if (!updated)
                return updated.error();
            continue;
        }
        auto id = m_db.insert(u"INSERT INTO staff (company_id, branch_id, name, email, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
                              {companyId, branchId, p.name.trimmed(), email, now});
        if (!id)
            return id.error();
        remember(u"staff"_s, *id, false);
    }
    auto merged = takeOverEarlierRuns(a, branchId, resources);
    if (!merged)
        return merged.error();
    resources = *merged;
    const Json before = a->resources;
    a->resources = resources;
    // The step's record commits with its rows: a crash leaves either both or neither.
    if (auto saved = persist(a, u"running"_s, Phone, {}); !saved) {
        a->resources = before;
        return saved.error();
    }
    if (auto committed = tx.commit(); !committed) {
        a->resources = before;
        return committed.error();
    }
    return {};
}

// An earlier run of this business that stopped (failed, or left running by a closed wizard) and created the company
// or branch this run found: this run takes its place with everything it created. Otherwise that run's cancel would
// remove, or release at Retell, what this run goes live with.
Result<Json> SetupRunner::takeOverEarlierRuns(const ActivePtr &a, qint64 branchId, const Json &resources)
{
    QList<QPair<qint64, Json>> earlier;
    {
        auto q = m_db.exec(u"SELECT id, resources FROM setup_runs WHERE id <> ? AND company_id = ? AND status IN ('running', 'failed') ORDER BY id"_s,
                           {a->runId, a->companyId});
        if (!q)
            return q.error();
        while (q->next()) {
            auto parsed = parseJson(q->value(1).toString().toUtf8(), u"setup resources"_s);
            earlier.append(qMakePair(q->value(0).toLongLong(), parsed && parsed->is_array() ? *parsed : Json::array()));
        }
    }
    Json inherited = Json::array();
    for (auto &[runId, theirs] : earlier) {
        const bool owns = createdHere(theirs, u"askpro"_s, u"company"_s, QString::number(a->companyId))
                          || createdHere(theirs, u"askpro"_s, u"branch"_s, QString::number(branchId));
        if (!owns)
            continue;
        if (m_active.contains(runId))
            return makeError(ErrorKind::Conflict, u"setup.busy"_s,
                             tr("Setup %1 is working on this business right now; wait until it ends, or cancel it.").arg(runId));
        for (Json &r : theirs) {
            if (jsonBool(r, "reused"))
                continue;
            inherited.push_back(r);
            r["reused"] = true; // kept for the record; its cancel no longer touches it
            r["taken_over_by"] = a->runId;
        }
        auto moved = m_db.exec(u"UPDATE setup_runs SET status = 'superseded', step = '', resources = ?, last_error = ?, updated_at = ? "
                               "WHERE id = ? AND status IN ('running', 'failed')"_s,
                               {QString::fromUtf8(jsonText(theirs)), tr("Taken over by setup %1").arg(a->runId), nowMs(), runId});
        if (!moved)
            return moved.error();
        if (auto logged = AuditLog(m_db).write(a->actor, u"setup.take_over"_s, u"setup_run"_s, runId, QString(),
                                               u"{\"taken_over_by\":%1}"_s.arg(a->runId));
            !logged)
            return logged.error();
        qCInfo(lcSetup) << "setup run" << a->runId << "takes over run" << runId;
    }
    if (inherited.empty())
        return resources;
    // What the earlier run created comes first, as it was created first; this run's "found it" entries for the same
    // objects go, so the objects count as created here.
    Json merged = inherited;
    for (const Json &r : resources) {
        const bool duplicate = jsonBool(r, "reused") && std::any_of(inherited.begin(), inherited.end(), [&r](const Json &mine) {
            return jsonString(mine, "provider") == jsonString(r, "provider") && jsonString(mine, "kind") == jsonString(r, "kind")
                   && jsonString(mine, "id") == jsonString(r, "id");
        });
        if (!duplicate)
            merged.push_back(r);
    }
    return merged;
}

// Whether another run (live, or still able to cancel) holds this number as bought: then it is not this run's to
// release, even when its nickname names this branch.
Result<bool> SetupRunner::boughtByAnotherRun(qint64 runId, const QString &e164)
{
    auto q = m_db.exec(u"SELECT resources FROM setup_runs WHERE id <> ? AND status IN ('running', 'failed', 'live') AND resources LIKE ?"_s,
                       {runId, QString(u"%"_s + e164 + u"%"_s)});
    if (!q)
        return q.error();
    while (q->next()) {
        auto parsed = parseJson(q->value(0).toString().toUtf8(), u"setup resources"_s);
        if (!parsed || !parsed->is_array())
            continue;
        for (const Json &r : *parsed)
            if (jsonString(r, "provider") == u"retell"_s && jsonString(r, "kind") == u"phone_number"_s && jsonString(r, "id") == e164
                && jsonBool(r, "bought") && !jsonBool(r, "reused"))
                return true;
    }
    return false;
}

Result<Credential> SetupRunner::retellCredential(const ActivePtr &a)
{
    // The platform's stored key wins: the wizard never replaces it (storeCredentials), so the key entered is
    // only the one a new installation will store.
    if (auto stored = m_credentials.get(std::nullopt, u"retell"_s))
        return stored;
    if (!a->input.credentials.retellApiKey.isEmpty())
        return Credential{std::nullopt, u"retell"_s, {}, a->input.credentials.retellApiKey, {}};
    return makeError(ErrorKind::Configuration, u"setup.retell_key"_s,
                     tr("No Retell API key is stored for the platform: enter it on the first page."));
}

// (b) The number in E.164, not answered by another active branch, and held by the Retell account.
void SetupRunner::verifyPhone(const ActivePtr &a)
{
    if (a->input.buyNumber) {
        buyPhone(a);
        return;
    }
    auto e164 = a->input.phoneE164();
    if (!e164) {
        stepFinished(a, Phone, e164.error(), {});
        return;
    }
    auto used = phoneInUse(*e164, a->branchId);
    if (!used || *used) {
        stepFinished(a, Phone,
                     used ? Status(makeError(ErrorKind::Conflict, u"setup.phone_in_use"_s,
                                             tr("%1 already answers calls for another active branch. Use a different number, or "
                                                "deactivate that branch first.").arg(PhoneNumbers::display(*e164))))
                          : Status(used.error()),
                     {});
        return;
    }
    auto credential = retellCredential(a);
    if (!credential) {
        stepFinished(a, Phone, credential.error(), {});
        return;
    }
    auto client = std::make_shared<RetellClient>(m_network, credential->baseUrl.isEmpty() ? m_endpoints.retell : QUrl(credential->baseUrl),
                                                 credential->secret, m_endpoints.timeoutMs);
    const QString number = *e164;
    connect(client->phoneNumber(number), &JsonReply::finished, this, [this, a, client, number](const JsonResult &found) {
        if (found) {
            stepFinished(a, Phone, {}, tr("Retell holds %1 in this account").arg(PhoneNumbers::display(number)));
            return;
        }
        if (found.error().kind != ErrorKind::NotFound) {
            stepFinished(a, Phone, found.error(), {});
            return;
        }
        // Not in the account yet: imported over SIP with the carrier trunk the operator entered, never a placeholder.
        const QString host = a->input.sipTerminationHost.trimmed();
        if (host.isEmpty()) {
            stepFinished(a, Phone,
                         makeError(ErrorKind::Invalid, u"setup.sip_termination"_s,
                                   tr("Retell does not hold %1 yet. Enter your carrier's SIP trunk (termination host, user and "
                                      "password) to import it.").arg(PhoneNumbers::display(number))),
                         {});
            return;
        }
        connect(client->importPhoneNumber(number, host, a->input.sipUser.trimmed(), a->input.credentials.sipPassword), &JsonReply::finished, this,
                [this, a, number](const JsonResult &imported) {
            if (!imported) {
                stepFinished(a, Phone, imported.error(), {});
                return;
            }
            addResource(a, u"retell"_s, u"phone_number"_s, number);
            (void)persist(a, u"running"_s, Phone, {});
            stepFinished(a, Phone, {}, tr("%1 imported into the Retell account").arg(PhoneNumbers::display(number)));
        });
    });
}

// (b, buying) The number the branch already holds, or the given one, reused when the Retell account holds it;
// otherwise bought (the given number, or any free one of the area code). What this run buys is recorded as
// bought, so a cancel releases it (and only it) and the wizard asks before.
void SetupRunner::buyPhone(const ActivePtr &a)
{
    QString number;
    if (!a->input.numberPending()) {
        auto given = a->input.phoneE164();
        if (!given) {
            stepFinished(a, Phone, given.error(), {});
            return;
        }
        number = *given;
    } else {
        auto held = m_db.scalar(u"SELECT phone_e164 FROM branches WHERE id = ?"_s, {a->branchId});
        if (!held) {
            stepFinished(a, Phone, held.error(), {});
            return;
        }
        number = held->toString();
    }
    const auto inUse = [this, a](const QString &e164) -> Status {
        auto used = phoneInUse(e164, a->branchId);
        if (!used)
            return used.error();
        if (*used)
            return makeError(ErrorKind::Conflict, u"setup.phone_in_use"_s,
                             tr("%1 already answers calls for another active branch. Use a different number, or "
                                "deactivate that branch first.").arg(PhoneNumbers::display(e164)));
        return {};
    };
    if (!number.isEmpty()) {
        if (auto free = inUse(number); !free) {
            stepFinished(a, Phone, free, {});
            return;
        }
    }
    auto credential = retellCredential(a);
    if (!credential) {
        stepFinished(a, Phone, credential.error(), {});
        return;
    }
    auto client = std::make_shared<RetellClient>(m_network, credential->baseUrl.isEmpty() ? m_endpoints.retell : QUrl(credential->baseUrl),
                                                 credential->secret, m_endpoints.timeoutMs);
    // The branch answers this number from now on; the run's input names it, so every later step and a re-run see it.
    const auto adopt = [this, a](const QString &e164, const QString &message) {
        const qint64 now = nowMs();
        a->input.phone = e164;
        auto branch = m_db.exec(u"UPDATE branches SET phone_e164 = ?, updated_at = ? WHERE id = ?"_s, {e164, now, a->branchId});
        if (!branch) {
            stepFinished(a, Phone, branch.error(), {});
            return;
        }
        auto run = m_db.exec(u"UPDATE setup_runs SET input = ?, updated_at = ? WHERE id = ?"_s,
                             {QString::fromUtf8(jsonText(a->input.toJson(false))), now, a->runId});
        if (!run) {
            stepFinished(a, Phone, run.error(), {});
            return;
        }
        stepFinished(a, Phone, {}, message);
    };
    // Recorded at once: whatever fails next, a cancel still knows to release it.
    const auto recordBought = [this, a](const QString &e164) {
        for (const Json &r : a->resources)
            if (jsonString(r, "provider") == u"retell"_s && jsonString(r, "kind") == u"phone_number"_s && jsonString(r, "id") == e164)
                return;
        addResource(a, u"retell"_s, u"phone_number"_s, e164);
        a->resources.back()["bought"] = true;
        (void)persist(a, u"running"_s, Phone, {});
    };
    // The nickname names the branch, so a purchase whose answer was lost is found again instead of bought twice.
    const QString marker = u"(#%1)"_s.arg(a->branchId);
    const QString nickname = u"AskPro %1 %2"_s.arg(a->input.branchName.trimmed(), marker);
    const auto ours = [marker](const Json &phone) { return jsonString(phone, "nickname").endsWith(marker); };
    // A number of ours that no other run holds as bought was bought for this branch by a run whose answer was lost.
    const auto adoptOurs = [this, a, recordBought, adopt](const QString &e164, const QString &message) {
        auto taken = boughtByAnotherRun(a->runId, e164);
        if (!taken) {
            stepFinished(a, Phone, taken.error(), {});
            return;
        }
        if (!*taken)
            recordBought(e164);
        adopt(e164, message);
    };
    const auto buy = [this, a, client, adopt, recordBought, nickname](const QString &e164) {
        const int areaCode = a->input.areaCode.trimmed().toInt();
        connect(client->createPhoneNumber(a->input.countryCode, areaCode, e164, nickname), &JsonReply::finished, this,
                [this, a, client, adopt, recordBought](const JsonResult &created) {
            if (!created) {
                stepFinished(a, Phone, created.error(), {});
                return;
            }
            const QString bought = jsonString(*created, "phone_number");
            if (!looksE164(bought)) {
                stepFinished(a, Phone,
                             makeError(ErrorKind::Rejected, u"setup.buy_answer"_s,
                                       tr("Retell confirmed the purchase but named no valid number (\"%1\"). Check the Retell "
                                          "account's numbers, then press Retry: a number bought for this branch is found again.")
                                           .arg(bought.left(40))),
                             {});
                return;
            }
            recordBought(bought);
            qCInfo(lcSetup) << "setup run" << a->runId << "bought" << bought;
            adopt(bought, tr("%1 bought at Retell").arg(PhoneNumbers::display(bought)));
        });
    };
    if (number.isEmpty()) {
        connect(client->listPhoneNumbers(), &JsonReply::finished, this, [this, a, client, ours, adoptOurs, buy, inUse](const JsonResult &numbers) {
            if (!numbers) {
                stepFinished(a, Phone, numbers.error(), {});
                return;
            }
            for (const Json &phone : itemsOf(*numbers)) {
                const QString e164 = jsonString(phone, "phone_number");
                if (!ours(phone) || !looksE164(e164) || !inUse(e164))
                    continue;
                adoptOurs(e164, tr("%1 bought at Retell").arg(PhoneNumbers::display(e164)));
                return;
            }
            buy({});
        });
        return;
    }
    connect(client->phoneNumber(number), &JsonReply::finished, this, [this, a, client, number, adopt, adoptOurs, ours, buy](const JsonResult &found) {
        if (found) {
            const QString message = tr("Retell holds %1 in this account").arg(PhoneNumbers::display(number));
            if (ours(*found))
                adoptOurs(number, message);
            else
                adopt(number, message);
            return;
        }
        if (found.error().kind != ErrorKind::NotFound) {
            stepFinished(a, Phone, found.error(), {});
            return;
        }
        // Held by the branch but gone from the account (released elsewhere): a given number is bought as given,
        // one the branch held from an earlier purchase is bought again only as that same number.
        buy(number);
    });
}

bool SetupRunner::sharedCalcomAccount(qint64 companyId)
{
    auto mine = m_credentials.get(companyId, u"calcom"_s);
    if (!mine || mine->companyId != companyId)
        return false;
    QList<qint64> others;
    {
        auto q = m_db.exec(u"SELECT company_id FROM api_credentials WHERE provider = 'calcom' AND company_id IS NOT NULL AND company_id <> ?"_s,
                           {companyId});
        while (q && q->next())
            others << q->value(0).toLongLong();
    }
    for (qint64 other : std::as_const(others)) {
        auto theirs = m_credentials.get(other, u"calcom"_s);
        if (theirs && theirs->secret == mine->secret)
            return true;
    }
    return false;
}

// (c) Keys stored encrypted: Cal.com for the company. The platform's Retell and Stripe keys serve every
// company, so the wizard never replaces them: it only fills one in that the platform does not have yet, and
// only for who manages secrets (the first setup of a new installation). Changing them is the secrets page's.
Result<QString> SetupRunner::storeCredentials(const ActivePtr &a)
{
    const SetupCredentials &keys = a->input.credentials;
    QStringList stored;
    QStringList kept;
    const auto platformKey = [&](const QString &provider, const QString &title, const QByteArray &key) -> Status {
        if (key.isEmpty())
            return {};
        if (auto current = m_credentials.get(std::nullopt, provider)) {
            if (current->secret != key)
                kept << title; // the stored key stays; the one entered here is not used
            else
                stored << title;
            return {};
        }
        if (auto put = m_credentials.put({std::nullopt, provider, {}, key, {}}, a->actor); !put)
            return makeError(ErrorKind::Configuration, u"setup.platform_key"_s,
                             tr("No %1 key is stored for the platform, and storing one needs the permission to manage secrets.").arg(title));
        stored << title;
        return {};
    };
    if (auto retell = platformKey(u"retell"_s, u"Retell"_s, keys.retellApiKey); !retell)
        return retell.error();
    if (keys.retellApiKey.isEmpty()) {
        if (auto current = m_credentials.get(std::nullopt, u"retell"_s); !current)
            return makeError(ErrorKind::Configuration, u"setup.retell_key"_s, tr("No Retell API key is stored for the platform: enter it on the first page."));
    }
    auto calcom = m_credentials.get(a->companyId, u"calcom"_s);
    const bool own = calcom && calcom->companyId == a->companyId;
    if (!keys.calcomApiKey.isEmpty() && !(own && calcom->secret == keys.calcomApiKey)) {
        // Another company on the same Cal.com account shares its booking webhook: keep its secret, so the
        // connector reuses that webhook instead of replacing it.
        QByteArray webhookSecret;
        QList<qint64> others;
        {
            auto q = m_db.exec(u"SELECT company_id FROM api_credentials WHERE provider = 'calcom' AND company_id IS NOT NULL AND company_id <> ? "
                               "ORDER BY id DESC"_s,
                               {a->companyId});
            while (q && q->next())
                others << q->value(0).toLongLong();
        }
        for (qint64 other : std::as_const(others)) {
            auto theirs = m_credentials.get(other, u"calcom"_s);
            if (theirs && theirs->secret == keys.calcomApiKey && !theirs->webhookSecret.isEmpty()) {
                webhookSecret = theirs->webhookSecret;
                break;
            }
        }
        if (auto put = m_credentials.put({a->companyId, u"calcom"_s, {}, keys.calcomApiKey, webhookSecret}, a->actor); !put)
            return put.error();
    } else if (!own && keys.calcomApiKey.isEmpty()) {
        return makeError(ErrorKind::Configuration, u"setup.calcom_key"_s,
                         tr("The Cal.com API key is needed again to continue (keys are never kept in the setup record): enter it and "
                            "press Retry."));
    }
    stored << u"Cal.com"_s;
    if (auto stripe = platformKey(u"stripe"_s, u"Stripe"_s, keys.stripeApiKey); !stripe)
        return stripe.error();
    if (!kept.isEmpty())
        return tr("Keys stored encrypted: %1; the platform's %2 key was kept (it is changed on the secrets page)")
            .arg(stored.join(u", "_s), kept.join(u", "_s));
    return tr("Keys stored encrypted: %1").arg(stored.join(u", "_s));
}

// (d) The connector: event types, booking webhook, LLM, agent, number bound. What it creates is
// recorded the moment it exists.
void SetupRunner::connectProviders(const ActivePtr &a)
{
    auto *connector = new ProviderConnector(m_db, m_credentials, m_network, m_endpoints, m_publicUrl, this);
    const qint64 runId = a->runId;
    connect(connector, &ProviderConnector::progress, this, [this, runId](const QString &step, const QString &state, const QString &message) {
        Q_EMIT detail(runId, step, state, message);
    });
    connect(connector, &ProviderConnector::resourceCreated, this, [this, a](const ProviderResource &r) {
        addResource(a, r.provider, r.kind, r.id);
        (void)persist(a, u"running"_s, Connect, {});
    });
    connector->connectBranch(a->branchId, [this, a, connector](const Status &status) {
        connector->deleteLater();
        stepFinished(a, Connect, status, tr("Cal.com event types, booking webhook, Retell agent and number ready"));
    });
}

// (e) Stripe: the customer (found by our company id in its metadata) and the base subscription.
void SetupRunner::setUpBilling(const ActivePtr &a)
{
    auto credential = m_credentials.get(a->companyId, u"stripe"_s);
    if (!credential) {
        if (credential.error().kind == ErrorKind::Configuration) {
            stepFinished(a, Billing, {}, tr("Skipped: no Stripe key is configured. Billing can be set up later; the business goes live anyway."),
                         u"skipped"_s);
        } else {
            stepFinished(a, Billing, credential.error(), {});
        }
        return;
    }
    auto stripe = std::make_shared<StripeClient>(m_network, credential->baseUrl.isEmpty() ? m_endpoints.stripe : QUrl(credential->baseUrl),
                                                 credential->secret, m_endpoints.timeoutMs);
    qint64 baseFee = 9900;
    QString customerId;
    {
        auto q = m_db.exec(u"SELECT base_fee_cents, COALESCE(stripe_customer_id, '') FROM companies WHERE id = ?"_s, {a->companyId});
        if (q && q->next()) {
            baseFee = q->value(0).toLongLong();
            customerId = q->value(1).toString();
        }
    }
    const auto fail = [this, a](const Error &e) { stepFinished(a, Billing, e, {}); };

    // The subscription: our row, else one Stripe already has for this company, else a new one.
    auto subscribe = [this, a, stripe, baseFee, fail](const QString &customer) {
        auto existing = m_db.scalar(u"SELECT stripe_subscription_id FROM subscriptions WHERE company_id = ? AND stripe_subscription_id IS NOT NULL"_s,
                                    {a->companyId});
        if (existing && existing->isValid()) {
            stepFinished(a, Billing, {}, tr("Stripe customer %1 with its subscription already set up").arg(customer));
            return;
        }
        auto store = [this, a, baseFee, customer](const QString &subscriptionId) -> Status {
            auto q = m_db.exec(u"INSERT INTO subscriptions (company_id, stripe_subscription_id, status, base_fee_cents, started_at) "
                               "VALUES (?, ?, 'active', ?, ?) ON CONFLICT (company_id) DO UPDATE SET "
                               "stripe_subscription_id = excluded.stripe_subscription_id, status = 'active'"_s,
                               {a->companyId, subscriptionId, baseFee, nowMs()});
            if (!q)
                return q.error();
            return {};
        };
        connect(stripe->get(u"/subscriptions"_s, {{u"customer"_s, customer}}), &JsonReply::finished, this,
                [this, a, stripe, baseFee, fail, store, customer](const JsonResult &listed) {
                    if (!listed) {
                        fail(listed.error());
                        return;
                    }
                    for (const Json &s : itemsOf(*listed)) {
                        if (jsonString(s.value("metadata", Json::object()), "askpro_company_id") == QString::number(a->companyId)) {
                            stepFinished(a, Billing, store(jsonString(s, "id")), tr("Stripe customer %1 and subscription found and reused").arg(customer));
                            return;
                        }
                    }
                    // One price per base fee for the whole platform; the idempotency key makes it one.
                    connect(stripe->createPrice(tr("AskPro base fee"), baseFee, u"price:askpro-base:%1"_s.arg(baseFee)), &JsonReply::finished, this,
                            [this, a, stripe, fail, store, customer](const JsonResult &price) {
                                if (!price) {
                                    fail(price.error());
                                    return;
                                }
                                connect(stripe->createSubscription(customer, jsonString(*price, "id"), a->companyId), &JsonReply::finished, this,
                                        [this, a, fail, store, customer](const JsonResult &created) {
                                            if (!created) {
                                                fail(created.error());
                                                return;
                                            }
                                            const QString id = jsonString(*created, "id");
                                            addResource(a, u"stripe"_s, u"subscription"_s, id);
                                            (void)persist(a, u"running"_s, Billing, {});
                                            stepFinished(a, Billing, store(id), tr("Stripe customer %1 and base subscription created").arg(customer));
                                        });
                            });
                });
    };
    auto keepCustomer = [this, a](const QString &customer) -> Status {
        auto q = m_db.exec(u"UPDATE companies SET stripe_customer_id = ?, updated_at = ? WHERE id = ?"_s, {customer, nowMs(), a->companyId});
        if (!q)
            return q.error();
        return {};
    };
    if (!customerId.isEmpty()) {
        subscribe(customerId);
        return;
    }
    connect(stripe->findCustomer(a->companyId), &JsonReply::finished, this, [this, a, stripe, subscribe, keepCustomer, fail](const JsonResult &found) {
        if (!found) {
            fail(found.error());
            return;
        }
        const Json matches = itemsOf(*found);
        if (!matches.empty()) {
            const QString id = jsonString(matches.at(0), "id");
            if (auto kept = keepCustomer(id); !kept) {
                fail(kept.error());
                return;
            }
            subscribe(id);
            return;
        }
        connect(stripe->createCustomer(a->companyId, a->input.companyName, a->input.billingEmail), &JsonReply::finished, this,
                [this, a, subscribe, keepCustomer, fail](const JsonResult &created) {
                    if (!created) {
                        fail(created.error());
                        return;
                    }
                    const QString id = jsonString(*created, "id");
                    addResource(a, u"stripe"_s, u"customer"_s, id);
                    (void)persist(a, u"running"_s, Billing, {});
                    if (auto kept = keepCustomer(id); !kept) {
                        fail(kept.error());
                        return;
                    }
                    subscribe(id);
                });
    });
}

// (f) The branch answers calls from now on; the company's live date is set once.
Status SetupRunner::activate(const ActivePtr &a)
{
    const qint64 now = nowMs();
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto branch = m_db.exec(u"UPDATE branches SET active = 1, updated_at = ? WHERE id = ?"_s, {now, a->branchId});
    if (!branch) {
        if (branch.error().kind == ErrorKind::Conflict)
            return makeError(ErrorKind::Conflict, u"setup.phone_in_use"_s,
                             tr("Another branch went live with the same number in the meantime; choose a different number."));
        return branch.error();
    }
    auto company = m_db.exec(u"UPDATE companies SET active = 1, live_since = COALESCE(live_since, ?), updated_at = ? WHERE id = ?"_s,
                             {now, now, a->companyId});
    if (!company)
        return company.error();
    const QString after = u"{\"company_id\":%1,\"branch_id\":%2,\"active\":true}"_s.arg(a->companyId).arg(a->branchId);
    if (auto logged = AuditLog(m_db).write(a->actor, u"setup.live"_s, u"branch"_s, a->branchId, u"{\"active\":false}"_s, after); !logged)
        return logged;
    return tx.commit();
}

// ---- cancelling ----

Error SetupRunner::releaseRefused(const QString &boughtNumber)
{
    return makeError(ErrorKind::Conflict, u"setup.release_number"_s,
                     tr("This setup bought %1 at Retell, and undoing it releases the number, which may then be gone for good. "
                        "Confirm the release to undo it.")
                         .arg(PhoneNumbers::display(boughtNumber)));
}

void SetupRunner::cancel(qint64 runId, Done done, bool releaseBoughtNumber)
{
    if (auto allowed = m_actor.require(Permission::RunSetup); !allowed) {
        done(allowed);
        return;
    }
    if (const auto active = m_active.value(runId)) {
        // The actor who asked, not whoever uses the runner when the step ends.
        active->afterStop = [this, runId, actor = m_actor, releaseBoughtNumber, done] { undo(runId, actor, releaseBoughtNumber, done); };
        return;
    }
    undo(runId, m_actor, releaseBoughtNumber, std::move(done));
}

void SetupRunner::undo(qint64 runId, const Actor &actor, bool releaseBoughtNumber, Done done)
{
    auto loaded = info(runId);
    if (!loaded) {
        done(loaded.error());
        return;
    }
    const SetupRunInfo run = *loaded;
    if (run.status == u"cancelled"_s) {
        done({});
        return;
    }
    if (run.status == u"superseded"_s) { // what it created belongs to the run that took over: cancel that one
        done(makeError(ErrorKind::Rejected, u"setup.superseded"_s, run.lastError));
        return;
    }
    if (run.status == u"live"_s) {
        done(makeError(ErrorKind::Rejected, u"setup.live"_s,
                       tr("%1 is live; a finished setup cannot be cancelled. Deactivate the branch instead.").arg(run.input.companyName)));
        return;
    }
    if (!run.boughtNumber.isEmpty() && !releaseBoughtNumber) {
        done(releaseRefused(run.boughtNumber));
        return;
    }
    discover(run, [this, run, actor, done](Result<QList<ProviderResource>> found) {
        if (!found) {
            done(makeError(found.error().kind, found.error().code, plainWords(found.error())));
            return;
        }
        QList<ProviderResource> connectorOwned; // Retell and Cal.com, in the order they were created
        QList<QPair<QString, QString>> stripeOwned; // kind, id
        for (const Json &r : run.resources) {
            const QString provider = jsonString(r, "provider");
            if (jsonBool(r, "reused") || provider == u"askpro"_s)
                continue;
            if (provider == u"stripe"_s) {
                stripeOwned.append({jsonString(r, "kind"), jsonString(r, "id")});
                continue;
            }
            if (jsonString(r, "kind") == u"webhook"_s && sharedCalcomAccount(run.companyId))
                continue; // other companies on the same Cal.com account still receive bookings through it
            connectorOwned.append({provider, jsonString(r, "kind"), jsonString(r, "id"), jsonInt(r, "company_id", run.companyId)});
        }
        for (const ProviderResource &extra : *found) {
            const bool known = std::any_of(connectorOwned.begin(), connectorOwned.end(), [&extra](const ProviderResource &r) {
                return r.provider == extra.provider && r.kind == extra.kind && r.id == extra.id;
            });
            if (!known)
                connectorOwned.append(extra); // appended last: removed first, like the newest
        }
        auto *connector = new ProviderConnector(m_db, m_credentials, m_network, m_endpoints, m_publicUrl, this);
        connector->remove(connectorOwned, [this, run, actor, done, stripeOwned, connector](const Status &removed) {
            connector->deleteLater();
            if (!removed) {
                done(makeError(removed.error().kind, removed.error().code, plainWords(removed.error())));
                return;
            }
            // Stripe: the subscription, then the customer; what is already gone counts as removed.
            auto pending = std::make_shared<QList<QPair<QString, QString>>>(stripeOwned);
            auto next = std::make_shared<std::function<void()>>();
            *next = [this, run, actor, done, pending, next] {
                if (pending->isEmpty()) {
                    // Break the cycle through `next`; this closure dies with it, so keep what is needed first.
                    SetupRunner *self = this;
                    const SetupRunInfo finishedRun = run;
                    const Done finish = done;
                    const Actor cancelledBy = actor;
                    *next = nullptr;
                    const Status rows = self->removeRows(finishedRun, cancelledBy);
                    if (rows)
                        qCInfo(lcSetup) << "setup run" << finishedRun.id << "cancelled; providers cleaned up";
                    finish(rows);
                    return;
                }
                const auto taken = pending->takeLast();
                const QString kind = taken.first;
                const QString id = taken.second;
                auto credential = m_credentials.get(std::nullopt, u"stripe"_s);
                if (!credential) {
                    done(credential.error());
                    return;
                }
                StripeClient stripe(m_network, credential->baseUrl.isEmpty() ? m_endpoints.stripe : QUrl(credential->baseUrl), credential->secret,
                                    m_endpoints.timeoutMs);
                JsonReply *reply = stripe.remove((kind == u"subscription"_s ? u"/subscriptions/"_s : u"/customers/"_s) + id);
                connect(reply, &JsonReply::finished, this, [this, done, next, pending, kind, id](const JsonResult &result) {
                    if (!result && result.error().kind != ErrorKind::NotFound) {
                        done(makeError(result.error().kind, result.error().code, plainWords(result.error())));
                        *next = nullptr;
                        return;
                    }
                    (*next)();
                });
            };
            (*next)();
        });
    });
}

// Objects at Retell and Cal.com that belong to a branch this run created, found by the keys the
// connector uses: a create whose answer was lost was never recorded, yet it is this run's.
void SetupRunner::discover(const SetupRunInfo &run, std::function<void(Result<QList<ProviderResource>>)> done)
{
    const qint64 branchId = run.branchId;
    if (branchId == 0 || !createdHere(run.resources, u"askpro"_s, u"branch"_s, QString::number(branchId))) {
        done(QList<ProviderResource>());
        return;
    }
    auto retell = m_credentials.get(std::nullopt, u"retell"_s);
    auto calcom = m_credentials.get(run.companyId, u"calcom"_s);
    auto found = std::make_shared<QList<ProviderResource>>();
    auto calcomStep = [this, run, branchId, calcom, found, done] {
        if (!calcom || calcom->companyId != run.companyId) {
            done(*found);
            return;
        }
        auto client = std::make_shared<CalcomClient>(m_network, calcom->baseUrl.isEmpty() ? m_endpoints.calcom : QUrl(calcom->baseUrl),
                                                     calcom->secret, m_endpoints.timeoutMs);
        connect(client->eventTypes(), &JsonReply::finished, this, [client, run, branchId, found, done](const JsonResult &types) {
            if (!types) {
                done(types.error());
                return;
            }
            const QString prefix = u"askpro-%1-"_s.arg(branchId);
            Json list = itemsOf(*types);
            if (types->contains("eventTypes"))
                list = (*types)["eventTypes"];
            for (const Json &t : list)
                if (jsonString(t, "slug").startsWith(prefix))
                    found->append({u"calcom"_s, u"event_type"_s, QString::number(jsonInt(t, "id")), run.companyId});
            done(*found);
        });
    };
    if (!retell) {
        calcomStep();
        return;
    }
    auto client = std::make_shared<RetellClient>(m_network, retell->baseUrl.isEmpty() ? m_endpoints.retell : QUrl(retell->baseUrl), retell->secret,
                                                 m_endpoints.timeoutMs);
    connect(client->listLlms(), &JsonReply::finished, this, [this, client, branchId, found, done, calcomStep](const JsonResult &llms) {
        if (!llms) {
            done(llms.error());
            return;
        }
        for (const Json &llm : itemsOf(*llms))
            if (jsonString(llm.value("default_dynamic_variables", Json::object()), "askpro_branch_id") == QString::number(branchId))
                found->append({u"retell"_s, u"llm"_s, jsonString(llm, "llm_id"), 0});
        connect(client->listAgents(), &JsonReply::finished, this, [client, branchId, found, done, calcomStep](const JsonResult &agents) {
            if (!agents) {
                done(agents.error());
                return;
            }
            const QString suffix = u"(#%1)"_s.arg(branchId);
            for (const Json &agent : itemsOf(*agents))
                if (jsonString(agent, "agent_name").endsWith(suffix))
                    found->append({u"retell"_s, u"agent"_s, jsonString(agent, "agent_id"), 0});
            calcomStep();
        });
    });
}

// The rows this run stored (never reused ones), in one transaction, and the run marked cancelled.
Status SetupRunner::removeRows(const SetupRunInfo &run, const Actor &actor)
{
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    const auto exec = [this](const QString &sql, const QVariantList &params) -> Status {
        auto q = m_db.exec(sql, params);
        if (!q)
            return q.error();
        return {};
    };
    const bool ownCompany = createdHere(run.resources, u"askpro"_s, u"company"_s, QString::number(run.companyId));
    const bool ownBranch = run.branchId > 0 && createdHere(run.resources, u"askpro"_s, u"branch"_s, QString::number(run.branchId));
    QList<Status> steps;
    if (ownBranch) {
        steps << exec(u"DELETE FROM event_type_mappings WHERE branch_id = ?"_s, {run.branchId});
        steps << exec(u"UPDATE staff SET branch_id = NULL WHERE branch_id = ?"_s, {run.branchId});
    }
    for (auto it = run.resources.rbegin(); it != run.resources.rend(); ++it) {
        const Json &r = *it;
        if (jsonString(r, "provider") != u"askpro"_s || jsonBool(r, "reused"))
            continue;
        const QString kind = jsonString(r, "kind");
        const qint64 id = jsonString(r, "id").toLongLong();
        if (kind == u"staff"_s)
            steps << exec(u"DELETE FROM staff WHERE id = ?"_s, {id});
        else if (kind == u"service"_s)
            steps << exec(u"DELETE FROM services WHERE id = ? AND NOT EXISTS (SELECT 1 FROM event_type_mappings m WHERE m.service_id = services.id)"_s, {id});
    }
    if (ownBranch)
        steps << exec(u"DELETE FROM branches WHERE id = ?"_s, {run.branchId});
    if (ownCompany) {
        steps << exec(u"DELETE FROM subscriptions WHERE company_id = ?"_s, {run.companyId});
        steps << exec(u"DELETE FROM api_credentials WHERE company_id = ?"_s, {run.companyId});
        steps << exec(u"DELETE FROM message_templates WHERE company_id = ?"_s, {run.companyId});
        steps << exec(u"UPDATE setup_runs SET company_id = NULL WHERE company_id = ?"_s, {run.companyId});
        steps << exec(u"DELETE FROM companies WHERE id = ?"_s, {run.companyId});
    }
    steps << exec(u"UPDATE setup_runs SET status = 'cancelled', step = '', last_error = '', updated_at = ? WHERE id = ?"_s, {nowMs(), run.id});
    steps << AuditLog(m_db).write(actor, u"setup.cancel"_s, u"setup_run"_s, run.id,
                                  u"{\"company_id\":%1,\"branch_id\":%2}"_s.arg(run.companyId).arg(run.branchId), u"{\"status\":\"cancelled\"}"_s);
    for (const Status &s : std::as_const(steps))
        if (!s)
            return s;
    return tx.commit();
}

} // namespace askpro
