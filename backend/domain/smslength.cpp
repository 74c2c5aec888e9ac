// GSM 03.38: the default alphabet and its extension table (each extension character is sent as escape + char).
#include "domain/smslength.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

const QString &gsmBasic()
{
    static const QString basic = u"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                                 "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"_s;
    return basic;
}

const QString &gsmExtension()
{
    static const QString extension = u"^{}\\[~]|€\f"_s;
    return extension;
}

} // namespace

SmsLength SmsLength::of(const QString &text)
{
    SmsLength length;
    int septets = 0;
    for (const QChar c : text) {
        if (gsmBasic().contains(c)) {
            septets += 1;
        } else if (gsmExtension().contains(c)) {
            septets += 2;
        } else {
            length.unicode = true;
            break;
        }
    }
    if (text.isEmpty())
        return length;
    if (length.unicode) {
        length.units = int(text.size());
        length.perSegment = length.units <= 70 ? 70 : 67;
    } else {
        length.units = septets;
        length.perSegment = length.units <= 160 ? 160 : 153;
    }
    length.segments = (length.units + length.perSegment - 1) / length.perSegment;
    return length;
}

} // namespace askpro
