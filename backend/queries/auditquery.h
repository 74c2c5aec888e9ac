// The audit log for the audit page: filtered by person, action, entity and time, newest first, read only
// by those who may (Permission::ViewAudit).
#pragma once

#include "core/result.h"
#include "queries/callquery.h"
#include "security/accesspolicy.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QStringList>

namespace askpro {

class Database;

struct AuditFilter
{
    QString actor;       // exact audit_log.actor; empty: everyone
    QString actionGroup; // "call", "user", …: actions starting with "<group>."; empty: all
    QString entity;      // exact entity; empty: all
    qint64 entityId = 0; // 0: any
    QString text;        // contained in the before or after JSON
    QDateTime from;      // inclusive; invalid: open
    QDateTime to;        // exclusive; invalid: open
};

struct AuditEntry
{
    qint64 id = 0;
    qint64 atMs = 0;
    QString actor;
    QString action;
    QString entity;
    qint64 entityId = 0;
    QString beforeJson;
    QString afterJson;
};

class AuditQuery final
{
public:
    enum Column { Id, At, Zone, Actor, Role, Action, Entity, EntityId, ColumnCount };

    // `zone`: the IANA zone the page shows times in (a column of every row, for RecordsModel).
    [[nodiscard]] static Result<QSqlQuery> browse(Database &db, const askpro::Actor &reader, const AuditFilter &filter, const QString &zone,
                                                  int sortColumn = At, Qt::SortOrder order = Qt::DescendingOrder);
    // One keyset page of the same rows for the admin API (Column order; sortColumn as for browse()).
    [[nodiscard]] static Result<CallPage> page(Database &db, const askpro::Actor &reader, const AuditFilter &filter, const QString &zone,
                                               int sortColumn, Qt::SortOrder order, const std::optional<CallCursor> &after, int limit);
    [[nodiscard]] static Result<AuditEntry> entry(Database &db, const askpro::Actor &reader, qint64 id);
    // The distinct actors and action groups, for the filter boxes.
    [[nodiscard]] static Result<QStringList> actors(Database &db, const askpro::Actor &reader);
    [[nodiscard]] static Result<QStringList> actionGroups(Database &db, const askpro::Actor &reader);
};

} // namespace askpro
