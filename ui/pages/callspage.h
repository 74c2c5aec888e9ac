// The call browser: filters (period, company, branch, outcome, text, saved views) above a lazily
// filled, SQL-sorted table of calls, with the selected call's detail beside it. New calls appear
// by themselves: a ChangeWatcher compares the calls table's stamp every few seconds.
#pragma once

#include "queries/callquery.h"

#include <QVariantMap>
#include <QWidget>

#include <memory>

class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;
class QToolButton;

namespace askpro {

class CallDetailPane;
class CallsModel;
class ChangeWatcher;
class Database;

class CallsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallsPage)
public:
    explicit CallsPage(std::shared_ptr<Database> db, QWidget *parent = nullptr);
    ~CallsPage() override;

    [[nodiscard]] CallsModel *model() const { return m_model; }
    [[nodiscard]] CallDetailPane *detailPane() const { return m_detail; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    // Selects the call's row (loading rows as needed) and shows its detail; false when not listed.
    bool selectCall(qint64 callId);
    [[nodiscard]] qint64 selectedCallId() const;
    // The filter widgets' state, as saved views store it, and back.
    [[nodiscard]] QVariantMap filterState() const;
    void applyFilterState(const QVariantMap &state);
    // Compares the calls' stamp now and refreshes when it changed (the watcher does this every 3 s).
    void pollNow();
    // The saved view selected in the views box (0: none), and the actions of its menu; false with a message.
    [[nodiscard]] qint64 selectedViewId() const;
    bool renameView(qint64 viewId, const QString &name);
    bool deleteView(qint64 viewId);

private:
    void applyFilter();
    void reloadCompanies();
    void reloadBranches();
    void reloadSavedViews();
    void saveView();
    void renameSelectedView();
    void deleteSelectedView();
    void updateMessage();
    void refreshKeepingSelection();
    void updatePeriodWidgets();
    [[nodiscard]] CallFilter filterFromWidgets() const;

    std::shared_ptr<Database> m_db;
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
};

} // namespace askpro
