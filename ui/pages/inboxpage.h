// The webhook inbox: every delivery with its signature result, processing state, delivery count and
// linked call; the selected delivery's body (secrets masked); and a replay action.
#pragma once

#include "security/accesspolicy.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace askpro {

class Database;
class RecordsModel;

class InboxPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxPage)
public:
    InboxPage(std::shared_ptr<Database> db, Actor actor, QWidget *parent = nullptr);
    ~InboxPage() override;

    [[nodiscard]] RecordsModel *model() const { return m_model; }
    void reload();
    void replaySelected();

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    void showSelected();

    std::shared_ptr<Database> m_db;
    Actor m_actor;
    RecordsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_provider = nullptr;
    QComboBox *m_status = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_info = nullptr;
    QPlainTextEdit *m_body = nullptr;
    QPushButton *m_replay = nullptr;
};

} // namespace askpro
