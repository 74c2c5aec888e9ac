// Usage charts: GET /api/v1/usage fills two small models; QVXYModelMapper / QVBarModelMapper feed the
// series, so the charts and the CSV export show the same numbers.
#include "usagepage.h"

#include "apiaccount.h"
#include "displayformat.h"
#include "invoicesmodel.h"
#include "jsonfields.h"

#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTimeAxis>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedBarSeries>
#include <QTimeZone>
#include <QVBarModelMapper>
#include <QVBoxLayout>
#include <QVXYModelMapper>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace askpro {

struct UsagePage::Charts
{
    QChart *volume = nullptr;
    QLineSeries *calls = nullptr;
    QLineSeries *appointments = nullptr;
    QDateTimeAxis *volumeX = nullptr;
    QValueAxis *volumeY = nullptr;
    QChart *conversion = nullptr;
    QList<QLineSeries *> conversionRuns; // one line per run of days with calls: gaps where there is no ratio
    QDateTimeAxis *conversionX = nullptr;
    QValueAxis *conversionY = nullptr;
    QChart *revenue = nullptr;
    QStackedBarSeries *revenueSeries = nullptr;
    QBarCategoryAxis *revenueX = nullptr;
    QValueAxis *revenueY = nullptr;
};

namespace {

QChartView *viewOf(QChart *chart, QWidget *parent)
{
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

QLineSeries *mappedLine(DailyUsageModel *model, int yColumn, const QString &name, QObject *parent)
{
    auto *series = new QLineSeries(parent);
    series->setName(name);
    auto *mapper = new QVXYModelMapper(parent);
    mapper->setXColumn(DailyUsageModel::Day);
    mapper->setYColumn(yColumn);
    mapper->setSeries(series);
    mapper->setModel(model);
    return series;
}

} // namespace

UsagePage::UsagePage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent), m_account(account), m_c(std::make_unique<Charts>())
{
    m_daily = new DailyUsageModel(this);
    m_revenue = new MonthlyRevenueModel(this);
    auto *layout = new QVBoxLayout(this);
    auto *controls = new QHBoxLayout;
    m_company = new QComboBox(this);
    m_company->setObjectName(u"usageCompany"_s);
    m_company->addItem(tr("All companies"), 0);
    // Days as the server counts them, in the billing zone.
    const QDate today = QDateTime::currentDateTimeUtc().toTimeZone(QTimeZone("Europe/Berlin")).date();
    m_from = new QDateEdit(today.addDays(-89), this);
    m_to = new QDateEdit(today, this);
    for (QDateEdit *e : {m_from, m_to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QLocale().dateFormat(QLocale::ShortFormat));
    }
    auto *png = new QPushButton(tr("Export PNG…"), this);
    auto *csv = new QPushButton(tr("Export CSV…"), this);
    controls->addWidget(new QLabel(tr("Company:"), this));
    controls->addWidget(m_company);
    controls->addWidget(new QLabel(tr("From:"), this));
    controls->addWidget(m_from);
    controls->addWidget(new QLabel(tr("To:"), this));
    controls->addWidget(m_to);
    controls->addStretch();
    controls->addWidget(png);
    controls->addWidget(csv);
    layout->addLayout(controls);
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"usageSummary"_s);
    layout->addWidget(m_summary);

    m_charts = new QWidget(this);
    auto *grid = new QGridLayout(m_charts);
    grid->setContentsMargins(0, 0, 0, 0);
    Charts &c = *m_c;
    c.volume = new QChart;
    c.volume->setTitle(tr("Calls and booked appointments per day"));
    c.calls = mappedLine(m_daily, DailyUsageModel::Calls, tr("Calls"), c.volume);
    c.appointments = mappedLine(m_daily, DailyUsageModel::Appointments, tr("Appointments"), c.volume);
    c.volume->addSeries(c.calls);
    c.volume->addSeries(c.appointments);
    c.volumeX = new QDateTimeAxis(c.volume);
    c.volumeX->setFormat(QLocale().dateFormat(QLocale::ShortFormat));
    c.volumeY = new QValueAxis(c.volume);
    c.volumeY->setLabelFormat(u"%d"_s);
    c.volume->addAxis(c.volumeX, Qt::AlignBottom);
    c.volume->addAxis(c.volumeY, Qt::AlignLeft);
    for (QLineSeries *s : {c.calls, c.appointments}) {
        s->attachAxis(c.volumeX);
        s->attachAxis(c.volumeY);
    }
    c.conversion = new QChart;
    c.conversion->setTitle(tr("Call-to-appointment conversion (%)"));
    c.conversion->legend()->hide();
    c.conversionX = new QDateTimeAxis(c.conversion);
    c.conversionX->setFormat(QLocale().dateFormat(QLocale::ShortFormat));
    c.conversionY = new QValueAxis(c.conversion);
    c.conversionY->setRange(0, 100);
    c.conversion->addAxis(c.conversionX, Qt::AlignBottom);
    c.conversion->addAxis(c.conversionY, Qt::AlignLeft);
    c.revenue = new QChart;
    c.revenue->setTitle(tr("Invoiced revenue per month (net, €)"));
    c.revenueSeries = new QStackedBarSeries(c.revenue);
    auto *barMapper = new QVBarModelMapper(c.revenue);
    barMapper->setFirstBarSetColumn(MonthlyRevenueModel::Base);
    barMapper->setLastBarSetColumn(MonthlyRevenueModel::Usage);
    barMapper->setSeries(c.revenueSeries);
    barMapper->setModel(m_revenue);
    c.revenue->addSeries(c.revenueSeries);
    c.revenueX = new QBarCategoryAxis(c.revenue);
    c.revenueY = new QValueAxis(c.revenue);
    c.revenue->addAxis(c.revenueX, Qt::AlignBottom);
    c.revenue->addAxis(c.revenueY, Qt::AlignLeft);
    c.revenueSeries->attachAxis(c.revenueX);
    c.revenueSeries->attachAxis(c.revenueY);
    grid->addWidget(viewOf(c.volume, m_charts), 0, 0, 1, 2);
    grid->addWidget(viewOf(c.conversion, m_charts), 1, 0);
    grid->addWidget(viewOf(c.revenue, m_charts), 1, 1);
    layout->addWidget(m_charts, 1);

    connect(m_company, &QComboBox::currentIndexChanged, this, &UsagePage::reload);
    connect(m_from, &QDateEdit::dateChanged, this, &UsagePage::reload);
    connect(m_to, &QDateEdit::dateChanged, this, &UsagePage::reload);
    connect(png, &QPushButton::clicked, this, &UsagePage::exportPng);
    connect(csv, &QPushButton::clicked, this, &UsagePage::exportCsv);
    loadCompanies();
    reload();
}

