// New and changed companies, branches, staff and services, validated and audited with before/after.
#pragma once

#include "core/result.h"
#include "queries/directoryquery.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QVariantMap>

namespace askpro {

class Database;

class DirectoryService final
{
    Q_DECLARE_TR_FUNCTIONS(DirectoryService)
public:
    explicit DirectoryService(Database &db);

    // Changes the given fields (only DirectoryQuery::editableFields; others are Invalid) of one row.
    // Phone numbers are normalized to E.164, time zones must be known IANA ids; a number already used
    // by another active branch is a Conflict. Nothing changes on error.
    [[nodiscard]] Status update(DirectoryQuery::Entity entity, qint64 id, const QVariantMap &changes, const Actor &actor);
    // Adds a row from DirectoryQuery::editableFields plus its parents (DirectoryQuery::parentFields: the
    // company of a branch, service or staff member, and a staff member's optional branch), validated as
    // update() validates and audited as "<entity>.create". A name is required everywhere, a phone number for
    // a branch (free among active branches), an e-mail address for staff and a duration for a service;
    // active defaults to yes and a branch's time zone to Europe/Berlin. Returns the new id.
    [[nodiscard]] Result<qint64> create(DirectoryQuery::Entity entity, const QVariantMap &fields, const Actor &actor);

private:
    [[nodiscard]] Result<QVariantMap> validated(DirectoryQuery::Entity entity, QVariantMap changes) const;
    Database &m_db;
};

} // namespace askpro
