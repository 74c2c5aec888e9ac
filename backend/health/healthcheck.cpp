// The checks. Provider checks make one cheap authenticated read each; local checks only read the database.
#include "health/healthcheck.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "integrations/calcomclient.h"
#include "integrations/retellclient.h"
#include "integrations/stripeclient.h"
#include "jobs/jobqueue.h"
#include "jobs/notificationqueue.h"
#include "security/credentialstore.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
constexpr qint64 heartbeatTimeoutMs = 20 * 1000;
constexpr qint64 slowProviderMs = 2000;
} // namespace

HealthChecker::HealthChecker(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ServerConfig config,
                             QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_network(network)
    , m_config(std::move(config))
{
}

QList<CheckResult> HealthChecker::localChecks()
{
    QList<CheckResult> results;
    const qint64 now = nowMs();

    QElapsedTimer timer;
    timer.start();
    auto ping = m_db.scalar(u"SELECT COUNT(*) FROM schema_migrations"_s);
    CheckResult database{u"database"_s, u"ok"_s, timer.elapsed(), {}};
    if (!ping) {
        database.state = u"down"_s;
        database.message = tr("The database cannot be read: %1").arg(ping.error().describe());
        results.append(database);
        return results; // every other check reads the database too
    }
    if (database.latencyMs > 500) {
        database.state = u"degraded"_s;
        database.message = tr("The database answers slowly (%1 ms)").arg(database.latencyMs);
    }
    results.append(database);

    CheckResult workers{u"workers"_s, u"ok"_s, 0, {}};
    auto alive = m_db.scalar(u"SELECT COUNT(*) FROM workers WHERE heartbeat_at > ?"_s, {now - heartbeatTimeoutMs});
    auto stalled = m_db.exec(u"SELECT id, heartbeat_at FROM workers WHERE heartbeat_at <= ? AND heartbeat_at > ? ORDER BY id"_s,
                             {now - heartbeatTimeoutMs, now - 10 * 60 * 1000});
    QStringList stalledNames;
    while (stalled && stalled->next())
        stalledNames << tr("%1 (silent for %2 s)").arg(stalled->value(0).toString()).arg((now - stalled->value(1).toLongLong()) / 1000);
    if (alive && alive->toInt() == 0) {
        workers.state = u"down"_s;
        workers.message = tr("No worker is running: calls are stored but not processed");
    } else if (!stalledNames.isEmpty()) {
        workers.state = u"degraded"_s;
        workers.message = tr("Stalled workers: %1").arg(stalledNames.join(u", "_s));
    }
    results.append(workers);

    CheckResult backlog{u"backlog"_s, u"ok"_s, 0, {}};
    auto b = JobQueue(m_db).backlog();
    if (b) {
        backlog.latencyMs = b->oldestQueuedAgeMs;
        if (b->oldestQueuedAgeMs > 10 * 60 * 1000) {
            backlog.state = u"down"_s;
            backlog.message = tr("%n jobs waiting, the oldest for %1 minutes", nullptr, int(b->queued)).arg(b->oldestQueuedAgeMs / 60000);
        } else if (b->oldestQueuedAgeMs > 60 * 1000) {
            backlog.state = u"degraded"_s;
            backlog.message = tr("%n jobs waiting, the oldest for %1 s", nullptr, int(b->queued)).arg(b->oldestQueuedAgeMs / 1000);
        }
    }
    results.append(backlog);

    CheckResult webhooks{u"webhooks"_s, u"ok"_s, 0, {}};
    auto rate = m_db.exec(u"SELECT COUNT(*), COALESCE(SUM(CASE WHEN status IN ('rejected', 'failed') THEN 1 ELSE 0 END), 0) "
                          "FROM webhook_inbox WHERE received_at > ?"_s,
                          {now - 60 * 60 * 1000});
    if (rate && rate->next() && rate->value(0).toLongLong() > 0) {
        const double share = rate->value(1).toDouble() / rate->value(0).toDouble();
        if (share > 0.05) {
            webhooks.state = share > 0.25 ? u"down"_s : u"degraded"_s;
            webhooks.message = tr("%1 % of the last hour's webhooks were refused or failed").arg(qRound(share * 100));
        }
    }
    results.append(webhooks);
    return results;
}

void HealthChecker::providerCheck(const QString &name, std::function<void(const CheckResult &)> done)
{
    providerCheck(name, std::nullopt, std::move(done));
}

void HealthChecker::providerCheck(const QString &name, std::optional<qint64> company, std::function<void(const CheckResult &)> done)
{
    auto credential = m_credentials.get(company, name);
    if (!credential) {
        // Missing is fine; any other reason (a changed address, a key that does not open) is for support to see.
        if (credential.error().code == u"credentials.missing"_s)
            done({name, u"ok"_s, 0, tr("Not configured, so not checked")});
        else
            done({name, u"down"_s, 0, credential.error().describe()});
        return;
    }
    const int timeout = 10000;
    JsonReply *reply = nullptr;
    if (name == u"retell"_s) {
        reply = RetellClient(m_network, credential->baseUrl.isEmpty() ? m_config.endpoints.retell : QUrl(credential->baseUrl),
                             credential->secret, timeout)
                    .probe();
    } else if (name == u"calcom"_s) {
        reply = CalcomClient(m_network, credential->baseUrl.isEmpty() ? m_config.endpoints.calcom : QUrl(credential->baseUrl),
                             credential->secret, timeout)
                    .me();
    } else {
        reply = StripeClient(m_network, credential->baseUrl.isEmpty() ? m_config.endpoints.stripe : QUrl(credential->baseUrl),
                             credential->secret, timeout)
                    .get(u"/customers"_s, {{u"limit"_s, u"1"_s}});
    }
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    connect(reply, &JsonReply::finished, this, [name, done, timer](const JsonResult &result) {
        CheckResult check{name, u"ok"_s, timer->elapsed(), {}};
        if (!result) {
            const Error &e = result.error();
            check.state = e.code.endsWith(u".rate_limited"_s) ? u"degraded"_s : u"down"_s;
            check.message = e.describe();
        } else if (check.latencyMs > slowProviderMs) {
            check.state = u"degraded"_s;
            check.message = QCoreApplication::translate("HealthChecker", "Answers slowly (%1 ms)").arg(check.latencyMs);
        }
        done(check);
    });
}

void HealthChecker::calcomCheck(std::function<void(const CheckResult &)> done)
{
    QList<QPair<qint64, QString>> companies;
    auto q = m_db.exec(u"SELECT c.id, c.name FROM companies c WHERE EXISTS (SELECT 1 FROM branches b WHERE b.company_id = c.id AND b.active = 1) "
                       "AND EXISTS (SELECT 1 FROM api_credentials a WHERE a.company_id = c.id AND a.provider = 'calcom') ORDER BY c.id"_s);
    if (!q) {
        done({u"calcom"_s, u"down"_s, 0, q.error().describe()});
        return;
    }
    while (q->next())
        companies.append(qMakePair(q->value(0).toLongLong(), q->value(1).toString()));
    q->finish();
    if (companies.isEmpty()) { // no business live yet: the platform's key, if any
        providerCheck(u"calcom"_s, std::nullopt, std::move(done));
        return;
    }
    struct Tally
    {
        int pending = 0;
        int down = 0;
        qint64 slowest = 0;
        QString worst = u"ok"_s;
        QStringList problems;
    };
    auto tally = std::make_shared<Tally>();
    tally->pending = int(companies.size());
    const int total = int(companies.size());
    for (const auto &company : std::as_const(companies)) {
        providerCheck(u"calcom"_s, company.first, [tally, total, done, companyName = company.second](const CheckResult &r) {
            tally->slowest = std::max(tally->slowest, r.latencyMs);
            if (r.state != u"ok"_s) {
                tally->down += r.state == u"down"_s ? 1 : 0;
                if (tally->worst != u"down"_s)
                    tally->worst = u"degraded"_s;
                tally->problems << QString(companyName + u": "_s + r.message);
            }
            if (--tally->pending > 0)
                return;
            CheckResult check{u"calcom"_s, tally->worst, tally->slowest, {}};
            // One company's key failing leaves the others booking: degraded; none working is an outage.
            if (tally->down == total)
                check.state = u"down"_s;
            if (!tally->problems.isEmpty()) {
                tally->problems.sort();
                check.message = QCoreApplication::translate("HealthChecker", "%n of %1 companies' Cal.com keys fail: %2", nullptr,
                                                            int(tally->problems.size()))
                                    .arg(total)
                                    .arg(tally->problems.join(u"; "_s));
            }
            done(check);
        });
    }
}

void HealthChecker::numbersCheck(std::function<void(const CheckResult &)> done)
{
    struct Branch
    {
        QString name, phone, agentId;
    };
    QList<Branch> branches;
    auto q = m_db.exec(u"SELECT b.name, b.phone_e164, b.retell_agent_id FROM branches b WHERE b.active = 1 AND b.phone_e164 IS NOT NULL "
                       "AND b.phone_e164 <> '' AND b.retell_agent_id IS NOT NULL AND b.retell_agent_id <> '' ORDER BY b.id"_s);
    if (!q) {
        done({u"numbers"_s, u"down"_s, 0, q.error().describe()});
        return;
    }
    while (q->next())
        branches.append({q->value(0).toString(), q->value(1).toString(), q->value(2).toString()});
    q->finish();
    if (branches.isEmpty()) {
        done({u"numbers"_s, u"ok"_s, 0, tr("No active branch has a number yet")});
        return;
    }
    auto credential = m_credentials.get(std::nullopt, u"retell"_s);
    if (!credential) {
        done({u"numbers"_s, credential.error().code == u"credentials.missing"_s ? u"ok"_s : u"down"_s, 0,
              credential.error().code == u"credentials.missing"_s ? tr("Not configured, so not checked") : credential.error().describe()});
        return;
    }
    auto client = std::make_shared<RetellClient>(m_network, credential->baseUrl.isEmpty() ? m_config.endpoints.retell : QUrl(credential->baseUrl),
                                                 credential->secret, 10000);
    QString base = m_config.publicUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    const QString callWebhook = base + u"/webhooks/retell"_s;
    const QString inboundWebhook = base + u"/webhooks/retell-inbound"_s;
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    connect(client->listPhoneNumbers(), &JsonReply::finished, this,
            [this, client, branches, callWebhook, inboundWebhook, timer, done](const JsonResult &numbers) {
        if (!numbers) {
            done({u"numbers"_s, numbers.error().code.endsWith(u".rate_limited"_s) ? u"degraded"_s : u"down"_s, timer->elapsed(),
                  numbers.error().describe()});
            return;
        }
        QHash<QString, Json> byNumber;
        for (const Json &n : numbers->value("items", Json::array()))
            byNumber.insert(jsonString(n, "phone_number"), n);
        connect(client->listAgents(), &JsonReply::finished, this,
                [client, branches, byNumber, callWebhook, inboundWebhook, timer, done](const JsonResult &agents) {
            if (!agents) {
                done({u"numbers"_s, agents.error().code.endsWith(u".rate_limited"_s) ? u"degraded"_s : u"down"_s, timer->elapsed(),
                      agents.error().describe()});
                return;
            }
            QHash<QString, QString> agentWebhook;
            for (const Json &a : agents->value("items", Json::array()))
                agentWebhook.insert(jsonString(a, "agent_id"), jsonString(a, "webhook_url"));
            QStringList lost, misrouted;
            for (const Branch &b : branches) {
                const auto found = byNumber.constFind(b.phone);
                if (found == byNumber.constEnd()) {
                    lost << tr("%1 (%2) is not in the Retell account").arg(b.phone, b.name);
                    continue;
                }
                bool bound = false;
                for (const Json &entry : found->value("inbound_agents", Json::array()))
                    bound = bound || jsonString(entry, "agent_id") == b.agentId;
                if (!bound)
                    lost << tr("%1 (%2) is no longer answered by its agent").arg(b.phone, b.name);
                else if (!agentWebhook.contains(b.agentId))
                    lost << tr("the agent of %1 (%2) is gone").arg(b.phone, b.name);
                else if (jsonString(*found, "inbound_webhook_url") != inboundWebhook)
                    misrouted << tr("%1 (%2) asks another address before each call").arg(b.phone, b.name);
                else if (agentWebhook.value(b.agentId) != callWebhook)
                    misrouted << tr("the agent of %1 (%2) reports its calls to another address").arg(b.phone, b.name);
            }
            CheckResult check{u"numbers"_s, u"ok"_s, timer->elapsed(), {}};
            // A number no agent of ours answers loses calls; a webhook elsewhere loses their bookings and the agent's date.
            if (!lost.isEmpty() || !misrouted.isEmpty()) {
                check.state = u"down"_s;
                check.message = tr("%1. Run connect again to repair.").arg((lost + misrouted).join(u"; "_s));
            }
            done(check);
        });
    });
}

void HealthChecker::smtpCheck(std::function<void(const CheckResult &)> done)
{
    const QUrl url(m_config.smtp.url);
    auto *socket = new QTcpSocket(this);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    auto finished = std::make_shared<bool>(false);
    auto finish = [socket, done, timer, finished](const QString &state, const QString &message) {
        if (*finished)
            return;
        *finished = true;
        done({u"smtp"_s, state, timer->elapsed(), message});
        socket->deleteLater();
    };
    connect(socket, &QTcpSocket::readyRead, this, [socket, finish] {
        const QByteArray banner = socket->readAll();
        if (banner.startsWith("220"))
            finish(u"ok"_s, {});
        else
            finish(u"down"_s, QCoreApplication::translate("HealthChecker", "The mail server greets with \"%1\"")
                                  .arg(QString::fromUtf8(banner.left(80)).trimmed()));
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [socket, finish](QAbstractSocket::SocketError) {
        finish(u"down"_s, QCoreApplication::translate("HealthChecker", "The mail server cannot be reached: %1").arg(socket->errorString()));
    });
    QTimer::singleShot(5000, socket, [finish] {
        finish(u"down"_s, QCoreApplication::translate("HealthChecker", "The mail server did not answer within 5 s"));
    });
    socket->connectToHost(url.host(), quint16(url.port(url.scheme() == u"smtps"_s ? 465 : 25)));
}

void HealthChecker::runAll(std::function<void(const QList<CheckResult> &)> done)
{
    auto results = std::make_shared<QList<CheckResult>>(localChecks());
    auto pending = std::make_shared<int>(5);
    auto collect = [results, pending, done](const CheckResult &r) {
        results->append(r);
        if (--*pending == 0)
            done(*results);
    };
    providerCheck(u"retell"_s, collect);
    calcomCheck(collect);
    providerCheck(u"stripe"_s, collect);
    numbersCheck(collect);
    smtpCheck(collect);
}

Result<QList<CheckResult>> HealthChecker::record(const QList<CheckResult> &results, const QString &alertRecipient)
{
    QList<CheckResult> changed;
    const qint64 now = nowMs();
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    for (const CheckResult &r : results) {
        auto previous = m_db.scalar(u"SELECT state FROM health_checks WHERE check_name = ? ORDER BY checked_at DESC, id DESC LIMIT 1"_s,
                                    {r.name});
        if (!previous)
            return previous.error();
        const QString before = previous->isNull() ? u"ok"_s : previous->toString();
        auto stored = m_db.exec(u"INSERT INTO health_checks (check_name, state, latency_ms, message, checked_at) VALUES (?, ?, ?, ?, ?)"_s,
                                {r.name, r.state, r.latencyMs, r.message, now});
        if (!stored)
            return stored.error();
        if (before == r.state)
            continue; // no repeated alert while the state holds
        changed.append(r);
        qCWarning(lcHealth) << "check" << r.name << "changed from" << before << "to" << r.state << r.message;
        if (alertRecipient.isEmpty())
            continue;
        const bool recovered = r.state == u"ok"_s;
        const QString subject = recovered ? tr("Recovered: %1 is ok again").arg(r.name)
                                          : tr("Alert: %1 is %2").arg(r.name, r.state);
        const QString body = recovered ? tr("The check \"%1\" is ok again (was %2).").arg(r.name, before)
                                       : tr("The check \"%1\" changed from %2 to %3: %4").arg(r.name, before, r.state, r.message);
        Notification alert;
        alert.kind = u"alert"_s;
        alert.dedupeKey = u"alert:"_s + r.name + u":"_s + QString::number(now);
        alert.recipient = alertRecipient;
        alert.language = u"en"_s;
        alert.subject = subject;
        alert.body = body;
        if (auto queued = NotificationQueue(m_db).record(alert, now); !queued)
            return queued.error();
    }
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    return changed;
}

} // namespace askpro
