// Users as the server lists them; times shown in this desktop's zone (a person's sign-in, not a branch's event).
#include "usersmodel.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace askpro {

UsersModel::UsersModel(client::ApiAccount &account, QObject *parent)
    : ApiListModel(account, u"/users"_s, parent)
{
}

void UsersModel::setCompanyNames(QHash<qint64, QString> names)
{
    m_companyNames = std::move(names);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, CompanyColumn), index(rowCount() - 1, CompanyColumn));
}

QStringList UsersModel::roleCodes()
{
    return {u"admin"_s, u"owner"_s, u"support"_s, u"onboarding"_s, u"company_owner"_s, u"company_staff"_s};
}

QString UsersModel::roleTitle(const QString &code)
{
    if (code == u"admin"_s)
        return tr("Administrator");
    if (code == u"owner"_s)
        return tr("Owner");
    if (code == u"support"_s)
        return tr("Support");
    if (code == u"onboarding"_s)
        return tr("Onboarding");
    if (code == u"company_owner"_s)
        return tr("Business owner");
    if (code == u"company_staff"_s)
        return tr("Business staff");
    return code;
}

bool UsersModel::isBusinessRole(const QString &code)
{
    return code == u"company_owner"_s || code == u"company_staff"_s;
}

QString UsersModel::languageTitle(const QString &code)
{
    if (code == u"de"_s)
        return u"Deutsch"_s;
    if (code == u"en"_s)
        return u"English"_s;
    return tr("System");
}

int UsersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UsersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return ApiListModel::headerData(section, orientation, role);
    switch (section) {
    case Username: return tr("User name");
    case DisplayName: return tr("Name");
    case RoleColumn: return tr("Role");
    case CompanyColumn: return tr("Company");
    case Language: return tr("Language");
    case Active: return tr("Active");
    case LastSignIn: return tr("Last sign-in");
    case Locked: return tr("Locked until");
    }
    return {};
}

QVariant UsersModel::cell(const client::Json &item, int column, int role) const
{
    const bool active = item.value("active", true);
    if (role == Qt::ForegroundRole)
        return active ? QVariant() : QVariant(QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text));
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const auto text = [&item](const char *key) { return QString::fromStdString(item.value(key, std::string())); };
    const auto when = [](const client::Json &ms) {
        return ms.is_number() ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms.get<qint64>()).toLocalTime(), QLocale::ShortFormat)
                              : QString();
    };
    switch (column) {
    case Username:
        return text("username");
    case DisplayName:
        return text("display_name");
    case RoleColumn:
        return roleTitle(text("role"));
    case CompanyColumn: {
        const client::Json company = item.value("company_id", client::Json());
        // Platform staff work for AskProAI and see every company.
        return company.is_number() ? m_companyNames.value(company.get<qint64>(), QString::number(company.get<qint64>())) : tr("all (AskProAI)");
    }
    case Language:
        return languageTitle(text("language"));
    case Active:
        return active ? tr("yes") : tr("no");
    case LastSignIn:
        return when(item.value("last_sign_in_at", client::Json()));
    case Locked: {
        const client::Json until = item.value("locked_until", client::Json());
        return until.is_number() && until.get<qint64>() > QDateTime::currentMSecsSinceEpoch() ? when(until) : QString();
    }
    }
    return {};
}

} // namespace askpro
