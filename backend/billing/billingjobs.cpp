// Billing job handlers: configuration problems fail for good, transient ones retry with backoff.
#include "billing/billingjobs.h"

#include "billing/invoicegenerator.h"
#include "billing/invoicemailer.h"
#include "billing/stripebilling.h"
#include "billing/stripeeventprocessor.h"

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
JobOutcome outcomeOf(const Status &status)
{
    if (status)
        return JobOutcome::done();
    return status.error().isTransient() || status.error().kind == ErrorKind::Internal ? JobOutcome::retry(status.error())
                                                                                       : JobOutcome::failed(status.error());
}
} // namespace

void BillingJobs::run(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, const ServerConfig &config,
                      const QString &kind, const Json &payload, bool lastAttempt, QObject *context, const JobDone &done)
{
    Q_UNUSED(lastAttempt);
    if (kind == u"stripe.event"_s)
        return done(StripeEventProcessor(db).process(jsonInt(payload, "inbox_id")));
    if (kind == u"invoices.generate"_s) {
        auto report = InvoiceGenerator(db, config.seller).generateMonth(InvoiceGenerator::parseMonth(jsonString(payload, "month")));
        if (!report)
            return done(outcomeOf(report.error()));
        auto followUps = InvoiceMailer::queueFollowUps(db, report->invoiceIds);
        if (!followUps || report->failures.isEmpty())
            return done(outcomeOf(followUps));
        // Some companies could not be invoiced: the next attempt finds the others invoiced and tries them again.
        return done(JobOutcome::retry(makeError(ErrorKind::Internal, u"billing.companies_failed"_s,
                                                u"No invoice for %1 companies: %2"_s.arg(report->failures.size()).arg(report->failures.join(u"; "_s)))));
    }
    const qint64 invoiceId = jsonInt(payload, "invoice_id");
    if (kind == u"invoice.mail"_s) {
        if (!config.invoicePdf)
            return done(JobOutcome::failed(makeError(ErrorKind::Configuration, u"billing.no_pdf_renderer"_s,
                                                     u"This server cannot render PDFs; send with 'askpro-server invoices send'"_s)));
        auto doc = InvoiceDocument::load(db, invoiceId);
        if (!doc)
            return done(outcomeOf(doc.error()));
        auto pdf = config.invoicePdf(*doc);
        if (!pdf)
            return done(outcomeOf(pdf.error()));
        auto queued = InvoiceMailer(db).queue(*doc, *pdf, false);
        return done(queued ? JobOutcome::done() : outcomeOf(queued.error()));
    }
    if (kind == u"invoice.push"_s) {
        auto billing = StripeBilling::create(db, credentials, network, config.endpoints);
        if (!billing)
            return done(outcomeOf(billing.error()));
        StripeBilling *owned = billing->release();
        owned->setParent(context);
        owned->pushInvoice(invoiceId, [owned, done](const Status &status) {
            owned->deleteLater();
            done(outcomeOf(status));
        });
        return;
    }
    done(JobOutcome::failed(makeError(ErrorKind::Configuration, u"jobs.unknown_kind"_s, u"No handler for jobs of kind %1"_s.arg(kind))));
}

} // namespace askpro
