// Filters are kept as a JSON object so pages can add filter fields without a schema change.
#include "support/savedviewstore.h"

#include "core/clock.h"
#include "db/database.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace askpro {

SavedViewStore::SavedViewStore(Database &db, qint64 userId)
    : m_db(db)
    , m_userId(userId)
{
}

Result<qint64> SavedViewStore::save(const QString &page, const QString &name, const QVariantMap &filters)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return makeError(ErrorKind::Invalid, u"views.empty_name"_s, tr("Give the view a name."));
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto removed = m_db.exec(u"DELETE FROM saved_views WHERE user_id = ? AND page = ? AND name = ?"_s, {m_userId, page, trimmed});
    if (!removed)
        return removed.error();
    const QString json = QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(filters)).toJson(QJsonDocument::Compact));
    auto id = m_db.insert(u"INSERT INTO saved_views (user_id, page, name, filters, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
                          {m_userId, page, trimmed, json, nowMs()});
    if (!id)
        return id.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return *id;
}

Result<QList<SavedView>> SavedViewStore::list(const QString &page)
{
    auto q = m_db.exec(u"SELECT id, page, name, filters FROM saved_views WHERE user_id = ? AND (? = '' OR page = ?) "
                      "ORDER BY page, lower(name), id"_s,
                      {m_userId, page, page});
    if (!q)
        return q.error();
    QList<SavedView> views;
    while (q->next())
        views.append({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toString(),
                      QJsonDocument::fromJson(q->value(3).toString().toUtf8()).object().toVariantMap()});
    return views;
}

Status SavedViewStore::rename(qint64 id, const QString &name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return makeError(ErrorKind::Invalid, u"views.empty_name"_s, tr("Give the view a name."));
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started();
    auto page = m_db.scalar(u"SELECT page FROM saved_views WHERE id = ? AND user_id = ?"_s, {id, m_userId});
    if (!page)
        return page.error();
    if (!page->isValid())
        return makeError(ErrorKind::NotFound, u"views.not_found"_s, tr("The view no longer exists."));
    auto taken = m_db.scalar(u"SELECT COUNT(*) FROM saved_views WHERE user_id = ? AND page = ? AND name = ? AND id <> ?"_s,
                             {m_userId, page->toString(), trimmed, id});
    if (!taken)
        return taken.error();
    if (taken->toLongLong() > 0)
        return makeError(ErrorKind::Conflict, u"views.name_taken"_s, tr("Another view is already called %1.").arg(trimmed));
    auto renamed = m_db.exec(u"UPDATE saved_views SET name = ? WHERE id = ? AND user_id = ?"_s, {trimmed, id, m_userId});
    if (!renamed)
        return renamed.error();
    return tx.commit();
}

Status SavedViewStore::remove(qint64 id)
{
    auto q = m_db.exec(u"DELETE FROM saved_views WHERE id = ? AND user_id = ?"_s, {id, m_userId});
    if (!q)
        return q.error();
    if (q->numRowsAffected() == 0)
        return makeError(ErrorKind::NotFound, u"views.not_found"_s, tr("The view no longer exists."));
    return {};
}

} // namespace askpro
