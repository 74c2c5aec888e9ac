// Stripe billing against the in-process sandbox, on both engines: customer, subscription, tax rate
// and invoice pushed once (idempotent), then payment status from Stripe's signed webhooks: a
// declined card, the later payment, a duplicate delivery and events out of order.
#include "billing/billingquery.h"
#include "billing/invoicegenerator.h"
#include "billing/stripebilling.h"
#include "core/clock.h"
#include "db/database.h"
#include "flowfixture.h"
#include "http/askproserver.h"
#include "httptestclient.h"
#include "intake/signatures.h"
#include "sandbox.h"
#include "security/credentialstore.h"
#include "testdatabase.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QTest>
#include <QTimeZone>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

Status awaitStatus(const std::function<void(StripeBilling::Done)> &start)
{
    Status out = makeError(ErrorKind::Transient, u"test.timeout"_s, u"no answer"_s);
    QEventLoop loop;
    bool finished = false;
    start([&](const Status &s) {
        out = s;
        finished = true;
        loop.quit();
    });
    if (!finished) {
        QTimer::singleShot(20000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return out;
}

qint64 berlin(int y, int m, int d)
{
    return QDateTime(QDate(y, m, d), QTime(12, 0), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch();
}

struct Setup
{
    std::shared_ptr<Database> db;
    std::unique_ptr<AskProServer> server;
    std::unique_ptr<sandbox::Sandbox> stripe;
    QNetworkAccessManager network;
    std::unique_ptr<StripeBilling> billing;
    quint16 port = 0;
    qint64 companyId = 0;
    qint64 invoiceId = 0;

    int count(const QString &sql, const QVariantList &params = {}) const
    {
        auto v = db->scalar(sql, params);
        return v ? v->toInt() : -1;
    }
    QString text(const QString &sql, const QVariantList &params = {}) const
    {
        auto v = db->scalar(sql, params);
        return v ? v->toString() : QString();
    }
    test::HttpAnswer postEvent(const QByteArray &body, const QByteArray &signature) const
    {
        return test::httpSend("POST", QUrl(u"http://127.0.0.1:%1/webhooks/stripe"_s.arg(port)), body,
                              {{"Content-Type", "application/json"}, {"Stripe-Signature", signature}});
    }
};

} // namespace

class TestStripeBilling final : public QObject
{
    Q_OBJECT

    // workers: whether the server runs jobs (Stripe's webhooks need them; a test that pushes by itself
    // keeps the queued pushes from racing it).
    std::unique_ptr<Setup> make(const QString &engine, bool workers = true)
    {
        auto s = std::make_unique<Setup>();
        s->db = test::freshDatabase(engine);
        if (!s->db)
            return nullptr;
        ServerConfig config;
        config.pollIntervalMs = 100;
        s->server = std::make_unique<AskProServer>(s->db, SecretBox(SecretBox::newKey()), config, workers);
        auto port = s->server->start(QHostAddress::LocalHost, 0);
        if (!port)
            return nullptr;
        s->port = *port;
        sandbox::SandboxConfig sc;
        sc.stripeWebhookUrl = QUrl(u"http://127.0.0.1:%1/webhooks/stripe"_s.arg(s->port));
        s->stripe = std::make_unique<sandbox::Sandbox>(sc);
        if (s->stripe->listen(QHostAddress::LocalHost, 0) == 0)
            return nullptr;
        const QString stripeUrl = s->stripe->baseUrl(sandbox::Provider::Stripe).toString();
        if (!s->server->credentials().put({std::nullopt, u"stripe"_s, stripeUrl, "sk_test_sandbox", "whsec_sandbox"}))
            return nullptr;
        const qint64 now = nowMs();
        s->companyId = *s->db->insert(u"INSERT INTO companies (name, address, billing_email, live_since, created_at, updated_at) "
                                      "VALUES ('Physio am Markt', 'Markt 3\n04109 Leipzig', 'buero@physio-markt.de', ?, ?, ?) RETURNING id"_s,
                                      {berlin(2026, 1, 1), now, now});
        const qint64 branch = *s->db->insert(u"INSERT INTO branches (company_id, name, phone_e164, created_at, updated_at) "
                                             "VALUES (?, 'Markt', '+49341555000', ?, ?) RETURNING id"_s,
                                             {s->companyId, now, now});
        for (int i = 0; i < 4; ++i) {
            const qint64 call = *s->db->insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, created_at, updated_at) "
                                               "VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
                                               {u"call_%1"_s.arg(i), s->companyId, branch, now, now});
            if (!s->db->exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, unit_price_cents, occurred_at) "
                             "VALUES (?, ?, 'call', ?, 50, ?)"_s,
                             {s->companyId, branch, call, berlin(2026, 4, 10 + i)}))
                return nullptr;
        }
        auto report = InvoiceGenerator(*s->db).generateMonth(QDate(2026, 4, 1), berlin(2026, 5, 1));
        if (!report || report->invoiceIds.size() != 1)
            return nullptr;
        s->invoiceId = report->invoiceIds.first();
        ProviderEndpoints endpoints;
        endpoints.timeoutMs = 5000;
        auto billing = StripeBilling::create(*s->db, s->server->credentials(), &s->network, endpoints);
        if (!billing)
            return nullptr;
        s->billing = std::move(*billing);
        return s;
    }

