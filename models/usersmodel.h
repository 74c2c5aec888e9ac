// Everyone who signs in, read from the admin API (GET /api/v1/users): user name, name, role, company,
// language, activation, last sign-in and lock. Company names come from GET /api/v1/companies.
#pragma once

#include "apilistmodel.h"

#include <QHash>

namespace askpro {

class UsersModel final : public ApiListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersModel)
public:
    enum Column { Username, DisplayName, RoleColumn, CompanyColumn, Language, Active, LastSignIn, Locked, ColumnCount };

    explicit UsersModel(client::ApiAccount &account, QObject *parent = nullptr);

    // Names for the company column (id -> name).
    void setCompanyNames(QHash<qint64, QString> names);

    // The roles as the server names them, in the order forms offer them, and their titles.
    [[nodiscard]] static QStringList roleCodes();
    [[nodiscard]] static QString roleTitle(const QString &code);
    // Business owners and staff belong to one company; the other roles are AskProAI's own staff.
    [[nodiscard]] static bool isBusinessRole(const QString &code);
    [[nodiscard]] static QString languageTitle(const QString &code);

    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    [[nodiscard]] QVariant cell(const client::Json &item, int column, int role) const override;

private:
    QHash<qint64, QString> m_companyNames;
};

} // namespace askpro
