#include "messagetemplatesmodel.h"

#include "jsonfields.h"

#include <QFont>

using namespace Qt::StringLiterals;

namespace askpro {

MessageTemplatesModel::MessageTemplatesModel(client::ApiAccount &account, QObject *parent)
    : ApiListModel(account, u"/message-templates"_s, parent)
{
}

void MessageTemplatesModel::setCompany(qint64 companyId)
{
    QUrlQuery query;
    if (companyId > 0)
        query.addQueryItem(u"company_id"_s, QString::number(companyId));
    setQuery(query);
}

QString MessageTemplatesModel::kindTitle(const QString &kind)
{
    if (kind == u"confirmation"_s)
        return tr("Booking confirmation");
    if (kind == u"reminder"_s)
        return tr("Reminder the day before");
    if (kind == u"cancelled"_s)
        return tr("Appointment cancelled");
    if (kind == u"moved"_s)
        return tr("Appointment moved");
    if (kind == u"callback"_s)
        return tr("We will call you back");
    return kind;
}

QString MessageTemplatesModel::channelTitle(const QString &channel)
{
    return channel == u"sms"_s ? tr("SMS") : channel == u"email"_s ? tr("E-mail") : channel;
}

QString MessageTemplatesModel::languageTitle(const QString &language)
{
    return language == u"de"_s ? tr("German") : language == u"en"_s ? tr("English") : language;
}

QString MessageTemplatesModel::sourceTitle(const QString &source)
{
    if (source == u"company"_s)
        return tr("Company's own");
    if (source == u"platform"_s)
        return tr("Platform text");
    return tr("Shipped text");
}

int MessageTemplatesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MessageTemplatesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return ApiListModel::headerData(section, orientation, role);
    switch (section) {
    case Kind: return tr("Message");
    case Channel: return tr("Channel");
    case Language: return tr("Language");
    case Source: return tr("Text");
    }
    return {};
}

QVariant MessageTemplatesModel::cell(const client::Json &item, int column, int role) const
{
    const auto text = [&item](const char *key) { return client::text(item, key); };
    if (role == Qt::FontRole && column == Source && text("source") != u"shipped"_s) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (column) {
    case Kind:
        return kindTitle(text("kind"));
    case Channel:
        return channelTitle(text("channel"));
    case Language:
        return languageTitle(text("language"));
    case Source:
        return sourceTitle(text("source"));
    }
    return {};
}

} // namespace askpro
