// Health dashboard: the server's stored check results through the admin API; "check now" asks the server to
// run the checks (they use the provider keys, which stay there).
#include "pages/healthpage.h"

#include "apiaccount.h"
#include "changewatcher.h"
#include "jsonfields.h"
#include "statuscolors.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QDateTime>
#include <QPushButton>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
StatusColors::Tone toneOf(const QString &state)
{
    return state == u"ok"_s ? StatusColors::Tone::Good : state == u"degraded"_s ? StatusColors::Tone::Warning : StatusColors::Tone::Bad;
}

void clear(QGridLayout *grid)
{
    while (QLayoutItem *item = grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
}
} // namespace

HealthPage::HealthPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_checkNow = new QPushButton(tr("Check now"), this);
    m_checkNow->setObjectName(u"checkNow"_s);
    m_checkNow->setToolTip(tr("The server runs every check now; the results appear here when they are in"));
    m_lastRun = new QLabel(this);
    m_range = new QComboBox(this);
    m_range->addItem(tr("Last 24 hours"), 24);
    m_range->addItem(tr("Last 7 days"), 24 * 7);
    top->addWidget(m_checkNow);
    top->addWidget(m_lastRun, 1);
    top->addWidget(new QLabel(tr("History:"), this));
    top->addWidget(m_range);
    layout->addLayout(top);

    auto *tilesBox = new QGroupBox(tr("Checks"), this);
    m_tiles = new QGridLayout(tilesBox);
    layout->addWidget(tilesBox);

    auto *bottom = new QHBoxLayout;
    m_chart = new QChartView(this);
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(260);
    bottom->addWidget(m_chart, 3);
    auto *metricsBox = new QGroupBox(tr("Success metrics"), this);
    m_metrics = new QGridLayout(metricsBox);
    bottom->addWidget(metricsBox, 2);
    layout->addLayout(bottom, 1);

    connect(m_checkNow, &QPushButton::clicked, this, &HealthPage::checkNow);
    connect(m_range, &QComboBox::currentIndexChanged, this, &HealthPage::rebuildChart);
    m_timer = new QTimer(this);
    m_timer->setInterval(30000);
    connect(m_timer, &QTimer::timeout, this, &HealthPage::refresh);
    m_timer->start();
    // A new check result shows at once while the page is open (the live socket says so; else polled).
    auto *watcher = new ChangeWatcher(m_account, {u"health"_s}, this, 10000);
    connect(watcher, &ChangeWatcher::changed, this, &HealthPage::refresh);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->show();
    }
    connect(this, &HealthPage::checkChanged, this, [this](const QString &check, const QString &state, const QString &message) {
        if (m_tray)
            m_tray->showMessage(tr("AskPro: %1 is %2").arg(checkTitle(check), stateTitle(state)), message,
                                state == u"ok"_s ? QSystemTrayIcon::Information : QSystemTrayIcon::Warning);
    });
    refresh();
}

HealthPage::~HealthPage() = default;

QString HealthPage::checkTitle(const QString &check)
{
    if (check == u"database"_s) return tr("Database");
    if (check == u"retell"_s) return tr("Retell API");
    if (check == u"calcom"_s) return tr("Cal.com API");
    if (check == u"stripe"_s) return tr("Stripe API");
    if (check == u"numbers"_s) return tr("Phone numbers");
    if (check == u"smtp"_s) return tr("Mail server");
    if (check == u"workers"_s) return tr("Workers");
    if (check == u"backlog"_s) return tr("Job backlog");
    if (check == u"webhooks"_s) return tr("Webhook failures");
    return check;
}

QString HealthPage::stateTitle(const QString &state)
{
    if (state == u"ok"_s) return tr("OK");
    if (state == u"degraded"_s) return tr("Degraded");
    return tr("Down");
}

void HealthPage::refresh()
{
    auto *call = m_account.get(u"/health/checks"_s);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            // What is shown stays; the line above the tiles says why it is not current.
            m_lastRun->setText(tr("The health results cannot be read: %1").arg(result.errorMessage));
            Q_EMIT refreshed();
            return;
        }
        rebuildTiles(client::child(result.body, "checks", client::Json::array()));
        rebuildMetrics(client::child(result.body, "metrics", client::Json()));
        Q_EMIT refreshed();
    });
    rebuildChart();
}

