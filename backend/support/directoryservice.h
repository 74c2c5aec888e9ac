// Edits to companies, branches, staff and services, validated and audited with before/after.
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

private:
    [[nodiscard]] Result<QVariantMap> validated(DirectoryQuery::Entity entity, QVariantMap changes) const;
    Database &m_db;
};

} // namespace askpro
