// The answer is applied only while the combo box lives (the call is parented to it through the connection).
#include "widgets/apipicker.h"

#include "apiaccount.h"

#include <QComboBox>
#include <QPointer>
#include <QSignalBlocker>

using namespace Qt::StringLiterals;

namespace askpro {

void ApiPicker::fill(QComboBox *combo, client::ApiAccount &account, const QString &path, const QUrlQuery &query, const QString &firstText,
                     const QString &emptyText, std::function<void(bool ok)> done)
{
    client::ApiCall *call = account.get(path, query);
    QObject::connect(call, &client::ApiCall::finished, combo, [combo, firstText, emptyText, done](const client::ApiResult &result) {
        if (!result.ok()) {
            if (done)
                done(false);
            return;
        }
        const QVariant previous = combo->currentData();
        {
            const QSignalBlocker blocker(combo);
            combo->clear();
            if (!firstText.isEmpty())
                combo->addItem(firstText, qint64(0));
            for (const client::Json &item : result.body.value("items", client::Json::array())) {
                const QString name = QString::fromStdString(item.value("name", std::string()));
                combo->addItem(item.value("active", true) ? name : tr("%1 (inactive)").arg(name), item.value("id", qint64(0)));
                if (item.contains("time_zone"))
                    combo->setItemData(combo->count() - 1, QString::fromStdString(item.value("time_zone", std::string())), TimeZoneRole);
            }
            if (combo->count() == 0 && !emptyText.isEmpty())
                combo->addItem(emptyText, qint64(0));
            combo->setCurrentIndex(qMax(0, combo->findData(previous)));
        }
        if (done)
            done(true);
    });
}

} // namespace askpro
