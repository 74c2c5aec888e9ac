// Text helpers for showing stored provider data: secrets masked in JSON, transcripts as dialogue turns.
// Pure functions without database access, shared by the GUI's detail panes and the tests.
#pragma once

#include <QList>
#include <QString>

namespace askpro {

struct TranscriptTurn
{
    enum class Speaker { Agent, User, Other };
    Speaker speaker = Speaker::Other;
    QString label; // the role as written in the source when it is neither agent nor user
    QString text;
};

class PayloadText final
{
public:
    // Pretty-printed JSON (2-space indent) where every value under a key matching
    // key|secret|token|password|authorization|signature (any case) reads "••••". Text that is not
    // JSON is returned as it is, with "key=value" style secrets masked the same way.
    [[nodiscard]] static QString maskedPrettyJson(const QString &raw);
    // Whether a JSON key names a secret.
    [[nodiscard]] static bool isSecretKey(const QString &key);

    // Turns from Retell's transcript_object ([{role, content}]) when present, else from the plain
    // "Agent: ...\nUser: ..." transcript text. Empty when both are empty.
    [[nodiscard]] static QList<TranscriptTurn> transcriptTurns(const QString &transcriptJson, const QString &transcriptText);
};

} // namespace askpro
