// Stripe's request encoding: bracketed form keys decoded to nested JSON.
#include "formbody.h"

#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro::sandbox {

namespace {

QList<std::pair<QString, QString>> pairs(const QByteArray &encoded)
{
    QList<std::pair<QString, QString>> result;
    for (QByteArray part : encoded.split('&')) {
        if (part.isEmpty())
            continue;
        part.replace('+', ' ');
        const qsizetype eq = part.indexOf('=');
        const QByteArray key = eq < 0 ? part : part.left(eq);
        const QByteArray value = eq < 0 ? QByteArray() : part.mid(eq + 1);
        result.append({QUrl::fromPercentEncoding(key), QUrl::fromPercentEncoding(value)});
    }
    return result;
}

// "items[0][price]" -> {"items", "0", "price"}; "expand[]" -> {"expand", ""}.
QStringList pathOf(const QString &key)
{
    const qsizetype bracket = key.indexOf(u'[');
    if (bracket < 0)
        return {key};
    QStringList path{key.left(bracket)};
    qsizetype at = bracket;
    while (at < key.size() && key.at(at) == u'[') {
        const qsizetype close = key.indexOf(u']', at);
        if (close < 0)
            break;
        path.append(key.mid(at + 1, close - at - 1));
        at = close + 1;
    }
    return path;
}

bool isIndex(const std::string &key)
{
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Objects whose keys are all indices become arrays, ordered by index.
Json arraysFromIndices(const Json &value)
{
    if (!value.is_object())
        return value;
    bool allIndices = !value.empty();
    for (auto it = value.begin(); it != value.end() && allIndices; ++it)
        allIndices = isIndex(it.key());
    if (!allIndices) {
        Json result = Json::object();
        for (auto it = value.begin(); it != value.end(); ++it)
            result[it.key()] = arraysFromIndices(it.value());
        return result;
    }
    std::vector<std::pair<long, Json>> items;
    for (auto it = value.begin(); it != value.end(); ++it)
        items.emplace_back(std::stol(it.key()), arraysFromIndices(it.value()));
    std::sort(items.begin(), items.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    Json result = Json::array();
    for (auto &item : items)
        result.push_back(std::move(item.second));
    return result;
}

} // namespace

Json FormBody::decode(const QByteArray &encoded)
{
    Json root = Json::object();
    for (const auto &[key, value] : pairs(encoded)) {
        const QStringList path = pathOf(key);
        Json *node = &root;
        for (qsizetype i = 0; i < path.size(); ++i) {
            std::string part = toStd(path.at(i));
            if (part.empty())
                part = std::to_string(node->size()); // "[]" appends
            if (!node->is_object())
                *node = Json::object();
            if (i + 1 == path.size())
                (*node)[part] = toStd(value);
            else
                node = &(*node)[part];
        }
    }
    return arraysFromIndices(root);
}

QByteArray FormBody::fingerprint(const QByteArray &encoded)
{
    QStringList items;
    for (const auto &[key, value] : pairs(encoded))
        items.append(key + u'=' + value);
    items.sort();
    return items.join(u'&').toUtf8();
}

} // namespace askpro::sandbox
