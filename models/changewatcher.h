// Notices new and changed rows for a page: polls the change stamps of the tables the page shows (two index
// lookups each, ChangeQuery) and says when they moved. While its page is hidden it does not poll; when the
// page is shown again it looks at once.
#pragma once

#include "queries/callquery.h"

#include <QList>
#include <QObject>

#include <memory>

class QTimer;

namespace askpro {

class Database;

class ChangeWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangeWatcher)
public:
    static constexpr int DefaultIntervalMs = 3000;

    // page: the widget whose visibility switches the polling (its Show and Hide events); it is also the parent.
    ChangeWatcher(std::shared_ptr<Database> db, QList<ChangeQuery::Table> tables, QObject *page,
                  int intervalMs = DefaultIntervalMs);

    // Compares the stamps now; emits changed() and returns true when they moved since the last look.
    bool checkNow();
    // Takes the current stamps as seen, after the page re-read its rows for another reason.
    void resync();
    [[nodiscard]] bool isPolling() const;

Q_SIGNALS:
    void changed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    [[nodiscard]] bool read(QList<ChangeStamp> &stamps) const;

    std::shared_ptr<Database> m_db;
    QList<ChangeQuery::Table> m_tables;
    QList<ChangeStamp> m_seen;
    QTimer *m_timer = nullptr;
};

} // namespace askpro
