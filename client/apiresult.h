// What one admin API request came back with: the JSON answer, or why not, read once from the server's one
// error shape ({"error": {"code", "message"}}) or from the network, so the models and pages have one place to look.
#pragma once

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

namespace askpro::client {

using Json = nlohmann::json;

struct ApiResult
{
    int status = 0;  // HTTP status; 0 when no answer came (server unreachable, timeout, TLS refused)
    Json body;       // the answer's JSON (null for 204 or a non-JSON answer)
    QByteArray raw;  // a document's bytes (PDF, XML, CSV) when the answer is not JSON
    QByteArray contentType;
    QString errorCode;    // the server's code ("access.denied", "parameter.limit"), or "network", "timeout", "tls"
    QString errorMessage; // for people: the server's message, or what went wrong on the way

    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }
    // No answer at all: the server could not be reached (as opposed to an answer that refuses).
    [[nodiscard]] bool unreachable() const { return status == 0; }
};

} // namespace askpro::client
