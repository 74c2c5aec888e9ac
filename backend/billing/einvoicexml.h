// The e-invoice: EN 16931 in the UN/CEFACT Cross Industry Invoice syntax (XRechnung / ZUGFeRD EN 16931
// profile), written with QXmlStreamWriter. Credit notes are type 381 with positive amounts.
#pragma once

#include "billing/invoicedocument.h"
#include "core/result.h"

namespace askpro {

class EInvoiceXml final
{
public:
    static constexpr const char *guideline = "urn:cen.eu:en16931:2017";

    // UTF-8 XML of a finalized invoice; Invalid for a draft (no number yet).
    [[nodiscard]] static Result<QByteArray> write(const InvoiceDocument &invoice);
};

} // namespace askpro
