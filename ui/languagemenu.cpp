// The language menu: System default, Deutsch, English; the choice is saved and used from the next start on.
#include "languagemenu.h"

#include <QActionGroup>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace askpro {

LanguageMenu::LanguageMenu(QWidget *parent)
    : QMenu(tr("&Language"), parent)
{
    setObjectName(u"languageMenu"_s);
    m_group = new QActionGroup(this);
    const QString saved = QSettings().value(QLatin1StringView(settingsKey)).toString();
    // Each language in its own name, so that it can be found whatever the interface speaks now.
    const QList<std::pair<QString, QString>> choices = {
        {QString(), tr("System default")},
        {u"de"_s, u"Deutsch"_s},
        {u"en"_s, u"English"_s},
    };
    for (const auto &[code, name] : choices) {
        QAction *action = addAction(name);
        action->setCheckable(true);
        action->setChecked(code == saved);
        action->setData(code);
        m_group->addAction(action);
        connect(action, &QAction::triggered, this, [this, chosen = code] { choose(chosen); });
    }
    if (!m_group->checkedAction())
        m_group->actions().constFirst()->setChecked(true);
}

void LanguageMenu::choose(const QString &language)
{
    QSettings settings;
    if (language.isEmpty())
        settings.remove(QLatin1StringView(settingsKey));
    else
        settings.setValue(QLatin1StringView(settingsKey), language);
    emit statusMessage(tr("The language changes when AskPro Admin is started again."));
}

} // namespace askpro
