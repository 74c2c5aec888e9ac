// Doctor checks and repairs. Repairs keep what can be kept: rows are re-linked where a home exists.
#include "db/doctor.h"

#include "db/callparties.h"
#include "core/clock.h"
#include "core/logging.h"
#include "billing/usagerollup.h"
#include "db/database.h"
#include "flow/callstore.h"

using namespace Qt::StringLiterals;

namespace askpro {

Doctor::Doctor(Database &db) : m_db(db) {}

QList<Doctor::Check> Doctor::checks()
{
    return {
        {u"staff_without_company"_s, tr("Staff whose company is gone"),
         u"SELECT s.id FROM staff s LEFT JOIN companies c ON c.id = s.company_id WHERE c.id IS NULL ORDER BY s.id"_s},
        {u"staff_branch_gone"_s, tr("Staff assigned to a branch that is gone"),
         u"SELECT s.id FROM staff s LEFT JOIN branches b ON b.id = s.branch_id "
         "WHERE s.branch_id IS NOT NULL AND b.id IS NULL ORDER BY s.id"_s},
        {u"duplicate_staff"_s, tr("Duplicate staff (same e-mail within a company)"),
         u"SELECT s.id FROM staff s WHERE EXISTS (SELECT 1 FROM staff o WHERE o.company_id = s.company_id "
         "AND lower(o.email) = lower(s.email) AND o.id < s.id) ORDER BY s.id"_s},
        {u"appointments_branch_gone"_s, tr("Appointments whose branch is gone"),
         u"SELECT a.id FROM appointments a LEFT JOIN branches b ON b.id = a.branch_id WHERE b.id IS NULL ORDER BY a.id"_s},
        {u"calls_without_branch"_s, tr("Calls without a branch"),
         u"SELECT c.id FROM calls c LEFT JOIN branches b ON b.id = c.branch_id "
         "WHERE (c.branch_id IS NOT NULL AND b.id IS NULL) OR (c.branch_id IS NULL AND c.outcome NOT IN ('failed', 'pending')) "
         "ORDER BY c.id"_s},
    };
}

Result<QList<qint64>> Doctor::ids(const QString &sql)
{
    auto q = m_db.exec(sql);
    if (!q)
        return q.error();
    QList<qint64> result;
    while (q->next())
        result.append(q->value(0).toLongLong());
    return result;
}

Result<QList<DoctorFinding>> Doctor::inspect()
{
    QList<DoctorFinding> findings;
    for (const Check &check : checks()) {
        auto found = ids(check.findSql);
        if (!found)
            return found.error();
        if (!found->isEmpty())
            findings.append({check.id, check.description, *found});
    }
    return findings;
}

Status Doctor::audit(const QString &actor, const QString &action, const QString &entity, qint64 id)
{
    auto q = m_db.exec(u"INSERT INTO audit_log (at, actor, action, entity, entity_id) VALUES (?, ?, ?, ?, ?)"_s,
                       {nowMs(), actor, action, entity, id});
    if (!q)
        return q.error();
    return {};
}

Result<int> Doctor::repair(const QString &check, const QList<qint64> &rows, const QString &actor)
{
    // Each step is a list of statements taking the row id; a failing one aborts the whole fix.
    auto run = [this](const QString &sql, const QVariantList &params) -> Status {
        auto q = m_db.exec(sql, params);
        if (!q)
            return q.error();
        return {};
    };
    int repaired = 0;
    for (qint64 id : rows) {
        Status status;
        QString action;
        QString entity = u"staff"_s;
        if (check == u"staff_without_company"_s) {
            action = u"doctor.delete_orphan_staff"_s;
            status = run(u"UPDATE appointments SET staff_id = NULL WHERE staff_id = ?"_s, {id});
            if (status)
                status = run(u"DELETE FROM staff WHERE id = ?"_s, {id});
        } else if (check == u"staff_branch_gone"_s) {
            action = u"doctor.unassign_branch"_s;
            status = run(u"UPDATE staff SET branch_id = NULL WHERE id = ?"_s, {id});
        } else if (check == u"duplicate_staff"_s) {
            action = u"doctor.merge_duplicate_staff"_s;
            status = run(u"UPDATE appointments SET staff_id = (SELECT MIN(o.id) FROM staff o JOIN staff s ON s.id = ? "
                         "AND o.company_id = s.company_id AND lower(o.email) = lower(s.email)) WHERE staff_id = ?"_s,
                         {id, id});
            if (status)
                status = run(u"DELETE FROM staff WHERE id = ?"_s, {id});
        } else if (check == u"appointments_branch_gone"_s) {
            entity = u"appointment"_s;
            // Prefer the branch of the call that made the appointment, then the company's first active one.
            auto home = m_db.scalar(
                u"SELECT COALESCE((SELECT b.id FROM calls c JOIN branches b ON b.id = c.branch_id "
                "JOIN appointments a ON a.call_id = c.id WHERE a.id = ?), "
                "(SELECT MIN(b.id) FROM branches b JOIN appointments a ON a.company_id = b.company_id "
                "WHERE a.id = ? AND b.active = 1))"_s,
                {id, id});
            if (!home)
                return home.error();
            if (!home->isNull()) {
                action = u"doctor.move_appointment"_s;
                status = run(u"UPDATE appointments SET branch_id = ? WHERE id = ?"_s, {*home, id});
            } else {
                action = u"doctor.delete_orphan_appointment"_s;
                status = UsageRollup(m_db).removeAppointmentUsage(id); // keeps the daily totals right
                if (status)
                    status = run(u"UPDATE notifications SET appointment_id = NULL WHERE appointment_id = ?"_s, {id});
                if (status)
                    status = run(u"DELETE FROM appointments WHERE id = ?"_s, {id});
            }
        } else if (check == u"calls_without_branch"_s) {
            entity = u"call"_s;
            auto branch = m_db.exec(u"SELECT b.id, b.company_id FROM branches b JOIN calls c ON "_s + CallParties::ourNumberSql(u"c"_s) + u" = b.phone_e164 "
                                    "WHERE c.id = ? ORDER BY b.active DESC, b.id"_s,
                                    {id});
            if (!branch)
                return branch.error();
            if (branch->next()) {
                action = u"doctor.assign_branch"_s;
                const QVariant branchId = branch->value(0);
                const QVariant companyId = branch->value(1);
                status = run(u"UPDATE calls SET branch_id = ?, company_id = ? WHERE id = ?"_s, {branchId, companyId, id});
            } else {
                action = u"doctor.mark_call_unassignable"_s;
                status = run(u"UPDATE calls SET branch_id = NULL, outcome = 'failed', failure_kind = 'configuration', "
                             "failure_reason = ?, updated_at = ? WHERE id = ?"_s,
                             {tr("No branch has the called number (repaired by doctor)"), nowMs(), id});
            }
        }
        if (status)
            status = audit(actor, action, entity, id);
        if (!status)
            return status.error();
        ++repaired;
    }
    return repaired;
}

Result<int> Doctor::fix(const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    int repaired = 0;
    // Findings are re-read after each repair: merging staff can settle another check's rows.
    for (const Check &check : checks()) {
        auto found = ids(check.findSql);
        if (!found)
            return found.error();
        auto done = repair(check.id, *found, actor);
        if (!done)
            return done.error();
        repaired += *done;
    }
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    qCInfo(lcDb) << "doctor repaired" << repaired << "rows";
    return repaired;
}

} // namespace askpro
