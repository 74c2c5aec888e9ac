// One customer import through the admin API, one request at a time: create, chunks, polls of the dry run,
// mapping changes, apply, polls of the apply.
#include "importclient.h"

#include "apiaccount.h"
#include "jsonfields.h"

#include <QFile>
#include <QFileInfo>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
const client::Json noList = client::Json::array();
const client::Json noObject = client::Json::object();
} // namespace

ImportClient::ImportClient(client::ApiAccount &account, QObject *parent)
    : QObject(parent)
    , m_account(account)
    , m_pollTimer(new QTimer(this))
{
    m_pollTimer->setSingleShot(true);
    m_pollTimer->setInterval(pollMs);
    connect(m_pollTimer, &QTimer::timeout, this, &ImportClient::poll);
}

ImportClient::~ImportClient()
{
    if (m_call)
        m_call->abandon();
}

void ImportClient::reset()
{
    m_pollTimer->stop();
    if (m_call)
        m_call->abandon();
    delete m_file;
    m_file = nullptr;
    m_importId = 0;
    m_cancelling = false;
    m_report = nullptr;
    m_columns.clear();
    m_error.clear();
    setProgress(0, 0);
    setState(State::Idle);
}

void ImportClient::start(qint64 companyId, const QString &filePath, const client::Json &mapping)
{
    reset();
    m_companyId = companyId;
    m_mapping = mapping.is_object() ? mapping : client::Json::object();
    m_fileName = QFileInfo(filePath).fileName();
    m_file = new QFile(filePath, this);
    if (!m_file->open(QIODevice::ReadOnly)) {
        fail(tr("The file %1 cannot be read: %2").arg(filePath, m_file->errorString()));
        return;
    }
    setProgress(0, m_file->size());
    setState(State::Uploading);
    follow(m_account.post(u"/imports"_s, client::Json{{"company_id", companyId}, {"file_name", m_fileName.toStdString()}, {"mapping", m_mapping}}),
           &ImportClient::created);
}

void ImportClient::follow(client::ApiCall *call, void (ImportClient::*handler)(const client::ApiResult &))
{
    m_call = call;
    const qint64 importId = m_importId;
    connect(call, &client::ApiCall::finished, this, [this, call, importId, handler](const client::ApiResult &result) {
        if (m_call != call || m_importId != importId)
            return;
        m_call = nullptr;
        (this->*handler)(result);
    });
}

void ImportClient::created(const client::ApiResult &result)
{
    if (!result.ok()) {
        fail(result.errorMessage);
        return;
    }
    m_importId = client::number(result.body, "id");
    sendChunk(0);
}

void ImportClient::sendChunk(qint64 offset)
{
    if (!m_file->seek(offset)) {
        fail(tr("The file %1 cannot be read: %2").arg(m_fileName, m_file->errorString()));
        return;
    }
    const QByteArray data = m_file->read(chunkBytes);
    if (data.isEmpty() && offset < m_file->size()) {
        fail(tr("The file %1 cannot be read: %2").arg(m_fileName, m_file->errorString()));
        return;
    }
    if (data.isEmpty()) { // the whole file is on the server: its dry run comes next
        delete m_file;
        m_file = nullptr;
        setState(State::Checking);
        poll();
        return;
    }
    m_chunkEnd = offset + data.size();
    follow(m_account.post(u"/imports/%1/chunks"_s.arg(m_importId),
                          client::Json{{"offset", offset}, {"data", data.toBase64().toStdString()}}),
           &ImportClient::chunkStored);
}

void ImportClient::chunkStored(const client::ApiResult &result)
{
    if (result.ok()) {
        setProgress(m_chunkEnd, m_total);
        sendChunk(m_chunkEnd);
        return;
    }
    // A chunk whose answer was lost may have landed: the server says how much it holds, and the file goes on
    // from there rather than twice.
    if (result.status == 409 && result.errorCode == u"import.offset"_s) {
        const qint64 held = client::number(result.body, "bytes", -1);
        if (held >= 0 && held <= m_total) {
            sendChunk(held);
            return;
        }
    }
    fail(result.errorMessage);
}

void ImportClient::poll()
{
    if (m_importId <= 0)
        return;
    follow(m_account.get(u"/imports/%1"_s.arg(m_importId)), &ImportClient::polled);
}

