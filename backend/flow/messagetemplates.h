// The texts of the messages to callers: the shipped ones (resources/templates), the platform's edits and each
// company's own. The text a message uses is the company's, else the platform's, else the shipped one. A text is
// saved only when it names no unknown placeholder, keeps the ones its kind needs (the date and time of the
// appointment, the branch's number an SMS hints at) and fits Twilio's 1,600 characters as an SMS.
#pragma once

#include "core/result.h"
#include "flow/confirmationmessage.h"

#include <QCoreApplication>
#include <QList>
#include <QStringList>

namespace askpro {

class Database;
struct Actor;

struct StoredTemplate
{
    MessageTemplate text;
    QString source; // company | platform | shipped
    QString updatedBy;
    qint64 updatedAtMs = 0;
};

class MessageTemplates final
{
    Q_DECLARE_TR_FUNCTIONS(MessageTemplates)
public:
    explicit MessageTemplates(Database &db);

    [[nodiscard]] static QStringList kinds();
    [[nodiscard]] static QStringList channels();
    [[nodiscard]] static QStringList languages();
    // Every placeholder a text may use, e.g. "{{date}}"; and the ones a kind on a channel must keep.
    [[nodiscard]] static QStringList placeholders();
    [[nodiscard]] static QStringList requiredPlaceholders(const QString &kind, const QString &channel);
    // de or en; anything else reads as German.
    [[nodiscard]] static QString languageOf(const QString &language);
    // The text that ships with the server.
    [[nodiscard]] static MessageTemplate shipped(const QString &kind, const QString &channel, const QString &language);
    // Why a text cannot be saved (Invalid, naming the problem), else ok.
    [[nodiscard]] static Status check(const MessageTemplate &text);
    // What a preview fills in: a sample customer and appointment tomorrow at 10:00 in Berlin.
    [[nodiscard]] static ConfirmationDetails sample(const QString &language, const QString &companyName);

    // The text a message of this company uses (companyId 0: the platform's).
    [[nodiscard]] Result<StoredTemplate> effective(qint64 companyId, const QString &kind, const QString &channel, const QString &language);
    // effective() filled for the details (their language).
    [[nodiscard]] Result<ConfirmationMessage> compose(qint64 companyId, const QString &kind, const QString &channel,
                                                      const ConfirmationDetails &details);
    // Every kind, channel and language as this company's messages read now.
    [[nodiscard]] Result<QList<StoredTemplate>> list(qint64 companyId);
    // Saves the company's text (0: the platform's), audited. A business account acts for its own company only.
    [[nodiscard]] Result<StoredTemplate> save(const Actor &actor, qint64 companyId, const MessageTemplate &text);
    // Drops the company's text (0: the platform's) so the next one down applies again; audited when there was one.
    [[nodiscard]] Result<StoredTemplate> reset(const Actor &actor, qint64 companyId, const QString &kind, const QString &channel,
                                               const QString &language);

private:
    [[nodiscard]] Status checkScope(const Actor &actor, qint64 companyId);

    Database &m_db;
};

} // namespace askpro