void HealthPage::rebuildTiles(const client::Json &checks)
{
    clear(m_tiles);
    if (checks.empty()) {
        m_tiles->addWidget(new QLabel(tr("No health check has run yet. The server runs them every 5 minutes; "
                                         "\"Check now\" runs them at once."),
                                      this),
                           0, 0);
        m_lastRun->clear();
        return;
    }
    qint64 newest = 0;
    int index = 0;
    for (const client::Json &json : checks) {
        struct
        {
            QString name, state, message;
            qint64 latencyMs, checkedAt;
        } row{client::text(json, "name"), client::text(json, "state"), client::text(json, "message"), client::number(json, "latency_ms"),
              client::number(json, "checked_at")};
        const QString before = m_tileStates.value(row.name);
        if (!before.isEmpty() && before != row.state)
            Q_EMIT checkChanged(row.name, row.state, row.message);
        m_tileStates.insert(row.name, row.state);
        newest = qMax(newest, row.checkedAt);

        auto *tile = new QFrame(this);
        tile->setObjectName(u"tile_"_s + row.name);
        tile->setFrameShape(QFrame::StyledPanel);
        tile->setAutoFillBackground(true);
        QPalette palette = tile->palette();
        palette.setColor(QPalette::Window, StatusColors::fill(toneOf(row.state)));
        tile->setPalette(palette);
        auto *box = new QVBoxLayout(tile);
        auto *title = new QLabel(u"<b>%1</b>"_s.arg(checkTitle(row.name).toHtmlEscaped()), tile);
        auto *state = new QLabel(stateTitle(row.state), tile);
        QPalette statePalette = state->palette();
        statePalette.setColor(QPalette::WindowText, StatusColors::text(toneOf(row.state)));
        state->setPalette(statePalette);
        QFont bold = state->font();
        bold.setBold(true);
        state->setFont(bold);
        auto *latency = new QLabel(tr("%1 ms").arg(row.latencyMs), tile);
        auto *message = new QLabel(row.message.isEmpty() ? tr("No problem") : row.message, tile);
        message->setWordWrap(true);
        box->addWidget(title);
        box->addWidget(state);
        box->addWidget(latency);
        box->addWidget(message, 1);
        m_tiles->addWidget(tile, index / 4, index % 4);
        ++index;
    }
    m_newest = newest;
    m_lastRun->setText(tr("Last checked: %1").arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(newest).toLocalTime(), QLocale::ShortFormat)));
}

void HealthPage::rebuildChart()
{
    const qint64 hours = m_range->currentData().toLongLong();
    QUrlQuery query;
    query.addQueryItem(u"hours"_s, QString::number(hours));
    auto *call = m_account.get(u"/health/history"_s, query);
    connect(call, &client::ApiCall::finished, this, [this, hours](const client::ApiResult &result) {
        if (!result.ok() || hours != m_range->currentData().toLongLong())
            return; // the chart keeps what it shows
        showChart(client::child(result.body, "items", client::Json::array()), hours);
    });
}

void HealthPage::showChart(const client::Json &history, qint64 hours)
{
    auto *chart = new QChart;
    chart->setTitle(tr("Latency of each check"));
    QHash<QString, QLineSeries *> series;
    for (const client::Json &row : history) {
        const QString name = client::text(row, "name");
        QLineSeries *line = series.value(name);
        if (!line) {
            line = new QLineSeries(chart);
            line->setName(checkTitle(name));
            series.insert(name, line);
            chart->addSeries(line);
        }
        line->append(double(client::number(row, "checked_at")), double(client::number(row, "latency_ms")));
    }
    auto *time = new QDateTimeAxis(chart);
    time->setFormat(hours > 24 ? QLocale().dateFormat(QLocale::ShortFormat) : u"HH:mm"_s);
    time->setRange(QDateTime::currentDateTime().addSecs(-hours * 3600), QDateTime::currentDateTime());
    auto *ms = new QValueAxis(chart);
    ms->setTitleText(tr("ms"));
    ms->setLabelFormat(u"%d"_s);
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(ms, Qt::AlignLeft);
    qreal maximum = 10;
    for (QLineSeries *line : std::as_const(series)) {
        line->attachAxis(time);
        line->attachAxis(ms);
        for (const QPointF &p : line->points())
            maximum = qMax(maximum, p.y());
    }
    ms->setRange(0, maximum * 1.1);
    chart->legend()->setAlignment(Qt::AlignBottom);
    QChart *old = m_chart->chart();
    m_chart->setChart(chart);
    delete old;
}

