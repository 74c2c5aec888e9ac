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

namespace {

// The audit log's entity names (a branch's rows once read "branche.update").
QString entityName(DirectoryQuery::Entity entity)
{
    switch (entity) {
    case DirectoryQuery::Entity::Company: return u"company"_s;
    case DirectoryQuery::Entity::Branch: return u"branch"_s;
    case DirectoryQuery::Entity::Staff: return u"staff"_s;
    case DirectoryQuery::Entity::Service: return u"service"_s;
    }
    return {};
}

QString jsonText(const QVariantMap &m)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(m)).toJson(QJsonDocument::Compact));
}

} // namespace

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
    const QString name = entityName(entity);
    if (auto logged = AuditLog(m_db).write(actor, name + u".update"_s, name, id, jsonText(*before), jsonText(*after)); !logged)
        return logged;
    return tx.commit();
}

Result<qint64> DirectoryService::create(DirectoryQuery::Entity entity, const QVariantMap &fields, const Actor &actor)
{
    using E = DirectoryQuery::Entity;
    if (auto allowed = actor.require(Permission::EditDirectory); !allowed)
        return allowed.error();
    const QStringList parentFields = DirectoryQuery::parentFields(entity);
    QVariantMap editable;
    QVariantMap parents;
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        (parentFields.contains(it.key()) ? parents : editable).insert(it.key(), it.value());
    auto clean = validated(entity, editable);
    if (!clean)
        return clean.error();
    // What a new row needs beyond what an edit checks.
    if (clean->value(u"name"_s).toString().isEmpty())
        return makeError(ErrorKind::Invalid, u"directory.name"_s, tr("The name must not be empty."));
    if (entity == E::Branch && clean->value(u"phone_e164"_s).toString().isEmpty())
        return makeError(ErrorKind::Invalid, u"directory.phone"_s, tr("A branch needs the phone number its callers dial."));
    if (entity == E::Staff && clean->value(u"email"_s).toString().isEmpty())
        return makeError(ErrorKind::Invalid, u"directory.email"_s, tr("A staff member needs an e-mail address."));
    if (entity == E::Service && !clean->contains(u"duration_minutes"_s))
        return makeError(ErrorKind::Invalid, u"directory.duration"_s, tr("The duration must be at least one minute."));
    if (!clean->contains(u"active"_s))
        clean->insert(u"active"_s, 1);
    if (entity == E::Branch && !clean->contains(u"time_zone"_s))
        clean->insert(u"time_zone"_s, u"Europe/Berlin"_s);

    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    const qint64 companyId = parents.value(u"company_id"_s).toLongLong();
    if (parentFields.contains(u"company_id"_s)) {
        auto known = m_db.scalar(u"SELECT COUNT(*) FROM companies WHERE id = ?"_s, {companyId});
        if (!known)
            return known.error();
        if (companyId <= 0 || known->toLongLong() == 0)
            return makeError(ErrorKind::Invalid, u"directory.company"_s, tr("Choose the company it belongs to."));
        clean->insert(u"company_id"_s, companyId);
    }
    if (parentFields.contains(u"branch_id"_s)) {
        const qint64 branchId = parents.value(u"branch_id"_s).toLongLong();
        if (branchId > 0) {
            auto owner = m_db.scalar(u"SELECT company_id FROM branches WHERE id = ?"_s, {branchId});
            if (!owner)
                return owner.error();
            if (!owner->isValid() || owner->toLongLong() != companyId)
                return makeError(ErrorKind::Invalid, u"directory.branch"_s, tr("The branch belongs to another company."));
        }
        clean->insert(u"branch_id"_s, branchId > 0 ? QVariant(branchId) : Database::null());
    }
    // The unique rules, checked first so that the message says which one.
    Result<QVariant> taken = QVariant(0);
    QString takenMessage;
    if (entity == E::Branch && clean->value(u"active"_s).toInt() != 0) {
        const QString phone = clean->value(u"phone_e164"_s).toString();
        taken = m_db.scalar(u"SELECT COUNT(*) FROM branches WHERE phone_e164 = ? AND active = 1"_s, {phone});
        takenMessage = tr("Another active branch already answers %1.").arg(PhoneNumbers::display(phone));
    } else if (entity == E::Staff) {
        taken = m_db.scalar(u"SELECT COUNT(*) FROM staff WHERE company_id = ? AND lower(email) = lower(?)"_s,
                            {companyId, clean->value(u"email"_s)});
        takenMessage = tr("This company already has a staff member with the e-mail address %1.").arg(clean->value(u"email"_s).toString());
    } else if (entity == E::Service) {
        taken = m_db.scalar(u"SELECT COUNT(*) FROM services WHERE company_id = ? AND name = ?"_s, {companyId, clean->value(u"name"_s)});
        takenMessage = tr("This company already offers a service called %1.").arg(clean->value(u"name"_s).toString());
    }
    if (!taken)
        return taken.error();
    if (taken->toLongLong() > 0)
        return makeError(ErrorKind::Conflict, u"directory.taken"_s, takenMessage);

    QStringList columns;
    QVariantList params;
    for (auto it = clean->cbegin(); it != clean->cend(); ++it) {
        columns << it.key(); // whitelisted: editable and parent fields only
        params << it.value();
    }
    const qint64 now = nowMs();
    columns << u"created_at"_s;
    params << now;
    if (entity == E::Company || entity == E::Branch) {
        columns << u"updated_at"_s;
        params << now;
    }
    auto id = m_db.insert(u"INSERT INTO "_s + DirectoryQuery::tableName(entity) + u" ("_s + columns.join(u", "_s) + u") VALUES ("_s
                              + QStringList(columns.size(), u"?"_s).join(u", "_s) + u") RETURNING id"_s,
                          params);
    if (!id)
        return id.error();
    auto after = DirectoryQuery::record(m_db, entity, *id);
    if (!after)
        return after.error();
    for (const QString &parent : parentFields)
        after->insert(parent, clean->value(parent));
    const QString name = entityName(entity);
    if (auto logged = AuditLog(m_db).write(actor, name + u".create"_s, name, *id, QString(), jsonText(*after)); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return *id;
}

} // namespace askpro
