// The polling behind every page's auto-refresh: one timer per page, stopped while the page is hidden.
#include "changewatcher.h"

#include <QEvent>
#include <QTimer>
#include <QVariant>

namespace askpro {

ChangeWatcher::ChangeWatcher(std::shared_ptr<Database> db, QList<ChangeQuery::Table> tables, QObject *page, int intervalMs)
    : QObject(page)
    , m_db(std::move(db))
    , m_tables(std::move(tables))
{
    m_timer = new QTimer(this);
    m_timer->setInterval(intervalMs);
    connect(m_timer, &QTimer::timeout, this, &ChangeWatcher::checkNow);
    (void)read(m_seen);
    page->installEventFilter(this);
    // QWidget's "visible" property, read without depending on widgets; a plain QObject polls always.
    const QVariant visible = page->property("visible");
    if (!visible.isValid() || visible.toBool())
        m_timer->start();
}

bool ChangeWatcher::read(QList<ChangeStamp> &stamps) const
{
    QList<ChangeStamp> now;
    for (const ChangeQuery::Table table : m_tables) {
        auto stamp = ChangeQuery::stamp(*m_db, table);
        if (!stamp)
            return false; // keep the last stamps: a locked or unreachable database is no change
        now.append(*stamp);
    }
    stamps = now;
    return true;
}

bool ChangeWatcher::checkNow()
{
    QList<ChangeStamp> now;
    if (!read(now) || now == m_seen)
        return false;
    m_seen = now;
    Q_EMIT changed();
    return true;
}

void ChangeWatcher::resync()
{
    (void)read(m_seen);
}

bool ChangeWatcher::isPolling() const
{
    return m_timer->isActive();
}

bool ChangeWatcher::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parent()) {
        if (event->type() == QEvent::Show) {
            m_timer->start();
            checkNow();
        } else if (event->type() == QEvent::Hide) {
            m_timer->stop();
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace askpro
