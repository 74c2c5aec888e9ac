// Invoice mail texts (German or English after the company's language) and queuing.
#include "billing/invoicemailer.h"

#include "core/clock.h"
#include "db/database.h"
#include "integrations/jsonreply.h"
#include "jobs/jobqueue.h"
#include "jobs/notificationqueue.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace askpro {

InvoiceMailer::InvoiceMailer(Database &db) : m_db(db) {}

QString InvoiceMailer::fileName(const InvoiceDocument &invoice, const QString &suffix)
{
    return invoice.number + u"."_s + suffix;
}

QString InvoiceMailer::subject(const InvoiceDocument &invoice)
{
    if (invoice.english())
        return (invoice.isCreditNote() ? u"Your AskPro credit note %1"_s : u"Your AskPro invoice %1"_s).arg(invoice.number);
    return (invoice.isCreditNote() ? u"Ihre AskPro-Gutschrift %1"_s : u"Ihre AskPro-Rechnung %1"_s).arg(invoice.number);
}

QString InvoiceMailer::body(const InvoiceDocument &invoice)
{
    const QLocale locale(invoice.english() ? QLocale::English : QLocale::German);
    const QString period = locale.toString(invoice.periodFirstDay(), QLocale::ShortFormat) + u" – "_s
        + locale.toString(invoice.periodLastDay(), QLocale::ShortFormat);
    const QString total = money::format(invoice.grossCents, invoice.language);
    const QString due = locale.toString(invoice.dueDate(), QLocale::ShortFormat);
    if (invoice.english())
        return u"Hello,\n\nplease find attached %1 %2 for the service period %3.\nTotal: %4%5\n\nKind regards\n%6\n"_s.arg(
            invoice.isCreditNote() ? u"our credit note"_s : u"our invoice"_s, invoice.number, period, total,
            invoice.isCreditNote() ? QString() : u", due on "_s + due, invoice.seller.name);
    return u"Guten Tag,\n\nanbei erhalten Sie %1 %2 für den Leistungszeitraum %3.\nGesamtbetrag: %4%5\n\nMit freundlichen Grüßen\n%6\n"_s.arg(
        invoice.isCreditNote() ? u"unsere Gutschrift"_s : u"unsere Rechnung"_s, invoice.number, period, total,
        invoice.isCreditNote() ? QString() : u", fällig am "_s + due, invoice.seller.name);
}

Result<qint64> InvoiceMailer::queue(const InvoiceDocument &invoice, const QByteArray &pdf, bool resend)
{
    if (invoice.buyer.email.trimmed().isEmpty())
        return makeError(ErrorKind::Invalid, u"billing.no_billing_email"_s, u"The company has no billing e-mail address"_s);
    Transaction tx(m_db);
    if (!tx.started().ok())
        return tx.started().error();
    const QString key = u"invoice:%1:mail"_s.arg(invoice.id) + (resend ? u":"_s + QString::number(nowMs()) : QString());
    auto existing = m_db.scalar(u"SELECT id FROM notifications WHERE dedupe_key = ?"_s, {key});
    if (!existing)
        return existing.error();
    if (existing->isValid())
        return existing->toLongLong();
    Notification mail;
    mail.companyId = invoice.companyId;
    mail.kind = u"invoice"_s;
    mail.dedupeKey = key;
    mail.recipient = invoice.buyer.email.trimmed();
    mail.language = invoice.language;
    mail.subject = subject(invoice);
    mail.body = body(invoice);
    mail.attachmentName = fileName(invoice, u"pdf"_s);
    mail.attachmentType = u"application/pdf"_s;
    mail.attachment = pdf;
    auto id = NotificationQueue(m_db).record(mail, nowMs());
    if (!id)
        return id.error();
    auto committed = tx.commit();
    if (!committed)
        return committed.error();
    if (!id->has_value()) {
        // Queued by another process between the look and the insert: that one is the e-mail.
        auto theirs = m_db.scalar(u"SELECT id FROM notifications WHERE dedupe_key = ?"_s, {key});
        if (!theirs)
            return theirs.error();
        return theirs->toLongLong();
    }
    return **id;
}

Status InvoiceMailer::queueFollowUps(Database &db, const QList<qint64> &invoiceIds)
{
    JobQueue jobs(db);
    for (qint64 id : invoiceIds) {
        const QByteArray payload = QByteArray::fromStdString(Json{{"invoice_id", id}}.dump());
        auto push = jobs.enqueue(u"invoice.push"_s, payload, u"invoice:%1:push"_s.arg(id));
        if (!push)
            return push.error();
        auto mail = jobs.enqueue(u"invoice.mail"_s, payload, u"invoice:%1:mail"_s.arg(id));
        if (!mail)
            return mail.error();
    }
    return {};
}

} // namespace askpro
