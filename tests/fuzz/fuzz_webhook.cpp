// libFuzzer target: webhook verification and parsing as intake and the call flow do them. The input is
// "<signature header>\n<body>"; nothing may crash, hang or read out of bounds.
#include "flow/appointmentrequest.h"
#include "intake/signatures.h"
#include "integrations/jsonreply.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype split = input.indexOf('\n');
    const QByteArray header = split < 0 ? QByteArray() : input.left(split);
    const QByteArray body = split < 0 ? input : input.mid(split + 1);
    (void)askpro::WebhookSignatures::verifyRetell(body, header, {{QByteArrayLiteral("key_fuzz"), {}}}, 1'800'000'000'000);
    (void)askpro::WebhookSignatures::verifyCalcom(body, header, {{QByteArrayLiteral("secret_fuzz"), 1}});
    (void)askpro::WebhookSignatures::verifyStripe(body, header, QByteArrayLiteral("whsec_fuzz"), 1'800'000'000);
    auto parsed = askpro::parseJson(body, QStringLiteral("fuzz"));
    if (parsed) {
        const askpro::Json call = parsed->is_object() ? parsed->value("call", askpro::Json::object()) : askpro::Json();
        (void)askpro::AppointmentRequest::fromCall(call);
        (void)askpro::AppointmentRequest::fromFields(parsed->is_object() ? parsed->value("args", askpro::Json()) : *parsed);
        (void)askpro::jsonString(*parsed, "event");
        (void)askpro::jsonInt(call, "start_timestamp");
    }
    return 0;
}