void UsagePage::loadCompanies()
{
    client::ApiCall *call = m_account.get(u"/billing/companies"_s);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            Q_EMIT statusMessage(tr("The companies cannot be read: %1").arg(result.errorMessage));
            return;
        }
        const QSignalBlocker blocker(m_company);
        const qint64 current = m_company->currentData().toLongLong();
        const client::Json &items = client::child(result.body, "items", client::Json::array());
        // A business account sees its own company only: "all companies" would be the same one.
        if (items.size() == 1 && client::number(m_account.user(), "company_id") > 0)
            m_company->clear();
        for (const client::Json &c : items)
            m_company->addItem(client::text(c, "name"), client::number(c, "id"));
        m_company->setCurrentIndex(qMax(0, m_company->findData(current)));
    });
}

UsagePage::~UsagePage() = default;

void UsagePage::setRange(QDate from, QDate to, qint64 companyId)
{
    const QSignalBlocker a(m_from), b(m_to), c(m_company);
    m_from->setDate(from);
    m_to->setDate(to);
    m_company->setCurrentIndex(qMax(0, m_company->findData(companyId)));
    reload();
}

void UsagePage::reload()
{
    const QDate from = m_from->date();
    const QDate to = qMax(m_to->date(), from);
    const qint64 company = m_company->currentData().toLongLong();
    QUrlQuery query;
    query.addQueryItem(u"from"_s, from.toString(Qt::ISODate));
    query.addQueryItem(u"to"_s, to.toString(Qt::ISODate));
    if (company > 0)
        query.addQueryItem(u"company_id"_s, QString::number(company));
    const quint64 generation = ++m_generation;
    client::ApiCall *call = m_account.get(u"/usage"_s, query);
    connect(call, &client::ApiCall::finished, this, [this, generation, from, to](const client::ApiResult &result) {
        if (generation != m_generation)
            return;
        if (!result.ok()) {
            // The charts keep what they show: the server may only be unreachable for a moment.
            Q_EMIT statusMessage(tr("The usage cannot be read: %1").arg(result.errorMessage));
            return;
        }
        const QList<UsageDay> daily = DailyUsageModel::fromJson(client::child(result.body, "days", client::Json::array()));
        const QList<RevenueMonth> revenue = MonthlyRevenueModel::fromJson(client::child(result.body, "months", client::Json::array()));
        m_daily->setRows(daily);
        m_revenue->setRows(revenue);
        Charts &c = *m_c;
        const QDateTime start(from, QTime(0, 0)), end(to, QTime(0, 0));
        c.volumeX->setRange(start, end);
        c.conversionX->setRange(start, end);
        for (QLineSeries *run : std::as_const(c.conversionRuns)) {
            c.conversion->removeSeries(run);
            delete run;
        }
        c.conversionRuns.clear();
        for (const QList<QPointF> &points : m_daily->conversionRuns()) {
            auto *run = new QLineSeries(c.conversion);
            run->setName(tr("Conversion"));
            run->append(points);
            run->setPointsVisible(points.size() == 1); // a lone day is a dot, not an invisible line
            if (!c.conversionRuns.isEmpty())
                run->setColor(c.conversionRuns.first()->color());
            c.conversion->addSeries(run);
            run->attachAxis(c.conversionX);
            run->attachAxis(c.conversionY);
            c.conversionRuns.append(run);
        }
        qint64 maxDay = 1, calls = 0, appointments = 0;
        for (const UsageDay &d : daily) {
            maxDay = qMax(maxDay, qMax(d.calls, d.appointments));
            calls += d.calls;
            appointments += d.appointments;
        }
        c.volumeY->setRange(0, double(maxDay) * 1.1);
        c.volumeY->applyNiceNumbers();
        c.volumeX->setTickCount(qBound(2, int(from.daysTo(to) / 7) + 1, 10));
        c.revenueX->clear();
        c.revenueX->append(m_revenue->monthLabels());
        double maxMonth = 1;
        qint64 base = 0, usage = 0;
        for (const RevenueMonth &m : revenue) {
            maxMonth = qMax(maxMonth, double(m.baseCents + m.usageCents) / 100.0);
            base += m.baseCents;
            usage += m.usageCents;
        }
        c.revenueY->setRange(0, maxMonth * 1.1);
        c.revenueY->applyNiceNumbers();
        const QLocale locale;
        m_summary->setText(tr("%1 calls, %2 booked appointments, conversion %3 %; invoiced %4 (base fee %5, usage %6)")
                               .arg(locale.toString(calls), locale.toString(appointments),
                                    locale.toString(calls == 0 ? 0.0 : 100.0 * double(appointments) / double(calls), 'f', 1),
                                    DisplayFormat::money(base + usage), DisplayFormat::money(base), DisplayFormat::money(usage)));
        Q_EMIT loaded();
    });
}

