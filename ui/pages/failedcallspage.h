// Failed-call triage: the unresolved calls grouped by failure reason with counts, driven from the
// keyboard (arrows, Enter opens the call, R retries, E edits the data, M marks resolved), with a
// preview of what a retry would do and the call's detail beside the queue.
#pragma once

#include "security/accesspolicy.h"

#include <QWidget>

#include <memory>

class QLabel;
class QTreeView;

namespace askpro {

class CallDetailPane;
class ChangeWatcher;
class Database;
class TriageModel;

class FailedCallsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FailedCallsPage)
public:
    // actor: who the audit log names for this window's actions.
    FailedCallsPage(std::shared_ptr<Database> db, Actor actor, QWidget *parent = nullptr);
    ~FailedCallsPage() override;

    [[nodiscard]] TriageModel *model() const { return m_model; }
    [[nodiscard]] QTreeView *tree() const { return m_tree; }
    // The calls under the selection: selected call rows, and every call of a selected group.
    [[nodiscard]] QList<qint64> selectedCallIds() const;
    bool selectCall(qint64 callId);
    // Re-reads the queue keeping expanded groups and the current call (new failures arrive by themselves:
    // the page's ChangeWatcher polls the calls while it is shown).
    void reload();
    // Compares the calls' stamp now and reloads when it moved.
    bool pollNow();

    // The keyboard actions (also reachable as buttons).
    void retrySelected();
    void editSelected();
    void resolveSelected();
    void openSelected();

Q_SIGNALS:
    void statusMessage(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updatePreview();

    std::shared_ptr<Database> m_db;
    Actor m_actor;
    TriageModel *m_model = nullptr;
    QTreeView *m_tree = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_preview = nullptr;
    CallDetailPane *m_detail = nullptr;
    ChangeWatcher *m_watcher = nullptr;
};

} // namespace askpro
