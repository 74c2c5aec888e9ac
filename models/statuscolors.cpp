// Two shades per tone (for dark and light bases); fills mix the tone into the base colour.
#include "statuscolors.h"

#include <QGuiApplication>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

bool darkPalette()
{
    return QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
}

QColor base(StatusColors::Tone tone, bool dark)
{
    switch (tone) {
    case StatusColors::Tone::Good: return dark ? QColor(0x6f, 0xcf, 0x8a) : QColor(0x1e, 0x7b, 0x3a);
    case StatusColors::Tone::Warning: return dark ? QColor(0xf0, 0xb4, 0x5a) : QColor(0x9a, 0x5b, 0x00);
    case StatusColors::Tone::Bad: return dark ? QColor(0xff, 0x82, 0x78) : QColor(0xb3, 0x26, 0x1e);
    case StatusColors::Tone::Info: return dark ? QColor(0x7e, 0xb6, 0xff) : QColor(0x1f, 0x5f, 0xbf);
    case StatusColors::Tone::Neutral: break;
    }
    return {};
}

} // namespace

QColor StatusColors::text(Tone tone)
{
    return base(tone, darkPalette());
}

QColor StatusColors::fill(Tone tone)
{
    const QColor background = QGuiApplication::palette().color(QPalette::Base);
    const QColor c = tone == Tone::Neutral ? QGuiApplication::palette().color(QPalette::Mid) : base(tone, darkPalette());
    const double a = darkPalette() ? 0.35 : 0.22;
    return QColor::fromRgbF(float(c.redF() * a + background.redF() * (1 - a)), float(c.greenF() * a + background.greenF() * (1 - a)),
                            float(c.blueF() * a + background.blueF() * (1 - a)));
}

StatusColors::Tone StatusColors::forOutcome(const QString &outcome)
{
    if (outcome == u"booked"_s)
        return Tone::Good;
    if (outcome == u"failed"_s)
        return Tone::Bad;
    if (outcome == u"needs_callback"_s)
        return Tone::Warning;
    if (outcome == u"pending"_s)
        return Tone::Info;
    return Tone::Neutral;
}

StatusColors::Tone StatusColors::forAppointmentStatus(const QString &status)
{
    if (status == u"booked"_s || status == u"completed"_s)
        return Tone::Good;
    if (status == u"cancelled"_s || status == u"rescheduled"_s)
        return Tone::Neutral;
    if (status == u"no_show"_s)
        return Tone::Bad;
    if (status == u"pending"_s)
        return Tone::Info;
    return Tone::Neutral;
}

StatusColors::Tone StatusColors::forInboxStatus(const QString &status)
{
    if (status == u"failed"_s || status == u"rejected"_s)
        return Tone::Bad;
    if (status == u"pending"_s || status == u"not_ours"_s || status == u"stale"_s)
        return Tone::Warning;
    return Tone::Neutral;
}

StatusColors::Tone StatusColors::forMessageState(const QString &state)
{
    if (state == u"delivered"_s)
        return Tone::Good;
    if (state == u"failed"_s || state == u"undelivered"_s)
        return Tone::Bad;
    if (state == u"skipped"_s)
        return Tone::Warning;
    if (state == u"queued"_s || state == u"sending"_s)
        return Tone::Info;
    return Tone::Neutral;
}

StatusColors::Tone StatusColors::forSyncState(const QString &state)
{
    if (state == u"synced"_s)
        return Tone::Good;
    if (state == u"failed"_s)
        return Tone::Bad;
    if (state == u"pending"_s)
        return Tone::Warning;
    return Tone::Neutral;
}

StatusColors::Tone StatusColors::forEventStatus(const QString &status)
{
    if (status == u"ok"_s)
        return Tone::Good;
    if (status == u"error"_s)
        return Tone::Bad;
    if (status == u"retry"_s)
        return Tone::Warning;
    return Tone::Info;
}

} // namespace askpro
