// Calendar page: the week's bounds are local midnights in the branch's zone, so 23- and 25-hour days fit.
#include "pages/calendarpage.h"

#include "apiaccount.h"
#include "changewatcher.h"
#include "widgets/apipicker.h"
#include "widgets/weekcalendar.h"

#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QTimeZone>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

CalendarPage::CalendarPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_branch = new QComboBox(this);
    m_branch->setObjectName(u"calendarBranch"_s);
    m_branch->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_staff = new QComboBox(this);
    m_staff->setObjectName(u"calendarStaff"_s);
    m_staff->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_staff->addItem(tr("All staff"), qint64(0));
    auto *previous = new QPushButton(style()->standardIcon(QStyle::SP_ArrowLeft), tr("Previous week"), this);
    previous->setObjectName(u"previousWeek"_s);
    previous->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    auto *today = new QPushButton(tr("This week"), this);
    auto *next = new QPushButton(style()->standardIcon(QStyle::SP_ArrowRight), tr("Next week"), this);
    next->setObjectName(u"nextWeek"_s);
    next->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_date = new QDateEdit(QDate::currentDate(), this);
    m_date->setObjectName(u"calendarDate"_s);
    m_date->setCalendarPopup(true);
    m_title = new QLabel(this);
    m_title->setObjectName(u"calendarTitle"_s);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    bar->addWidget(m_branch);
    bar->addWidget(m_staff);
    bar->addSpacing(12);
    bar->addWidget(previous);
    bar->addWidget(today);
    bar->addWidget(next);
    bar->addWidget(m_date);
    bar->addSpacing(12);
    bar->addWidget(m_title, 1);
    layout->addLayout(bar);
    m_calendar = new WeekCalendar(this);
    layout->addWidget(m_calendar, 1);

    connect(previous, &QPushButton::clicked, this, &CalendarPage::previousWeek);
    connect(next, &QPushButton::clicked, this, &CalendarPage::nextWeek);
    connect(today, &QPushButton::clicked, this, [this] { showWeekOf(QDate::currentDate()); });
    connect(m_date, &QDateEdit::dateChanged, this, [this](const QDate &d) { showWeekOf(d); });
    connect(m_branch, &QComboBox::currentIndexChanged, this, [this] {
        reloadStaff();
        reload();
    });
    connect(m_staff, &QComboBox::currentIndexChanged, this, &CalendarPage::reload);
    connect(m_calendar, &WeekCalendar::appointmentActivated, this, &CalendarPage::appointmentActivated);

    m_monday = QDate::currentDate().addDays(1 - QDate::currentDate().dayOfWeek());
    reloadBranches();

    // Bookings made by phone while the week is open appear in it by themselves.
    auto *watcher = new ChangeWatcher(m_account, {u"appointments"_s}, this);
    connect(watcher, &ChangeWatcher::changed, this, &CalendarPage::reload);
}

CalendarPage::~CalendarPage() = default;

void CalendarPage::reloadBranches()
{
    ApiPicker::fill(m_branch, m_account, u"/branches"_s, {}, QString(), tr("No branches yet"), [this](bool ok) {
        if (!ok) {
            Q_EMIT statusMessage(tr("The branches cannot be read from the server."));
            return;
        }
        reloadStaff();
        showWeekOf(m_date->date());
        Q_EMIT branchesLoaded();
    });
}

void CalendarPage::reloadStaff()
{
    const qint64 branchId = m_branch->currentData().toLongLong();
    m_staffBranch = 0;
    if (branchId <= 0)
        return;
    QUrlQuery query;
    query.addQueryItem(u"branch_id"_s, QString::number(branchId));
    ApiPicker::fill(m_staff, m_account, u"/staff"_s, query, tr("All staff"), QString(), [this, branchId](bool ok) {
        if (!ok || m_branch->currentData().toLongLong() != branchId)
            return;
        m_staffBranch = branchId;
        const QSignalBlocker blocker(m_staff);
        if (m_wantedStaff >= 0) {
            m_staff->setCurrentIndex(qMax(0, m_staff->findData(m_wantedStaff)));
            m_wantedStaff = -1;
        } else if (m_staff->count() > 1) {
            m_staff->setCurrentIndex(1); // one person's week reads best; "All staff" stays one step away
        }
        reload();
    });
}

