// The failed-call triage queue as a two-level tree: one row per failure reason (with its category and
// a count), the unresolved calls beneath it.
#pragma once

#include "core/result.h"

#include <QStandardItemModel>

#include <memory>

namespace askpro {

class Database;

class TriageModel final : public QStandardItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TriageModel)
public:
    enum Column { Title, Time, Branch, Caller, Customer, Reason, ColumnCount };
    enum Role { CallIdRole = Qt::UserRole + 1, GroupKeyRole, CategoryRole, CountRole };

    explicit TriageModel(std::shared_ptr<Database> db, QObject *parent = nullptr);

    // Re-reads the queue. Groups are ordered by category severity, then by size.
    [[nodiscard]] Status reload();
    [[nodiscard]] int totalCalls() const { return m_total; }
    // The group row of a key, or an invalid index.
    [[nodiscard]] QModelIndex groupIndex(const QString &key) const;
    // The index of a call's row (column 0), or an invalid index.
    [[nodiscard]] QModelIndex callIndex(qint64 callId) const;

private:
    std::shared_ptr<Database> m_db;
    int m_total = 0;
};

} // namespace askpro
