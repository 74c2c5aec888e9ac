// The call browser: filters (period, company, branch, outcome, text, saved views) above a lazily
// filled table of calls, sorted and filtered by the server, with the selected call's detail beside it.
// Everything comes through the admin API; new calls appear by themselves (a ChangeWatcher asks for the
// calls' change stamp every few seconds).
#pragma once

#include "callsmodel.h"

#include <QVariantMap>
#include <QWidget>

class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;
class QToolButton;

namespace askpro {

namespace client {
class ApiAccount;
}

class CallDetailPane;
class ChangeWatcher;

class CallsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallsPage)
public:
    explicit CallsPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~CallsPage() override;

    [[nodiscard]] CallsModel *model() const { return m_model; }
    [[nodiscard]] CallDetailPane *detailPane() const { return m_detail; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    // Selects the call's row and shows its detail: at once when it is loaded (true), otherwise once the
    // pages up to it have come (at most 5,000 rows are read for it).
    bool selectCall(qint64 callId);
    [[nodiscard]] qint64 selectedCallId() const;
    // The filter widgets' state, as saved views store it, and back.
    [[nodiscard]] QVariantMap filterState() const;
    void applyFilterState(const QVariantMap &state);
    // Compares the calls' stamp now and refreshes when it changed (the watcher does this every 3 s).
    void pollNow();
    // The saved view selected in the views box (0: none), and the actions of its menu; a refusal is shown
    // in a message box.
    [[nodiscard]] qint64 selectedViewId() const;
    void saveView(const QString &name);
    void renameView(qint64 viewId, const QString &name);
    void deleteView(qint64 viewId);

Q_SIGNALS:
    // The views box was filled again (after loading, saving, renaming or deleting).
    void viewsReloaded();

private:
    void applyFilter();
    void reloadCompanies();
    // choose: the branch to select once the list has come (-1: the current one).
    void reloadBranches(qint64 choose = -1);
    void reloadSavedViews(qint64 select = 0);
    void askViewName();
    void exportCsv();
    void findPendingCall();
    void renameSelectedView();
    void deleteSelectedView();
    void updateMessage();
    void refreshKeepingSelection();
    void updatePeriodWidgets();
    [[nodiscard]] CallsModel::Filter filterFromWidgets() const;

    client::ApiAccount &m_account;
    CallsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    CallDetailPane *m_detail = nullptr;
    QComboBox *m_period = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QLabel *m_dash = nullptr;
    QComboBox *m_company = nullptr;
    QComboBox *m_branch = nullptr;
    QComboBox *m_outcome = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_views = nullptr;
    QToolButton *m_viewActions = nullptr;
    QLabel *m_searching = nullptr;
    QLabel *m_empty = nullptr;
    QTimer *m_searchDelay = nullptr;
    ChangeWatcher *m_watcher = nullptr;
    bool m_applying = false;
    qint64 m_pendingSelection = 0; // selectCall() of a call not loaded yet
};

} // namespace askpro
