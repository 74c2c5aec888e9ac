// The Import page against a real askpro-server on loopback whose job workers run the dry run and the apply:
// a practice's CSV goes up in chunks, its report is shown, the columns are corrected, the apply is followed to
// its end, and the columns chosen are used again for the next file of that layout.
#include "apisession.h"
#include "testdatabase.h"

#include "db/database.h"
#include "importer/importuploads.h"
#include "jobs/joboutcome.h"
#include "importrowsmodel.h"
#include "pages/importpage.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

constexpr int checkedWithinMs = 30000;

ServerConfig workingServer()
{
    ServerConfig config;
    config.workers = 1;
    config.pollIntervalMs = 100;
    // No provider is reached by an import; nothing listens here.
    config.endpoints.retell = QUrl(u"http://127.0.0.1:1"_s);
    config.endpoints.calcom = QUrl(u"http://127.0.0.1:1"_s);
    config.endpoints.stripe = QUrl(u"http://127.0.0.1:1"_s);
    config.smtp.url = u"smtp://127.0.0.1:1"_s;
    return config;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

qint64 count(Database &db, const QString &sql, const QVariantList &values = {})
{
    return db.scalar(sql, values)->toLongLong();
}

} // namespace

class TestImportPage final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_dir.isValid());
    }

    void init()
    {
        m_db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(m_db);
        m_company = test::plantCompanyAndBranch(*m_db, u"+4930123456"_s).first;
        m_session = test::startApiSession(m_db, Role::Onboarding, 0, QString(), workingServer(), true);
        m_page = std::make_unique<ImportPage>(*m_session->account);
        m_page->show();
        auto *company = m_page->findChild<QComboBox *>(u"importCompany"_s);
        QTRY_VERIFY(company->findData(m_company) >= 0);
        company->setCurrentIndex(company->findData(m_company));
    }

    void cleanup()
    {
        m_page.reset();
        m_session.reset();
        m_db.reset();
    }

    // A German export: the dry run lists every row, a skipped one with its reason; nothing is written until the
    // apply, which the page follows to its end.
    void dryRunThenApply()
    {
        const QString path = writeFile(m_dir, u"kunden.csv"_s,
                                       "Kundennr;Name;Telefon;Bemerkung\n"
                                       "1;Anna Weber;030 5550101;Stammkundin\n"
                                       "2;Ben Wolf;0170 1234567;\n"
                                       "3;Kaputt;12;\n");
        ImportClient *client = m_page->importClient();
        m_page->checkFile(path);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Ready, checkedWithinMs);
        QCOMPARE(count(*m_db, u"SELECT COUNT(*) FROM customers"_s), 0);
        ImportRowsModel *rows = m_page->rowsModel();
        QCOMPARE(rows->rowCount(), 3);
        QCOMPARE(rows->index(2, ImportRowsModel::Action).data().toString(), u"Skip"_s);
        QVERIFY(!rows->index(2, ImportRowsModel::Reason).data().toString().isEmpty());
        QCOMPARE(rows->index(0, ImportRowsModel::Phone).data().toString(), u"+49305550101"_s);
        const QString summary = m_page->findChild<QLabel *>(u"importSummary"_s)->text();
        QVERIFY2(summary.contains(u"Would create 2"_s) && summary.contains(u"skip 1"_s), qPrintable(summary));
        // The filter shows one action at a time.
        auto *filter = m_page->findChild<QComboBox *>(u"importFilter"_s);
        filter->setCurrentIndex(filter->findData(u"skip"_s));
        QCOMPARE(rows->rowCount(), 1);
        filter->setCurrentIndex(0);
        // The columns as the server read them.
        QCOMPARE(m_page->findChild<QComboBox *>(u"column_phone"_s)->currentText(), u"Telefon"_s);
        QCOMPARE(m_page->findChild<QComboBox *>(u"column_notes"_s)->currentText(), u"Bemerkung"_s);

        auto *apply = m_page->findChild<QPushButton *>(u"importApply"_s);
        QVERIFY(apply->isEnabled());
        apply->click();
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Applied, checkedWithinMs);
        QCOMPARE(count(*m_db, u"SELECT COUNT(*) FROM customers WHERE company_id = ?"_s, {m_company}), 2);
        QCOMPARE(count(*m_db, u"SELECT COUNT(*) FROM customers WHERE notes = 'Stammkundin'"_s), 1);
        QCOMPARE(rows->index(0, ImportRowsModel::Action).data().toString(), u"Created"_s);
        QVERIFY(m_page->findChild<QLabel *>(u"importSummary"_s)->text().contains(u"Created 2"_s));
        // Onboarding imports customers but may not browse them: no way to the customers page is offered.
        QVERIFY(!m_page->findChild<QPushButton *>(u"importShowCustomers"_s)->isVisibleTo(m_page.get()));
        QVERIFY(!summary.contains(u"shortened"_s)); // no row is about a customer AskPro held before
        QVERIFY(!apply->isEnabled()); // once
    }

    // A column left out by the operator stays out, in this run and, remembered for the layout, in the next file.
    void correctedColumnsAreCheckedAgainAndRemembered()
    {
        const QByteArray header = "Name;Telefon;Bemerkung\n";
        const QString first = writeFile(m_dir, u"liste1.csv"_s, header + "Clara Hahn;030 5550202;nur vormittags\n");
        ImportClient *client = m_page->importClient();
        m_page->checkFile(first);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Ready, checkedWithinMs);
        auto *notes = m_page->findChild<QComboBox *>(u"column_notes"_s);
        auto *recheck = m_page->findChild<QPushButton *>(u"importRecheck"_s);
        auto *apply = m_page->findChild<QPushButton *>(u"importApply"_s);
        QVERIFY(!recheck->isEnabled());
        notes->setCurrentIndex(0); // (not imported)
        QVERIFY(recheck->isEnabled());
        QVERIFY(!apply->isEnabled()); // the report shown is not of these columns
        recheck->click();
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Ready, checkedWithinMs);
        QVERIFY(!client->report()["mapping"].contains("notes"));
        QCOMPARE(notes->currentIndex(), 0);
        apply->click();
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Applied, checkedWithinMs);
        QCOMPARE(count(*m_db, u"SELECT COUNT(*) FROM customers WHERE name = 'Clara Hahn' AND COALESCE(notes, '') = ''"_s), 1);

        // The next file of the same columns: the page asks for the remembered mapping before showing the dry run.
        const QString second = writeFile(m_dir, u"liste2.csv"_s, header + "Dora Frank;030 5550303;bringt Hund mit\n");
        m_page->checkFile(second);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Ready, checkedWithinMs);
        QTRY_VERIFY_WITH_TIMEOUT(client->mapping().contains("notes"), checkedWithinMs);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Ready, checkedWithinMs);
        QVERIFY(!client->report()["mapping"].contains("notes"));
        QCOMPARE(notes->currentIndex(), 0);
        QCOMPARE(client->report()["mapping"]["phone"].get<std::string>(), std::string("Telefon"));
    }

    // No column the server recognises as the phone: the refusal offers the file's columns, and choosing one
    // makes the file importable.
    void aRefusedMappingOffersTheColumns()
    {
        const QString path = writeFile(m_dir, u"export.csv"_s, "Kunde,Rufnummer privat\nEmil Berg,030 5550404\n");
        ImportClient *client = m_page->importClient();
        m_page->checkFile(path);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Refused, checkedWithinMs);
        QCOMPARE(client->columns(), (QStringList{u"Kunde"_s, u"Rufnummer privat"_s}));
        QVERIFY(m_page->findChild<QLabel *>(u"importState"_s)->text().contains(u"columns"_s));
        auto *phone = m_page->findChild<QComboBox *>(u"column_phone"_s);
        auto *name = m_page->findChild<QComboBox *>(u"column_name"_s);
        QVERIFY(phone->isVisibleTo(m_page.get()));
        QVERIFY(!m_page->findChild<QPushButton *>(u"importApply"_s)->isEnabled());
        phone->setCurrentIndex(phone->findData(u"Rufnummer privat"_s));
        name->setCurrentIndex(name->findData(u"Kunde"_s));
        m_page->findChild<QPushButton *>(u"importRecheck"_s)->click();
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Ready, checkedWithinMs);
        QCOMPARE(client->report()["created"].get<int>(), 1);
        QCOMPARE(m_page->rowsModel()->index(0, ImportRowsModel::Name).data().toString(), u"Emil Berg"_s);
    }

    // A file larger than one chunk arrives whole; more rows than the report lists are counted and said so.
    void aLargeFileGoesInChunks()
    {
        QByteArray csv = "Name;Telefon;Bemerkung\n";
        const QByteArray padding(40, 'x');
        for (int i = 0; i < 12000; ++i)
            csv += "Kunde " + QByteArray::number(i) + ";030 55" + QByteArray::number(100000 + i) + ";" + padding + "\n";
        QVERIFY(csv.size() > ImportClient::chunkBytes);
        const QString path = writeFile(m_dir, u"gross.csv"_s, csv);
        ImportClient *client = m_page->importClient();
        m_page->checkFile(path);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Ready, 60000);
        QCOMPARE(count(*m_db, u"SELECT bytes FROM import_uploads WHERE id = ?"_s, {client->importId()}), qint64(csv.size()));
        QCOMPARE(count(*m_db, u"SELECT COUNT(*) FROM import_chunks WHERE upload_id = ?"_s, {client->importId()}), 2);
        QCOMPARE(client->report()["created"].get<int>(), 12000);
        QCOMPARE(m_page->rowsModel()->rowCount(), 10000);
        QVERIFY(m_page->findChild<QLabel *>(u"importSummary"_s)->text().contains(u"not listed"_s));
    }

    // Cancel while the apply waits for the server's workers: it ends before it starts, nothing written, and the
    // page says who stopped it. (This server runs no workers: the test runs the dry run's job itself.)
    void anApplyIsCancelledFromThePage()
    {
        m_page.reset();
        m_session.reset();
        m_session = test::startApiSession(m_db, Role::Onboarding, 0, u"onboarding-2"_s, workingServer(), false);
        m_page = std::make_unique<ImportPage>(*m_session->account);
        m_page->show();
        auto *company = m_page->findChild<QComboBox *>(u"importCompany"_s);
        QTRY_VERIFY(company->findData(m_company) >= 0);
        company->setCurrentIndex(company->findData(m_company));

        ImportClient *client = m_page->importClient();
        m_page->checkFile(writeFile(m_dir, u"abbruch.csv"_s, "Name;Telefon\nFritz Kern;030 5550505\n"));
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Checking, checkedWithinMs);
        auto *cancel = m_page->findChild<QPushButton *>(u"importCancel"_s);
        QVERIFY(cancel->isVisibleTo(m_page.get()));
        QTRY_VERIFY(count(*m_db, u"SELECT COALESCE(job_id, 0) FROM import_uploads WHERE id = ?"_s, {client->importId()}) > 0);
        const qint64 check = count(*m_db, u"SELECT job_id FROM import_uploads WHERE id = ?"_s, {client->importId()});
        QCOMPARE(ImportUploads(*m_db).runCheckJob(check, m_db->scalar(u"SELECT payload FROM jobs WHERE id = ?"_s, {check})->toString().toUtf8()).kind,
                 JobOutcome::Kind::Done);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Ready, checkedWithinMs);
        QVERIFY(!cancel->isVisibleTo(m_page.get()));

        m_page->findChild<QPushButton *>(u"importApply"_s)->click();
        QTRY_COMPARE(count(*m_db, u"SELECT COUNT(*) FROM import_uploads WHERE id = ? AND state = 'queued'"_s, {client->importId()}), 1);
        QCOMPARE(client->state(), ImportClient::State::Applying);
        QVERIFY(cancel->isVisibleTo(m_page.get()) && cancel->isEnabled());
        cancel->click();
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ImportClient::State::Failed, checkedWithinMs);
        QVERIFY2(client->error().contains(u"Cancelled by"_s), qPrintable(client->error()));
        QVERIFY(m_page->findChild<QLabel *>(u"importState"_s)->text().contains(u"undone"_s));
        QCOMPARE(count(*m_db, u"SELECT COUNT(*) FROM customers"_s), 0);
        QVERIFY(m_page->findChild<QPushButton *>(u"importApply"_s)->isEnabled()); // it can be imported after all
    }

    // A spreadsheet is turned away before anything is sent.
    void aSpreadsheetIsNotSent()
    {
        const QString path = writeFile(m_dir, u"kunden.xlsx"_s, QByteArray("PK\x03\x04 sheet", 10));
        m_page->checkFile(path);
        QCOMPARE(m_page->importClient()->state(), ImportClient::State::Idle);
        QVERIFY(m_page->findChild<QLabel *>(u"importState"_s)->text().contains(u"CSV (UTF-8)"_s));
        QCOMPARE(count(*m_db, u"SELECT COUNT(*) FROM import_uploads"_s), 0);
    }

private:
    QTemporaryDir m_dir;
    std::shared_ptr<Database> m_db;
    qint64 m_company = 0;
    std::unique_ptr<test::ApiSession> m_session;
    std::unique_ptr<ImportPage> m_page;
};

QTEST_MAIN(TestImportPage)
#include "test_import_page.moc"
