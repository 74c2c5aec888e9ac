// Invoice and credit note documents as PDF (A4, QPdfWriter) from one HTML layout that the admin
// app's preview shows as well, in the company's language, with every field UStG section 14 asks for.
#pragma once

#include "billing/invoicedocument.h"
#include "core/result.h"

#include <QString>

#include <memory>

class QTextDocument;

namespace askpro {

class InvoicePdf final
{
public:
    // The layout as HTML (QTextDocument's subset).
    [[nodiscard]] static QString html(const InvoiceDocument &invoice);
    // A text document laid out for A4 (needs a QGuiApplication).
    [[nodiscard]] static std::unique_ptr<QTextDocument> textDocument(const InvoiceDocument &invoice);
    // The PDF bytes (needs a QGuiApplication; any thread): PDF/A-3b with EInvoiceXml::write's CII embedded
    // as factur-x.xml (Factur-X / ZUGFeRD 2, profile EN 16931). Invalid for a draft; Internal when qpdf fails.
    [[nodiscard]] static Result<QByteArray> render(const InvoiceDocument &invoice);
};

} // namespace askpro
