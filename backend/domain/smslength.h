// How many SMS segments a text costs: GSM-7 (160 characters, 153 a part when split; the extension characters
// such as € and [ take two) unless one character needs UCS-2 (70, 67 a part, counted in UTF-16 units).
#pragma once

#include <QString>

namespace askpro {

struct SmsLength
{
    int units = 0;        // septets (GSM-7) or UTF-16 units (UCS-2)
    int segments = 0;     // 0 for an empty text
    int perSegment = 160; // what one part holds at this length: 160/153 or 70/67
    bool unicode = false; // UCS-2

    [[nodiscard]] static SmsLength of(const QString &text);
};

} // namespace askpro
