// Test call: started at the sandbox or at Retell, then read back from webhook_inbox, calls,
// appointments and notifications every half second until booked and confirmed, failed, or timed out.
#include "setup/testcall.h"

#include "db/callparties.h"
#include "core/clock.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "integrations/jsonreply.h"
#include "security/credentialstore.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTimeZone>
#include <QTimer>

#include <array>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
const QString Webhook = u"webhook"_s;
const QString Call = u"call"_s;
const QString Appointment = u"appointment"_s;
const QString Email = u"email"_s;
} // namespace

TestCall::TestCall(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, ProviderEndpoints endpoints, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_credentials(credentials)
    , m_network(network)
    , m_endpoints(std::move(endpoints))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(500);
    connect(m_timer, &QTimer::timeout, this, &TestCall::poll);
}

TestCall::~TestCall()
{
    closeWindow(); // a wait given up: later calls from that phone are ordinary ones
}

QStringList TestCall::checks()
{
    return TestCallChecks::all();
}

QString TestCall::checkTitle(const QString &check)
{
    return TestCallChecks::title(check);
}

bool TestCall::sandboxMode() const
{
    if (m_forceLive)
        return false;
    auto retell = m_credentials.get(std::nullopt, u"retell"_s);
    const QUrl base = retell && !retell->baseUrl.isEmpty() ? QUrl(retell->baseUrl) : m_endpoints.retell;
    return base.path().endsWith(u"/retell"_s);
}

void TestCall::start(qint64 branchId, const QString &yourNumber, std::function<void(const Result<QString> &)> started)
{
    m_timer->stop();
    closeWindow();
    m_callId.clear();
    m_states.clear();
    m_recognisedAt = 0;
    auto q = m_db.exec(u"SELECT b.phone_e164, b.time_zone, b.language, c.billing_email, "
                       "(SELECT s.name FROM services s WHERE s.company_id = c.id AND s.active = 1 ORDER BY s.id LIMIT 1) "
                       "FROM branches b JOIN companies c ON c.id = b.company_id WHERE b.id = ?"_s,
                       {branchId});
    if (!q || !q->next()) {
        started(q ? makeError(ErrorKind::NotFound, u"testcall.branch"_s, tr("The branch is not stored yet: finish the setup first.")) : q.error());
        return;
    }
    const QString phone = q->value(0).toString();
    const QTimeZone zone(q->value(1).toString().toUtf8());
    const QString language = q->value(2).toString();
    const QString email = q->value(3).toString();
    const QString service = q->value(4).toString();
    q->finish();
    // The test call comes from the operator's own phone in both modes: never a made-up number.
    auto own = yourNumber.trimmed().isEmpty() ? Result<QString>(makeError(ErrorKind::Invalid, u"testcall.number"_s, QString()))
                                              : PhoneNumbers::toE164(yourNumber);
    if (!own) {
        started(makeError(ErrorKind::Invalid, u"testcall.number"_s,
                          tr("Enter your own phone number (for example +49 170 …): the test call comes from it.")));
        return;
    }
    if (*own == phone) {
        started(makeError(ErrorKind::Invalid, u"testcall.number"_s, tr("Enter your own phone number, not the business number.")));
        return;
    }
    const auto follow = [this, started](const QString &callId) {
        m_callId = callId;
        m_startedAt = nowMs();
        for (const QString &check : checks()) {
            m_states.insert(check, u"waiting"_s);
            Q_EMIT checkChanged(check, u"waiting"_s, tr("Waiting…"));
        }
        m_timer->start();
        started(callId);
    };
    if (!sandboxMode()) {
        // Live: wait for the operator's call to the branch's number; the call flow marks it as a test call
        // through this window, and poll() recognises it by its numbers.
        auto window = openWindow(branchId, *own, QString());
        if (!window) {
            started(window.error());
            return;
        }
        m_live = true;
        m_windowId = *window;
        m_branchId = branchId;
        m_caller = *own;
        follow(QString());
        return;
    }
    m_live = false;
    auto retell = m_credentials.get(std::nullopt, u"retell"_s);
    if (!retell) {
        started(retell.error());
        return;
    }
    // The call carries a nonce only this window knows; the call flow marks it as a test call only when the
    // nonce comes back for this branch while the window is open, and only once.
    const QString nonce = newNonce();
    {
        auto window = openWindow(branchId, *own, nonce);
        if (!window) {
            started(window.error());
            return;
        }
        m_windowId = *window;
    }
    const QUrl base = retell->baseUrl.isEmpty() ? m_endpoints.retell : QUrl(retell->baseUrl);
    // A weekday two days ahead at 10:00 in the branch's zone; the caller accepts the nearest free time.
    QDate day = QDateTime::currentDateTime().toTimeZone(zone).date().addDays(2);
    while (day.dayOfWeek() > 5)
        day = day.addDays(1);
    const QDateTime start(day, QTime(10, 0), zone);
    const Json body{{"to_number", phone.toStdString()},
                    {"from_number", own->toStdString()},
                    {"language", language == u"en"_s ? "en" : "de"},
                    {"scenario", "book"},
                    {"metadata", {{"askpro_test_call", nonce.toStdString()}}},
                    {"appointment",
                     {{"service", service.toStdString()},
                      {"datetime", start.toString(Qt::ISODate).toStdString()},
                      {"time_zone", zone.id().toStdString()},
                      {"name", language == u"en"_s ? "Test call AskPro" : "Testanruf AskPro"},
                      {"email", email.toStdString()},
                      {"agreed_to_alternatives", true}}}};
    QUrl url = base;
    url.setPath(base.path().chopped(int(QStringLiteral("/retell").size())) + u"/sandbox/retell/simulate-call"_s);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(m_endpoints.timeoutMs);
    QNetworkReply *reply = m_network->post(request, jsonText(body));
    connect(reply, &QNetworkReply::finished, this, [reply, follow, started] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        auto parsed = parseJson(reply->readAll(), u"sandbox answer"_s);
        if (status < 200 || status >= 300 || !parsed) {
            started(makeError(ErrorKind::Transient, u"testcall.sandbox"_s,
                              tr("The sandbox did not start the call (%1).")
                                  .arg(parsed ? jsonString(parsed->value("error", Json::object()), "message") : reply->errorString())));
            return;
        }
        follow(jsonString(*parsed, "call_id"));
    });
}

