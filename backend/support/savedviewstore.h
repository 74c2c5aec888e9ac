// Saved views: a named set of a page's filters, stored in saved_views and recalled later. Each user has
// their own; every statement names the user, so one user's id never reaches another's view.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QVariantMap>

namespace askpro {

class Database;

struct SavedView
{
    qint64 id = 0;
    QString page;
    QString name;
    QVariantMap filters;
};

class SavedViewStore final
{
    Q_DECLARE_TR_FUNCTIONS(SavedViewStore)
public:
    SavedViewStore(Database &db, qint64 userId);

    // Saves (or replaces the view of the same name on this page); returns its id. Invalid for an empty name.
    [[nodiscard]] Result<qint64> save(const QString &page, const QString &name, const QVariantMap &filters);
    // The page's views by name (an empty page: every page's, by page and name).
    [[nodiscard]] Result<QList<SavedView>> list(const QString &page);
    // A new name for a view; Invalid for an empty name, Conflict when another view of its page has it,
    // NotFound when the view is gone or another user's.
    [[nodiscard]] Status rename(qint64 id, const QString &name);
    // NotFound when the view is already gone or another user's.
    [[nodiscard]] Status remove(qint64 id);

private:
    Database &m_db;
    qint64 m_userId;
};

} // namespace askpro
