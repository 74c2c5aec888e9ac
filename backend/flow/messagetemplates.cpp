// Message texts: shipped files, the platform's and each company's rows in message_templates.
#include "flow/messagetemplates.h"

#include "core/clock.h"
#include "db/database.h"
#include "domain/smslength.h"
#include "security/accesspolicy.h"
#include "support/auditlog.h"

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr int MaxSmsCharacters = 1600; // Twilio refuses a longer body (error 21617)
constexpr int MaxTextCharacters = 20000;

QString auditText(const MessageTemplate &t)
{
    const QJsonObject o{{u"kind"_s, t.kind}, {u"channel"_s, t.channel}, {u"language"_s, t.language}, {u"subject"_s, t.subject}, {u"body"_s, t.body}};
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

MessageTemplates::MessageTemplates(Database &db) : m_db(db)
{
}

QStringList MessageTemplates::kinds()
{
    return {u"confirmation"_s, u"reminder"_s, u"cancelled"_s, u"moved"_s, u"callback"_s};
}

QStringList MessageTemplates::channels()
{
    return {u"sms"_s, u"email"_s};
}

QStringList MessageTemplates::languages()
{
    return {u"de"_s, u"en"_s};
}

QStringList MessageTemplates::placeholders()
{
    return {u"{{name}}"_s,   u"{{service}}"_s, u"{{date}}"_s,  u"{{time}}"_s,   u"{{minutes}}"_s,
            u"{{branch}}"_s, u"{{address}}"_s, u"{{phone}}"_s, u"{{company}}"_s};
}

QStringList MessageTemplates::requiredPlaceholders(const QString &kind, const QString &channel)
{
    QStringList required;
    if (kind == u"confirmation"_s || kind == u"reminder"_s || kind == u"moved"_s || kind == u"cancelled"_s)
        required << u"{{date}}"_s << u"{{time}}"_s;
    // An SMS is answered by calling the branch: cancelling, moving, or calling back after a failed booking.
    if (channel == u"sms"_s || kind == u"callback"_s)
        required << u"{{phone}}"_s;
    return required;
}

QString MessageTemplates::languageOf(const QString &language)
{
    return language == u"en"_s ? u"en"_s : u"de"_s;
}

namespace {

// The shipped texts, read from the resources once: the call flow composes from them for every message.
MessageTemplate readShipped(const QString &kind, const QString &channel, const QString &language)
{
    MessageTemplate t{kind, channel, language, QString(), QString()};
    QFile file(u":/askpro/templates/%1_%2_%3.txt"_s.arg(kind, channel, language));
    if (!file.open(QIODevice::ReadOnly))
        return t;
    const QString text = QString::fromUtf8(file.readAll());
    if (channel == u"sms"_s) {
        t.body = text.trimmed();
        return t;
    }
    // subject, a line "---", body
    const qsizetype split = text.indexOf(u"\n---\n"_s);
    t.subject = text.left(split).trimmed();
    t.body = text.mid(split + 5);
    return t;
}

QString keyOf(const QString &kind, const QString &channel, const QString &language)
{
    return kind + u'/' + channel + u'/' + language;
}

} // namespace

MessageTemplate MessageTemplates::shipped(const QString &kind, const QString &channel, const QString &language)
{
    static const QHash<QString, MessageTemplate> all = [] {
        QHash<QString, MessageTemplate> texts;
        for (const QString &k : kinds())
            for (const QString &c : channels())
                for (const QString &l : languages())
                    texts.insert(keyOf(k, c, l), readShipped(k, c, l));
        return texts;
    }();
    const QString lang = languageOf(language);
    return all.value(keyOf(kind, channel, lang), MessageTemplate{kind, channel, lang, QString(), QString()});
}

Status MessageTemplates::check(const MessageTemplate &t)
{
    if (!kinds().contains(t.kind) || !channels().contains(t.channel) || !languages().contains(t.language))
        return makeError(ErrorKind::Invalid, u"templates.unknown"_s, tr("There is no such message text."));
    if (t.body.trimmed().isEmpty())
        return makeError(ErrorKind::Invalid, u"templates.empty"_s, tr("The text is empty."));
    if (t.body.size() > MaxTextCharacters || t.subject.size() > 500)
        return makeError(ErrorKind::Invalid, u"templates.too_long"_s, tr("The text is too long."));
    if (t.channel == u"email"_s && t.subject.trimmed().isEmpty())
        return makeError(ErrorKind::Invalid, u"templates.subject"_s, tr("An e-mail needs a subject."));
    if (t.subject.contains(u'\n') || t.subject.contains(u'\r'))
        return makeError(ErrorKind::Invalid, u"templates.subject"_s, tr("The subject must be one line."));
    static const QRegularExpression placeholder(u"\\{\\{([^{}]*)\\}\\}"_s);
    QStringList unknown;
    QString rest = t.subject + u'\n' + t.body;
    for (const auto &match : placeholder.globalMatch(rest)) {
        if (!placeholders().contains(match.captured(0)) && !unknown.contains(match.captured(0)))
            unknown << match.captured(0);
    }
    if (!unknown.isEmpty())
        return makeError(ErrorKind::Invalid, u"templates.placeholder"_s,
                         tr("Unknown placeholder: %1. Known are %2.").arg(unknown.join(u", "_s), placeholders().join(u", "_s)));
    rest.remove(placeholder);
    if (rest.contains(u"{{"_s) || rest.contains(u"}}"_s))
        return makeError(ErrorKind::Invalid, u"templates.placeholder"_s, tr("A placeholder is not closed: write it as {{name}}."));
    QStringList missing;
    for (const QString &needed : requiredPlaceholders(t.kind, t.channel)) {
        if (!t.body.contains(needed))
            missing << needed;
    }
    if (!missing.isEmpty())
        return makeError(ErrorKind::Invalid, u"templates.missing"_s, tr("The text must contain %1.").arg(missing.join(u", "_s)));
    if (t.channel == u"sms"_s
        && ConfirmationMessage::fill(t, sample(t.language, u"Zahnarztpraxis Dr. Berg"_s)).body.size() > MaxSmsCharacters)
        return makeError(ErrorKind::Invalid, u"templates.too_long"_s,
                         tr("An SMS can have at most %1 characters (with the placeholders filled in).").arg(MaxSmsCharacters));
    return {};
}

ConfirmationDetails MessageTemplates::sample(const QString &language, const QString &companyName)
{
    const QTimeZone berlin("Europe/Berlin");
    const QDateTime start(QDateTime::currentDateTimeUtc().toTimeZone(berlin).date().addDays(1), QTime(10, 0), berlin);
    return {languageOf(language),
            u"Jana Weber"_s,
            language == u"en"_s ? u"30 min consultation"_s : u"30 Min Beratung"_s,
            companyName,
            u"Praxis Mitte"_s,
            u"Friedrichstr. 1, 10117 Berlin"_s,
            u"+49 30 123456"_s,
            u"Europe/Berlin"_s,
            start.toUTC(),
            30,
            u"preview"_s};
}

Result<StoredTemplate> MessageTemplates::effective(qint64 companyId, const QString &kind, const QString &channel, const QString &language)
{
    StoredTemplate stored{shipped(kind, channel, language), u"shipped"_s, QString(), 0};
    // The company's row sorts before the platform's.
    auto q = m_db.exec(u"SELECT COALESCE(company_id, 0), subject, body, updated_by, updated_at FROM message_templates "
                       "WHERE kind = ? AND channel = ? AND language = ? AND (company_id IS NULL OR company_id = ?) "
                       "ORDER BY COALESCE(company_id, 0) DESC"_s,
                       {kind, channel, stored.text.language, companyId});
    if (!q)
        return q.error();
    if (q->next()) {
        stored.source = q->value(0).toLongLong() > 0 ? u"company"_s : u"platform"_s;
        stored.text.subject = q->value(1).toString();
        stored.text.body = q->value(2).toString();
        stored.updatedBy = q->value(3).toString();
        stored.updatedAtMs = q->value(4).toLongLong();
    }
    q->finish();
    return stored;
}

Result<ConfirmationMessage> MessageTemplates::compose(qint64 companyId, const QString &kind, const QString &channel,
                                                      const ConfirmationDetails &details)
{
    auto text = effective(companyId, kind, channel, details.language);
    if (!text)
        return text.error();
    return ConfirmationMessage::fill(text->text, details);
}

Result<QList<StoredTemplate>> MessageTemplates::list(qint64 companyId)
{
    // One read of the company's and the platform's rows; the company's, read last, win.
    QHash<QString, StoredTemplate> stored;
    auto q = m_db.exec(u"SELECT COALESCE(company_id, 0), kind, channel, language, subject, body, updated_by, updated_at FROM message_templates "
                       "WHERE company_id IS NULL OR company_id = ? ORDER BY COALESCE(company_id, 0)"_s,
                       {companyId});
    if (!q)
        return q.error();
    while (q->next()) {
        const MessageTemplate text{q->value(1).toString(), q->value(2).toString(), q->value(3).toString(), q->value(4).toString(),
                                   q->value(5).toString()};
        stored.insert(keyOf(text.kind, text.channel, text.language),
                      StoredTemplate{text, q->value(0).toLongLong() > 0 ? u"company"_s : u"platform"_s, q->value(6).toString(),
                                     q->value(7).toLongLong()});
    }
    q->finish();
    QList<StoredTemplate> all;
    for (const QString &kind : kinds()) {
        for (const QString &channel : channels()) {
            for (const QString &language : languages())
                all << stored.value(keyOf(kind, channel, language), StoredTemplate{shipped(kind, channel, language), u"shipped"_s, QString(), 0});
        }
    }
    return all;
}

Status MessageTemplates::checkScope(const Actor &actor, qint64 companyId)
{
    if (auto allowed = actor.require(Permission::EditTemplates); !allowed)
        return allowed;
    if (actor.isScoped() && companyId == 0)
        return makeError(ErrorKind::Unauthorized, u"templates.platform"_s, tr("Only AskProAI's staff may change the platform's texts."));
    if (actor.isScoped() && companyId != actor.companyId)
        return makeError(ErrorKind::NotFound, u"companies.missing"_s, tr("No such company."));
    if (companyId > 0) {
        auto exists = m_db.scalar(u"SELECT COUNT(*) FROM companies WHERE id = ?"_s, {companyId});
        if (!exists)
            return exists.error();
        if (exists->toLongLong() == 0)
            return makeError(ErrorKind::NotFound, u"companies.missing"_s, tr("No such company."));
    }
    return {};
}

Result<StoredTemplate> MessageTemplates::save(const Actor &actor, qint64 companyId, const MessageTemplate &text)
{
    MessageTemplate t = text;
    if (t.channel == u"sms"_s)
        t.subject.clear();
    t.subject = t.subject.trimmed();
    if (auto valid = check(t); !valid)
        return valid.error();
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    if (auto allowed = checkScope(actor, companyId); !allowed)
        return allowed.error();
    auto before = effective(companyId, t.kind, t.channel, t.language);
    if (!before)
        return before.error();
    const QVariant company = companyId > 0 ? QVariant(companyId) : Database::null();
    auto existing = m_db.scalar(u"SELECT id FROM message_templates WHERE COALESCE(company_id, 0) = ? AND kind = ? AND channel = ? AND language = ?"_s,
                                {companyId, t.kind, t.channel, t.language});
    if (!existing)
        return existing.error();
    const qint64 now = nowMs();
    qint64 id = existing->toLongLong();
    if (id > 0) {
        if (auto updated = m_db.exec(u"UPDATE message_templates SET subject = ?, body = ?, updated_by = ?, updated_at = ? WHERE id = ?"_s,
                                     {t.subject, t.body, actor.username, now, id});
            !updated)
            return updated.error();
    } else {
        auto inserted = m_db.insert(u"INSERT INTO message_templates (company_id, kind, channel, language, subject, body, updated_by, updated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                    {company, t.kind, t.channel, t.language, t.subject, t.body, actor.username, now});
        if (!inserted)
            return inserted.error();
        id = *inserted;
    }
    if (auto logged = AuditLog(m_db).write(actor, u"template.save"_s, u"message_template"_s, id, auditText(before->text), auditText(t));
        !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return StoredTemplate{t, companyId > 0 ? u"company"_s : u"platform"_s, actor.username, now};
}

Result<StoredTemplate> MessageTemplates::reset(const Actor &actor, qint64 companyId, const QString &kind, const QString &channel,
                                               const QString &language)
{
    if (!kinds().contains(kind) || !channels().contains(channel) || !languages().contains(language))
        return makeError(ErrorKind::Invalid, u"templates.unknown"_s, tr("There is no such message text."));
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    if (auto allowed = checkScope(actor, companyId); !allowed)
        return allowed.error();
    auto existing = m_db.exec(u"SELECT id, subject, body FROM message_templates WHERE COALESCE(company_id, 0) = ? AND kind = ? AND channel = ? AND language = ?"_s,
                              {companyId, kind, channel, language});
    if (!existing)
        return existing.error();
    if (existing->next()) {
        const qint64 id = existing->value(0).toLongLong();
        const MessageTemplate before{kind, channel, language, existing->value(1).toString(), existing->value(2).toString()};
        existing->finish();
        if (auto removed = m_db.exec(u"DELETE FROM message_templates WHERE id = ?"_s, {id}); !removed)
            return removed.error();
        if (auto logged = AuditLog(m_db).write(actor, u"template.reset"_s, u"message_template"_s, id, auditText(before), QString()); !logged)
            return logged.error();
    } else {
        existing->finish();
    }
    auto now = effective(companyId, kind, channel, language);
    if (!now)
        return now.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return now;
}

} // namespace askpro