// One open window per branch: a new test call closes the branch's earlier ones, so a wizard left open (or started
// again and again) never holds several windows that would make more of the operator's calls free.
Result<qint64> TestCall::openWindow(qint64 branchId, const QString &caller, const QString &nonce)
{
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    const qint64 now = nowMs();
    auto closed = m_db.exec(u"UPDATE test_call_windows SET closes_at = CASE WHEN opens_at < ? THEN ? ELSE opens_at + 1 END "
                            "WHERE branch_id = ? AND matched_call_id IS NULL AND closes_at > ?"_s,
                            {now, now, branchId, now});
    if (!closed)
        return closed.error();
    auto window = m_db.insert(u"INSERT INTO test_call_windows (branch_id, caller_e164, opens_at, closes_at, created_at, nonce) "
                              "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                              {branchId, caller, now, now + m_windowMs, now, nonce.isEmpty() ? Database::null() : QVariant(nonce)});
    if (!window)
        return window.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return *window;
}

QString TestCall::newNonce()
{
    std::array<quint32, 4> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words.data()), int(sizeof(words))).toHex());
}

void TestCall::closeWindow()
{
    if (m_windowId <= 0)
        return;
    // Later calls from the operator's phone are ordinary calls again (and billed).
    const qint64 now = nowMs();
    auto closed = m_db.exec(u"UPDATE test_call_windows SET closes_at = CASE WHEN opens_at < ? THEN ? ELSE opens_at + 1 END WHERE id = ?"_s,
                            {now, now, m_windowId});
    Q_UNUSED(closed);
    m_windowId = 0;
}

