// The polling behind every page's auto-refresh: one timer per page, stopped while the page is hidden.
#include "changewatcher.h"

#include "apiaccount.h"
#include "livechannel.h"

#include <QEvent>
#include <QTimer>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace askpro {

ChangeWatcher::ChangeWatcher(client::ApiAccount &account, QStringList lists, QObject *page, int intervalMs)
    : QObject(page)
    , m_account(&account)
    , m_lists(std::move(lists))
{
    ask(true);
    startPolling(page, intervalMs);
    followLiveUpdates();
}

void ChangeWatcher::followLiveUpdates()
{
    client::LiveChannel *live = m_account->live();
    const auto pace = [this](bool connected) { m_timer->setInterval(connected ? m_intervalMs * LiveSlowdown : m_intervalMs); };
    pace(live->isConnected());
    connect(live, &client::LiveChannel::connectedChanged, this, [this, pace](bool connected) {
        pace(connected);
        if (!connected && m_timer->isActive())
            checkNow(); // what changed while the socket was down
    });
    connect(live, &client::LiveChannel::changed, this, [this](const QStringList &lists) {
        if (!m_timer->isActive())
            return; // a hidden page looks when it is shown again
        for (const QString &list : lists) {
            if (m_lists.contains(list)) {
                checkNow();
                return;
            }
        }
    });
}

void ChangeWatcher::startPolling(QObject *page, int intervalMs)
{
    m_intervalMs = intervalMs;
    m_timer = new QTimer(this);
    m_timer->setInterval(intervalMs);
    connect(m_timer, &QTimer::timeout, this, &ChangeWatcher::checkNow);
    page->installEventFilter(this);
    // QWidget's "visible" property, read without depending on widgets; a plain QObject polls always.
    const QVariant visible = page->property("visible");
    if (!visible.isValid() || visible.toBool())
        m_timer->start();
}

void ChangeWatcher::ask(bool baseline)
{
    if (m_asking && !baseline)
        return; // the previous question is still out (a slow server): no pile of polls
    m_asking = true;
    QUrlQuery query;
    query.addQueryItem(u"tables"_s, m_lists.join(u','));
    client::ApiCall *call = m_account->get(u"/changes"_s, query);
    connect(call, &client::ApiCall::finished, this, [this, baseline, asked = ++m_asked](const client::ApiResult &result) {
        if (asked != m_asked)
            return;
        m_asking = false;
        if (!result.ok())
            return; // an unreachable server or a refusal is no change; the page says why through its own requests
        std::string answer = result.body.dump();
        if (answer == m_seenAnswer)
            return;
        const bool first = m_seenAnswer.empty();
        m_seenAnswer = std::move(answer);
        if (!baseline && !first)
            Q_EMIT changed();
    });
}

void ChangeWatcher::checkNow()
{
    ask(false);
}

void ChangeWatcher::resync()
{
    ask(true);
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
