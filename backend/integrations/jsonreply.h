// The handle a provider request returns: emits finished() once with the parsed JSON or a typed error.
#pragma once

#include "core/result.h"

#include <QByteArrayView>
#include <QObject>

#include <nlohmann/json.hpp>

namespace askpro {

using Json = nlohmann::json;
using JsonResult = Result<Json>;

class JsonReply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonReply)
public:
    explicit JsonReply(QObject *parent = nullptr) : QObject(parent), m_result(Json()) {}

    [[nodiscard]] const JsonResult &result() const { return m_result; }
    // Sets the result, emits finished() and schedules the reply's deletion.
    void finish(JsonResult result)
    {
        m_result = std::move(result);
        Q_EMIT finished(m_result);
        deleteLater();
    }

Q_SIGNALS:
    void finished(const askpro::JsonResult &result);

private:
    JsonResult m_result;
};

// Deeper than this, JSON from outside is refused: reading and writing a document recurses once per level,
// so a body of a million brackets could otherwise end the process.
constexpr int maxJsonDepth = 64;
// Whether no array or object in the text nests deeper than maxDepth (a scan without parsing; strings and
// their escapes are skipped).
[[nodiscard]] bool jsonDepthWithin(QByteArrayView text, int maxDepth = maxJsonDepth);
// Reads a JSON text without exceptions; an Invalid error names what was being read (json.malformed, or
// json.too_deep beyond maxJsonDepth).
[[nodiscard]] JsonResult parseJson(const QByteArray &text, const QString &what);
// Small typed readers that never throw on a missing key or another type.
[[nodiscard]] QString jsonString(const Json &j, const char *key);
[[nodiscard]] qint64 jsonInt(const Json &j, const char *key, qint64 fallback = 0);
[[nodiscard]] bool jsonBool(const Json &j, const char *key, bool fallback = false);
[[nodiscard]] QByteArray jsonText(const Json &j);

} // namespace askpro
