// The invoices and usage pages through the admin API of a real server on loopback: the list with its filters
// and key-paged scrolling, an invoice's detail, marking paid and crediting, its PDF and XML, the usage series,
// and a business account seeing its own company only (another company's invoice and its PDF: 404, actions: 403).
#include "apisession.h"
#include "billing/usagerollup.h"
#include "core/clock.h"
#include "documents/invoicepdf.h"
#include "invoicesmodel.h"
#include "jsonfields.h"
#include "pages/invoicespage.h"
#include "pages/usagepage.h"
#include "testdatabase.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QLineSeries>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTimeZone>

#include <set>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

ServerConfig withPdfs()
{
    ServerConfig config;
    config.invoicePdf = [](const InvoiceDocument &invoice) { return InvoicePdf::render(invoice); };
    return config;
}

QDate billingToday()
{
    return QDateTime::currentDateTimeUtc().toTimeZone(QTimeZone("Europe/Berlin")).date();
}

} // namespace

class TestBillingPages final : public QObject
{
    Q_OBJECT

    std::shared_ptr<Database> m_db;
    qint64 m_own = 0;   // the company whose owner signs in
    qint64 m_other = 0; // a company that owner must never see
    QList<qint64> m_ownInvoices;
    QList<qint64> m_otherInvoices;
    int m_sequence = 1;

    qint64 invoice(qint64 company, int monthsAgo)
    {
        return test::plantInvoice(*m_db, company, m_sequence++, monthsAgo);
    }

    void usageDay(qint64 company, QDate day, int calls, int appointments)
    {
        QVERIFY(m_db->exec(u"INSERT INTO usage_daily (company_id, day, calls, appointments) VALUES (?, ?, ?, ?)"_s,
                           {company, UsageRollup::dayNumber(day), calls, appointments})
                    .ok());
    }

    // Waits until the page's list has answered its first request.
    static void waitForList(InvoicesPage &page)
    {
        QTRY_VERIFY_WITH_TIMEOUT(!page.model()->isLoading() && page.model()->rowCount() > 0, 10000);
    }

private Q_SLOTS:
    // Both engines: the keyset pages and the scope are SQL of their own.
    void initTestCase_data() { test::addEngineRows(); }

