// The texts of the messages to callers as the server lists them (GET /api/v1/message-templates): each kind,
// channel and language with the text that applies to the chosen company and where it comes from.
#pragma once

#include "apilistmodel.h"

namespace askpro {

class MessageTemplatesModel final : public ApiListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageTemplatesModel)
public:
    enum Column { Kind, Channel, Language, Source, ColumnCount };

    explicit MessageTemplatesModel(client::ApiAccount &account, QObject *parent = nullptr);

    // The company whose texts are listed; 0: the platform's (platform staff) or the caller's own (a business).
    void setCompany(qint64 companyId);

    [[nodiscard]] static QString kindTitle(const QString &kind);
    [[nodiscard]] static QString channelTitle(const QString &channel);
    [[nodiscard]] static QString languageTitle(const QString &language);
    [[nodiscard]] static QString sourceTitle(const QString &source);

    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    [[nodiscard]] QVariant cell(const client::Json &item, int column, int role) const override;
};

} // namespace askpro
