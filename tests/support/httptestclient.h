// Plain HTTP calls for tests: send, wait for the answer in a local event loop, return status and body.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QUrl>

namespace askpro::test {

struct HttpAnswer
{
    int status = 0;
    QByteArray body;
};

HttpAnswer httpSend(const QByteArray &method, const QUrl &url, const QByteArray &body = {},
                    const QList<QPair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = 15000);

} // namespace askpro::test
