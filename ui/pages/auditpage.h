// The audit log page: who changed what and when, filtered by person, kind of action, entity and time,
// with the selected entry's state before and after side by side and the changed fields named.
#pragma once

#include <QPointer>
#include <QWidget>

class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class QToolButton;

namespace askpro {

namespace client {
class ApiAccount;
class ApiCall;
}

class ApiRecordsModel;

class AuditPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditPage)
public:
    explicit AuditPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~AuditPage() override;

    [[nodiscard]] ApiRecordsModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    // Re-reads the filter boxes' choices and the rows.
    void reload();
    // Shows only this entity's history (e.g. from another page's "History" action).
    void showEntity(const QString &entity, qint64 entityId);

Q_SIGNALS:
    void statusMessage(const QString &text);
    // The selected entry's before and after are on screen.
    void entryShown(qint64 entryId);

private:
    void fillFilterChoices();
    void showSelected();
    void exportCsv();

    client::ApiAccount &m_account;
    QPointer<client::ApiCall> m_entryCall;
    ApiRecordsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_actor = nullptr;
    QComboBox *m_group = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_entityFilter = nullptr;
    QToolButton *m_clearEntity = nullptr;
    QLabel *m_summary = nullptr;
    QPlainTextEdit *m_before = nullptr;
    QPlainTextEdit *m_after = nullptr;
    QString m_entity;
    qint64 m_entityId = 0;
};

} // namespace askpro
