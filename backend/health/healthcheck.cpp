// The checks. Provider checks make one cheap authenticated read each; local checks only read the database.
#include "health/healthcheck.h"

#include "core/clock.h"
#include "core/logging.h"
#include "db/database.h"
#include "integrations/calcomclient.h"
#include "integrations/retellclient.h"
#include "integrations/stripeclient.h"
#include "jobs/jobqueue.h"
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
    // The platform's account, or for Cal.com the first company's (each company brings its own).
    std::optional<qint64> company;
    if (name == u"calcom"_s) {
        auto first = m_db.scalar(u"SELECT MIN(company_id) FROM api_credentials WHERE provider = 'calcom'"_s);
        if (first && !first->isNull())
            company = first->toLongLong();
    }
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
                    .listLlms();
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
    auto pending = std::make_shared<int>(4);
    auto collect = [results, pending, done](const CheckResult &r) {
        results->append(r);
        if (--*pending == 0)
            done(*results);
    };
    for (const QString &provider : {u"retell"_s, u"calcom"_s, u"stripe"_s})
        providerCheck(provider, collect);
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
        auto queued = m_db.exec(u"INSERT INTO notifications (kind, dedupe_key, recipient, language, subject, body, created_at) "
                                "VALUES ('alert', ?, ?, 'en', ?, ?, ?) RETURNING id"_s,
                                {QString(u"alert:"_s + r.name + u":"_s + QString::number(now)), alertRecipient, subject, body, now});
        if (!queued)
            return queued.error();
        const qint64 notificationId = queued->next() ? queued->value(0).toLongLong() : 0;
        queued->finish();
        auto job = JobQueue(m_db).enqueue(u"notification.send"_s, "{\"notification_id\":" + QByteArray::number(notificationId) + '}',
                                          u"mail:%1"_s.arg(notificationId));
        if (!job)
            return job.error();
    }
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    return changed;
}

} // namespace askpro
