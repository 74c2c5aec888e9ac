// One customer's contact details and message choices as support and the business see and change them: the
// channel they prefer, a mobile number for messages when caller ID is a landline, their language, and an SMS
// opt-out said on the phone. Validated, scoped to the reader's company in SQL, and audited with before/after.
#pragma once

#include "core/result.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

namespace askpro {

class Database;

struct CustomerProfile
{
    qint64 id = 0;
    qint64 companyId = 0;
    QString name;
    QString phoneE164;
    QString email;
    QString notes;
    QString language;         // '', de, en
    QString preferredChannel; // auto, email, sms, whatsapp, none
    QString messagePhoneE164; // '' for none: the caller's own number is used
    bool smsOptOut = false;
    qint64 smsOptChangedAtMs = 0; // 0: never decided
    qint64 updatedAtMs = 0;
};

// The fields a change names; an unset field stays as it is.
struct CustomerChanges
{
    std::optional<QString> name;
    std::optional<QString> email;
    std::optional<QString> notes;
    std::optional<QString> language;
    std::optional<QString> preferredChannel;
    std::optional<QString> messagePhone; // as typed: E.164 or national in the country of the customer's number
    std::optional<bool> smsOptOut;       // only true: an opt-in is the customer's own START
};

class CustomerService final
{
    Q_DECLARE_TR_FUNCTIONS(CustomerService)
public:
    explicit CustomerService(Database &db);

    [[nodiscard]] static QStringList channels();
    // companyId 0: any company's customer; NotFound for another company's.
    [[nodiscard]] Result<CustomerProfile> profile(qint64 id, qint64 companyId);
    // Applies the changes (all or none) and returns the profile as stored. Invalid for an empty name, an
    // address without "@", an unknown language or channel, a message number that is not a mobile number, and
    // an opt-in.
    [[nodiscard]] Result<CustomerProfile> update(const Actor &actor, qint64 id, qint64 companyId, const CustomerChanges &changes);

private:
    Database &m_db;
};

} // namespace askpro
