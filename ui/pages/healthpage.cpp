// Health dashboard: reads stored check results (any server's) and can run the checks itself.
#include "pages/healthpage.h"

#include "core/clock.h"
#include "db/database.h"
#include "health/healthcheck.h"
#include "health/healthhistory.h"
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
#include <QNetworkAccessManager>
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

HealthPage::HealthPage(std::shared_ptr<Database> db, std::shared_ptr<CredentialStore> credentials, ServerConfig config, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
    , m_credentials(std::move(credentials))
    , m_config(std::move(config))
{
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_checkNow = new QPushButton(tr("Check now"), this);
    m_checkNow->setObjectName(u"checkNow"_s);
    m_checkNow->setEnabled(m_credentials != nullptr);
    if (!m_credentials)
        m_checkNow->setToolTip(tr("The key for stored provider credentials is not available on this computer"));
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
    rebuildTiles();
    rebuildChart();
    rebuildMetrics();
}

void HealthPage::rebuildTiles()
{
    clear(m_tiles);
    auto latest = HealthHistory::latest(*m_db);
    if (!latest || latest->isEmpty()) {
        m_tiles->addWidget(new QLabel(latest ? tr("No health check has run yet. The server runs them every 5 minutes; "
                                                  "\"Check now\" runs them here.")
                                             : tr("The health results cannot be read: %1").arg(latest.error().describe()),
                                      this),
                           0, 0);
        m_lastRun->clear();
        return;
    }
    qint64 newest = 0;
    int index = 0;
    for (const CheckRow &row : *latest) {
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
    m_lastRun->setText(tr("Last checked: %1").arg(QLocale().toString(fromMs(newest).toLocalTime(), QLocale::ShortFormat)));
}

void HealthPage::rebuildChart()
{
    auto *chart = new QChart;
    chart->setTitle(tr("Latency of each check"));
    const qint64 hours = m_range->currentData().toLongLong();
    auto history = HealthHistory::since(*m_db, nowMs() - hours * 60 * 60 * 1000);
    QHash<QString, QLineSeries *> series;
    if (history) {
        for (const CheckRow &row : *history) {
            QLineSeries *line = series.value(row.name);
            if (!line) {
                line = new QLineSeries(chart);
                line->setName(checkTitle(row.name));
                series.insert(row.name, line);
                chart->addSeries(line);
            }
            line->append(double(row.checkedAt), double(row.latencyMs));
        }
    }
    auto *time = new QDateTimeAxis(chart);
    time->setFormat(hours > 24 ? QLocale().dateFormat(QLocale::ShortFormat) : u"HH:mm"_s);
    time->setRange(fromMs(nowMs() - hours * 60 * 60 * 1000).toLocalTime(), QDateTime::currentDateTime());
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

void HealthPage::rebuildMetrics()
{
    clear(m_metrics);
    auto metrics = HealthHistory::successMetrics(*m_db, nowMs());
    if (!metrics) {
        m_metrics->addWidget(new QLabel(metrics.error().describe(), this), 0, 0);
        return;
    }
    const QLocale locale;
    int row = 0;
    for (const QString &header : {tr("Metric"), tr("Now"), tr("Target")}) {
        auto *label = new QLabel(u"<b>%1</b>"_s.arg(header), this);
        m_metrics->addWidget(label, 0, row++);
    }
    row = 1;
    for (const SuccessMetric &m : *metrics) {
        QString name;
        QString value;
        QString target;
        switch (m.key) {
        case SuccessMetric::Key::BookingSuccess:
            name = tr("Call-to-appointment success (7 days)");
            value = locale.toString(m.value, 'f', 1) + u" %"_s;
            target = u"> 90 %"_s;
            break;
        case SuccessMetric::Key::ErrorRate:
            name = tr("Error rate (7 days)");
            value = locale.toString(m.value, 'f', 1) + u" %"_s;
            target = u"< 5 %"_s;
            break;
        case SuccessMetric::Key::BookingP95:
            name = tr("Webhook to booking, p95 (24 hours)");
            value = tr("%1 s").arg(locale.toString(m.value, 'f', 2));
            target = tr("< %1 s").arg(2);
            break;
        case SuccessMetric::Key::Uptime:
            name = tr("Uptime (30 days of checks)");
            value = locale.toString(m.value, 'f', 2) + u" %"_s;
            target = u"> "_s + locale.toString(99.9, 'f', 1) + u" %"_s;
            break;
        case SuccessMetric::Key::CallsPerDay:
            name = tr("Calls per day (7 days)");
            value = locale.toString(m.value, 'f', 1);
            break;
        }
        if (!m.hasData)
            value = tr("no data yet");
        auto *valueLabel = new QLabel(value, this);
        if (m.hasData && m.target > 0) {
            QPalette palette = valueLabel->palette();
            palette.setColor(QPalette::WindowText, StatusColors::text(m.met() ? StatusColors::Tone::Good : StatusColors::Tone::Bad));
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
    if (!m_credentials)
        return;
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    m_checkNow->setEnabled(false);
    m_lastRun->setText(tr("Checking…"));
    auto *checker = new HealthChecker(*m_db, *m_credentials, m_network, m_config, this);
    checker->runAll([this, checker](const QList<CheckResult> &results) {
        auto recorded = checker->record(results, m_config.alertEmail);
        checker->deleteLater();
        m_checkNow->setEnabled(true);
        if (!recorded)
            m_lastRun->setText(tr("The results cannot be stored: %1").arg(recorded.error().describe()));
        refresh();
    });
}

} // namespace askpro
