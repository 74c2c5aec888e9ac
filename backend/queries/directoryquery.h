// Companies, branches, staff, services and customers: lists for the directory tables, small lookups
// for filter combo boxes, and single records for the edit forms.
#pragma once

#include "core/result.h"
#include "queries/callquery.h"

#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QVariantMap>

namespace askpro {

class Database;

struct NamedItem
{
    qint64 id = 0;
    QString name;
    qint64 parentId = 0; // company of a branch or service, branch of a staff member
    bool active = true;
    QString timeZone;    // branches only
};

class DirectoryQuery final
{
public:
    enum class Entity { Company, Branch, Staff, Service };

    // Lookups, ordered by name; companyId / branchId 0 means all.
    [[nodiscard]] static Result<QList<NamedItem>> companies(Database &db);
    [[nodiscard]] static Result<QList<NamedItem>> branches(Database &db, qint64 companyId = 0);
    [[nodiscard]] static Result<QList<NamedItem>> staff(Database &db, qint64 branchId = 0, qint64 companyId = 0);
    [[nodiscard]] static Result<QList<NamedItem>> services(Database &db, qint64 companyId = 0);

    // Table rows of an entity with named columns (id first, then parents, display names and every editable
    // field; inactive rows included and last).
    [[nodiscard]] static Result<QSqlQuery> table(Database &db, Entity entity);
    // The editable fields of one row, keyed by column name; NotFound when the row is gone.
    [[nodiscard]] static Result<QVariantMap> record(Database &db, Entity entity, qint64 id);
    // The editable columns of an entity, in form order.
    [[nodiscard]] static QStringList editableFields(Entity entity);
    // The columns that place a new row (set once, when it is created): company_id, and branch_id for staff.
    [[nodiscard]] static QStringList parentFields(Entity entity);
    [[nodiscard]] static QString tableName(Entity entity);
};

class CustomerQuery final
{
public:
    enum Column { Id, Name, Phone, Email, Company, Calls, Appointments, LastCallAt, ColumnCount };

    // Customers with their call and appointment counts; text matches name, phone or e-mail.
    [[nodiscard]] static Result<QSqlQuery> browse(Database &db, const QString &text, int sortColumn = Name,
                                                  Qt::SortOrder order = Qt::AscendingOrder);
    // One page after `after` of the customers of companyId (0: every company), in Column order, keyset-paged.
    [[nodiscard]] static Result<CallPage> page(Database &db, const QString &text, qint64 companyId, int sortColumn, Qt::SortOrder order,
                                               const std::optional<CallCursor> &after, int limit);
    // The customer's calls: id, started_at, time zone, branch, outcome, duration_ms (newest first).
    [[nodiscard]] static Result<QSqlQuery> calls(Database &db, qint64 customerId);
    // The customer's appointments: id, starts_at, time zone, branch, service, staff, status (newest first).
    [[nodiscard]] static Result<QSqlQuery> appointments(Database &db, qint64 customerId);
};

} // namespace askpro
