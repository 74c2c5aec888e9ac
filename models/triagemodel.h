// The failed-call triage queue (GET /api/v1/triage) as a two-level tree: one row per failure reason (with
// its category and a count), the unresolved calls beneath it.
#pragma once

#include <QPointer>
#include <QStandardItemModel>

namespace askpro {

namespace client {
class ApiAccount;
class ApiCall;
}

class TriageModel final : public QStandardItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TriageModel)
public:
    enum Column { Title, Time, Branch, Caller, Customer, Reason, ColumnCount };
    enum Role { CallIdRole = Qt::UserRole + 1, GroupKeyRole, CategoryRole, CountRole };

    explicit TriageModel(client::ApiAccount &account, QObject *parent = nullptr);
    ~TriageModel() override;

    // Asks for the queue again; the rows are replaced when it comes (loaded()), and stay when it does not
    // (failed()). Groups are ordered by category severity, then by size.
    void reload();
    [[nodiscard]] int totalCalls() const { return m_total; }
    // The server holds more calls than it sent (5,000).
    [[nodiscard]] bool isTruncated() const { return m_truncated; }
    // The group row of a key, or an invalid index.
    [[nodiscard]] QModelIndex groupIndex(const QString &key) const;
    // The index of a call's row (column 0), or an invalid index.
    [[nodiscard]] QModelIndex callIndex(qint64 callId) const;

Q_SIGNALS:
    // The rows were replaced by the server's answer; the page restores its selection before the next one.
    void loaded();
    void failed(const QString &message);

private:
    struct Row;
    void present(const QList<Row> &rows);

    client::ApiAccount &m_account;
    QPointer<client::ApiCall> m_pending;
    int m_total = 0;
    bool m_truncated = false;
};

} // namespace askpro
