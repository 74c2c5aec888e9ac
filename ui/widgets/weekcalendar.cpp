// Week view painting; every colour comes from the palette or StatusColors (which follows the palette).
#include "widgets/weekcalendar.h"

#include "labels.h"
#include "statuscolors.h"

#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
constexpr int headerHeight = 40;
constexpr int gutterWidth = 52;
} // namespace

WeekCalendar::WeekCalendar(QWidget *parent)
    : QWidget(parent)
    , m_zone(QTimeZone::utc())
{
    setObjectName(u"weekCalendar"_s);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setMouseTracking(true);
}

WeekCalendar::~WeekCalendar() = default;

QSize WeekCalendar::sizeHint() const
{
    return {900, 640};
}

QSize WeekCalendar::minimumSizeHint() const
{
    return {500, 360};
}

void WeekCalendar::setWeek(const QDate &monday, const QTimeZone &zone, const QList<Entry> &entries)
{
    m_monday = monday;
    m_zone = zone.isValid() ? zone : QTimeZone::utc();
    m_entries = entries;
    m_placed.clear();
    for (const Entry &e : entries) {
        const QDateTime start = QDateTime::fromMSecsSinceEpoch(e.startsAt, Qt::UTC).toTimeZone(m_zone);
        const QDateTime end = QDateTime::fromMSecsSinceEpoch(e.endsAt, Qt::UTC).toTimeZone(m_zone);
        const int day = int(monday.daysTo(start.date()));
        if (day < 0 || day > 6)
            continue;
        QString label = e.customerName.isEmpty() ? e.serviceName : e.customerName;
        m_placed.append({e.id, day, start.time(), end.date() == start.date() ? end.time() : QTime(23, 59), label, 0, 1});
    }
    // Lanes: per day, overlapping boxes form a cluster; each box takes the first lane free at its start.
    std::sort(m_placed.begin(), m_placed.end(), [](const Placed &a, const Placed &b) {
        return a.day != b.day ? a.day < b.day : a.start != b.start ? a.start < b.start : a.id < b.id;
    });
    for (int i = 0; i < m_placed.size();) {
        int j = i;
        QTime clusterEnd = m_placed[i].end;
        QList<QTime> laneEnds;
        while (j < m_placed.size() && m_placed[j].day == m_placed[i].day && (j == i || m_placed[j].start < clusterEnd)) {
            Placed &p = m_placed[j];
            int lane = 0;
            while (lane < laneEnds.size() && laneEnds[lane] > p.start)
                ++lane;
            if (lane == laneEnds.size())
                laneEnds.append(p.end);
            else
                laneEnds[lane] = p.end;
            p.lane = lane;
            clusterEnd = qMax(clusterEnd, p.end);
            ++j;
        }
        for (int k = i; k < j; ++k)
            m_placed[k].lanes = int(laneEnds.size());
        i = j;
    }
    update();
}

QRectF WeekCalendar::area() const
{
    return QRectF(gutterWidth, headerHeight, width() - gutterWidth - 8, height() - headerHeight - 8);
}

QRectF WeekCalendar::boxOf(const Placed &p) const
{
    const QRectF a = area();
    const double dayWidth = a.width() / 7.0;
    const double minuteHeight = a.height() / ((lastHour - firstHour) * 60.0);
    const auto y = [&](const QTime &t) {
        const int minutes = qBound(0, t.hour() * 60 + t.minute() - firstHour * 60, (lastHour - firstHour) * 60);
        return a.top() + minutes * minuteHeight;
    };
    const double laneWidth = (dayWidth - 6) / p.lanes;
    return QRectF(a.left() + p.day * dayWidth + 3 + p.lane * laneWidth, y(p.start) + 1, laneWidth - 2, qMax(14.0, y(p.end) - y(p.start) - 2));
}

