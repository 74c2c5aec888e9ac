// libFuzzer target: phone number normalization (libphonenumber behind our wrapper) and display.
#include "domain/phonenumbers.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    auto e164 = askpro::PhoneNumbers::toE164(text);
    if (e164)
        (void)askpro::PhoneNumbers::display(*e164);
    (void)askpro::PhoneNumbers::toE164(text, QStringLiteral("AT"));
    return 0;
}