void ImportClient::polled(const client::ApiResult &result)
{
    if (result.unreachable()) { // keep asking: the server may be back in a moment
        m_pollTimer->start();
        return;
    }
    const QString state = client::text(result.body, "state");
    if (!result.ok()) {
        if (result.status == 400 && result.body.is_object() && result.body.contains("columns")) {
            m_columns.clear();
            for (const client::Json &column : result.body["columns"])
                m_columns.append(column.is_string() ? QString::fromStdString(column.get<std::string>()) : QString());
            m_error = result.errorMessage;
            m_report = nullptr;
            setState(State::Refused);
            return;
        }
        if (result.status == 400) {
            m_columns.clear();
            m_error = result.errorMessage;
            setState(State::Refused);
            return;
        }
        fail(result.errorMessage);
        return;
    }
    const client::Json report = result.body.is_object() ? result.body.value("report", client::Json()) : client::Json();
    if (state == u"queued"_s || state == u"applying"_s) {
        m_cancelling = m_cancelling || client::flag(result.body, "cancelling");
        setProgress(client::number(client::child(result.body, "progress", noObject), "rows"), m_total);
        setState(State::Applying);
        m_pollTimer->start();
        return;
    }
    if (state == u"applied"_s) {
        m_report = report;
        setProgress(m_total, m_total);
        setState(State::Applied);
        return;
    }
    if (state == u"failed"_s) {
        fail(client::text(result.body, "error"));
        return;
    }
    if (result.status == 202 || !report.is_object()) { // the dry run is being computed
        setState(State::Checking);
        m_pollTimer->start();
        return;
    }
    m_report = report;
    m_columns.clear();
    for (const client::Json &column : client::child(report, "columns", noList))
        m_columns.append(column.is_string() ? QString::fromStdString(column.get<std::string>()) : QString());
    m_error.clear();
    setState(State::Ready);
}

void ImportClient::changeMapping(const client::Json &mapping)
{
    if (m_importId <= 0 || (m_state != State::Ready && m_state != State::Refused))
        return;
    m_mapping = mapping.is_object() ? mapping : client::Json::object();
    setState(State::Checking);
    follow(m_account.patch(u"/imports/%1"_s.arg(m_importId), client::Json{{"mapping", m_mapping}}), &ImportClient::mappingChanged);
}

void ImportClient::mappingChanged(const client::ApiResult &result)
{
    if (!result.ok()) {
        fail(result.errorMessage);
        return;
    }
    poll();
}

void ImportClient::apply()
{
    const bool retry = m_state == State::Failed && m_report.is_object();
    if (m_importId <= 0 || (m_state != State::Ready && !retry))
        return;
    // Progress counts the rows of the dry run, which the apply goes through again.
    const qint64 rows = client::number(m_report, "created") + client::number(m_report, "updated") + client::number(m_report, "unchanged")
        + client::number(m_report, "skipped");
    setProgress(0, rows);
    m_error.clear();
    m_cancelling = false;
    setState(State::Applying);
    follow(m_account.post(u"/imports/%1/apply"_s.arg(m_importId)), &ImportClient::applyQueued);
}

void ImportClient::applyQueued(const client::ApiResult &result)
{
    if (!result.ok() && result.status != 409) { // 409: applied or applying already; the import's state tells
        fail(result.errorMessage);
        return;
    }
    poll();
}

void ImportClient::cancel()
{
    if (m_state == State::Uploading || m_state == State::Checking) {
        reset();
        return;
    }
    if (m_state != State::Applying || m_importId <= 0 || m_cancelling)
        return;
    m_cancelling = true;
    m_pollTimer->stop();
    if (m_call)
        m_call->abandon();
    follow(m_account.post(u"/imports/%1/cancel"_s.arg(m_importId)), &ImportClient::cancelAsked);
    Q_EMIT stateChanged(m_state); // the page shows that it stops
}

void ImportClient::cancelAsked(const client::ApiResult &result)
{
    if (!result.ok() && result.status != 409) { // 409: it was applied first; the import's state tells
        m_cancelling = false;
        m_error = result.errorMessage;
    }
    poll();
}

void ImportClient::fail(const QString &message)
{
    m_pollTimer->stop();
    m_error = message.isEmpty() ? tr("The server did not say why.") : message;
    setState(State::Failed);
}

void ImportClient::setState(State state)
{
    if (m_state == state && state != State::Failed && state != State::Ready)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void ImportClient::setProgress(qint64 done, qint64 total)
{
    m_done = done;
    m_total = total;
    Q_EMIT progressChanged(done, total);
}

} // namespace askpro
