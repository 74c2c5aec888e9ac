// Stripe's request encoding: application/x-www-form-urlencoded bodies with bracketed keys
// ("items[0][price]=price_x", "metadata[company_id]=42", "expand[]=lines") decoded to nested JSON.
#pragma once

#include "apimessage.h"

namespace askpro::sandbox {

class FormBody final
{
public:
    // Nested objects and arrays; every leaf value stays a string, as Stripe receives it.
    [[nodiscard]] static Json decode(const QByteArray &encoded);
    // The decoded key=value pairs, sorted: equal for requests that carry the same parameters.
    [[nodiscard]] static QByteArray fingerprint(const QByteArray &encoded);
};

} // namespace askpro::sandbox
