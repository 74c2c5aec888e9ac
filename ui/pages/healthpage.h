// The health dashboard: a tile per check, 24-hour and 7-day latency history, "check now", and the plan's
// success metrics beside their targets; a desktop notification when a check changes state.
#pragma once

#include "config/serverconfig.h"

#include <QHash>
#include <QWidget>

#include <memory>

class QChartView;
class QComboBox;
class QGridLayout;
class QLabel;
class QNetworkAccessManager;
class QPushButton;
class QSystemTrayIcon;
class QTimer;

namespace askpro {

class CredentialStore;
class Database;

class HealthPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthPage)
public:
    // credentials may be null: "Check now" is then unavailable (the page still shows stored results).
    HealthPage(std::shared_ptr<Database> db, std::shared_ptr<CredentialStore> credentials, ServerConfig config,
               QWidget *parent = nullptr);
    ~HealthPage() override;

    void refresh();
    void checkNow();
    [[nodiscard]] int tileCount() const { return int(m_tileStates.size()); }
    [[nodiscard]] QString tileState(const QString &check) const { return m_tileStates.value(check); }
    [[nodiscard]] QString metricsText() const;

Q_SIGNALS:
    // A check's state differs from the one shown before (also drives the desktop notification).
    void checkChanged(const QString &check, const QString &state, const QString &message);

private:
    void rebuildTiles();
    void rebuildChart();
    void rebuildMetrics();
    [[nodiscard]] static QString checkTitle(const QString &check);
    [[nodiscard]] static QString stateTitle(const QString &state);

    std::shared_ptr<Database> m_db;
    std::shared_ptr<CredentialStore> m_credentials;
    ServerConfig m_config;
    QNetworkAccessManager *m_network = nullptr;
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
