// Data hygiene: finds orphans and duplicates left by imports or older tools, and repairs them.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace askpro {

class Database;

struct DoctorFinding
{
    QString check;       // stable id, e.g. "staff_without_company"
    QString description; // for people
    QList<qint64> ids;   // the rows concerned
};

class Doctor final
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)
public:
    explicit Doctor(Database &db);

    // Every check that found something; an empty list means the data is clean.
    [[nodiscard]] Result<QList<DoctorFinding>> inspect();
    // Repairs every finding in one transaction and records each repair in the audit log.
    // The caller takes a backup first (askpro-server doctor --fix does). Returns the rows repaired.
    [[nodiscard]] Result<int> fix(const QString &actor);

private:
    struct Check
    {
        QString id;
        QString description;
        QString findSql;
    };
    [[nodiscard]] static QList<Check> checks();
    [[nodiscard]] Result<QList<qint64>> ids(const QString &sql);
    [[nodiscard]] Result<int> repair(const QString &check, const QList<qint64> &ids, const QString &actor);
    [[nodiscard]] Status audit(const QString &actor, const QString &action, const QString &entity, qint64 id);

    Database &m_db;
};

} // namespace askpro
