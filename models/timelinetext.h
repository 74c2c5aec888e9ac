// Call timeline entries in the interface language: the backend stores a code with named arguments
// (backend/flow/timeline.h), and the desktop words them here, times in the branch's zone.
#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QTimeZone>

namespace askpro {

class TimelineText final
{
    Q_DECLARE_TR_FUNCTIONS(TimelineText)
public:
    // An entry from its parts as the admin API sends them (code, args, message). An entry without a code this
    // client knows (written before codes, or by a newer server) shows its stored message.
    [[nodiscard]] static QString text(const QString &codeName, const QJsonObject &args, const QString &message, const QTimeZone &zone);
    // The error held in an entry's arguments: worded here for the providers' own failures, otherwise as the
    // server worded it.
    [[nodiscard]] static QString error(const QJsonObject &args);
};

} // namespace askpro
