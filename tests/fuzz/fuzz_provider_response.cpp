// libFuzzer target: what we read out of provider answers: Cal.com slots and bookings, Stripe objects and
// errors, Retell call lists, through the same helpers the clients and the call flow use.
#include "integrations/calcomclient.h"
#include "integrations/jsonreply.h"

#include <QDateTime>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    auto parsed = askpro::parseJson(input, QStringLiteral("fuzz"));
    if (!parsed)
        return 0;
    const askpro::Json &j = *parsed;
    (void)askpro::CalcomClient::freeSlotStarts(j.is_object() && j.contains("data") ? j["data"] : j);
    for (const char *key : {"uid", "start", "end", "status", "id", "object", "llm_id", "agent_id", "pagination_key"})
        (void)askpro::jsonString(j, key);
    (void)QDateTime::fromString(askpro::jsonString(j, "start"), Qt::ISODateWithMs);
    (void)askpro::jsonInt(j, "amount_due");
    (void)askpro::jsonBool(j, "has_more");
    if (j.is_object() && j.contains("error"))
        (void)askpro::jsonString(j["error"], "message");
    return 0;
}
