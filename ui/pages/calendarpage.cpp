// Calendar page: the week's bounds are local midnights in the branch's zone, so 23- and 25-hour days fit.
#include "pages/calendarpage.h"

#include "changewatcher.h"
#include "db/database.h"
#include "queries/appointmentquery.h"
#include "queries/directoryquery.h"
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

CalendarPage::CalendarPage(std::shared_ptr<Database> db, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_branch = new QComboBox(this);
    m_branch->setObjectName(u"calendarBranch"_s);
    m_branch->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_staff = new QComboBox(this);
    m_staff->setObjectName(u"calendarStaff"_s);
    m_staff->setSizeAdjustPolicy(QComboBox::AdjustToContents);
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

    reloadBranches();
    reloadStaff();
    showWeekOf(QDate::currentDate());

    // Bookings made by phone while the week is open appear in it by themselves.
    auto *watcher = new ChangeWatcher(m_db, {ChangeQuery::Table::Appointments}, this);
    connect(watcher, &ChangeWatcher::changed, this, &CalendarPage::reload);
}

CalendarPage::~CalendarPage() = default;

void CalendarPage::reloadBranches()
{
    const QSignalBlocker blocker(m_branch);
    m_branch->clear();
    if (auto branches = DirectoryQuery::branches(*m_db)) {
        for (const NamedItem &b : *branches)
            m_branch->addItem(b.active ? b.name : tr("%1 (inactive)").arg(b.name), b.id);
    }
    if (m_branch->count() == 0)
        m_branch->addItem(tr("No branches yet"), qint64(0));
}

void CalendarPage::reloadStaff()
{
    const QSignalBlocker blocker(m_staff);
    m_staff->clear();
    m_staff->addItem(tr("All staff"), qint64(0));
    const qint64 branchId = m_branch->currentData().toLongLong();
    if (branchId > 0) {
        if (auto staff = DirectoryQuery::staff(*m_db, branchId)) {
            for (const NamedItem &s : *staff)
                m_staff->addItem(s.active ? s.name : tr("%1 (inactive)").arg(s.name), s.id);
        }
    }
    // One person's week reads best; "All staff" stays one step away.
    if (m_staff->count() > 1)
        m_staff->setCurrentIndex(1);
}

bool CalendarPage::setBranch(qint64 branchId)
{
    const int index = m_branch->findData(branchId);
    if (index < 0)
        return false;
    m_branch->setCurrentIndex(index);
    return true;
}

void CalendarPage::setStaff(qint64 staffId)
{
    m_staff->setCurrentIndex(qMax(0, m_staff->findData(staffId)));
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
    const qint64 branchId = m_branch->currentData().toLongLong();
    QTimeZone zone(QByteArrayLiteral("Europe/Berlin"));
    if (auto branches = DirectoryQuery::branches(*m_db)) {
        for (const NamedItem &b : *branches)
            if (b.id == branchId && QTimeZone(b.timeZone.toUtf8()).isValid())
                zone = QTimeZone(b.timeZone.toUtf8());
    }
    const qint64 from = QDateTime(m_monday, QTime(0, 0), zone).toMSecsSinceEpoch();
    const qint64 to = QDateTime(m_monday.addDays(7), QTime(0, 0), zone).toMSecsSinceEpoch();
    QList<CalendarEntry> entries;
    if (branchId > 0) {
        auto loaded = AppointmentQuery::range(*m_db, branchId, m_staff->currentData().toLongLong(), from, to);
        if (loaded)
            entries = *loaded;
    }
    m_calendar->setWeek(m_monday, zone, entries);
    m_title->setText(tr("Week %1: %2 – %3 (%4, %n appointment(s))", nullptr, int(m_calendar->placed().size()))
                         .arg(m_monday.weekNumber())
                         .arg(QLocale().toString(m_monday, QLocale::ShortFormat), QLocale().toString(m_monday.addDays(6), QLocale::ShortFormat),
                              QString::fromUtf8(zone.id())));
}

} // namespace askpro
