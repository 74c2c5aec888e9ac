// Phone numbers in E.164, through libphonenumber: German national and international forms alike.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QString>

namespace askpro {

class PhoneNumbers final
{
    Q_DECLARE_TR_FUNCTIONS(PhoneNumbers)
public:
    // "030 1234567", "+49 (0)30 1234567", "0049301234567" -> "+49301234567". regionCode is the
    // ISO country assumed for national numbers. Invalid or empty input is an Invalid error with a reason.
    [[nodiscard]] static Result<QString> toE164(const QString &text, const QString &regionCode = QStringLiteral("DE"));
    // The ISO country of a number in E.164 ("+4930..." -> "DE"), or fallback when it names none.
    [[nodiscard]] static QString regionOf(const QString &e164, const QString &fallback = QStringLiteral("DE"));
    // For screens: "+49 30 1234567" (international format), or the input when it cannot be parsed.
    [[nodiscard]] static QString display(const QString &e164);
    // Whether libphonenumber types the number MOBILE or FIXED_LINE_OR_MOBILE (where a country's plan cannot tell
    // them apart): only those get SMS; landlines, toll-free and unknown types never do.
    [[nodiscard]] static bool canReceiveSms(const QString &e164);
    // For logs and timelines: "+49170•••67" (the country and network prefix and the last two digits), so
    // a number is recognisable to whoever already knows it and useless to anyone else.
    [[nodiscard]] static QString masked(const QString &e164);
    // The one rule for showing an address to readers without customer access (view_customers): a message's
    // recipient or a call's other party. Numbers (also "whatsapp:+…") as masked(), an e-mail address as
    // "j•••@e•••.org" (first letters and the top-level domain); anything else as bullets.
    [[nodiscard]] static QString maskedRecipient(const QString &address);
    // Every "+digits" run in a text masked as above (a provider's error message naming the recipient).
    [[nodiscard]] static QString maskedIn(const QString &text);
};

} // namespace askpro
