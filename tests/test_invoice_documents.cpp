// Invoice documents: the PDF (parsed back with pdftotext from poppler-utils) carries every field of
// a German invoice in the company's language; the EN 16931 CII XML parses back with the same totals;
// the invoice e-mail reaches a real SMTP server with the PDF attached.
#include "billing/einvoicexml.h"
#include "billing/invoicegenerator.h"
#include "billing/invoicemailer.h"
#include "core/clock.h"
#include "db/database.h"
#include "documents/invoicepdf.h"
#include "flow/notificationsender.h"
#include "integrations/smtpmailer.h"
#include "smtpsink.h"
#include "testdatabase.h"

#include <QRegularExpression>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

qint64 berlin(int y, int m, int d)
{
    return QDateTime(QDate(y, m, d), QTime(10, 0), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch();
}

// A company with 3 calls and 2 appointments in March 2026, invoiced on April 1st.
qint64 plantInvoice(Database &db, const QString &language, qint64 *companyOut = nullptr)
{
    const qint64 now = nowMs();
    const qint64 company = *db.insert(u"INSERT INTO companies (name, address, vat_id, billing_email, default_language, live_since, created_at, "
                                      "updated_at) VALUES ('Kanzlei Roth & Partner', 'Lindenallee 7\n50668 Köln', 'DE299999999', "
                                      "'rechnung@kanzlei-roth.de', ?, ?, ?, ?) RETURNING id"_s,
                                      {language, berlin(2025, 1, 1), now, now});
    const qint64 branch = *db.insert(u"INSERT INTO branches (company_id, name, phone_e164, created_at, updated_at) VALUES (?, 'Köln', "
                                     "'+49221000000', ?, ?) RETURNING id"_s,
                                     {company, now, now});
    for (int i = 0; i < 3; ++i) {
        const qint64 call = *db.insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
                                       "RETURNING id"_s,
                                       {u"doc_call_%1_%2"_s.arg(company).arg(i), company, branch, now, now});
        (void)db.exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, unit_price_cents, occurred_at) VALUES (?, ?, 'call', ?, 50, ?)"_s,
                      {company, branch, call, berlin(2026, 3, 5 + i)});
        if (i < 2) {
            const qint64 appointment = *db.insert(u"INSERT INTO appointments (company_id, branch_id, call_id, starts_at, ends_at, created_at, "
                                                  "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                                  {company, branch, call, berlin(2026, 3, 20), berlin(2026, 3, 20) + 1800000, now, now});
            (void)db.exec(u"INSERT INTO usage_logs (company_id, branch_id, kind, appointment_id, unit_price_cents, occurred_at) "
                          "VALUES (?, ?, 'appointment', ?, 200, ?)"_s,
                          {company, branch, appointment, berlin(2026, 3, 5 + i)});
        }
    }
    if (companyOut)
        *companyOut = company;
    auto report = InvoiceGenerator(db).generateMonth(QDate(2026, 3, 1), berlin(2026, 4, 1), company);
    return report && !report->invoiceIds.isEmpty() ? report->invoiceIds.first() : 0;
}

QString pdfText(const QByteArray &pdf)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"invoice.pdf"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(pdf) != pdf.size())
        return {};
    file.close();
    QProcess p;
    p.start(u"pdftotext"_s, {u"-layout"_s, path, u"-"_s});
    p.waitForFinished(20000);
    return QString::fromUtf8(p.readAllStandardOutput()).replace(QChar(0x00a0), u' ');
}

// Text of every element with this local name, in document order.
QStringList xmlValues(const QByteArray &xml, const QString &name)
{
    QXmlStreamReader r(xml);
    QStringList values;
    while (!r.atEnd()) {
        if (r.readNext() == QXmlStreamReader::StartElement && r.name() == name)
            values << r.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }
    return values;
}

} // namespace

