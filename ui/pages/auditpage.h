// The audit log page: who changed what and when, filtered by person, kind of action, entity and time,
// with the selected entry's state before and after side by side and the changed fields named.
#pragma once

#include "security/accesspolicy.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class QToolButton;

namespace askpro {

class Database;
class RecordsModel;

class AuditPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditPage)
public:
    AuditPage(std::shared_ptr<Database> db, Actor reader, QWidget *parent = nullptr);
    ~AuditPage() override;

    [[nodiscard]] RecordsModel *model() const { return m_model; }
    // Re-reads the filter boxes' choices and the rows.
    void reload();
    // Shows only this entity's history (e.g. from another page's "History" action).
    void showEntity(const QString &entity, qint64 entityId);

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    void fillFilterChoices();
    void showSelected();

    std::shared_ptr<Database> m_db;
    Actor m_reader;
    RecordsModel *m_model = nullptr;
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
