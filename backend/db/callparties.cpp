// A column qualified by an alias, or bare when the statement reads one table without alias.
#include "db/callparties.h"

using namespace Qt::StringLiterals;

namespace askpro::CallParties {

namespace {
QString column(const QString &alias, const QString &name)
{
    return alias.isEmpty() ? name : alias + u'.' + name;
}
} // namespace

QString ourNumberSql(const QString &alias)
{
    return u"CASE WHEN %1 = 'outbound' THEN %2 ELSE %3 END"_s.arg(column(alias, u"direction"_s), column(alias, u"from_number"_s),
                                                                    column(alias, u"to_number"_s));
}

QString otherNumberSql(const QString &alias)
{
    return u"CASE WHEN %1 = 'outbound' THEN %2 ELSE %3 END"_s.arg(column(alias, u"direction"_s), column(alias, u"to_number"_s),
                                                                    column(alias, u"from_number"_s));
}

} // namespace askpro::CallParties
