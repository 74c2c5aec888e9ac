// The health dashboard: a tile per check, 24-hour and 7-day latency history, "check now", and the plan's
// success metrics beside their targets; a desktop notification when a check changes state.
#pragma once

#include "apiresult.h"

#include <QHash>
#include <QWidget>

class QChartView;
class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSystemTrayIcon;
class QTimer;

namespace askpro {

namespace client {
class ApiAccount;
}

class HealthPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthPage)
public:
    explicit HealthPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~HealthPage() override;

    // Asks the server for the latest results, the success metrics and the history.
    void refresh();
    // Asks the server to run every check now, then reads the results again until the new ones are in.
    void checkNow();
    [[nodiscard]] int tileCount() const { return int(m_tileStates.size()); }
    [[nodiscard]] QString tileState(const QString &check) const { return m_tileStates.value(check); }
    [[nodiscard]] QString metricsText() const;

Q_SIGNALS:
    // A check's state differs from the one shown before (also drives the desktop notification).
    void checkChanged(const QString &check, const QString &state, const QString &message);
    // The tiles and metrics show the server's latest answer.
    void refreshed();

private:
    void rebuildTiles(const client::Json &checks);
    void rebuildChart();
    void showChart(const client::Json &history, qint64 hours);
    void rebuildMetrics(const client::Json &metrics);
    void awaitNewResults(qint64 before, int attemptsLeft);
    [[nodiscard]] static QString checkTitle(const QString &check);
    [[nodiscard]] static QString stateTitle(const QString &state);

    client::ApiAccount &m_account;
    qint64 m_newest = 0; // when the newest result shown was checked
    QGridLayout *m_tiles = nullptr;
    QGridLayout *m_metrics = nullptr;
    QChartView *m_chart = nullptr;
    QComboBox *m_range = nullptr;
    QPushButton *m_checkNow = nullptr;
    QLabel *m_lastRun = nullptr;
    QTimer *m_timer = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QHash<QString, QString> m_tileStates;
};

} // namespace askpro