    void init()
    {
        QSettings().clear();
        QFETCH_GLOBAL(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        m_db = test::freshDatabase(engine);
        QVERIFY(m_db);
        m_sequence = 1;
        m_own = test::plantCompanyAndBranch(*m_db, u"+4930111111"_s).first;
        m_other = test::plantCompanyAndBranch(*m_db, u"+4930222222"_s).first;
        QVERIFY(m_db->exec(u"UPDATE companies SET name = 'Praxis Weber' WHERE id = ?"_s, {m_own}).ok());
        QVERIFY(m_db->exec(u"UPDATE companies SET name = 'Salon Fremd' WHERE id = ?"_s, {m_other}).ok());
        m_ownInvoices.clear();
        m_otherInvoices.clear();
        for (int i = 1; i <= 3; ++i) {
            m_ownInvoices << invoice(m_own, i);
            m_otherInvoices << invoice(m_other, i);
        }
        const QDate today = billingToday();
        usageDay(m_own, today.addDays(-2), 7, 3);
        usageDay(m_own, today.addDays(-1), 5, 1);
        usageDay(m_other, today.addDays(-1), 100, 40);
    }

    void cleanup() { m_db.reset(); }

    void listsAndShowsAnInvoice()
    {
        auto api = test::startApiSession(m_db, Role::Owner, 0, QString(), withPdfs());
        InvoicesPage page(*api->account);
        waitForList(page);
        QCOMPARE(page.model()->rowCount(), 6);
        // Newest number first, as the server sorts.
        QCOMPARE(page.model()->idAt(0), m_otherInvoices.last());
        QCOMPARE(page.model()->index(0, InvoicesModel::Status).data().toString(), InvoicesModel::statusLabel(u"open"_s));

        QSignalSpy shown(&page, &InvoicesPage::detailShown);
        page.selectInvoice(m_ownInvoices.first());
        QTRY_VERIFY_WITH_TIMEOUT(page.shownId() == m_ownInvoices.first(), 10000);
        QCOMPARE(page.findChild<QTableWidget *>(u"invoiceLines"_s)->rowCount(), 1);
        const QString summary = page.findChild<QLabel *>(u"invoiceSummary"_s)->text();
        QVERIFY2(summary.contains(u"Praxis Weber"_s), qPrintable(summary));
        QVERIFY(page.findChild<QPushButton *>(u"markPaid"_s)->isEnabled());
        QVERIFY(!page.findChild<QPushButton *>(u"markPaid"_s)->isHidden());

        // Filters go to the server: one company, then a status nothing has.
        auto *company = page.findChild<QComboBox *>(u"companyFilter"_s);
        QTRY_VERIFY_WITH_TIMEOUT(company->findData(m_own) >= 0, 10000);
        company->setCurrentIndex(company->findData(m_own));
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 3, 10000);
        auto *status = page.findChild<QComboBox *>(u"statusFilter"_s);
        status->setCurrentIndex(status->findData(u"paid"_s));
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 0, 10000);
        status->setCurrentIndex(0);
        page.findChild<QLineEdit *>(u"invoiceSearch"_s)->setText(u"Salon"_s);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 0, 10000); // Salon is not this company
        company->setCurrentIndex(0);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 3, 10000);
        QCOMPARE(page.model()->index(0, InvoicesModel::Company).data().toString(), u"Salon Fremd"_s);
    }

    void marksPaidAndCredits()
    {
        auto api = test::startApiSession(m_db, Role::Owner, 0, QString(), withPdfs());
        InvoicesPage page(*api->account);
        waitForList(page);
        const qint64 id = m_ownInvoices.at(1);
        page.selectInvoice(id);
        QTRY_VERIFY_WITH_TIMEOUT(page.shownId() == id, 10000);

        QSignalSpy done(&page, &InvoicesPage::actionDone);
        page.markPaid(u"Überweisung vom 12. Mai"_s);
        QVERIFY(done.wait(10000));
        QCOMPARE(done.last().at(0).toBool(), true);
        QCOMPARE(m_db->scalar(u"SELECT status FROM invoices WHERE id = ?"_s, {id})->toString(), u"paid"_s);
        QCOMPARE(m_db->scalar(u"SELECT reason FROM payments WHERE invoice_id = ? AND kind = 'manual_paid'"_s, {id})->toString(),
                 u"Überweisung vom 12. Mai"_s);
        // The detail is read again: paid now, with its payment, and no second marking offered.
        QTRY_COMPARE_WITH_TIMEOUT(page.findChild<QTableWidget *>(u"invoicePayments"_s)->rowCount(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!page.findChild<QPushButton *>(u"markPaid"_s)->isEnabled(), 10000);

        // Marking it paid again is refused by the server and said so.
        page.markPaid(u"noch einmal"_s);
        QVERIFY(done.wait(10000));
        QCOMPARE(done.last().at(0).toBool(), false);

        page.credit(u"Doppelt berechnet"_s);
        QVERIFY(done.wait(10000));
        QCOMPARE(done.last().at(0).toBool(), true);
        auto note = m_db->scalar(u"SELECT id FROM invoices WHERE corrects_invoice_id = ? AND kind = 'credit_note'"_s, {id});
        QVERIFY(note && note->isValid());
        QTRY_VERIFY_WITH_TIMEOUT(page.shownId() == note->toLongLong(), 10000); // the new credit note is shown
        QCOMPARE(page.model()->rowCount(), 7);
    }

    void documentsComeFromTheServer()
    {
        auto api = test::startApiSession(m_db, Role::Owner, 0, QString(), withPdfs());
        const client::ApiResult pdf = test::waitFor(api->account->get(u"/invoices/%1/pdf"_s.arg(m_ownInvoices.first())));
        QCOMPARE(pdf.status, 200);
        QVERIFY(pdf.raw.startsWith("%PDF"));
        QVERIFY(pdf.contentType.startsWith("application/pdf"));
        const client::ApiResult xml = test::waitFor(api->account->get(u"/invoices/%1/xml"_s.arg(m_ownInvoices.first())));
        QCOMPARE(xml.status, 200);
        QVERIFY(xml.raw.contains("Praxis Weber"));
        const client::ApiResult detail = test::waitFor(api->account->get(u"/invoices/%1"_s.arg(m_ownInvoices.first())));
        QVERIFY(detail.ok());
        QVERIFY(client::text(detail.body, "pdf_file_name").endsWith(u".pdf"_s));
    }

    // Keyset pages: every invoice once, however the list is scrolled and sorted (ties broken by id).
    void pagesByKey()
    {
        for (int i = 0; i < 300; ++i)
            invoice(i % 2 == 0 ? m_own : m_other, 10 + i / 2);
        auto api = test::startApiSession(m_db, Role::Owner);
        InvoicesModel model(*api->account);
        QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading() && model.rowCount() > 0, 10000);
        QCOMPARE(model.rowCount(), ApiListModel::DefaultPageSize);
        for (int column : {int(InvoicesModel::Number), int(InvoicesModel::Company), int(InvoicesModel::Total), int(InvoicesModel::Status),
                           int(InvoicesModel::DueAt)}) {
            model.sort(column, Qt::AscendingOrder);
            QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading() && model.rowCount() > 0, 10000);
            while (model.canFetchMore(QModelIndex())) {
                const int before = model.rowCount();
                model.fetchMore(QModelIndex());
                QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading() && model.rowCount() >= before, 10000);
            }
            QCOMPARE(model.rowCount(), 306);
            std::set<qint64> ids;
            for (int r = 0; r < model.rowCount(); ++r)
                ids.insert(model.idAt(r));
            QCOMPARE(int(ids.size()), 306);
        }
    }

    void usageSeries()
    {
        auto api = test::startApiSession(m_db, Role::Owner);
        UsagePage page(*api->account);
        QSignalSpy loaded(&page, &UsagePage::loaded);
        QVERIFY(loaded.wait(10000));
        qint64 calls = 0, appointments = 0;
        for (const UsageDay &d : page.dailyModel()->rows()) {
            calls += d.calls;
            appointments += d.appointments;
        }
        QCOMPARE(calls, 112);
        QCOMPARE(appointments, 44);
        QCOMPARE(page.dailyModel()->rowCount(), 90);
        const QString summary = page.findChild<QLabel *>(u"usageSummary"_s)->text();
        QVERIFY2(summary.contains(u"112"_s), qPrintable(summary));
        // The conversion chart has points only on the two days with calls (one run), none at 0 % for
        // the 88 days without.
        QChart *conversion = nullptr;
        for (QChartView *view : page.findChildren<QChartView *>()) {
            if (view->chart()->title().contains(u"%"_s))
                conversion = view->chart();
        }
        QVERIFY(conversion);
        QCOMPARE(conversion->series().size(), 1);
        const auto *line = qobject_cast<QLineSeries *>(conversion->series().first());
        QVERIFY(line);
        QCOMPARE(line->count(), 2);
        QCOMPARE(line->at(0).y(), 300.0 / 7.0);
        QCOMPARE(line->at(1).y(), 4100.0 / 105.0);

        // Days without calls split the conversion into runs.
        DailyUsageModel model;
        const QDate d(2026, 11, 2);
        model.setRows({{d, 10, 5}, {d.addDays(1), 0, 0}, {d.addDays(2), 4, 2}, {d.addDays(3), 2, 2}, {d.addDays(5), 1, 0}});
        const QList<QList<QPointF>> runs = model.conversionRuns();
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs.at(0).size(), 1);
        QCOMPARE(runs.at(1).size(), 2);
        QCOMPARE(runs.at(1).at(1).y(), 100.0);
        QCOMPARE(runs.at(2).size(), 1);
        QCOMPARE(runs.at(2).at(0).y(), 0.0); // a day with calls and no booking is a real 0 %

        const QDate today = billingToday();
        QTRY_VERIFY_WITH_TIMEOUT(page.findChild<QComboBox *>(u"usageCompany"_s)->findData(m_own) >= 0, 10000);
        page.setRange(today.addDays(-6), today, m_own);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(page.dailyModel()->rowCount(), 7);
        calls = 0;
        for (const UsageDay &d : page.dailyModel()->rows())
            calls += d.calls;
        QCOMPARE(calls, 12);
    }

    // A business account: its own company's invoices and usage only; another company's invoice and its PDF are
    // "not found", and what only billing staff may do is neither offered nor allowed.
    void companyOwnerSeesOwnCompanyOnly()
    {
        auto owner = test::startApiSession(m_db, Role::CompanyOwner, m_own, QString(), withPdfs());
        client::ApiAccount &account = *owner->account;
        InvoicesPage page(account);
        waitForList(page);
        QCOMPARE(page.model()->rowCount(), 3);
        for (int r = 0; r < page.model()->rowCount(); ++r)
            QVERIFY(m_ownInvoices.contains(page.model()->idAt(r)));
        QCOMPARE(page.findChild<QTabWidget *>()->count(), 1); // no preview, no reconciliation
        QVERIFY(page.findChild<QPushButton *>(u"markPaid"_s)->isHidden());
        QVERIFY(page.findChild<QPushButton *>(u"creditNote"_s)->isHidden());
        QVERIFY(page.findChild<QPushButton *>(u"resendInvoice"_s)->isHidden());
        QTRY_VERIFY_WITH_TIMEOUT(page.shownId() > 0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(page.findChild<QPushButton *>(u"exportPdf"_s)->isEnabled(), 10000);
        auto *company = page.findChild<QComboBox *>(u"companyFilter"_s);
        QTRY_COMPARE_WITH_TIMEOUT(company->count(), 1, 10000);
        QCOMPARE(company->itemData(0).toLongLong(), m_own);

        const qint64 foreign = m_otherInvoices.first();
        QCOMPARE(test::waitFor(account.get(u"/invoices/%1"_s.arg(foreign))).status, 404);
        QCOMPARE(test::waitFor(account.get(u"/invoices/%1/pdf"_s.arg(foreign))).status, 404);
        QCOMPARE(test::waitFor(account.get(u"/invoices/%1/xml"_s.arg(foreign))).status, 404);
        QCOMPARE(test::waitFor(account.get(u"/invoices/%1/pdf"_s.arg(m_ownInvoices.first()))).status, 200);
        QUrlQuery other;
        other.addQueryItem(u"company_id"_s, QString::number(m_other));
        QCOMPARE(test::waitFor(account.get(u"/invoices"_s, other)).status, 404);
        QCOMPARE(test::waitFor(account.get(u"/usage"_s, other)).status, 404);
        const client::ApiResult markPaid = test::waitFor(account.post(u"/invoices/%1/mark-paid"_s.arg(m_ownInvoices.first()), client::Json{{"reason", "x"}}));
        QCOMPARE(markPaid.status, 403);
        QCOMPARE(markPaid.errorCode, u"access.denied"_s);
        QCOMPARE(test::waitFor(account.post(u"/invoices/%1/credit-note"_s.arg(m_ownInvoices.first()), client::Json{{"reason", "x"}})).status, 403);
        QCOMPARE(test::waitFor(account.get(u"/billing/reconciliation"_s)).status, 403);
        QCOMPARE(m_db->scalar(u"SELECT status FROM invoices WHERE id = ?"_s, {m_ownInvoices.first()})->toString(), u"open"_s);

        UsagePage usage(account);
        QSignalSpy loaded(&usage, &UsagePage::loaded);
        QVERIFY(loaded.wait(10000));
        qint64 calls = 0;
        for (const UsageDay &d : usage.dailyModel()->rows())
            calls += d.calls;
        QCOMPARE(calls, 12); // the other company's 100 calls are not counted
    }
};

QTEST_MAIN(TestBillingPages)
#include "test_billing_pages.moc"
