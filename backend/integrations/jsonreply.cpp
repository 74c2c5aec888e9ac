// JSON helpers shared by the provider clients and the call flow.
#include "integrations/jsonreply.h"

using namespace Qt::StringLiterals;

namespace askpro {

bool jsonDepthWithin(QByteArrayView text, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i; // the escaped character cannot end the string
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > maxDepth)
                return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

JsonResult parseJson(const QByteArray &text, const QString &what)
{
    if (!jsonDepthWithin(text))
        return makeError(ErrorKind::Invalid, u"json.too_deep"_s, u"%1 nests deeper than %2 levels"_s.arg(what).arg(maxJsonDepth));
    Json j = Json::parse(text.constData(), text.constData() + text.size(), nullptr, false);
    if (j.is_discarded())
        return makeError(ErrorKind::Invalid, u"json.malformed"_s, u"%1 is not valid JSON"_s.arg(what));
    return j;
}

QString jsonString(const Json &j, const char *key)
{
    if (!j.is_object())
        return {};
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return {};
    if (it->is_string())
        return QString::fromStdString(it->get<std::string>());
    if (it->is_number_integer())
        return QString::number(it->get<qint64>());
    if (it->is_boolean())
        return it->get<bool>() ? u"true"_s : u"false"_s;
    return QString::fromStdString(it->dump());
}

qint64 jsonInt(const Json &j, const char *key, qint64 fallback)
{
    if (!j.is_object())
        return fallback;
    const auto it = j.find(key);
    if (it == j.end())
        return fallback;
    if (it->is_number())
        return it->get<qint64>();
    if (it->is_string()) {
        bool ok = false;
        const qint64 v = QString::fromStdString(it->get<std::string>()).toLongLong(&ok);
        return ok ? v : fallback;
    }
    return fallback;
}

bool jsonBool(const Json &j, const char *key, bool fallback)
{
    if (!j.is_object())
        return fallback;
    const auto it = j.find(key);
    if (it == j.end())
        return fallback;
    if (it->is_boolean())
        return it->get<bool>();
    if (it->is_string()) {
        const std::string s = it->get<std::string>();
        return s == "true" || s == "yes" || s == "1";
    }
    if (it->is_number())
        return it->get<double>() != 0;
    return fallback;
}

QByteArray jsonText(const Json &j)
{
    return QByteArray::fromStdString(j.dump());
}

} // namespace askpro