private Q_SLOTS:
    void pushedOnceAndPaidByWebhooks_data() { test::addEngineRows(); }
    void pushedOnceAndPaidByWebhooks()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = make(engine);
        QVERIFY(s);
        auto pushed = awaitStatus([&](StripeBilling::Done d) { s->billing->pushInvoice(s->invoiceId, d); });
        QVERIFY2(pushed, qPrintable(pushed ? QString() : pushed.error().describe()));

        // One customer (with our company id), one subscription, one 19 % tax rate, one invoice.
        const QJsonArray customers = s->stripe->stripeObjects(u"customer"_s);
        QCOMPARE(customers.size(), 1);
        const QString customerId = customers.first()[u"id"_s].toString();
        QCOMPARE(customers.first()[u"metadata"_s][u"askpro_company_id"_s].toString(), QString::number(s->companyId));
        QCOMPARE(s->text(u"SELECT stripe_customer_id FROM companies WHERE id = ?"_s, {s->companyId}), customerId);
        QCOMPARE(s->stripe->stripeObjects(u"subscription"_s).size(), 1);
        QCOMPARE(s->count(u"SELECT COUNT(*) FROM subscriptions WHERE company_id = ? AND stripe_subscription_id IS NOT NULL"_s, {s->companyId}), 1);
        const QJsonArray rates = s->stripe->stripeObjects(u"tax_rate"_s);
        QCOMPARE(rates.size(), 1);
        QCOMPARE(rates.first()[u"percentage"_s].toDouble(), 19.0);
        const QJsonArray invoices = s->stripe->stripeObjects(u"invoice"_s);
        QCOMPARE(invoices.size(), 1);
        const QJsonObject stripeInvoice = invoices.first().toObject();
        const QString stripeId = stripeInvoice[u"id"_s].toString();
        QCOMPARE(stripeInvoice[u"status"_s].toString(), u"open"_s);
        QCOMPARE(stripeInvoice[u"lines"_s][u"data"_s].toArray().size(), 2); // base fee, calls
        auto ours = InvoiceDocument::load(*s->db, s->invoiceId);
        QVERIFY(ours);
        QCOMPARE(qint64(stripeInvoice[u"total"_s].toInteger()), ours->grossCents); // 10100 + 1919
        QCOMPARE(s->text(u"SELECT stripe_invoice_id FROM invoices WHERE id = ?"_s, {s->invoiceId}), stripeId);
        QCOMPARE(s->count(u"SELECT stripe_total_cents FROM invoices WHERE id = ?"_s, {s->invoiceId}), int(ours->grossCents));

        // Pushing again changes nothing: neither after success nor when resumed from Stripe's state.
        QVERIFY(awaitStatus([&](StripeBilling::Done d) { s->billing->pushInvoice(s->invoiceId, d); }));
        QVERIFY(s->db->exec(u"UPDATE invoices SET stripe_pushed_at = NULL WHERE id = ?"_s, {s->invoiceId}));
        QVERIFY(s->db->exec(u"UPDATE companies SET stripe_customer_id = NULL WHERE id = ?"_s, {s->companyId}));
        QVERIFY(awaitStatus([&](StripeBilling::Done d) { s->billing->pushInvoice(s->invoiceId, d); }));
        QCOMPARE(s->stripe->stripeObjects(u"customer"_s).size(), 1); // found again by metadata
        QCOMPARE(s->stripe->stripeObjects(u"invoice"_s).size(), 1);
        QCOMPARE(s->stripe->stripeObjects(u"invoiceitem"_s).size(), 2);
        QCOMPARE(s->stripe->stripeObjects(u"tax_rate"_s).size(), 1);
        QCOMPARE(s->stripe->stripeObjects(u"subscription"_s).size(), 1);

        // invoice.finalized arrives through the signed webhook and is processed.
        QTRY_VERIFY_WITH_TIMEOUT(s->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'stripe' AND event_type = 'invoice.finalized' "
                                          "AND status = 'processed'"_s) == 1,
                                 15000);
        QCOMPARE(s->text(u"SELECT status FROM invoices WHERE id = ?"_s, {s->invoiceId}), u"open"_s);

        // A declined card: Stripe refuses, its invoice.payment_failed webhook marks ours failed.
        s->stripe->setCardDeclined(customerId, true);
        auto declined = test::await(s->billing->client().payInvoice(stripeId, u"test:pay:1"_s));
        QVERIFY(!declined);
        QTRY_COMPARE_WITH_TIMEOUT(s->text(u"SELECT status FROM invoices WHERE id = ?"_s, {s->invoiceId}), u"failed"_s, 15000);
        QCOMPARE(s->count(u"SELECT COUNT(*) FROM payments WHERE invoice_id = ? AND kind = 'failed'"_s, {s->invoiceId}), 1);

        // The customer fixes the card: paid.
        s->stripe->setCardDeclined(customerId, false);
        auto paid = test::await(s->billing->client().payInvoice(stripeId, u"test:pay:2"_s));
        QVERIFY2(paid, qPrintable(paid ? QString() : paid.error().describe()));
        QTRY_COMPARE_WITH_TIMEOUT(s->text(u"SELECT status FROM invoices WHERE id = ?"_s, {s->invoiceId}), u"paid"_s, 15000);
        QCOMPARE(s->count(u"SELECT COUNT(*) FROM payments WHERE invoice_id = ? AND kind = 'paid'"_s, {s->invoiceId}), 1);
        QCOMPARE(s->count(u"SELECT amount_cents FROM payments WHERE invoice_id = ? AND kind = 'paid'"_s, {s->invoiceId}), int(ours->grossCents));

        // The same paid event delivered again: acknowledged as a duplicate, nothing recorded twice.
        const QByteArray paidBody = s->db->scalar(u"SELECT body FROM webhook_inbox WHERE event_type = 'invoice.paid'"_s)->toByteArray();
        const test::HttpAnswer again = s->postEvent(paidBody, s->stripe->stripeSignature(paidBody));
        QCOMPARE(again.status, 200);
        QVERIFY(again.body.contains("\"duplicate\":true"));
        QCOMPARE(s->count(u"SELECT delivery_count FROM webhook_inbox WHERE event_type = 'invoice.paid'"_s), 2);
        QTest::qWait(300);
        QCOMPARE(s->count(u"SELECT COUNT(*) FROM payments WHERE invoice_id = ?"_s, {s->invoiceId}), 2);

        // Late and out of order: an older payment_failed (new event id) and finalized never undo "paid".
        Json failedLate = Json::parse(paidBody.toStdString());
        failedLate["id"] = "evt_late_failure";
        failedLate["type"] = "invoice.payment_failed";
        const QByteArray lateBody = QByteArray::fromStdString(failedLate.dump());
        QCOMPARE(s->postEvent(lateBody, s->stripe->stripeSignature(lateBody)).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(s->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE dedupe_key = 'evt_late_failure' AND status = 'processed'"_s)
                                     == 1,
                                 15000);
        QCOMPARE(s->text(u"SELECT status FROM invoices WHERE id = ?"_s, {s->invoiceId}), u"paid"_s);

        // A bad signature and a stale timestamp are refused, and not stored: they were not acknowledged (the
        // server counts them and keeps a small sample in memory, test_refused_requests).
        QCOMPARE(s->postEvent(lateBody, "t=1,v1=00").status, 400);
        const QByteArray stale = WebhookSignatures::signStripe(lateBody, "whsec_sandbox", nowMs() / 1000 - 301);
        QCOMPARE(s->postEvent(lateBody, stale).status, 400);
        QCOMPARE(s->count(u"SELECT COUNT(*) FROM webhook_inbox WHERE provider = 'stripe' AND status = 'rejected'"_s), 0);

        // Owners see the payment success rate: 2 paid-or-failed outcomes recorded, 1 success... plus the late failure.
        auto rate = BillingQuery::paymentSuccessRate(*s->db, Actor::system(u"test"_s), 0, 0, s->companyId);
        QVERIFY(rate);
        QCOMPARE(rate->succeeded, qint64(1));
        QCOMPARE(rate->failed, qint64(2));

        // The subscription follows Stripe: cancelled there, canceled here, and it stays so.
        const QString subscriptionId = s->text(u"SELECT stripe_subscription_id FROM subscriptions WHERE company_id = ?"_s, {s->companyId});
        QVERIFY(test::await(s->billing->client().remove(u"/subscriptions/"_s + subscriptionId)));
        QTRY_COMPARE_WITH_TIMEOUT(s->text(u"SELECT status FROM subscriptions WHERE company_id = ?"_s, {s->companyId}), u"canceled"_s, 15000);
    }

    // A credit note reaches Stripe as a credit note of the invoice it corrects: against what is still
    // due on an open invoice, to the customer's balance for a paid one; once, however often pushed.
    void creditNotesBecomeStripeCreditNotes_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<bool>("paidFirst");
        for (const QString &engine : {u"sqlite"_s, u"postgresql"_s}) {
            QTest::addRow("%s: open invoice", qPrintable(engine)) << engine << false;
            QTest::addRow("%s: paid invoice", qPrintable(engine)) << engine << true;
        }
    }
    void creditNotesBecomeStripeCreditNotes()
    {
        QFETCH(QString, engine);
        QFETCH(bool, paidFirst);
        ASKPRO_REQUIRE_ENGINE(engine);
        auto s = make(engine, false);
        QVERIFY(s);
        auto credit = InvoiceGenerator(*s->db).createCreditNote(s->invoiceId, u"Doppelt berechnet"_s, Actor::system(u"test"_s));
        QVERIFY(credit);
        // Its push and its mail were queued with it; this test runs the push itself.
        const QString payload = u"{\"invoice_id\":%1}"_s.arg(*credit);
        QCOMPARE(s->count(u"SELECT COUNT(*) FROM jobs WHERE kind = 'invoice.push' AND payload = ? AND status = 'queued'"_s, {payload}), 1);
        QCOMPARE(s->count(u"SELECT COUNT(*) FROM jobs WHERE kind = 'invoice.mail' AND payload = ? AND status = 'queued'"_s, {payload}), 1);
        // The corrected invoice is not in Stripe yet: the push waits for it (a transient error, retried).
        auto early = awaitStatus([&](StripeBilling::Done d) { s->billing->pushInvoice(*credit, d); });
        QVERIFY(!early);
        QCOMPARE(early.error().kind, ErrorKind::Transient);
        QCOMPARE(s->stripe->stripeObjects(u"credit_note"_s).size(), 0);

        QVERIFY(awaitStatus([&](StripeBilling::Done d) { s->billing->pushInvoice(s->invoiceId, d); }));
        const QString stripeInvoiceId = s->text(u"SELECT stripe_invoice_id FROM invoices WHERE id = ?"_s, {s->invoiceId});
        auto ours = InvoiceDocument::load(*s->db, s->invoiceId);
        QVERIFY(ours);
        if (paidFirst)
            QVERIFY(test::await(s->billing->client().payInvoice(stripeInvoiceId, u"test:pay"_s)));

        auto pushed = awaitStatus([&](StripeBilling::Done d) { s->billing->pushInvoice(*credit, d); });
        QVERIFY2(pushed, qPrintable(pushed ? QString() : pushed.error().describe()));
        QVERIFY(awaitStatus([&](StripeBilling::Done d) { s->billing->pushInvoice(*credit, d); })); // again: nothing new
        const QJsonArray notes = s->stripe->stripeObjects(u"credit_note"_s);
        QCOMPARE(notes.size(), 1);
        const QJsonObject note = notes.first().toObject();
        QCOMPARE(note[u"invoice"_s].toString(), stripeInvoiceId);
        QCOMPARE(qint64(note[u"amount"_s].toInteger()), ours->grossCents);
        QCOMPARE(note[u"metadata"_s][u"askpro_credit_note_id"_s].toString(), QString::number(*credit));
        QVERIFY(note[u"memo"_s].toString().contains(ours->number));
        QCOMPARE(s->text(u"SELECT stripe_credit_note_id FROM invoices WHERE id = ?"_s, {*credit}), note[u"id"_s].toString());
        QCOMPARE(s->count(u"SELECT stripe_total_cents FROM invoices WHERE id = ?"_s, {*credit}), int(-ours->grossCents));
        const QJsonObject invoice = s->stripe->stripeObjects(u"invoice"_s).first().toObject();
        const QJsonObject customer = s->stripe->stripeObjects(u"customer"_s).first().toObject();
        if (paidFirst) {
            // Nothing was due any more: all of it is owed to the customer, set off against the next invoice.
            QCOMPARE(qint64(note[u"post_payment_amount"_s].toInteger()), ours->grossCents);
            QCOMPARE(qint64(customer[u"balance"_s].toInteger()), -ours->grossCents);
        } else {
            QCOMPARE(qint64(note[u"pre_payment_amount"_s].toInteger()), ours->grossCents);
            QCOMPARE(invoice[u"amount_remaining"_s].toInteger(), 0);
            QCOMPARE(customer[u"balance"_s].toInteger(0), 0);
        }
        // Reconciliation finds our credit note and Stripe's agreeing.
        QCOMPARE(s->count(u"SELECT COUNT(*) FROM invoices WHERE stripe_total_cents IS NOT NULL AND stripe_total_cents <> gross_cents"_s), 0);
    }
};

QTEST_GUILESS_MAIN(TestStripeBilling)
#include "test_stripe_billing.moc"
