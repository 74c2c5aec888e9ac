// Stored provider credentials as the server lists them (GET /api/v1/credentials): masked hints only, never a
// secret, with when each was stored and rotated and until when a replaced secret still verifies webhooks.
#pragma once

#include "apilistmodel.h"

namespace askpro {

class CredentialsModel final : public ApiListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialsModel)
public:
    enum Column { Scope, Provider, BaseUrl, Key, WebhookSecret, Stored, Rotated, PreviousValid, ColumnCount };

    explicit CredentialsModel(client::ApiAccount &account, QObject *parent = nullptr);

    // "Platform (all companies)" or the company's name.
    [[nodiscard]] static QString scopeTitle(const client::Json &item);

    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    [[nodiscard]] QVariant cell(const client::Json &item, int column, int role) const override;
};

} // namespace askpro