void UsagePage::exportPng()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export PNG"), u"askpro-usage.png"_s, tr("PNG image (*.png)"));
    if (path.isEmpty())
        return;
    if (!m_charts->grab().save(path, "PNG"))
        QMessageBox::warning(this, tr("Export PNG"), tr("Could not write %1.").arg(path));
    else
        Q_EMIT statusMessage(tr("Wrote %1.").arg(path));
}

void UsagePage::exportCsv()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export CSV"), u"askpro-usage.csv"_s, tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        QMessageBox::warning(this, tr("Export CSV"), file.errorString());
        return;
    }
    QByteArray out = "day,calls,appointments,conversion_percent\r\n";
    for (const UsageDay &d : m_daily->rows())
        out += d.day.toString(Qt::ISODate).toUtf8() + ',' + QByteArray::number(d.calls) + ',' + QByteArray::number(d.appointments) + ','
            + QByteArray::number(d.calls == 0 ? 0.0 : 100.0 * double(d.appointments) / double(d.calls), 'f', 2) + "\r\n";
    out += "\r\nmonth,base_fee_eur,usage_eur\r\n";
    for (const RevenueMonth &m : m_revenue->rows())
        out += m.month.toString(u"yyyy-MM"_s).toUtf8() + ',' + QByteArray::number(double(m.baseCents) / 100.0, 'f', 2) + ','
            + QByteArray::number(double(m.usageCents) / 100.0, 'f', 2) + "\r\n";
    if (file.write(out) != out.size())
        QMessageBox::warning(this, tr("Export CSV"), file.errorString());
    else
        Q_EMIT statusMessage(tr("Wrote %1.").arg(path));
}

} // namespace askpro