bool CalendarPage::setBranch(qint64 branchId)
{
    const int index = m_branch->findData(branchId);
    if (index < 0 || branchId <= 0)
        return false;
    m_branch->setCurrentIndex(index);
    return true;
}

void CalendarPage::setStaff(qint64 staffId)
{
    const int index = m_staff->findData(staffId);
    if (index >= 0 && staffId >= 0 && m_staffBranch == m_branch->currentData().toLongLong()) {
        m_wantedStaff = -1;
        m_staff->setCurrentIndex(index);
        reload();
        return;
    }
    m_wantedStaff = staffId; // the staff list of the branch is still on its way
}

void CalendarPage::showWeekOf(const QDate &date)
{
    m_monday = date.addDays(1 - date.dayOfWeek());
    {
        const QSignalBlocker blocker(m_date);
        m_date->setDate(date);
    }
    reload();
}

void CalendarPage::nextWeek()
{
    showWeekOf(m_monday.addDays(7));
}

void CalendarPage::previousWeek()
{
    showWeekOf(m_monday.addDays(-7));
}

void CalendarPage::reload()
{
    const quint64 asked = ++m_asked;
    const qint64 branchId = m_branch->currentData().toLongLong();
    QTimeZone zone(m_branch->currentData(ApiPicker::TimeZoneRole).toString().toUtf8());
    if (!zone.isValid())
        zone = QTimeZone(QByteArrayLiteral("Europe/Berlin"));
    const QDate monday = m_monday;
    const auto paint = [this, monday, zone](const QList<WeekCalendar::Entry> &entries) {
        m_calendar->setWeek(monday, zone, entries);
        m_title->setText(tr("Week %1: %2 – %3 (%4, %n appointment(s))", nullptr, int(m_calendar->placed().size()))
                             .arg(monday.weekNumber())
                             .arg(QLocale().toString(monday, QLocale::ShortFormat), QLocale().toString(monday.addDays(6), QLocale::ShortFormat),
                                  QString::fromUtf8(zone.id())));
        Q_EMIT weekShown();
    };
    if (branchId <= 0) {
        paint({});
        return;
    }
    QUrlQuery query;
    query.addQueryItem(u"branch_id"_s, QString::number(branchId));
    if (const qint64 staff = m_staff->currentData().toLongLong(); staff > 0)
        query.addQueryItem(u"staff_id"_s, QString::number(staff));
    query.addQueryItem(u"from"_s, QString::number(QDateTime(monday, QTime(0, 0), zone).toMSecsSinceEpoch()));
    query.addQueryItem(u"to"_s, QString::number(QDateTime(monday.addDays(7), QTime(0, 0), zone).toMSecsSinceEpoch()));
    client::ApiCall *call = m_account.get(u"/calendar"_s, query);
    connect(call, &client::ApiCall::finished, this, [this, asked, paint](const client::ApiResult &result) {
        if (asked != m_asked)
            return;
        if (!result.ok()) {
            // The week shown stays; the status bar says why it is not the one asked for.
            Q_EMIT statusMessage(tr("The calendar cannot be read: %1").arg(result.errorMessage));
            return;
        }
        QList<WeekCalendar::Entry> entries;
        for (const client::Json &item : result.body.value("items", client::Json::array()))
            entries.append({item.value("id", qint64(0)), item.value("starts_at", qint64(0)), item.value("ends_at", qint64(0)),
                            QString::fromStdString(item.value("status", std::string())), QString::fromStdString(item.value("sync_state", std::string())),
                            QString::fromStdString(item.value("customer", std::string())), QString::fromStdString(item.value("service", std::string())),
                            QString::fromStdString(item.value("staff", std::string()))});
        paint(entries);
    });
}

} // namespace askpro
