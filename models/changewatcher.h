// Notices new and changed rows for a page: polls the server's change stamps of the lists the page shows
// (GET /api/v1/changes) and says when they moved. While its page is hidden it does not poll; when the
// page is shown again it looks at once. While the account's live socket is connected, the server's word that
// one of the lists moved makes it look at once, and it polls only rarely, in case a message was missed.
#pragma once

#include <QObject>
#include <QStringList>
#include <string>

class QTimer;

namespace askpro {

namespace client {
class ApiAccount;
}

class ChangeWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangeWatcher)
public:
    static constexpr int DefaultIntervalMs = 3000;
    // The polling interval is this many times longer while the live socket is connected.
    static constexpr int LiveSlowdown = 10;

    // page: the widget whose visibility switches the polling (its Show and Hide events); it is also the parent.
    // Through the admin API (GET /api/v1/changes): lists by name ("calls", "appointments", "customers",
    // "inbox"), within the signed-in user's company. checkNow() then answers later: changed() when the
    // stamps moved, nothing while the server cannot be reached.
    ChangeWatcher(client::ApiAccount &account, QStringList lists, QObject *page, int intervalMs = DefaultIntervalMs);

    // Asks for the stamps now; changed() follows when they moved since the last look.
    void checkNow();
    // Takes the current stamps as seen, after the page re-read its rows for another reason.
    void resync();
    [[nodiscard]] bool isPolling() const;
    // The stamps to compare with have been read (through the API they arrive after construction); a change
    // made before that is part of the baseline, not a change.
    [[nodiscard]] bool hasBaseline() const { return !m_seenAnswer.empty(); }

Q_SIGNALS:
    void changed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void startPolling(QObject *page, int intervalMs);
    void followLiveUpdates();
    void ask(bool baseline);

    client::ApiAccount *m_account;
    QStringList m_lists;
    std::string m_seenAnswer; // the last /changes answer, as sent
    quint64 m_asked = 0;      // answers to an earlier question are dropped
    bool m_asking = false;
    QTimer *m_timer = nullptr;
    int m_intervalMs = DefaultIntervalMs;
};

} // namespace askpro
