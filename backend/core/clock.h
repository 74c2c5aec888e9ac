// Time in storage form: UTC milliseconds since the epoch.
#pragma once

#include <QDateTime>
#include <QTimeZone>

namespace askpro {

[[nodiscard]] inline qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

[[nodiscard]] inline QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

} // namespace askpro
