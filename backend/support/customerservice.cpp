// Customer profiles: read and changed in one statement each, the company in SQL.
#include "support/customerservice.h"

#include "core/clock.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "support/auditlog.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// What the audit keeps of a profile: the fields a change can touch.
QString auditText(const CustomerProfile &p)
{
    const QJsonObject o{{u"name"_s, p.name},
                        {u"email"_s, p.email},
                        {u"notes"_s, p.notes},
                        {u"language"_s, p.language},
                        {u"preferred_channel"_s, p.preferredChannel},
                        {u"message_phone"_s, p.messagePhoneE164},
                        {u"sms_opt_out"_s, p.smsOptOut}};
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

CustomerService::CustomerService(Database &db) : m_db(db)
{
}

QStringList CustomerService::channels()
{
    return {u"auto"_s, u"email"_s, u"sms"_s, u"none"_s};
}

Result<CustomerProfile> CustomerService::profile(qint64 id, qint64 companyId)
{
    auto q = m_db.exec(u"SELECT id, company_id, name, phone_e164, email, COALESCE(notes, ''), language, preferred_channel, message_phone_e164, "
                       "sms_opt_out, COALESCE(sms_opt_changed_at, 0), updated_at FROM customers WHERE id = ? AND (? = 0 OR company_id = ?)"_s,
                       {id, companyId, companyId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorKind::NotFound, u"customers.missing"_s, tr("No such customer."));
    CustomerProfile p;
    p.id = q->value(0).toLongLong();
    p.companyId = q->value(1).toLongLong();
    p.name = q->value(2).toString();
    p.phoneE164 = q->value(3).toString();
    p.email = q->value(4).toString();
    p.notes = q->value(5).toString();
    p.language = q->value(6).toString();
    p.preferredChannel = q->value(7).toString();
    p.messagePhoneE164 = q->value(8).toString();
    p.smsOptOut = q->value(9).toInt() != 0;
    p.smsOptChangedAtMs = q->value(10).toLongLong();
    p.updatedAtMs = q->value(11).toLongLong();
    return p;
}

Result<CustomerProfile> CustomerService::update(const Actor &actor, qint64 id, qint64 companyId, const CustomerChanges &changes)
{
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    auto before = profile(id, companyId);
    if (!before)
        return before.error();
    CustomerProfile after = *before;
    if (changes.name) {
        after.name = changes.name->trimmed();
        if (after.name.isEmpty())
            return makeError(ErrorKind::Invalid, u"customers.name"_s, tr("A customer needs a name."));
    }
    if (changes.email) {
        after.email = changes.email->trimmed();
        if (!after.email.isEmpty() && (!after.email.contains(u'@') || after.email.contains(u' ')))
            return makeError(ErrorKind::Invalid, u"customers.email"_s, tr("\"%1\" is not an e-mail address.").arg(after.email));
    }
    if (changes.notes)
        after.notes = changes.notes->trimmed();
    if (changes.language) {
        after.language = *changes.language;
        if (!after.language.isEmpty() && after.language != u"de"_s && after.language != u"en"_s)
            return makeError(ErrorKind::Invalid, u"customers.language"_s, tr("The language must be German (de) or English (en), or none."));
    }
    if (changes.preferredChannel) {
        after.preferredChannel = *changes.preferredChannel;
        if (!channels().contains(after.preferredChannel))
            return makeError(ErrorKind::Invalid, u"customers.channel"_s, tr("The channel must be one of: %1.").arg(channels().join(u", "_s)));
    }
    if (changes.messagePhone) {
        const QString typed = changes.messagePhone->trimmed();
        if (typed.isEmpty()) {
            after.messagePhoneE164.clear();
        } else {
            // A national number is read in the country of the number the customer calls from.
            auto e164 = PhoneNumbers::toE164(typed, PhoneNumbers::regionOf(before->phoneE164));
            if (!e164)
                return makeError(ErrorKind::Invalid, u"customers.message_phone"_s, tr("\"%1\" is not a phone number.").arg(typed));
            if (!PhoneNumbers::canReceiveSms(*e164))
                return makeError(ErrorKind::Invalid, u"customers.message_phone"_s,
                                 tr("%1 is not a mobile number: it cannot receive text messages.").arg(PhoneNumbers::display(*e164)));
            after.messagePhoneE164 = *e164;
        }
    }
    if (changes.smsOptOut) {
        if (!*changes.smsOptOut && before->smsOptOut)
            return makeError(ErrorKind::Invalid, u"customers.opt_in"_s,
                             tr("Only the customer can receive text messages again, by replying START to one."));
        after.smsOptOut = *changes.smsOptOut || before->smsOptOut;
    }
    const qint64 now = nowMs();
    const bool optingOut = after.smsOptOut && !before->smsOptOut;
    auto q = m_db.exec(u"UPDATE customers SET name = ?, email = ?, notes = ?, language = ?, preferred_channel = ?, message_phone_e164 = ?, "
                       "sms_opt_out = ?, sms_opt_out_at = CASE WHEN ? THEN ? ELSE sms_opt_out_at END, "
                       "sms_opt_changed_at = CASE WHEN ? THEN ? ELSE sms_opt_changed_at END, updated_at = ? "
                       "WHERE id = ? AND (? = 0 OR company_id = ?)"_s,
                       {after.name, after.email, after.notes, after.language, after.preferredChannel, after.messagePhoneE164,
                        after.smsOptOut ? 1 : 0, optingOut, now, optingOut, now, now, id, companyId, companyId});
    if (!q)
        return q.error();
    if (auto logged = AuditLog(m_db).write(actor, u"customer.update"_s, u"customer"_s, id, auditText(*before), auditText(after)); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return profile(id, companyId);
}

} // namespace askpro
