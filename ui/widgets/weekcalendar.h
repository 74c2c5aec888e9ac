// A painted week view: days as columns, 07:00-20:00 as rows, appointments as boxes coloured by
// status, placed by their wall-clock time in the branch's zone (so a DST week reads correctly).
#pragma once

#include <QDate>
#include <QDateTime>
#include <QTimeZone>
#include <QWidget>

namespace askpro {

class WeekCalendar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WeekCalendar)
public:
    // One appointment as the calendar route describes it; times are UTC milliseconds.
    struct Entry
    {
        qint64 id = 0;
        qint64 startsAt = 0;
        qint64 endsAt = 0;
        QString status;
        QString syncState;
        QString customerName;
        QString serviceName;
        QString staffName;
    };
    struct Placed
    {
        qint64 id = 0;
        int day = 0;          // 0 = Monday
        QTime start;          // local wall-clock time in the zone
        QTime end;
        QString label;
        int lane = 0;  // side-by-side position among overlapping boxes
        int lanes = 1;
    };

    explicit WeekCalendar(QWidget *parent = nullptr);
    ~WeekCalendar() override;

    // monday: the first day shown; entries' times are converted into zone.
    void setWeek(const QDate &monday, const QTimeZone &zone, const QList<Entry> &entries);
    [[nodiscard]] QDate monday() const { return m_monday; }
    [[nodiscard]] const QList<Placed> &placed() const { return m_placed; }

    static constexpr int firstHour = 7;
    static constexpr int lastHour = 20;

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

Q_SIGNALS:
    void appointmentActivated(qint64 appointmentId);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    [[nodiscard]] QRectF boxOf(const Placed &p) const;
    [[nodiscard]] QRectF area() const;

    QDate m_monday;
    QTimeZone m_zone;
    QList<Entry> m_entries;
    QList<Placed> m_placed;
};

} // namespace askpro