void WeekCalendar::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QRectF a = area();
    const double dayWidth = a.width() / 7.0;
    const double hourHeight = a.height() / double(lastHour - firstHour);
    const QDate today = QDateTime::currentDateTime().toTimeZone(m_zone).date();

    // Day headers; today highlighted with the palette's highlight colour.
    for (int d = 0; d < 7; ++d) {
        const QDate date = m_monday.addDays(d);
        const QRectF header(a.left() + d * dayWidth, 0, dayWidth, headerHeight);
        if (date == today) {
            painter.fillRect(header.adjusted(1, 2, -1, -2), pal.color(QPalette::Highlight));
            painter.setPen(pal.color(QPalette::HighlightedText));
        } else {
            painter.setPen(pal.color(QPalette::Text));
        }
        const QString dayMonth = QLocale().toString(date, tr("d MMM", "QDate format of the day headers"));
        painter.drawText(header, Qt::AlignCenter, QLocale().dayName(date.dayOfWeek(), QLocale::ShortFormat) + u"\n"_s + dayMonth);
        if (date.dayOfWeek() >= 6)
            painter.fillRect(QRectF(a.left() + d * dayWidth, a.top(), dayWidth, a.height()), pal.color(QPalette::AlternateBase));
    }
    // Hour lines and labels.
    painter.setPen(pal.color(QPalette::Mid));
    for (int h = 0; h <= lastHour - firstHour; ++h) {
        const double y = a.top() + h * hourHeight;
        painter.drawLine(QPointF(a.left(), y), QPointF(a.right(), y));
        if (h < lastHour - firstHour) {
            painter.setPen(pal.color(QPalette::PlaceholderText));
            painter.drawText(QRectF(0, y, gutterWidth - 6, 16), Qt::AlignRight | Qt::AlignTop,
                             QLocale().toString(QTime(firstHour + h, 0), u"HH:mm"_s));
            painter.setPen(pal.color(QPalette::Mid));
        }
    }
    for (int d = 0; d <= 7; ++d)
        painter.drawLine(QPointF(a.left() + d * dayWidth, a.top()), QPointF(a.left() + d * dayWidth, a.bottom()));

    // Appointments.
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    painter.setFont(small);
    for (int i = 0; i < m_placed.size(); ++i) {
        const Placed &p = m_placed.at(i);
        const Entry &e = *std::find_if(m_entries.cbegin(), m_entries.cend(), [&p](const Entry &c) { return c.id == p.id; });
        const StatusColors::Tone tone = StatusColors::forAppointmentStatus(e.status);
        const QRectF box = boxOf(p);
        QPainterPath path;
        path.addRoundedRect(box, 3, 3);
        painter.fillPath(path, StatusColors::fill(tone));
        const QColor edge = tone == StatusColors::Tone::Neutral ? pal.color(QPalette::Mid) : StatusColors::text(tone);
        painter.setPen(QPen(edge, 1));
        painter.drawPath(path);
        painter.fillRect(QRectF(box.left(), box.top(), 3, box.height()), edge);
        if (e.syncState == u"failed"_s)
            painter.fillRect(QRectF(box.right() - 6, box.top() + 2, 4, 4), StatusColors::text(StatusColors::Tone::Bad));
        painter.setPen(pal.color(QPalette::Text));
        const QString text = QLocale().toString(p.start, u"HH:mm"_s) + u" "_s + p.label + u"\n"_s + e.serviceName;
        QFont f = small;
        f.setStrikeOut(e.status == u"cancelled"_s);
        painter.setFont(f);
        painter.drawText(box.adjusted(6, 1, -3, -1), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text);
        painter.setFont(small);
    }
    if (m_placed.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.setFont(font());
        painter.drawText(a, Qt::AlignCenter, tr("No appointments this week"));
    }
}

bool WeekCalendar::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(e);
        for (const Placed &p : std::as_const(m_placed)) {
            if (!boxOf(p).contains(help->pos()))
                continue;
            const auto entry = std::find_if(m_entries.cbegin(), m_entries.cend(), [&p](const Entry &c) { return c.id == p.id; });
            QToolTip::showText(help->globalPos(),
                               tr("%1–%2 %3\n%4 with %5\n%6 · %7")
                                   .arg(QLocale().toString(p.start, u"HH:mm"_s), QLocale().toString(p.end, u"HH:mm"_s), entry->customerName,
                                        entry->serviceName, entry->staffName.isEmpty() ? tr("anyone") : entry->staffName,
                                        Labels::appointmentStatus(entry->status), Labels::syncState(entry->syncState)),
                               this);
            return true;
        }
        QToolTip::hideText();
        e->ignore();
        return true;
    }
    return QWidget::event(e);
}

void WeekCalendar::mouseDoubleClickEvent(QMouseEvent *event)
{
    for (const Placed &p : std::as_const(m_placed)) {
        if (boxOf(p).contains(event->position())) {
            Q_EMIT appointmentActivated(p.id);
            return;
        }
    }
    QWidget::mouseDoubleClickEvent(event);
}

} // namespace askpro
