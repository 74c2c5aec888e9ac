// Credential rows; times in this desktop's zone (when an administrator stored or rotated a key).
#include "credentialsmodel.h"

#include <QDateTime>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace askpro {

CredentialsModel::CredentialsModel(client::ApiAccount &account, QObject *parent)
    : ApiListModel(account, u"/credentials"_s, parent)
{
}

QString CredentialsModel::scopeTitle(const client::Json &item)
{
    return item.value("company_id", client::Json()).is_number() ? QString::fromStdString(item.value("company", std::string()))
                                                                : tr("Platform (all companies)");
}

int CredentialsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CredentialsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return ApiListModel::headerData(section, orientation, role);
    switch (section) {
    case Scope: return tr("Account");
    case Provider: return tr("Provider");
    case BaseUrl: return tr("Base URL");
    case Key: return tr("Key");
    case WebhookSecret: return tr("Webhook secret");
    case Stored: return tr("Stored");
    case Rotated: return tr("Rotated");
    case PreviousValid: return tr("Old secret valid until");
    }
    return {};
}

QVariant CredentialsModel::cell(const client::Json &item, int column, int role) const
{
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const auto text = [&item](const char *key) { return QString::fromStdString(item.value(key, std::string())); };
    const auto when = [&item](const char *key) {
        const client::Json ms = item.value(key, client::Json());
        return ms.is_number() ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms.get<qint64>()).toLocalTime(), QLocale::ShortFormat)
                              : QString();
    };
    switch (column) {
    case Scope:
        return scopeTitle(item);
    case Provider:
        return text("provider");
    case BaseUrl:
        return text("base_url").isEmpty() ? tr("configured default") : text("base_url");
    case Key:
        return text("secret_hint");
    case WebhookSecret:
        return text("webhook_secret_hint");
    case Stored:
        return when("created_at");
    case Rotated:
        return when("rotated_at");
    case PreviousValid:
        return when("previous_valid_until");
    }
    return {};
}

} // namespace askpro
