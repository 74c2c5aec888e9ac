// The two sides of a stored call in SQL. Retell reports an inbound call from the caller to our number and an
// outbound one (placed by our agent) from our number to the person called, so "our number" and "the other
// party" depend on calls.direction. Every query that shows, searches, sorts or matches by a call's number
// uses these, so an outbound call never shows our own number as its caller.
#pragma once

#include <QString>

namespace askpro::CallParties {

// Our number of the calls row aliased `alias`: to_number inbound, from_number outbound.
[[nodiscard]] QString ourNumberSql(const QString &alias = QStringLiteral("c"));
// The other party of the calls row aliased `alias`: from_number inbound (the caller), to_number outbound.
[[nodiscard]] QString otherNumberSql(const QString &alias = QStringLiteral("c"));

} // namespace askpro::CallParties