class TestInvoiceDocuments final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pdfCarriesTheRequiredFields_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QString>("language");
        QTest::addColumn<QStringList>("words");
        const QStringList de{u"Rechnung"_s, u"Rechnungsdatum"_s, u"01.04.2026"_s, u"Leistungszeitraum"_s, u"01.03.2026 – 31.03.2026"_s,
                             u"Umsatzsteuer 19 %"_s, u"Summe netto"_s, u"104,50 €"_s, u"Gesamtbetrag"_s, u"124,36 €"_s,
                             u"Fällig am"_s, u"15.04.2026"_s, u"19,86 €"_s, u"USt-IdNr.: DE299999999"_s, u"Steuernummer"_s};
        const QStringList en{u"Invoice"_s, u"Issue date"_s, u"Service period"_s, u"VAT 19%"_s, u"Net total"_s, u"€104.50"_s, u"Total"_s,
                             u"€124.36"_s, u"Due date"_s, u"VAT ID: DE299999999"_s};
        QTest::newRow("sqlite de") << u"sqlite"_s << u"de"_s << de;
        QTest::newRow("sqlite en") << u"sqlite"_s << u"en"_s << en;
        QTest::newRow("postgresql de") << u"postgresql"_s << u"de"_s << de;
    }
    void pdfCarriesTheRequiredFields()
    {
        QFETCH(QString, engine);
        QFETCH(QString, language);
        QFETCH(QStringList, words);
        ASKPRO_REQUIRE(!QStandardPaths::findExecutable(u"pdftotext"_s).isEmpty(),
                       "pdftotext (poppler-utils; scripts/install-deps.sh installs it)");
        ASKPRO_FRESH_DB(db, engine);
        const qint64 id = plantInvoice(*db, language);
        QVERIFY(id > 0);
        auto doc = InvoiceDocument::load(*db, id);
        QVERIFY(doc);
        QCOMPARE(doc->grossCents, qint64(12436)); // 9900 + 150 + 400 = 10450; VAT 1985.5 -> 1986
        auto pdf = InvoicePdf::render(*doc);
        QVERIFY2(pdf, qPrintable(pdf ? QString() : pdf.error().describe()));
        QVERIFY(pdf->startsWith("%PDF-"));
        QVERIFY(pdf->size() > 5000);
        const QString text = pdfText(*pdf);
        QVERIFY2(text.contains(doc->number), qPrintable(text));
        for (const QString &w : std::as_const(words))
            QVERIFY2(text.contains(w), qPrintable(u"missing \"%1\" in:\n%2"_s.arg(w, text)));
        // Seller and buyer with their addresses.
        for (const QString &w : {u"AskProAI GmbH"_s, u"Kanzlei Roth & Partner"_s, u"Lindenallee 7"_s, u"50668 Köln"_s, u"10119 Berlin"_s})
            QVERIFY2(text.contains(w), qPrintable(w));
    }

    void creditNotePdf()
    {
        ASKPRO_FRESH_DB(db, u"sqlite"_s);
        const qint64 id = plantInvoice(*db, u"de"_s);
        auto credit = InvoiceGenerator(*db).createCreditNote(id, u"Falscher Tarif"_s, Actor::system(u"test"_s), berlin(2026, 4, 3));
        QVERIFY(credit);
        auto doc = InvoiceDocument::load(*db, *credit);
        QVERIFY(doc);
        auto pdf = InvoicePdf::render(*doc);
        QVERIFY(pdf);
        const QString text = pdfText(*pdf);
        QVERIFY2(text.contains(u"Gutschrift"_s) && text.contains(u"AP-2026-000001"_s) && text.contains(u"AP-2026-000002"_s), qPrintable(text));
        QVERIFY2(text.contains(u"Falscher Tarif"_s) && text.contains(u"-124,36 €"_s), qPrintable(text));
    }

    void xmlParsesBackWithTheTotals_data() { test::addEngineRows(); }
    void xmlParsesBackWithTheTotals()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const qint64 id = plantInvoice(*db, u"de"_s);
        auto doc = InvoiceDocument::load(*db, id);
        QVERIFY(doc);
        auto xml = EInvoiceXml::write(*doc);
        QVERIFY(xml);
        QXmlStreamReader reader(*xml);
        QVERIFY(reader.readNextStartElement());
        QCOMPARE(reader.name(), u"CrossIndustryInvoice"_s);
        QCOMPARE(reader.namespaceUri(), u"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"_s);
        while (!reader.atEnd())
            reader.readNext();
        QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));

        QCOMPARE(xmlValues(*xml, u"GuidelineSpecifiedDocumentContextParameter"_s), QStringList{u"urn:cen.eu:en16931:2017"_s});
        QCOMPARE(xmlValues(*xml, u"TypeCode"_s).first(), u"380"_s);
        QCOMPARE(xmlValues(*xml, u"InvoiceCurrencyCode"_s), QStringList{u"EUR"_s});
        QVERIFY(xmlValues(*xml, u"ID"_s).contains(doc->number));
        QCOMPARE(xmlValues(*xml, u"IssueDateTime"_s), QStringList{u"20260401"_s});
        QCOMPARE(xmlValues(*xml, u"StartDateTime"_s), QStringList{u"20260301"_s});
        QCOMPARE(xmlValues(*xml, u"EndDateTime"_s), QStringList{u"20260331"_s});
        QCOMPARE(xmlValues(*xml, u"DueDateDateTime"_s), QStringList{u"20260415"_s});
        QCOMPARE(xmlValues(*xml, u"CategoryCode"_s), QStringList(4, u"S"_s)); // three lines and the header
        QCOMPARE(xmlValues(*xml, u"RateApplicablePercent"_s), QStringList(4, u"19"_s));
        QCOMPARE(xmlValues(*xml, u"GrandTotalAmount"_s), QStringList{u"124.36"_s});
        QCOMPARE(xmlValues(*xml, u"DuePayableAmount"_s), QStringList{u"124.36"_s});
        QCOMPARE(xmlValues(*xml, u"TaxTotalAmount"_s), QStringList{u"19.86"_s});
        QCOMPARE(xmlValues(*xml, u"TaxBasisTotalAmount"_s), QStringList{u"104.50"_s});
        QCOMPARE(xmlValues(*xml, u"CalculatedAmount"_s), QStringList{u"19.86"_s});
        // The line totals add up to the header's: 99.00 + 1.50 + 4.00, then the summation's own.
        const QStringList lineTotals = xmlValues(*xml, u"LineTotalAmount"_s);
        QCOMPARE(lineTotals, (QStringList{u"99.00"_s, u"1.50"_s, u"4.00"_s, u"104.50"_s}));
        QCOMPARE(xmlValues(*xml, u"BilledQuantity"_s), (QStringList{u"1"_s, u"3"_s, u"2"_s}));
        QCOMPARE(xmlValues(*xml, u"CountryID"_s), (QStringList{u"DE"_s, u"DE"_s}));
        QCOMPARE(xmlValues(*xml, u"PostcodeCode"_s), (QStringList{u"10119"_s, u"50668"_s}));
        QVERIFY(xmlValues(*xml, u"Name"_s).contains(u"Kanzlei Roth & Partner"_s));

        // A credit note: 381, positive amounts, referring to the invoice it corrects.
        auto credit = InvoiceGenerator(*db).createCreditNote(id, u"Falscher Tarif"_s, Actor::system(u"test"_s), berlin(2026, 4, 3));
        QVERIFY(credit);
        auto note = InvoiceDocument::load(*db, *credit);
        auto creditXml = EInvoiceXml::write(*note);
        QVERIFY(creditXml);
        QCOMPARE(xmlValues(*creditXml, u"TypeCode"_s).first(), u"381"_s);
        QCOMPARE(xmlValues(*creditXml, u"GrandTotalAmount"_s), QStringList{u"124.36"_s});
        QCOMPARE(xmlValues(*creditXml, u"IssuerAssignedID"_s), QStringList{doc->number});
    }

    void mailedWithThePdfAttached()
    {
        ASKPRO_FRESH_DB(db, u"sqlite"_s);
        test::SmtpSink sink;
        ASKPRO_REQUIRE(sink.start(), "an SMTP sink (python3-aiosmtpd)");
        const qint64 id = plantInvoice(*db, u"de"_s);
        auto doc = InvoiceDocument::load(*db, id);
        auto pdf = InvoicePdf::render(*doc);
        QVERIFY(doc && pdf);
        InvoiceMailer mailer(*db);
        auto queued = mailer.queue(*doc, *pdf, false);
        QVERIFY(queued);
        auto twice = mailer.queue(*doc, *pdf, false);
        QCOMPARE(*twice, *queued); // once per invoice, unless resent on purpose
        QVERIFY(*mailer.queue(*doc, *pdf, true) != *queued);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'notification.send'"_s)->toInt(), 2);
        SmtpSettings smtp;
        smtp.url = sink.url();
        const JobOutcome sent = NotificationSender(*db, smtp).send(*queued, true);
        QVERIFY2(sent.kind == JobOutcome::Kind::Done, qPrintable(sent.error.describe()));
        QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), 1, 10000);
        const QByteArray mail = sink.messages().first();
        QVERIFY(mail.contains("rechnung@kanzlei-roth.de"));
        QVERIFY(mail.contains("application/pdf"));
        QVERIFY(mail.contains("AP-2026-000001.pdf"));
        // RFC 5322 §3.6: every mail carries its Date (English names, numeric zone) and a unique Message-ID.
        const QString text = QString::fromUtf8(mail);
        const auto date = QRegularExpression(u"(?m)^Date: ((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                                             "\\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\r?$"_s).match(text);
        QVERIFY2(date.hasMatch(), qPrintable(text.left(600)));
        const QDateTime sentAt = QDateTime::fromString(date.captured(1), Qt::RFC2822Date);
        QVERIFY(sentAt.isValid());
        QVERIFY(qAbs(sentAt.secsTo(QDateTime::currentDateTimeUtc())) < 120);
        const auto messageId = QRegularExpression(u"(?m)^Message-ID: <[^@<>\\s]+@askproai\\.de>\r?$"_s).match(text);
        QVERIFY2(messageId.hasMatch(), qPrintable(text.left(600)));
        QCOMPARE(db->scalar(u"SELECT status FROM notifications WHERE id = ?"_s, {*queued})->toString(), u"sent"_s);
    }

    // TLS is required for every mail server but this machine's own; --smtp-require-tls demands it there too.
    // The local sink offers no STARTTLS: a required TLS session is refused before any mail is handed over.
    void mailWithoutTlsIsRefusedWhereRequired()
    {
        SmtpSettings remote;
        remote.url = u"smtp://mail.example.org:587"_s;
        QVERIFY(remote.tlsRequired());
        remote.allowPlain = true;
        QVERIFY(!remote.tlsRequired());
        SmtpSettings local;
        local.url = u"smtp://127.0.0.1:2525"_s;
        QVERIFY(!local.tlsRequired());
        local.requireTls = true;
        QVERIFY(local.tlsRequired());

        test::SmtpSink sink;
        ASKPRO_REQUIRE(sink.start(), "an SMTP sink (python3-aiosmtpd)");
        SmtpSettings smtp;
        smtp.url = sink.url();
        smtp.timeoutMs = 5000;
        const MailMessage message{u"kunde@example.org"_s, u"Termin"_s, u"Ihr Termin"_s, {}, {}, {}};
        smtp.requireTls = true;
        const Status refused = SmtpMailer(smtp).send(message);
        QVERIFY(!refused);
        QVERIFY(sink.messages().isEmpty());
        smtp.requireTls = false;
        const Status sent = SmtpMailer(smtp).send(message);
        QVERIFY2(sent.ok(), sent.ok() ? "" : qPrintable(sent.error().describe()));
        QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), 1, 10000);
    }
};

QTEST_MAIN(TestInvoiceDocuments)
#include "test_invoice_documents.moc"