void HealthPage::rebuildMetrics(const client::Json &metrics)
{
    clear(m_metrics);
    m_metrics->parentWidget()->setVisible(metrics.is_array()); // platform-wide figures: not for a business account
    if (!metrics.is_array())
        return;
    const QLocale locale;
    int row = 0;
    for (const QString &header : {tr("Metric"), tr("Now"), tr("Target")}) {
        auto *label = new QLabel(u"<b>%1</b>"_s.arg(header), this);
        m_metrics->addWidget(label, 0, row++);
    }
    row = 1;
    for (const client::Json &m : metrics) {
        const QString key = client::text(m, "key");
        const double number = m.contains("value") && m.at("value").is_number() ? m.at("value").get<double>() : 0.0;
        const bool hasData = client::flag(m, "has_data");
        const bool hasTarget = m.contains("target") && m.at("target").is_number() && m.at("target").get<double>() > 0;
        QString name;
        QString value;
        QString target;
        if (key == u"booking_success"_s) {
            name = tr("Call-to-appointment success (7 days)");
            value = locale.toString(number, 'f', 1) + u" %"_s;
            target = u"> 90 %"_s;
        } else if (key == u"error_rate"_s) {
            name = tr("Error rate (7 days)");
            value = locale.toString(number, 'f', 1) + u" %"_s;
            target = u"< 5 %"_s;
        } else if (key == u"booking_p95"_s) {
            name = tr("Webhook to booking, p95 (24 hours)");
            value = tr("%1 s").arg(locale.toString(number, 'f', 2));
            target = tr("< %1 s").arg(2);
        } else if (key == u"uptime"_s) {
            name = tr("Uptime (30 days of checks)");
            value = locale.toString(number, 'f', 2) + u" %"_s;
            target = u"> "_s + locale.toString(99.9, 'f', 1) + u" %"_s;
        } else if (key == u"calls_per_day"_s) {
            name = tr("Calls per day (7 days)");
            value = locale.toString(number, 'f', 1);
        } else {
            continue; // a figure of a newer server
        }
        if (!hasData)
            value = tr("no data yet");
        auto *valueLabel = new QLabel(value, this);
        if (hasData && hasTarget) {
            QPalette palette = valueLabel->palette();
            palette.setColor(QPalette::WindowText, StatusColors::text(client::flag(m, "met") ? StatusColors::Tone::Good : StatusColors::Tone::Bad));
            valueLabel->setPalette(palette);
        }
        m_metrics->addWidget(new QLabel(name, this), row, 0);
        m_metrics->addWidget(valueLabel, row, 1);
        m_metrics->addWidget(new QLabel(target, this), row, 2);
        ++row;
    }
    m_metrics->setRowStretch(row, 1);
}

QString HealthPage::metricsText() const
{
    QStringList parts;
    for (int i = 0; i < m_metrics->count(); ++i)
        if (auto *label = qobject_cast<QLabel *>(m_metrics->itemAt(i)->widget()))
            parts << label->text();
    return parts.join(u" | "_s);
}

void HealthPage::checkNow()
{
    m_checkNow->setEnabled(false);
    m_lastRun->setText(tr("Checking…"));
    auto *call = m_account.post(u"/health/checks/run"_s);
    connect(call, &client::ApiCall::finished, this, [this, before = m_newest](const client::ApiResult &result) {
        if (!result.ok()) {
            m_checkNow->setEnabled(true);
            m_lastRun->setText(tr("The checks cannot be started: %1").arg(result.errorMessage));
            return;
        }
        awaitNewResults(before, 20);
    });
}

// The server's workers run the checks (providers concurrently, a few seconds); read again until they are in.
void HealthPage::awaitNewResults(qint64 before, int attemptsLeft)
{
    QTimer::singleShot(1500, this, [this, before, attemptsLeft] {
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(this, &HealthPage::refreshed, this, [this, before, attemptsLeft, connection] {
            disconnect(*connection);
            if (m_newest > before) {
                m_checkNow->setEnabled(true);
            } else if (attemptsLeft > 1) {
                m_lastRun->setText(tr("Checking…"));
                awaitNewResults(before, attemptsLeft - 1);
            } else {
                m_checkNow->setEnabled(true);
                m_lastRun->setText(tr("No new results yet: the server's workers may be busy or stopped."));
            }
        });
        refresh();
    });
}

} // namespace askpro
