// Language choice and translator installation for askpro-admin and askpro-server.
#include "languageloader.h"

#include <QLibraryInfo>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

const QString languageOption = u"--language"_s;

QString normalized(const QString &language)
{
    // "de_DE", "de-AT" and "DE" all mean German.
    return language.section(u'_', 0, 0).section(u'-', 0, 0).trimmed().toLower();
}

} // namespace

QStringList LanguageLoader::supported()
{
    return {u"de"_s, u"en"_s};
}

QString LanguageLoader::fromArguments(const QStringList &arguments)
{
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        if (arguments.at(i) == u"--"_s)
            break;
        if (arguments.at(i) == languageOption)
            return arguments.value(i + 1);
        if (arguments.at(i).startsWith(languageOption + u'='))
            return arguments.at(i).mid(languageOption.size() + 1);
    }
    return {};
}

QStringList LanguageLoader::withoutLanguageOption(const QStringList &arguments)
{
    QStringList result;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        if (arguments.at(i) == u"--"_s) {
            result += arguments.mid(i);
            break;
        }
        if (arguments.at(i) == languageOption)
            ++i; // and its value
        else if (!arguments.at(i).startsWith(languageOption + u'='))
            result << arguments.at(i);
    }
    return result;
}

QString LanguageLoader::choose(const QString &requested, const QString &saved, const QLocale &system)
{
    for (const QString &candidate : {requested, saved}) {
        if (supported().contains(normalized(candidate)))
            return normalized(candidate);
    }
    for (const QString &ui : system.uiLanguages()) {
        if (supported().contains(normalized(ui)))
            return normalized(ui);
    }
    return u"en"_s;
}

LanguageLoader::LanguageLoader() = default;

LanguageLoader::~LanguageLoader()
{
    removeAll();
}

void LanguageLoader::removeAll()
{
    for (const auto &translator : m_translators)
        QCoreApplication::removeTranslator(translator.get());
    m_translators.clear();
}

bool LanguageLoader::install(const QString &language, const QLocale &system)
{
    removeAll();
    m_language = normalized(language);
    // The system locale stays when it speaks the language (and "C" counts as English), so de_AT keeps its formats.
    const bool systemFits = system.language() == QLocale(m_language).language()
        || (m_language == u"en"_s && system.language() == QLocale::C);
    const QLocale locale = systemFits ? system : QLocale(m_language);
    QLocale::setDefault(locale);

    // Qt's catalogue first: translators installed later are asked first, and AskPro's own should win.
    auto qt = std::make_unique<QTranslator>();
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt.get());
        m_translators.push_back(std::move(qt));
    }
    auto own = std::make_unique<QTranslator>();
    if (!own->load(u":/i18n/askpro_%1.qm"_s.arg(m_language)))
        return false;
    QCoreApplication::installTranslator(own.get());
    m_translators.push_back(std::move(own));
    return true;
}

} // namespace askpro
