// JSON masking walks the parsed document; transcripts accept Retell's object form and its text form.
#include "support/payloadtext.h"
#include "integrations/jsonreply.h"

#include <QRegularExpression>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

using Json = nlohmann::json;

const QString maskText = u"\u2022\u2022\u2022\u2022"_s;

void maskIn(Json &node)
{
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (PayloadText::isSecretKey(QString::fromStdString(it.key())) && !it.value().is_null())
                it.value() = maskText.toStdString();
            else
                maskIn(it.value());
        }
    } else if (node.is_array()) {
        for (Json &child : node)
            maskIn(child);
    }
}

TranscriptTurn::Speaker speakerOf(const QString &role)
{
    const QString r = role.trimmed().toLower();
    if (r == u"agent"_s || r == u"assistant"_s || r == u"bot"_s)
        return TranscriptTurn::Speaker::Agent;
    if (r == u"user"_s || r == u"caller"_s || r == u"customer"_s || r == u"anrufer"_s)
        return TranscriptTurn::Speaker::User;
    return TranscriptTurn::Speaker::Other;
}

} // namespace

bool PayloadText::isSecretKey(const QString &key)
{
    static const QRegularExpression secret(u"key|secret|token|password|authorization|signature"_s,
                                           QRegularExpression::CaseInsensitiveOption);
    return secret.match(key).hasMatch();
}

QString PayloadText::maskedPrettyJson(const QString &raw)
{
    if (raw.trimmed().isEmpty())
        return {};
    // A refused delivery is stored as it came, however deep; such a text is shown masked but not parsed.
    Json doc = jsonDepthWithin(raw.toUtf8()) ? Json::parse(raw.toStdString(), nullptr, false) : Json(Json::value_t::discarded);
    if (doc.is_discarded()) {
        static const QRegularExpression pair(u"((?:[A-Za-z0-9_-]*)(?:key|secret|token|password|authorization|signature)[A-Za-z0-9_-]*\\s*[=:]\\s*)([^\\s&,;]+)"_s,
                                             QRegularExpression::CaseInsensitiveOption);
        QString text = raw;
        text.replace(pair, u"\\1"_s + maskText);
        return text;
    }
    maskIn(doc);
    return QString::fromStdString(doc.dump(2, ' ', false, Json::error_handler_t::replace));
}

QList<TranscriptTurn> PayloadText::transcriptTurns(const QString &transcriptJson, const QString &transcriptText)
{
    QList<TranscriptTurn> turns;
    if (!transcriptJson.trimmed().isEmpty()) {
        const Json doc = Json::parse(transcriptJson.toStdString(), nullptr, false);
        if (doc.is_array()) {
            for (const Json &item : doc) {
                if (!item.is_object())
                    continue;
                const QString role = item.contains("role") && item["role"].is_string() ? QString::fromStdString(item["role"].get<std::string>()) : QString();
                const QString content = item.contains("content") && item["content"].is_string()
                    ? QString::fromStdString(item["content"].get<std::string>()) : QString();
                if (content.trimmed().isEmpty())
                    continue;
                turns.append({speakerOf(role), role, content.trimmed()});
            }
            if (!turns.isEmpty())
                return turns;
        }
    }
    static const QRegularExpression prefix(u"^\\s*([A-Za-zÄÖÜäöü]+)\\s*:\\s*(.*)$"_s);
    const QStringList lines = transcriptText.split(u'\n');
    for (const QString &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        const auto m = prefix.match(line);
        if (m.hasMatch() && speakerOf(m.captured(1)) != TranscriptTurn::Speaker::Other) {
            turns.append({speakerOf(m.captured(1)), m.captured(1), m.captured(2).trimmed()});
        } else if (!turns.isEmpty()) {
            turns.last().text += u'\n' + line.trimmed(); // a continuation of the previous turn
        } else {
            turns.append({TranscriptTurn::Speaker::Other, QString(), line.trimmed()});
        }
    }
    return turns;
}

} // namespace askpro
