// Locale-aware display formats shared by models and pages.
#include "displayformat.h"

using namespace Qt::StringLiterals;

namespace askpro {

QString DisplayFormat::money(qint64 cents, const QLocale &locale)
{
    // A double holds every cent amount below 2^53 exactly enough to round to two places.
    return locale.toCurrencyString(double(cents) / 100.0, u"€"_s, 2);
}

} // namespace askpro
