// What the Sandbox needs from each provider stand-in: answer a request, shape a fault in the
// provider's own error format, count what it holds and forget everything.
#pragma once

#include "apimessage.h"

namespace askpro::sandbox {

class ProviderApi
{
public:
    virtual ~ProviderApi() = default;

    // Answers one request (the path is relative to the provider's prefix). Checks auth itself.
    [[nodiscard]] virtual ApiReply handle(const ApiRequest &request) = 0;
    // An error reply in the provider's shape for an injected fault or an unreadable body
    // (400 bad body, 429 rate limited, 5xx server errors, 504 timeout).
    [[nodiscard]] virtual ApiReply errorReply(int status, const QString &message) const = 0;
    virtual void reset() = 0;
    // Every route this stand-in serves, for checks against the provider's published description.
    [[nodiscard]] virtual const RouteTable &routes() const = 0;
};

} // namespace askpro::sandbox
