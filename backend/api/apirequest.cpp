// Reading an API request's parameters: every malformed one is refused with a 400 that names it.
#include "api/apiroute.h"
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "db/database.h"

#include <QCoreApplication>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

Error invalidParameter(const QString &name, const QString &expected)
{
    return makeError(ErrorKind::Invalid, u"parameter."_s + name,
                     AdminApi::tr("Parameter %1: %2.").arg(name, expected));
}

} // namespace

Result<qint64> ApiRequest::id(const QString &name) const
{
    bool ok = false;
    const qint64 value = path.value(name).toLongLong(&ok);
    if (!ok || value <= 0)
        return invalidParameter(name, AdminApi::tr("a positive whole number is expected"));
    return value;
}

Result<qint64> ApiRequest::integer(const QString &name, qint64 fallback, qint64 min, qint64 max) const
{
    if (!query.hasQueryItem(name))
        return fallback;
    bool ok = false;
    const qint64 value = query.queryItemValue(name, QUrl::FullyDecoded).toLongLong(&ok);
    if (!ok || value < min || value > max)
        return invalidParameter(name, AdminApi::tr("a whole number from %1 to %2 is expected").arg(min).arg(max));
    return value;
}

Result<QString> ApiRequest::oneOf(const QString &name, const QStringList &allowed, const QString &fallback) const
{
    if (!query.hasQueryItem(name))
        return fallback;
    const QString value = query.queryItemValue(name, QUrl::FullyDecoded);
    if (!allowed.contains(value))
        return invalidParameter(name, AdminApi::tr("one of %1 is expected").arg(allowed.join(u", "_s)));
    return value;
}

QString ApiRequest::text(const QString &name) const
{
    return query.queryItemValue(name, QUrl::FullyDecoded);
}

Result<qint64> ApiRequest::companyScope() const
{
    auto asked = integer(u"company_id"_s, 0, 0, std::numeric_limits<qint64>::max());
    if (!asked)
        return asked.error();
    if (!actor.isScoped())
        return *asked;
    if (*asked != 0 && *asked != actor.companyId)
        return makeError(ErrorKind::NotFound, u"company.missing"_s, AdminApi::tr("No such company."));
    return actor.companyId;
}

Result<QString> ApiRequest::bodyText(const char *field, bool required) const
{
    const QString name = QString::fromLatin1(field);
    if (!body.is_object() || !body.contains(field) || body.at(field).is_null()) {
        if (required)
            return invalidParameter(name, AdminApi::tr("this field is required"));
        return QString();
    }
    if (!body.at(field).is_string())
        return invalidParameter(name, AdminApi::tr("a text is expected"));
    return QString::fromStdString(body.at(field).get<std::string>());
}

Json jsonValue(const QVariant &value)
{
    if (value.isNull() || !value.isValid())
        return nullptr;
    switch (value.typeId()) {
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::Short:
        return value.toLongLong();
    case QMetaType::Double:
    case QMetaType::Float:
        return value.toDouble();
    default:
        return value.toString().toStdString();
    }
}

Json jsonRows(QSqlQuery &query, int limit, bool &more)
{
    Json rows = Json::array();
    more = false;
    const QSqlRecord record = query.record();
    QList<std::string> names;
    for (int i = 0; i < record.count(); ++i)
        names.append(record.fieldName(i).toStdString());
    while (query.next()) {
        if (int(rows.size()) >= limit) {
            more = true;
            break;
        }
        Json row = Json::object();
        for (int i = 0; i < names.size(); ++i)
            row[names.at(i)] = jsonValue(query.value(i));
        rows.push_back(std::move(row));
    }
    return rows;
}

// The cursor is opaque to clients: base64url of [sort key, id] of the last row of a page.
QString encodeCursor(const CallCursor &cursor)
{
    const Json pair = Json::array({jsonValue(cursor.sortKey), cursor.id});
    return QString::fromLatin1(QByteArray::fromStdString(pair.dump()).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<std::optional<CallCursor>> decodeCursor(const QString &text)
{
    if (text.isEmpty())
        return std::optional<CallCursor>();
    const auto bytes = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    const Json pair = bytes ? Json::parse(bytes.decoded.constBegin(), bytes.decoded.constEnd(), nullptr, false) : Json();
    if (!pair.is_array() || pair.size() != 2 || !pair.at(1).is_number_integer())
        return makeError(ErrorKind::Invalid, u"parameter.after"_s, AdminApi::tr("Parameter after: not a cursor of this list."));
    CallCursor cursor;
    const Json &key = pair.at(0);
    if (key.is_number_integer())
        cursor.sortKey = qint64(key.get<qint64>());
    else if (key.is_string())
        cursor.sortKey = QString::fromStdString(key.get<std::string>());
    cursor.id = pair.at(1).get<qint64>();
    return std::optional<CallCursor>(cursor);
}

Result<PageRequest> pageRequest(const ApiRequest &request, const QStringList &sortNames, const QString &defaultSort,
                                Qt::SortOrder defaultOrder)
{
    QStringList sortable;
    for (const QString &name : sortNames)
        if (!name.isEmpty())
            sortable << name;
    auto sort = request.oneOf(u"sort"_s, sortable, defaultSort);
    if (!sort)
        return sort.error();
    auto order = request.oneOf(u"order"_s, {u"asc"_s, u"desc"_s}, defaultOrder == Qt::AscendingOrder ? u"asc"_s : u"desc"_s);
    if (!order)
        return order.error();
    auto limit = request.integer(u"limit"_s, 256, 1, 1000);
    if (!limit)
        return limit.error();
    auto after = decodeCursor(request.text(u"after"_s));
    if (!after)
        return after.error();
    return PageRequest{int(sortNames.indexOf(*sort)), *order == u"asc"_s ? Qt::AscendingOrder : Qt::DescendingOrder, int(*limit), *after};
}

ApiReply pageReply(const CallPage &page, const std::vector<const char *> &fields)
{
    Json items = Json::array();
    for (const QVariantList &row : page.rows) {
        Json item = Json::object();
        for (size_t column = 0; column < fields.size(); ++column)
            item[fields.at(column)] = jsonValue(row.value(qsizetype(column)));
        items.push_back(std::move(item));
    }
    return ApiReply::json(Json{{"items", items}, {"next", page.next ? Json(encodeCursor(*page.next).toStdString()) : Json(nullptr)}});
}

Status requireInScope(Database &db, const QString &table, qint64 id, qint64 companyScope)
{
    static const QStringList scopedTables{u"calls"_s, u"appointments"_s, u"invoices"_s, u"customers"_s, u"branches"_s};
    if (!scopedTables.contains(table))
        return makeError(ErrorKind::Internal, u"api.scope"_s, u"no company scope for table %1"_s.arg(table));
    auto found = db.scalar(u"SELECT COUNT(*) FROM %1 WHERE id = ? AND (? = 0 OR company_id = ?)"_s.arg(table), {id, companyScope, companyScope});
    if (!found)
        return found.error();
    if (found->toLongLong() == 0)
        return makeError(ErrorKind::NotFound, table + u".missing"_s, AdminApi::tr("No such record."));
    return {};
}

Result<qint64> scopedId(Database &db, const ApiRequest &request, const QString &table, const QString &name)
{
    auto id = request.id(name);
    if (!id)
        return id.error();
    if (auto inScope = requireInScope(db, table, *id, request.actor.companyId); !inScope)
        return inScope.error();
    return *id;
}

} // namespace askpro
