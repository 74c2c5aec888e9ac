// The Import page's side of the admin API: one customer file into one company. The file goes to the server in
// chunks read from disk one at a time (a chunk refused for its offset resumes where the server stands); the
// server's dry run is awaited, the mapping can be changed and checked again, and the apply is followed until it
// ends. The desktop only sends and shows: the server reads, checks and writes.
#pragma once

#include "apiresult.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

class QFile;
class QTimer;

namespace askpro {

namespace client {
class ApiAccount;
class ApiCall;
}

class ImportClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportClient)
public:
    // Raw bytes per chunk: base64 in JSON keeps a request under the server's 1 MiB body limit.
    static constexpr qint64 chunkBytes = 512 * 1024;
    static constexpr int pollMs = 400;

    enum class State {
        Idle,      // nothing started
        Uploading, // the file is being sent
        Checking,  // the server computes the dry run
        Ready,     // report() is the dry run: the mapping can change, or it can be applied
        Refused,   // the server cannot read the file as it is (error(); columns() when another mapping can cure it)
        Applying,  // queued or running on the server; progress() follows it
        Applied,   // report() is the applied run's
        Failed,    // a request or the apply failed (error()); what can still be done depends on importId()
    };
    Q_ENUM(State)

    explicit ImportClient(client::ApiAccount &account, QObject *parent = nullptr);
    ~ImportClient() override;

    // A new import of the file into the company, with the mapping's overrides (field code to column name or
    // null; empty: detected from the header). Anything followed before is dropped (its upload stays open on the
    // server, where nothing is written until an apply).
    void start(qint64 companyId, const QString &filePath, const client::Json &mapping = client::Json::object());
    // Replaces the mapping of the import (Ready or Refused) and waits for the dry run again.
    void changeMapping(const client::Json &mapping);
    // Applies the dry run (Ready) and follows the apply; also after a failed apply, to try again.
    void apply();
    // Stops what is under way: sending or checking stops here (the upload stays open on the server, where
    // nothing was written); an apply is asked to stop on the server, which undoes what it wrote, and is
    // followed until it has (Failed, with who stopped it; Applied if it finished first).
    void cancel();
    // Stops following: no more requests, state Idle (an apply under way goes on on the server).
    void reset();
    // Someone asked to stop the apply under way.
    [[nodiscard]] bool isCancelling() const { return m_cancelling; }

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] qint64 importId() const { return m_importId; }
    [[nodiscard]] qint64 companyId() const { return m_companyId; }
    [[nodiscard]] QString fileName() const { return m_fileName; }
    [[nodiscard]] const client::Json &report() const { return m_report; }
    // The file's header: from the report, or from a refusal that a mapping can cure.
    [[nodiscard]] QStringList columns() const { return m_columns; }
    // The mapping asked for (overrides), as last sent.
    [[nodiscard]] const client::Json &mapping() const { return m_mapping; }
    [[nodiscard]] QString error() const { return m_error; }
    // Uploading: bytes sent of the file's size; Applying: rows done of the dry run's rows (0 while queued).
    [[nodiscard]] qint64 progressDone() const { return m_done; }
    [[nodiscard]] qint64 progressTotal() const { return m_total; }

Q_SIGNALS:
    void stateChanged(askpro::ImportClient::State state);
    void progressChanged(qint64 done, qint64 total);

private:
    void setState(State state);
    void setProgress(qint64 done, qint64 total);
    void fail(const QString &message);
    // Sends the chunk that starts at the server's size (offset).
    void sendChunk(qint64 offset);
    void poll();
    // Follows a request of the current import only: an answer for an import left since is dropped.
    void follow(client::ApiCall *call, void (ImportClient::*handler)(const client::ApiResult &));
    void created(const client::ApiResult &result);
    void chunkStored(const client::ApiResult &result);
    void polled(const client::ApiResult &result);
    void mappingChanged(const client::ApiResult &result);
    void applyQueued(const client::ApiResult &result);
    void cancelAsked(const client::ApiResult &result);

    client::ApiAccount &m_account;
    QTimer *m_pollTimer;
    QFile *m_file = nullptr;
    QPointer<client::ApiCall> m_call; // the request under way, at most one
    State m_state = State::Idle;
    qint64 m_companyId = 0;
    qint64 m_importId = 0;
    QString m_fileName;
    client::Json m_mapping = client::Json::object();
    client::Json m_report;
    QStringList m_columns;
    QString m_error;
    qint64 m_done = 0;
    qint64 m_total = 0;
    qint64 m_chunkEnd = 0; // where the chunk under way ends
    bool m_cancelling = false;
};

} // namespace askpro
