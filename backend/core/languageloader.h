// Chooses the language of the user interface (--language, a saved choice, the system locale) and installs
// AskPro's catalogue (:/i18n, from the askpro_translations target) with Qt's own, and the matching QLocale.
#pragma once

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>

#include <memory>
#include <vector>

class QTranslator;

namespace askpro {

class LanguageLoader final
{
    Q_DISABLE_COPY_MOVE(LanguageLoader)
public:
    // The languages AskPro ships; English is the source language.
    [[nodiscard]] static QStringList supported();
    // The value of "--language LANG" or "--language=LANG" in raw program arguments, read before
    // QCommandLineParser runs so that its help texts are translated already; empty when absent.
    [[nodiscard]] static QString fromArguments(const QStringList &arguments);
    // arguments without the --language option and its value (for parsers that do not know it).
    [[nodiscard]] static QStringList withoutLanguageOption(const QStringList &arguments);
    // The first supported one of: requested (the option), saved (a setting), the system's UI languages; else "en".
    [[nodiscard]] static QString choose(const QString &requested, const QString &saved, const QLocale &system = QLocale::system());

    LanguageLoader();
    // Removes the translators it installed.
    ~LanguageLoader();

    // Installs the translators for language ("de", "en") into the running application and makes QLocale's default
    // speak it (the system locale when that has the same language, so de_AT keeps its formats).
    // False when AskPro's own catalogue for it cannot be loaded; Qt's catalogue is optional.
    bool install(const QString &language, const QLocale &system = QLocale::system());
    [[nodiscard]] QString language() const { return m_language; }

private:
    void removeAll();

    std::vector<std::unique_ptr<QTranslator>> m_translators;
    QString m_language;
};

} // namespace askpro