void TestCall::poll()
{
    const auto set = [this](const QString &check, const QString &state, const QString &message) {
        if (m_states.value(check) == state && state == u"waiting"_s)
            return;
        if (m_states.value(check) != u"waiting"_s)
            return; // ticked or failed already
        m_states.insert(check, state);
        Q_EMIT checkChanged(check, state, message);
    };
    if (m_live && m_callId.isEmpty()) {
        // The operator's call: from their number to the branch's (or placed by the branch to them), marked as
        // a test call by the window, first seen after the window opened.
        auto found = m_db.exec(u"SELECT retell_call_id FROM calls WHERE branch_id = ? AND test_call = 1 "
                               "AND "_s + CallParties::otherNumberSql(QString()) + u" = ? "
                               "AND created_at >= ? ORDER BY id LIMIT 1"_s,
                               {m_branchId, m_caller, m_startedAt - 1000});
        if (found && found->next()) {
            m_callId = found->value(0).toString();
            m_recognisedAt = nowMs();
            Q_EMIT callRecognised(m_callId);
        }
    }
    if (m_callId.isEmpty()) {
        // Live, not called yet: only the window can run out.
        if (nowMs() - m_startedAt > m_windowMs) {
            for (const QString &check : checks())
                set(check, u"failed"_s,
                    check == Webhook ? tr("No call from %1 to the business number arrived within %n minute(s).", nullptr, int(m_windowMs / 60000))
                                           .arg(PhoneNumbers::display(m_caller))
                                     : tr("No test call arrived."));
            m_timer->stop();
            closeWindow();
            Q_EMIT finished(false);
        }
        return;
    }
    if (auto hooks = m_db.exec(u"SELECT status, error FROM webhook_inbox WHERE provider = 'retell' AND dedupe_key LIKE ? ORDER BY id"_s,
                               {QString(m_callId + u":%"_s)})) {
        int count = 0;
        QString rejected;
        while (hooks->next()) {
            ++count;
            if (hooks->value(0).toString() == u"rejected"_s)
                rejected = hooks->value(1).toString();
        }
        if (!rejected.isEmpty())
            set(Webhook, u"failed"_s, tr("askpro-server refused Retell's webhook: %1").arg(rejected));
        else if (count > 0)
            set(Webhook, u"done"_s, tr("%n event(s) from Retell received", nullptr, count));
    }
    QString outcome, reason;
    qint64 callRow = 0;
    if (auto call = m_db.exec(u"SELECT id, outcome, failure_reason FROM calls WHERE retell_call_id = ?"_s, {m_callId}); call && call->next()) {
        callRow = call->value(0).toLongLong();
        outcome = call->value(1).toString();
        reason = call->value(2).toString();
        set(Call, u"done"_s, tr("Stored with the caller and the transcript"));
    }
    if (callRow > 0) {
        auto appointment = m_db.exec(u"SELECT a.starts_at, b.time_zone FROM appointments a JOIN branches b ON b.id = a.branch_id WHERE a.call_id = ?"_s,
                                     {callRow});
        if (appointment && appointment->next()) {
            const QDateTime at = QDateTime::fromMSecsSinceEpoch(appointment->value(0).toLongLong(), QTimeZone(appointment->value(1).toString().toUtf8()));
            set(Appointment, u"done"_s, tr("Booked in Cal.com for %1").arg(QLocale().toString(at, QLocale::ShortFormat)));
        } else if (outcome == u"failed"_s || outcome == u"needs_callback"_s || outcome == u"no_request"_s) {
            set(Appointment, u"failed"_s,
                reason.isEmpty() ? tr("The call ended without a booking (%1).").arg(outcome) : tr("No booking: %1").arg(reason));
            set(Email, u"failed"_s, tr("No appointment, so no confirmation."));
        }
        auto mail = m_db.exec(u"SELECT status, recipient, last_error FROM notifications WHERE call_id = ? AND channel = 'email' ORDER BY id DESC LIMIT 1"_s, {callRow});
        if (mail && mail->next()) {
            if (mail->value(0).toString() == u"sent"_s)
                set(Email, u"done"_s, tr("Sent to %1").arg(mail->value(1).toString()));
            else if (mail->value(0).toString() == u"failed"_s)
                set(Email, u"failed"_s, tr("The mail server refused it: %1").arg(mail->value(2).toString()));
        }
    }
    const bool open = std::any_of(m_states.cbegin(), m_states.cend(), [](const QString &s) { return s == u"waiting"_s; });
    const qint64 followedSince = m_recognisedAt > 0 ? m_recognisedAt : m_startedAt;
    if (open && nowMs() - followedSince > m_timeoutMs) {
        for (const QString &check : checks())
            set(check, u"failed"_s,
                check == Webhook ? tr("Nothing arrived from Retell within %1 s: is askpro-server running and reachable at its public URL?")
                                       .arg(m_timeoutMs / 1000)
                                 : tr("Not within %1 s: is askpro-server running with workers?").arg(m_timeoutMs / 1000));
    }
    if (!std::any_of(m_states.cbegin(), m_states.cend(), [](const QString &s) { return s == u"waiting"_s; })) {
        m_timer->stop();
        closeWindow();
        Q_EMIT finished(m_states.value(Appointment) == u"done"_s && m_states.value(Email) == u"done"_s);
    }
}

} // namespace askpro
