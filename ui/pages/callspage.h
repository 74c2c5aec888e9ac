// The call browser: filters above a lazily filled table of calls.
#pragma once

#include <QWidget>

#include <memory>

class QComboBox;
class QLineEdit;
class QTableView;
class QLabel;
class QTimer;

namespace askpro {

class CallsModel;
class Database;

class CallsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallsPage)
public:
    explicit CallsPage(std::shared_ptr<Database> db, QWidget *parent = nullptr);
    ~CallsPage() override;

    [[nodiscard]] CallsModel *model() const { return m_model; }

private:
    void applyFilter();

    std::shared_ptr<Database> m_db;
    CallsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_outcome = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_empty = nullptr;
    QTimer *m_searchDelay = nullptr;
};

} // namespace askpro
