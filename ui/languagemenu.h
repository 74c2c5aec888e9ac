// View > Language: the saved language choice (QSettings "ui/language"), applied by LanguageLoader at the next start.
#pragma once

#include <QMenu>

class QActionGroup;

namespace askpro {

class LanguageMenu final : public QMenu
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LanguageMenu)
public:
    static constexpr const char *settingsKey = "ui/language";

    explicit LanguageMenu(QWidget *parent = nullptr);

signals:
    // After a choice: says that it takes effect at the next start.
    void statusMessage(const QString &text);

private:
    void choose(const QString &language);

    QActionGroup *m_group = nullptr;
};

} // namespace askpro
