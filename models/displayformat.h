// How money is shown in models and pages: in the current QLocale (set by LanguageLoader), never a hand-made format.
#pragma once

#include <QLocale>
#include <QString>

namespace askpro {

class DisplayFormat final
{
public:
    // Integer cents as the locale shows euros: "1.234,56 €" in German, "€1,234.56" in English.
    [[nodiscard]] static QString money(qint64 cents, const QLocale &locale = QLocale());
};

} // namespace askpro
