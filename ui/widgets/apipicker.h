// Fills a filter combo box from a small list route of the admin API (branches, staff, services): the items'
// names with their ids, inactive ones marked, the previous choice kept when it is still offered.
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QUrlQuery>

#include <functional>

class QComboBox;

namespace askpro {

namespace client {
class ApiAccount;
}

class ApiPicker final
{
    Q_DECLARE_TR_FUNCTIONS(ApiPicker)
public:
    // The item role holding a branch's IANA time zone ("time_zone" of the item).
    static constexpr int TimeZoneRole = Qt::UserRole + 1;

    // Asks for path and replaces the combo's entries when the answer comes; firstText (when not empty) is an
    // entry with id 0 first ("All branches"), emptyText one shown alone when the list is empty. done runs
    // afterwards with whether the list came (on failure the old entries stay). Changing the entries emits
    // no currentIndexChanged: done decides what to reload.
    static void fill(QComboBox *combo, client::ApiAccount &account, const QString &path, const QUrlQuery &query, const QString &firstText,
                     const QString &emptyText, std::function<void(bool ok)> done = {});
};

} // namespace askpro
