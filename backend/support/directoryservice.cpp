// Directory edits: whitelisted fields, normalized values, one transaction with the audit row.
#include "support/directoryservice.h"

#include "core/clock.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "support/auditlog.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace askpro {

DirectoryService::DirectoryService(Database &db)
    : m_db(db)
{
}

Result<QVariantMap> DirectoryService::validated(DirectoryQuery::Entity entity, QVariantMap changes) const
{
    const QStringList allowed = DirectoryQuery::editableFields(entity);
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const QString &field = it.key();
        if (!allowed.contains(field))
            return makeError(ErrorKind::Invalid, u"directory.field"_s, tr("The field %1 cannot be changed here.").arg(field));
        if (field == u"name"_s && it.value().toString().trimmed().isEmpty())
            return makeError(ErrorKind::Invalid, u"directory.name"_s, tr("The name must not be empty."));
        if (field == u"name"_s || field == u"address"_s || field == u"billing_email"_s || field == u"vat_id"_s || field == u"email"_s)
            it.value() = it.value().toString().trimmed();
        if (field == u"phone_e164"_s) {
            auto e164 = PhoneNumbers::toE164(it.value().toString());
            if (!e164)
                return e164.error();
            it.value() = *e164;
        }
        if (field == u"time_zone"_s && !QTimeZone::isTimeZoneIdAvailable(it.value().toString().toUtf8()))
            return makeError(ErrorKind::Invalid, u"directory.time_zone"_s, tr("%1 is not a known time zone.").arg(it.value().toString()));
        if (field == u"duration_minutes"_s && it.value().toInt() <= 0)
            return makeError(ErrorKind::Invalid, u"directory.duration"_s, tr("The duration must be at least one minute."));
        if (field == u"price_cents"_s && it.value().toLongLong() < 0)
            return makeError(ErrorKind::Invalid, u"directory.price"_s, tr("The price must not be negative."));
        if (field == u"active"_s)
            it.value() = it.value().toBool() ? 1 : 0;
        if (field == u"calcom_user_id"_s)
            it.value() = it.value().toLongLong() > 0 ? QVariant(it.value().toLongLong()) : Database::null();
    }
    return changes;
}

Status DirectoryService::update(DirectoryQuery::Entity entity, qint64 id, const QVariantMap &changes, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::EditDirectory); !allowed)
        return allowed;
    auto clean = validated(entity, changes);
    if (!clean)
        return clean.error();
    if (clean->isEmpty())
        return {};
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started();
    auto before = DirectoryQuery::record(m_db, entity, id);
    if (!before)
        return before.error();
    if (entity == DirectoryQuery::Entity::Branch) {
        const QString phone = clean->value(u"phone_e164"_s, before->value(u"phone_e164"_s)).toString();
        const bool active = clean->value(u"active"_s, before->value(u"active"_s)).toInt() != 0;
        if (active) {
            auto taken = m_db.scalar(u"SELECT COUNT(*) FROM branches WHERE phone_e164 = ? AND active = 1 AND id <> ?"_s, {phone, id});
            if (!taken)
                return taken.error();
            if (taken->toLongLong() > 0)
                return makeError(ErrorKind::Conflict, u"directory.phone_taken"_s,
                                 tr("Another active branch already answers %1.").arg(PhoneNumbers::display(phone)));
        }
    }
    QStringList assignments;
    QVariantList params;
    for (auto it = clean->cbegin(); it != clean->cend(); ++it) {
        assignments << it.key() + u" = ?"_s; // keys are whitelisted column names
        params << it.value();
    }
    if (entity == DirectoryQuery::Entity::Company || entity == DirectoryQuery::Entity::Branch) {
        assignments << u"updated_at = ?"_s;
        params << nowMs();
    }
    params << id;
    auto updated = m_db.exec(u"UPDATE "_s + DirectoryQuery::tableName(entity) + u" SET "_s + assignments.join(u", "_s) + u" WHERE id = ?"_s,
                             params);
    if (!updated)
        return updated.error();
    auto after = DirectoryQuery::record(m_db, entity, id);
    if (!after)
        return after.error();
    const auto text = [](const QVariantMap &m) {
        return QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(m)).toJson(QJsonDocument::Compact));
    };
    QString entityName = DirectoryQuery::tableName(entity);
    if (entityName.endsWith(u"ies"_s))
        entityName = entityName.chopped(3) + u"y"_s;
    else if (entityName.endsWith(u"ches"_s)) // branches
        entityName.chop(2);
    else if (entityName.endsWith(u's'))
        entityName.chop(1);
    if (auto logged = AuditLog(m_db).write(actor, entityName + u".update"_s, entityName, id, text(*before), text(*after)); !logged)
        return logged;
    return tx.commit();
}

} // namespace askpro
