// Failed-call triage: the unresolved calls grouped by failure reason with counts, driven from the
// keyboard (arrows, Enter opens the call, R retries, E edits the data, M marks resolved), with a
// preview of what a retry would do and the call's detail beside the queue.
#pragma once

#include "apiresult.h"

#include <QPointer>
#include <QWidget>

#include <functional>

class QLabel;
class QTreeView;

namespace askpro {

namespace client {
class ApiAccount;
class ApiCall;
}

class CallDetailPane;
class ChangeWatcher;
class TriageModel;

class FailedCallsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FailedCallsPage)
public:
    // The server names the signed-in user in the audit log of this page's actions.
    explicit FailedCallsPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~FailedCallsPage() override;

    [[nodiscard]] TriageModel *model() const { return m_model; }
    [[nodiscard]] QTreeView *tree() const { return m_tree; }
    // The calls under the selection: selected call rows, and every call of a selected group.
    [[nodiscard]] QList<qint64> selectedCallIds() const;
    bool selectCall(qint64 callId);
    // Asks for the queue again; when it comes, expanded groups and the current call are kept (new failures
    // arrive by themselves: the page's ChangeWatcher polls the calls while it is shown).
    void reload();
    // Asks for the calls' stamp now; the page reloads when it moved.
    void pollNow();

    // The keyboard actions (also reachable as buttons).
    void retrySelected();
    void editSelected();
    void resolveSelected();
    void openSelected();

Q_SIGNALS:
    void statusMessage(const QString &text);
    // The queue on screen was replaced by the server's answer (after reload()).
    void reloaded();
    // The retry preview of the current call is on screen.
    void previewShown(qint64 callId);
    // An action's requests were all answered (retry, correct, resolve).
    void actionFinished();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct ViewPlace
    {
        QStringList expanded;
        qint64 call = 0;
        QString group;
        int scroll = 0;
    };
    void restore();
    void updatePreview();
    void showPreview(qint64 callId, const client::Json &preview);
    void retry(const QList<qint64> &ids);
    void askForRequest(qint64 callId, const client::Json &preview, const QStringList &services);
    // Sends one request per call (path with %1 for the id) and reports how many succeeded, with the first
    // refusal's reason.
    void forEachCall(const QList<qint64> &ids, const QByteArray &method, const QString &path, const client::Json &body,
                     std::function<void(int succeeded, const QString &firstError)> done);
    [[nodiscard]] qint64 currentCallId() const;

    client::ApiAccount &m_account;
    ViewPlace m_place;
    bool m_placeSaved = false;
    QPointer<client::ApiCall> m_previewCall;
    TriageModel *m_model = nullptr;
    QTreeView *m_tree = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_preview = nullptr;
    CallDetailPane *m_detail = nullptr;
    ChangeWatcher *m_watcher = nullptr;
};

} // namespace askpro
