// Issue 19: customers from a practice's CSV. The reader on German and broken exports, the column mapping, and
// dry run, apply, re-run and undo against real SQLite and PostgreSQL; afterwards the call flow knows the callers.
#include "core/clock.h"
#include "db/migrator.h"
#include "flow/callstore.h"
#include "importer/csvreader.h"
#include "importer/customerimport.h"
#include "importer/importuploads.h"
#include "jobs/jobqueue.h"
#include "jobs/joboutcome.h"
#include "testdatabase.h"

#include <QBuffer>
#include <QProcess>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cstring>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

// Latin-1 covers every character of these fixtures, and Windows-1252 agrees with it there.
QByteArray cp1252(const QString &text)
{
    return text.toLatin1();
}

QList<CsvRecord> readAll(const QByteArray &bytes, QStringList *header = nullptr, Status *status = nullptr)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    CsvReader reader(buffer);
    const Status read = reader.readHeader();
    if (status)
        *status = read;
    if (header)
        *header = reader.header();
    QList<CsvRecord> records;
    CsvRecord record;
    while (read.ok() && reader.next(record))
        records.append(record);
    return records;
}

// The German export of the tests: Windows-1252, semicolons, a note over two lines with quotes, duplicates, bad
// numbers, an unknown branch and one line broken in both encodings (lines are counted from the header as 1).
QByteArray germanExport()
{
    QByteArray data = cp1252(u"Kundennummer;Vorname;Nachname;Telefon;Mobil;E-Mail;Filiale;Notiz\r\n"
                             "1;Jürgen;Müller;030 1234567;;Juergen@Example.de;Filiale Mitte;\"Allergie: Nüsse\r\nmag \"\"frühe\"\" Termine\"\r\n" // 2-3 create
                             "2;Anna;Schäfer;0170 1234567;;anna@example.de;;\r\n"                 // 4 create
                             "3;Doppelt;Nummer;+49 170 1234567;;;;\r\n"                           // 5 duplicate number of line 4
                             "4;Kaputt;Nummer;12;;;;\r\n"                                         // 6 invalid number
                             "5;Bekannt;Anrufer;030 1111111;;;;\r\n"                              // 7 matches an earlier caller: fills the name
                             "6;Andere;Filiale;030 2222222;;;Filiale Nord;\r\n"_s);              // 8 unknown branch
    data += "7;\x81\x8D;X;030 4444444;;;;\r\n";                                                  // 9 broken encoding
    data += cp1252(u"8;Gleiche;Mail;030 3333333;;ANNA@example.de;;\r\n"                          // 10 duplicate e-mail of line 4
                   "9;Ohne;Nummer;;;;;\r\n"                                                      // 11 no number
                   "\r\n"
                   "10;Peter;Paß;;0171 7654321;peter@example;;\r\n"_s);                         // 13 create from the mobile, e-mail left out
    return data;
}

qint64 count(Database &db, const QString &sql, const QVariantList &params = {})
{
    auto v = db.scalar(sql, params);
    return v ? v->toLongLong() : -1;
}

QString text(Database &db, const QString &sql, const QVariantList &params = {})
{
    auto v = db.scalar(sql, params);
    return v ? v->toString() : u"<error>"_s;
}

// The dry run of an upload as the server computes it: the first look queues its job, which runs here.
Result<QJsonObject> checkedReport(Database &db, ImportUploads &uploads, const Actor &actor, qint64 upload)
{
    auto first = uploads.report(actor, upload);
    if (!first || !first->isEmpty())
        return first;
    const qint64 job = db.scalar(u"SELECT job_id FROM import_uploads WHERE id = ?"_s, {upload})->toLongLong();
    const JobOutcome ran = uploads.runCheckJob(job, db.scalar(u"SELECT payload FROM jobs WHERE id = ?"_s, {job})->toString().toUtf8());
    if (ran.kind != JobOutcome::Kind::Done)
        return ran.error;
    return uploads.report(actor, upload);
}

// The start of every database test: the engine's fresh database (db) and a company (company) with the branch
// "Filiale Mitte", numbered in Berlin.
#define ASKPRO_IMPORT_FIXTURE()                                                                                        \
    QFETCH(QString, engine);                                                                                           \
    ASKPRO_FRESH_DB(db, engine);                                                                                       \
    const qint64 company = test::plantCompanyAndBranch(*db, u"+49309990000"_s).first

// The file through CustomerImport; options as given, with the company, apply and batch size set.
Result<ImportReport> runImport(Database &db, qint64 company, const QByteArray &csv, bool apply, int batchSize = 500,
                               const Actor &actor = Actor::system(u"test"_s), ImportOptions options = {})
{
    QBuffer buffer;
    buffer.setData(csv);
    buffer.open(QIODevice::ReadOnly);
    options.companyId = company;
    options.apply = apply;
    options.batchSize = batchSize;
    if (options.sourceName.isEmpty())
        options.sourceName = u"kunden.csv"_s;
    return CustomerImport(db).run(buffer, options, actor);
}

// A file whose reads fail after failAt bytes, as a lost chunk or a bad disk does.
class FailingDevice final : public QIODevice
{
public:
    FailingDevice(QByteArray data, qint64 failAt)
        : m_data(std::move(data))
        , m_failAt(failAt)
    {
        open(QIODevice::ReadOnly);
    }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_data.size() - m_at + QIODevice::bytesAvailable(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_at >= m_failAt) {
            setErrorString(u"input/output error"_s);
            return -1;
        }
        const qint64 n = std::min({maxSize, m_failAt - m_at, qint64(m_data.size()) - m_at});
        std::memcpy(data, m_data.constData() + m_at, size_t(n));
        m_at += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_failAt;
    qint64 m_at = 0;
};

QString actionOfLine(const ImportReport &report, qint64 line)
{
    for (const ImportRow &row : report.rows)
        if (row.line == line)
            return row.action;
    return {};
}

QString reasonOfLine(const ImportReport &report, qint64 line)
{
    for (const ImportRow &row : report.rows)
        if (row.line == line)
            return row.reason;
    return {};
}

} // namespace

class TestCsvImport final : public QObject
{
    Q_OBJECT
private slots:
    void readsGermanWindows1252Export()
    {
        QStringList header;
        const auto records = readAll(germanExport(), &header);
        QCOMPARE(header.size(), 8);
        QCOMPARE(header.at(5), u"E-Mail"_s);
        QCOMPARE(records.size(), 10);
        QCOMPARE(records.at(0).line, 2);
        QCOMPARE(records.at(0).fields.value(1), u"Jürgen"_s);
        QCOMPARE(records.at(0).fields.value(7), u"Allergie: Nüsse\nmag \"frühe\" Termine"_s);
        QCOMPARE(records.at(1).line, 4);
        QCOMPARE(records.at(1).fields.value(2), u"Schäfer"_s);
        QCOMPARE(records.at(6).line, 9);
        QVERIFY(records.at(6).error.contains(u"9"_s));
        QVERIFY(records.at(5).error.isEmpty()); // the lines around the broken one are fine
        QVERIFY(records.at(7).error.isEmpty());
        QCOMPARE(records.at(7).fields.value(5), u"ANNA@example.de"_s);
        QCOMPARE(records.at(9).line, 13);
        QCOMPARE(records.at(9).fields.value(2), u"Paß"_s);
    }

    void readsUtf8WithBomAndCommas()
    {
        QStringList header;
        const auto records = readAll("\xEF\xBB\xBFName,Phone,Notes\n\"Weiß, Eva\",+49 30 5550001,\"a \"\"b\"\"\nc\"\nZoë,030 5550002,\n", &header);
        QCOMPARE(header, (QStringList{u"Name"_s, u"Phone"_s, u"Notes"_s}));
        QCOMPARE(records.size(), 2);
        QCOMPARE(records.at(0).fields, (QStringList{u"Weiß, Eva"_s, u"+49 30 5550001"_s, u"a \"b\"\nc"_s}));
        QCOMPARE(records.at(1).line, 4);
        QCOMPARE(records.at(1).fields.value(0), u"Zoë"_s);
        QCOMPARE(records.at(1).fields.size(), 3);
    }

    void reportsAnUnterminatedQuote()
    {
        const auto records = readAll("Name;Telefon\nA;1\n\"B;2\nC;3\n");
        QCOMPARE(records.size(), 2);
        QVERIFY(records.at(1).error.contains(u"3"_s));
    }

    void refusesSpreadsheetsAndUtf16_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("code");
        QTest::newRow("xlsx") << QByteArray("PK\x03\x04\x14\x00\x06\x00", 8) << u"import.spreadsheet"_s;
        QTest::newRow("xls") << QByteArray("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") << u"import.spreadsheet"_s;
        QTest::newRow("utf16") << QByteArray("\xFF\xFEN\0a\0", 6) << u"import.utf16"_s;
        QTest::newRow("empty") << QByteArray() << u"import.empty"_s;
        QTest::newRow("binary") << QByteArray("\x00\x81\x8D\x90\n", 5) << u"import.not_csv"_s;
    }
    void refusesSpreadsheetsAndUtf16()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, code);
        Status status;
        (void)readAll(bytes, nullptr, &status);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().code, code);
        if (code == u"import.spreadsheet"_s)
            QVERIFY(status.error().message.contains(u"CSV (UTF-8)"_s));
    }

    void detectsGermanAndEnglishColumns()
    {
        auto german = ImportMapping::detect({u"Kunden-Nr."_s, u"Name"_s, u"Tel."_s, u"Handy"_s, u"E-Mail-Adresse"_s, u"Firma"_s, u"Bemerkung"_s});
        QVERIFY(german);
        QCOMPARE(german->columns.value(ImportField::SourceId, -1), 0);
        QCOMPARE(german->columns.value(ImportField::Phone, -1), 2);
        QCOMPARE(german->columns.value(ImportField::Mobile, -1), 3);
        QCOMPARE(german->columns.value(ImportField::Email, -1), 4);
        QCOMPARE(german->columns.value(ImportField::Company, -1), 5);
        QCOMPARE(german->columns.value(ImportField::Notes, -1), 6);
        auto english = ImportMapping::detect({u"First name"_s, u"Last name"_s, u"Mobile"_s, u"Email"_s, u"Branch"_s});
        QVERIFY(english);
        QCOMPARE(english->columns.value(ImportField::FirstName, -1), 0);
        QCOMPARE(english->columns.value(ImportField::LastName, -1), 1);
        QCOMPARE(english->columns.value(ImportField::Mobile, -1), 2);
        QCOMPARE(english->columns.value(ImportField::Branch, -1), 4);
    }

    void mappingOverridesAndErrors()
    {
        const QStringList header{u"Kunde"_s, u"Tel. privat"_s, u"Info"_s};
        auto none = ImportMapping::detect(header);
        QVERIFY(!none);
        QCOMPARE(none.error().code, u"import.no_phone"_s);
        auto overridden = ImportMapping::detect(header, QJsonObject{{u"phone"_s, u"Tel. privat"_s}, {u"notes"_s, u"Info"_s}});
        QVERIFY(overridden);
        QCOMPARE(overridden->columns.value(ImportField::Phone, -1), 1);
        QCOMPARE(overridden->columns.value(ImportField::Name, -1), 0);
        QCOMPARE(overridden->toJson(header).value(u"notes"_s).toString(), u"Info"_s);
        auto missing = ImportMapping::detect(header, QJsonObject{{u"phone"_s, u"Telefon"_s}});
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, u"import.mapping_column"_s);
        QVERIFY(missing.error().message.contains(u"Telefon"_s));
        auto unknown = ImportMapping::detect(header, QJsonObject{{u"fax"_s, u"Info"_s}});
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, u"import.mapping_field"_s);
    }

    void aMissingMappedColumnWritesNothing_data() { test::addEngineRows(); }
    void aMissingMappedColumnWritesNothing()
    {
        ASKPRO_IMPORT_FIXTURE();
        ImportOptions options;
        options.mappingOverrides = QJsonObject{{u"phone"_s, u"Festnetz privat"_s}};
        auto report = runImport(*db, company, germanExport(), true, 500, Actor::system(u"test"_s), options);
        QVERIFY(!report);
        QCOMPARE(report.error().code, u"import.mapping_column"_s);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_runs"_s), 0);
    }

    void dryRunApplyAndRerun_data() { test::addEngineRows(); }
    void dryRunApplyAndRerun()
    {
        ASKPRO_IMPORT_FIXTURE();
        CallStore calls(*db);
        // A caller the call flow already knows, without a name.
        auto earlier = calls.upsertCustomer(company, u"+49301111111"_s, QString(), QString(), u"de"_s);
        QVERIFY(earlier);

        auto dry = runImport(*db, company, germanExport(), false);
        QVERIFY2(dry, qPrintable(dry ? QString() : dry.error().describe()));
        QCOMPARE(dry->created, 3);
        QCOMPARE(dry->updated, 1);
        QCOMPARE(dry->unchanged, 0);
        QCOMPARE(dry->skipped, 6);
        QCOMPARE(dry->runId, 0);
        QCOMPARE(actionOfLine(*dry, 2), u"create"_s);
        QCOMPARE(actionOfLine(*dry, 5), u"skip"_s);
        QVERIFY(reasonOfLine(*dry, 5).contains(u"line 4"_s));
        QCOMPARE(actionOfLine(*dry, 6), u"skip"_s);
        QVERIFY(reasonOfLine(*dry, 6).contains(u"12"_s));
        QCOMPARE(actionOfLine(*dry, 7), u"update"_s);
        QVERIFY(reasonOfLine(*dry, 7).contains(QString::number(*earlier)));
        QVERIFY(reasonOfLine(*dry, 8).contains(u"Filiale Nord"_s));
        QVERIFY(reasonOfLine(*dry, 9).contains(u"Line 9"_s));
        QVERIFY(reasonOfLine(*dry, 10).contains(u"line 4"_s));
        QCOMPARE(actionOfLine(*dry, 11), u"skip"_s);
        QCOMPARE(actionOfLine(*dry, 13), u"create"_s);
        QVERIFY(reasonOfLine(*dry, 13).contains(u"peter@example"_s));
        // A dry run writes nothing.
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 1);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_runs"_s), 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_sources"_s), 0);

        auto applied = runImport(*db, company, germanExport(), true, 3);
        QVERIFY2(applied, qPrintable(applied ? QString() : applied.error().describe()));
        QVERIFY(applied->applied);
        QVERIFY(applied->runId > 0);
        QCOMPARE(applied->created, 3);
        QCOMPARE(applied->updated, 1);
        QCOMPARE(applied->skipped, 6);
        QVERIFY(applied->batches >= 4);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE company_id = ?"_s, {company}), 4);
        QCOMPARE(text(*db, u"SELECT name FROM customers WHERE phone_e164 = '+49301234567'"_s), u"Jürgen Müller"_s);
        QCOMPARE(text(*db, u"SELECT email FROM customers WHERE phone_e164 = '+49301234567'"_s), u"juergen@example.de"_s);
        QCOMPARE(text(*db, u"SELECT notes FROM customers WHERE phone_e164 = '+49301234567'"_s), u"Allergie: Nüsse\nmag \"frühe\" Termine"_s);
        QCOMPARE(text(*db, u"SELECT name FROM customers WHERE id = ?"_s, {*earlier}), u"Bekannt Anrufer"_s);
        QCOMPARE(text(*db, u"SELECT email FROM customers WHERE phone_e164 = '+491717654321'"_s), QString());
        QCOMPARE(text(*db, u"SELECT state FROM import_runs WHERE id = ?"_s, {applied->runId}), u"applied"_s);
        QCOMPARE(count(*db, u"SELECT created_count FROM import_runs WHERE id = ?"_s, {applied->runId}), 3);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM audit_log WHERE action = 'import'"_s), 1);
        QVERIFY(text(*db, u"SELECT after_json FROM audit_log WHERE action = 'import'"_s).contains(u"\"created\":3"_s));
        QVERIFY(applied->longestTransactionMs < 200);

        // The call flow recognises an imported caller by the number and keeps the imported name.
        const qint64 mueller = count(*db, u"SELECT id FROM customers WHERE phone_e164 = '+49301234567'"_s);
        auto recognised = calls.upsertCustomer(company, u"+49301234567"_s, QString(), QString(), u"de"_s);
        QVERIFY(recognised);
        QCOMPARE(*recognised, mueller);
        QCOMPARE(text(*db, u"SELECT name FROM customers WHERE id = ?"_s, {mueller}), u"Jürgen Müller"_s);

        // A second run of the same file changes nothing.
        const QString before = text(*db, u"SELECT MAX(updated_at) FROM customers"_s);
        auto again = runImport(*db, company, germanExport(), true);
        QVERIFY(again);
        QCOMPARE(again->created, 0);
        QCOMPARE(again->updated, 0);
        QCOMPARE(again->unchanged, 4);
        QCOMPARE(again->skipped, 6);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 4);
        QCOMPARE(text(*db, u"SELECT MAX(updated_at) FROM customers"_s), before);

        // Changed in AskPro since: the name and the language (a preference) stay; what changed only at the
        // source comes in.
        QVERIFY(db->exec(u"UPDATE customers SET name = 'Anna S.', language = 'en' WHERE phone_e164 = '+491701234567'"_s));
        QByteArray changed = germanExport();
        changed.replace("2;Anna;Sch\xE4" "fer;0170 1234567;;anna@example.de;;", "2;Anna;Schaefer;0170 1234567;;anna.neu@example.de;;");
        changed.replace("mag \"\"fr\xFC" "he\"\" Termine", "mag sp\xE4te Termine");
        auto third = runImport(*db, company, changed, true);
        QVERIFY(third);
        QCOMPARE(third->created, 0);
        QCOMPARE(third->updated, 2);
        QCOMPARE(third->unchanged, 2);
        QVERIFY(reasonOfLine(*third, 4).contains(u"kept"_s));
        QCOMPARE(text(*db, u"SELECT name FROM customers WHERE phone_e164 = '+491701234567'"_s), u"Anna S."_s);
        QCOMPARE(text(*db, u"SELECT email FROM customers WHERE phone_e164 = '+491701234567'"_s), u"anna.neu@example.de"_s);
        QCOMPARE(text(*db, u"SELECT language FROM customers WHERE phone_e164 = '+491701234567'"_s), u"en"_s);
        QCOMPARE(text(*db, u"SELECT notes FROM customers WHERE id = ?"_s, {mueller}), u"Allergie: Nüsse\nmag späte Termine"_s);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM audit_log WHERE action = 'import'"_s), 3);
    }

    void aFailingRowUndoesTheRun_data() { test::addEngineRows(); }
    void aFailingRowUndoesTheRun()
    {
        ASKPRO_IMPORT_FIXTURE();
        CallStore calls(*db);
        auto earlier = calls.upsertCustomer(company, u"+49301111111"_s, QString(), QString(), u"de"_s);
        QVERIFY(earlier);
        // The first file goes in whole; the second changes one of its rows, links the earlier caller and
        // meets a row the database refuses in its third batch.
        QVERIFY(runImport(*db, company, "ID;Name;Telefon\nA;Alt Name;030 5550001\n", true));
        if (engine == u"sqlite"_s) {
            QVERIFY(db->control(u"CREATE TRIGGER refuse_row BEFORE INSERT ON customers WHEN NEW.name = 'Fehler Zeile' "
                                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"_s));
        } else {
            QVERIFY(db->control(u"CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                "IF NEW.name = 'Fehler Zeile' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$"_s));
            QVERIFY(db->control(u"CREATE TRIGGER refuse_row BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION refuse_row()"_s));
        }
        const QByteArray csv = "ID;Name;Telefon\n"
                               "A;Neuer Name;030 5550001\n"
                               "B;Bekannt;030 1111111\n"
                               "C;Eins;030 5550002\n"
                               "D;Zwei;030 5550003\n"
                               "E;Fehler Zeile;030 5550004\n"
                               "F;Drei;030 5550005\n";
        auto failed = runImport(*db, company, csv, true, 2);
        QVERIFY(!failed);
        QVERIFY(failed.error().describe().contains(u"refused by the test"_s));
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE company_id = ?"_s, {company}), 2);
        QCOMPARE(text(*db, u"SELECT name FROM customers WHERE phone_e164 = '+49305550001'"_s), u"Alt Name"_s);
        QCOMPARE(text(*db, u"SELECT name FROM customers WHERE id = ?"_s, {*earlier}), QString());
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_sources"_s), 1);
        QVERIFY(text(*db, u"SELECT last_values_json FROM import_sources"_s).contains(u"Alt Name"_s));
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_runs WHERE state = 'failed'"_s), 1);
        QVERIFY(text(*db, u"SELECT error FROM import_runs WHERE state = 'failed'"_s).contains(u"refused by the test"_s));
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM audit_log WHERE action = 'import'"_s), 1); // the first run's only

        // Without the refusing rule the same file goes in, and the undone run left nothing in the way.
        QVERIFY(db->control(engine == u"sqlite"_s ? u"DROP TRIGGER refuse_row"_s : u"DROP TRIGGER refuse_row ON customers"_s));
        auto applied = runImport(*db, company, csv, true, 2);
        QVERIFY2(applied, qPrintable(applied ? QString() : applied.error().describe()));
        QCOMPARE(applied->created, 4);
        QCOMPARE(applied->updated, 2);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE company_id = ?"_s, {company}), 6);
    }

    // askpro-server import customers: the dry run prints the report and writes nothing, --apply writes, bad input
    // is one message and exit code 1.
    void serverCommand()
    {
        const QString server = qEnvironmentVariable("ASKPRO_SERVER");
        ASKPRO_REQUIRE(!server.isEmpty() && QFile::exists(server), "askpro-server (ASKPRO_SERVER, set by CTest)");
        QTemporaryDir dir;
        const QString url = u"sqlite:"_s + dir.filePath(u"askpro.sqlite"_s);
        qint64 company = 0;
        {
            auto db = Database::open(url);
            QVERIFY(db);
            QVERIFY(Migrator(**db).migrate());
            company = test::plantCompanyAndBranch(**db, u"+49309990000"_s).first;
        }
        const QString csv = dir.filePath(u"kunden.csv"_s);
        const QString xlsx = dir.filePath(u"kunden.xlsx"_s);
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(germanExport());
            QFile x(xlsx);
            QVERIFY(x.open(QIODevice::WriteOnly));
            x.write(QByteArray("PK\x03\x04\x14\x00\x06\x00rest", 12));
        }
        const auto run = [&](const QStringList &extra, QString *output) {
            QProcess p;
            p.start(server, QStringList{u"import"_s, u"customers"_s, u"--db"_s, url, u"--company"_s, QString::number(company)} + extra);
            p.waitForFinished(60000);
            *output = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
            return p.exitCode();
        };
        QString output;
        QCOMPARE(run({u"--file"_s, csv}, &output), 0);
        QVERIFY2(output.contains(u"4 would be created"_s) || output.contains(u"4 würden angelegt"_s), qPrintable(output));
        QVERIFY2(output.contains(u"\"12\""_s), qPrintable(output));
        QCOMPARE(run({u"--file"_s, csv, u"--apply"_s, u"--mapping"_s, u"{\"phone\": \"Festnetz\"}"_s}, &output), 1);
        QVERIFY2(output.contains(u"Festnetz"_s), qPrintable(output));
        QCOMPARE(run({u"--file"_s, xlsx, u"--apply"_s}, &output), 1);
        QVERIFY2(output.contains(u"CSV (UTF-8)"_s), qPrintable(output));
        {
            auto db = Database::open(url);
            QVERIFY(db);
            QCOMPARE(count(**db, u"SELECT COUNT(*) FROM customers"_s), 0);
        }
        QCOMPARE(run({u"--file"_s, csv, u"--apply"_s, u"--json"_s}, &output), 0);
        QVERIFY2(output.contains(u"\"created\": 4"_s), qPrintable(output));
        auto db = Database::open(url);
        QVERIFY(db);
        QCOMPARE(count(**db, u"SELECT COUNT(*) FROM customers"_s), 4);
        QCOMPARE(count(**db, u"SELECT COUNT(*) FROM audit_log WHERE action = 'import'"_s), 1);
    }

    void onlyItsOwnCompanyAndWithTheRightRole_data() { test::addEngineRows(); }
    void onlyItsOwnCompanyAndWithTheRightRole()
    {
        ASKPRO_IMPORT_FIXTURE();
        const QByteArray csv = "Name;Telefon\nA;030 5550001\n";
        // Support may see customers but neither set up businesses nor change customers; the owner neither.
        for (const Role role : {Role::Support, Role::Owner}) {
            auto refused = runImport(*db, company, csv, false, 500, Actor::user(1, u"s"_s, role));
            QVERIFY(!refused);
            QCOMPARE(refused.error().kind, ErrorKind::Unauthorized);
        }
        QVERIFY(AccessPolicy::allows(Role::Onboarding, Permission::EditCustomers));
        auto onboarding = runImport(*db, company, csv, false, 500, Actor::user(1, u"o"_s, Role::Onboarding));
        QVERIFY(onboarding);
        QCOMPARE(onboarding->created, 1);
        auto missing = runImport(*db, company + 1000, csv, false, 500, Actor::user(1, u"o"_s, Role::Onboarding));
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, ErrorKind::NotFound);
    }

    // Two companies' users: every statement on an upload carries the company, so the other company's id is
    // "not found" for reading, adding, the report and the apply alike. The apply itself runs as a job.
    void uploadsStayInTheirCompany_data() { test::addEngineRows(); }
    void uploadsStayInTheirCompany()
    {
        ASKPRO_IMPORT_FIXTURE();
        const qint64 other = test::plantCompanyAndBranch(*db, u"+49309990001"_s).first;
        const Actor ours = Actor::user(0, u"ours"_s, Role::Onboarding, company);
        const Actor theirs = Actor::user(0, u"theirs"_s, Role::Onboarding, other);
        ImportUploads uploads(*db);
        auto id = uploads.create(ours, company, u"kunden.csv"_s, {});
        QVERIFY(id);
        QCOMPARE(uploads.create(theirs, company, u"kunden.csv"_s, {}).error().kind, ErrorKind::NotFound);
        QVERIFY(uploads.append(ours, *id, 0, "Name;Telefon\nA;030 5550001\n"));
        QCOMPARE(uploads.find(theirs, *id).error().kind, ErrorKind::NotFound);
        QCOMPARE(uploads.append(theirs, *id, -1, "B;030 5550002\n").error().kind, ErrorKind::NotFound);
        QCOMPARE(uploads.report(theirs, *id).error().kind, ErrorKind::NotFound);
        QCOMPARE(uploads.requestApply(theirs, *id).error().kind, ErrorKind::NotFound);
        QCOMPARE(uploads.find(Actor::user(3, u"s"_s, Role::Support), *id).error().kind, ErrorKind::Unauthorized);

        auto report = checkedReport(*db, uploads, ours, *id);
        QVERIFY(report);
        QCOMPARE(report->value(u"created"_s).toInt(), 1);
        auto job = uploads.requestApply(ours, *id);
        QVERIFY(job);
        QCOMPARE(uploads.requestApply(ours, *id).error().kind, ErrorKind::Conflict);
        QCOMPARE(uploads.find(ours, *id)->state, u"queued"_s);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 0);
        const JobOutcome ran = uploads.runApplyJob(*job, text(*db, u"SELECT payload FROM jobs WHERE id = ?"_s, {*job}).toUtf8());
        QVERIFY2(ran.kind == JobOutcome::Kind::Done, qPrintable(ran.error.describe()));
        auto applied = uploads.find(ours, *id);
        QCOMPARE(applied->state, u"applied"_s);
        QVERIFY(applied->runId > 0);
        QCOMPARE(applied->rowsDone, 1);
        QCOMPARE(applied->report.value(u"applied"_s).toBool(), true);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE company_id = ?"_s, {company}), 1);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE company_id = ?"_s, {other}), 0);
        QCOMPARE(text(*db, u"SELECT actor FROM import_runs WHERE id = ?"_s, {applied->runId}), u"ours"_s);
    }

    // A read error in the middle of the file is an error with its reason, never a short file: a dry run says
    // so, an apply is undone.
    void aReadErrorIsAnError_data() { test::addEngineRows(); }
    void aReadErrorIsAnError()
    {
        ASKPRO_IMPORT_FIXTURE();
        const QByteArray csv = "Name;Telefon\nA;030 5550001\nB;030 5550002\nC;030 5550003\n";
        {
            FailingDevice device(csv, csv.indexOf("B;"));
            CsvReader reader(device);
            QVERIFY(reader.readHeader());
            CsvRecord record;
            QVERIFY(reader.next(record));
            QCOMPARE(record.fields.value(0), u"A"_s);
            QVERIFY(!reader.next(record));
            QVERIFY(!reader.status().ok());
            QCOMPARE(reader.status().error().code, u"import.read_error"_s);
            QVERIFY2(reader.status().error().message.contains(u"input/output error"_s), qPrintable(reader.status().error().message));
            QVERIFY(reader.status().error().message.contains(u"line 2"_s));
        }
        {
            FailingDevice device(csv, 4);
            CsvReader reader(device);
            QCOMPARE(reader.readHeader().error().code, u"import.read_error"_s);
        }
        FailingDevice device(csv, csv.indexOf("C;"));
        ImportOptions options;
        options.companyId = company;
        options.apply = true;
        auto failed = CustomerImport(*db).run(device, options, Actor::system(u"test"_s));
        QVERIFY(!failed);
        QCOMPARE(failed.error().code, u"import.read_error"_s);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 0);
        QCOMPARE(text(*db, u"SELECT state FROM import_runs"_s), u"failed"_s);
        QVERIFY(text(*db, u"SELECT error FROM import_runs"_s).contains(u"input/output error"_s));
    }

    // The Mobil/Handy column is the customer's number for text messages, normalised like the phone number.
    void theMobileIsTheMessageNumber_data() { test::addEngineRows(); }
    void theMobileIsTheMessageNumber()
    {
        ASKPRO_IMPORT_FIXTURE();
        CallStore calls(*db);
        auto earlier = calls.upsertCustomer(company, u"+49305550009"_s, QString(), QString(), u"de"_s);
        QVERIFY(earlier);
        const QByteArray csv = "Nr;Name;Telefon;Handy\n"
                               "1;Eins;030 5550001;0171 1112223\n"
                               "2;Zwei;;0171 4445556\n"
                               "3;Drei;030 5550003;12\n"
                               "4;Vier;030 5550009;+49 171 9998887\n";
        auto applied = runImport(*db, company, csv, true);
        QVERIFY2(applied, qPrintable(applied ? QString() : applied.error().describe()));
        QCOMPARE(applied->created, 3);
        QCOMPARE(applied->updated, 1);
        const QString sql = u"SELECT message_phone_e164 FROM customers WHERE phone_e164 = ?"_s;
        QCOMPARE(text(*db, sql, {u"+49305550001"_s}), u"+491711112223"_s);
        QCOMPARE(text(*db, sql, {u"+491714445556"_s}), u"+491714445556"_s);
        QCOMPARE(text(*db, sql, {u"+49305550003"_s}), QString());
        QVERIFY2(reasonOfLine(*applied, 4).contains(u"\"12\""_s), qPrintable(reasonOfLine(*applied, 4)));
        QCOMPARE(text(*db, u"SELECT message_phone_e164 FROM customers WHERE id = ?"_s, {*earlier}), u"+491719998887"_s);
        auto again = runImport(*db, company, csv, true);
        QVERIFY(again);
        QCOMPARE(again->unchanged, 4);
        // A new mobile number at the source comes in.
        QByteArray changed = csv;
        changed.replace("0171 1112223", "0171 1112224");
        auto third = runImport(*db, company, changed, true);
        QVERIFY(third);
        QCOMPARE(third->updated, 1);
        QCOMPARE(text(*db, sql, {u"+49305550001"_s}), u"+491711112224"_s);
    }

    // Undoing a run keeps what others hold on to: a new customer a call refers to or someone changed since,
    // and a changed customer that was changed again after the run.
    void undoKeepsWhatLaterWorkHoldsOnTo_data() { test::addEngineRows(); }
    void undoKeepsWhatLaterWorkHoldsOnTo()
    {
        ASKPRO_IMPORT_FIXTURE();
        CallStore calls(*db);
        auto earlier = calls.upsertCustomer(company, u"+49301111111"_s, QString(), QString(), u"de"_s);
        QVERIFY(earlier);
        auto applied = runImport(*db, company, "ID;Name;Telefon\nA;Anna;030 5550001\nB;Bert;030 5550002\nC;Cora;030 5550003\nD;Dora;030 1111111\n", true);
        QVERIFY(applied);
        QCOMPARE(applied->created, 3);
        QCOMPARE(applied->updated, 1);
        const qint64 anna = count(*db, u"SELECT id FROM customers WHERE phone_e164 = '+49305550001'"_s);
        const qint64 cora = count(*db, u"SELECT id FROM customers WHERE phone_e164 = '+49305550003'"_s);
        QVERIFY(db->exec(u"INSERT INTO calls (retell_call_id, company_id, customer_id, created_at, updated_at) VALUES ('call-undo', ?, ?, ?, ?)"_s,
                         {company, anna, nowMs(), nowMs()}));
        QVERIFY(db->exec(u"UPDATE customers SET name = 'Cora K.', updated_at = updated_at + 1 WHERE id = ?"_s, {cora}));
        QVERIFY(db->exec(u"UPDATE customers SET name = 'Dora D.', updated_at = updated_at + 1 WHERE id = ?"_s, {*earlier}));

        const Status undone = CustomerImport(*db).undo(applied->runId, u"undone by the test"_s);
        QVERIFY2(undone, qPrintable(undone ? QString() : undone.error().describe()));
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE phone_e164 = '+49305550002'"_s), 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE id = ?"_s, {anna}), 1);
        QCOMPARE(text(*db, u"SELECT name FROM customers WHERE id = ?"_s, {cora}), u"Cora K."_s);
        QCOMPARE(text(*db, u"SELECT name FROM customers WHERE id = ?"_s, {*earlier}), u"Dora D."_s);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_sources"_s), 0);
        const QString error = text(*db, u"SELECT error FROM import_runs WHERE id = ?"_s, {applied->runId});
        QVERIFY2(error.contains(u"undone by the test"_s) && error.contains(u"#%1"_s.arg(anna)) && error.contains(u"#%1"_s.arg(cora))
                     && error.contains(u"#%1"_s.arg(*earlier)),
                 qPrintable(error));
        // The kept customers are ordinary ones now: the next import links them by their number.
        auto again = runImport(*db, company, "ID;Name;Telefon\nA;Anna;030 5550001\n", true);
        QVERIFY(again);
        QCOMPARE(again->created, 0);
    }

    // An apply cut off by a stopped server never stays "applying": its job, run again, undoes the cut-off run
    // and applies the file; an upload whose job ended is marked failed with the reason and can be applied again.
    void aCutOffApplyIsResumedOrFailed_data() { test::addEngineRows(); }
    void aCutOffApplyIsResumedOrFailed()
    {
        ASKPRO_IMPORT_FIXTURE();
        const Actor actor = Actor::system(u"test"_s);
        ImportUploads uploads(*db);
        const auto cutOff = [&](qint64 upload, const QByteArray &csv) {
            // What a stopped server leaves: a run of the upload that wrote rows and never finished.
            auto run = runImport(*db, company, csv, true);
            QVERIFY(run);
            QVERIFY(db->exec(u"UPDATE import_runs SET state = 'applying' WHERE id = ?"_s, {run->runId}));
            // Its lease lapsed: the server is gone, and no progress renewed it since.
            QVERIFY(db->exec(u"UPDATE import_uploads SET state = 'applying', run_id = ?, updated_at = ? WHERE id = ?"_s,
                             {run->runId, nowMs() - ImportUploads::ApplyLeaseMs - 1, upload}));
        };
        auto first = uploads.create(actor, company, u"kunden.csv"_s, {});
        QVERIFY(first);
        QVERIFY(uploads.append(actor, *first, 0, "ID;Name;Telefon\nA;Anna;030 5550001\n"));
        auto job = uploads.requestApply(actor, *first);
        QVERIFY(job);
        cutOff(*first, "ID;Name;Telefon\nX;Halb;030 5550009\n");
        const JobOutcome resumed = uploads.runApplyJob(*job, text(*db, u"SELECT payload FROM jobs WHERE id = ?"_s, {*job}).toUtf8());
        QVERIFY2(resumed.kind == JobOutcome::Kind::Done, qPrintable(resumed.error.describe()));
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE phone_e164 = '+49305550009'"_s), 0);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE phone_e164 = '+49305550001'"_s), 1);
        QCOMPARE(uploads.find(actor, *first)->state, u"applied"_s);
        QVERIFY(text(*db, u"SELECT error FROM import_runs WHERE state = 'failed'"_s).contains(u"server stopped"_s));

        auto second = uploads.create(actor, company, u"kunden2.csv"_s, {});
        QVERIFY(second);
        QVERIFY(uploads.append(actor, *second, 0, "ID;Name;Telefon\nB;Bert;030 5550002\n"));
        auto secondJob = uploads.requestApply(actor, *second);
        QVERIFY(secondJob);
        cutOff(*second, "ID;Name;Telefon\nY;Halb;030 5550008\n");
        QCOMPARE(*uploads.failAbandoned(), 0); // its job still waits: it resumes the upload
        QVERIFY(db->exec(u"UPDATE jobs SET status = 'failed' WHERE id = ?"_s, {*secondJob}));
        QCOMPARE(*uploads.failAbandoned(), 1);
        auto failed = uploads.find(actor, *second);
        QCOMPARE(failed->state, u"failed"_s);
        QVERIFY2(failed->error.contains(u"Apply it again"_s), qPrintable(failed->error));
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE phone_e164 = '+49305550008'"_s), 0);
        auto again = uploads.requestApply(actor, *second);
        QVERIFY(again);
        QCOMPARE(uploads.runApplyJob(*again, text(*db, u"SELECT payload FROM jobs WHERE id = ?"_s, {*again}).toUtf8()).kind, JobOutcome::Kind::Done);
        QCOMPARE(uploads.find(actor, *second)->state, u"applied"_s);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE phone_e164 = '+49305550002'"_s), 1);
    }

    // Review of issue 19, 1: an apply holds its worker's thread for minutes, so it beats the worker's heartbeat
    // after every batch (the sweep then leaves the job with its worker), and it claims its upload in one
    // statement: a second attempt of the same job meanwhile finds nothing to take and does nothing, and a job
    // the upload does not name never applies it.
    void anApplyKeepsItsWorkerAliveAndRunsOnce_data() { test::addEngineRows(); }
    void anApplyKeepsItsWorkerAliveAndRunsOnce()
    {
        ASKPRO_IMPORT_FIXTURE();
        const Actor actor = Actor::system(u"test"_s);
        ImportUploads uploads(*db);
        QByteArray csv = "ID;Name;Telefon\n";
        for (int i = 0; i < 1200; ++i)
            csv += "K" + QByteArray::number(i) + ";Kunde " + QByteArray::number(i) + ";030 55" + QByteArray::number(10000 + i) + "\n";
        auto upload = uploads.create(actor, company, u"kunden.csv"_s, {});
        QVERIFY(upload);
        QVERIFY(uploads.append(actor, *upload, 0, csv));
        auto job = uploads.requestApply(actor, *upload);
        QVERIFY(job);
        // The job as a worker holds it, whose last heartbeat is older than the sweep allows.
        const QString worker = u"test-worker/0"_s;
        QVERIFY(db->exec(u"INSERT INTO workers (id, host, pid, started_at, heartbeat_at) VALUES (?, 'test', 1, ?, ?)"_s,
                         {worker, nowMs() - 60'000, nowMs() - 60'000}));
        auto claimed = JobQueue(*db).claim(worker);
        QVERIFY(claimed && claimed->has_value());
        QCOMPARE((*claimed)->id, *job);
        const QByteArray payload = (*claimed)->payload;
        auto other = JobQueue(*db).enqueue(QString::fromLatin1(ImportUploads::ApplyJobKind), payload, u"other-job"_s);
        QVERIFY(other && other->has_value());

        int beats = 0;
        std::optional<JobOutcome> second, stranger;
        qint64 customersBefore = -1, customersAfter = -1;
        const JobOutcome outcome = uploads.runApplyJob(*job, payload, [&] {
            ++beats;
            QVERIFY(JobQueue(*db).heartbeat(worker, 0));
            // In the middle of the apply: some batches written, more to come.
            if (!second && count(*db, u"SELECT COUNT(*) FROM customers"_s) > 0) {
                customersBefore = count(*db, u"SELECT COUNT(*) FROM customers"_s);
                second = uploads.runApplyJob(*job, payload);
                stranger = uploads.runApplyJob(**other, payload);
                customersAfter = count(*db, u"SELECT COUNT(*) FROM customers"_s);
            }
        });
        QVERIFY2(outcome.kind == JobOutcome::Kind::Done, qPrintable(outcome.error.describe()));
        QVERIFY2(beats >= 2, qPrintable(QString::number(beats)));
        QCOMPARE(*JobQueue(*db).requeueOrphaned(JobQueue::HeartbeatTimeoutMs), 0);
        QVERIFY(second && stranger);
        QCOMPARE(second->kind, JobOutcome::Kind::Retry);
        QVERIFY(!second->countsAsAttempt); // it only waited
        QCOMPARE(second->error.code, u"import.busy"_s);
        QCOMPARE(stranger->kind, JobOutcome::Kind::Done);
        QVERIFY(customersBefore > 0 && customersBefore < 1200);
        QCOMPARE(customersAfter, customersBefore);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_runs"_s), 1);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 1200);
        auto applied = uploads.find(actor, *upload);
        QCOMPARE(applied->state, u"applied"_s);
        QCOMPARE(applied->rowsDone, 1200);
        // The job that waited runs again and finds the work done.
        QCOMPARE(uploads.runApplyJob(*job, payload).kind, JobOutcome::Kind::Done);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_runs"_s), 1);
    }

    // Review of issue 19, 2: a failure that marked the upload failed ends the job for good (a read error is
    // transient by kind, yet the same file would fail again), and the account in the payload is read again
    // when the job runs: deactivated, or no longer allowed to import, it is refused with the reason on the
    // upload, and nothing is written.
    void aFinalFailureEndsTheJobAndTheAccountIsReadAgain_data() { test::addEngineRows(); }
    void aFinalFailureEndsTheJobAndTheAccountIsReadAgain()
    {
        ASKPRO_IMPORT_FIXTURE();
        auto userId = db->insert(u"INSERT INTO users (username, password_hash, role, active, created_at) VALUES ('olga', 'x', 'onboarding', 1, ?) "
                                 "RETURNING id"_s,
                                 {nowMs()});
        QVERIFY(userId);
        const Actor olga = Actor::user(*userId, u"olga"_s, Role::Onboarding);
        ImportUploads uploads(*db);
        const auto requested = [&](const QByteArray &csv) -> std::pair<qint64, qint64> {
            auto upload = uploads.create(olga, company, u"kunden.csv"_s, {});
            if (!upload || !uploads.append(olga, *upload, 0, csv))
                return {0, 0};
            auto job = uploads.requestApply(olga, *upload);
            return {*upload, job ? *job : 0};
        };
        const auto runJob = [&](qint64 job) {
            return uploads.runApplyJob(job, text(*db, u"SELECT payload FROM jobs WHERE id = ?"_s, {job}).toUtf8());
        };

        // A chunk lost from storage: a read error, transient by its kind.
        const auto [broken, brokenJob] = requested("ID;Name;Telefon\nA;Anna;030 5550001\n");
        QVERIFY(brokenJob > 0);
        QVERIFY(db->exec(u"DELETE FROM import_chunks WHERE upload_id = ?"_s, {broken}));
        const JobOutcome lost = runJob(brokenJob);
        QCOMPARE(lost.kind, JobOutcome::Kind::Failed);
        QCOMPARE(lost.error.code, u"import.read_error"_s);
        QCOMPARE(uploads.find(olga, broken)->state, u"failed"_s);

        const QString sql = u"UPDATE users SET active = ?, role = ? WHERE id = ?"_s;
        struct Case
        {
            int active;
            QString role;
            QString reason;
        };
        const QList<Case> refusals{{0, u"onboarding"_s, u"deactivated"_s}, {1, u"support"_s, u"no longer import"_s}};
        for (const Case &c : refusals) {
            QVERIFY(db->exec(sql, {1, u"onboarding"_s, *userId}));
            const auto [upload, job] = requested("ID;Name;Telefon\nB;Bert;030 5550002\n");
            QVERIFY(job > 0);
            QVERIFY(db->exec(sql, {c.active, c.role, *userId}));
            const JobOutcome refused = runJob(job);
            QCOMPARE(refused.kind, JobOutcome::Kind::Failed);
            auto failed = uploads.find(Actor::system(u"test"_s), upload);
            QCOMPARE(failed->state, u"failed"_s);
            QVERIFY2(failed->error.contains(c.reason), qPrintable(failed->error));
            QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 0);
            QCOMPARE(count(*db, u"SELECT COUNT(*) FROM import_runs"_s), 0);
        }
        // Still active and allowed: the same request goes through, with the account's name on the run.
        QVERIFY(db->exec(sql, {1, u"onboarding"_s, *userId}));
        const auto [fine, fineJob] = requested("ID;Name;Telefon\nC;Cora;030 5550003\n");
        QCOMPARE(runJob(fineJob).kind, JobOutcome::Kind::Done);
        QCOMPARE(uploads.find(olga, fine)->state, u"applied"_s);
        QCOMPARE(text(*db, u"SELECT actor FROM import_runs"_s), u"olga"_s);
    }

    // Review of issue 19, 7: the first look at a new file does not read it on the request thread: the upload
    // is "checking" while a job of the queue computes the dry run. A chunk that comes meanwhile makes the
    // check's answer stale (it is dropped); what is wrong with the file is the answer once checked.
    void theDryRunIsComputedByAJob_data() { test::addEngineRows(); }
    void theDryRunIsComputedByAJob()
    {
        ASKPRO_IMPORT_FIXTURE();
        const Actor actor = Actor::system(u"test"_s);
        ImportUploads uploads(*db);
        auto upload = uploads.create(actor, company, u"kunden.csv"_s, {});
        QVERIFY(upload);
        QVERIFY(uploads.append(actor, *upload, 0, "Name;Telefon\nA;030 5550001\n"));
        auto first = uploads.report(actor, *upload);
        QVERIFY(first);
        QVERIFY(first->isEmpty());
        QCOMPARE(uploads.find(actor, *upload)->state, u"checking"_s);
        const qint64 job = uploads.find(actor, *upload)->jobId;
        QCOMPARE(text(*db, u"SELECT kind FROM jobs WHERE id = ?"_s, {job}), QString::fromLatin1(ImportUploads::CheckJobKind));
        QVERIFY(uploads.report(actor, *upload)->isEmpty());
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM jobs"_s), 1); // one check per file, however often it is looked at
        // A chunk while it is checked: the upload is open again and the check's report of the shorter file is dropped.
        QVERIFY(uploads.append(actor, *upload, -1, "B;030 5550002\n"));
        QCOMPARE(uploads.find(actor, *upload)->state, u"open"_s);
        QCOMPARE(uploads.runCheckJob(job, text(*db, u"SELECT payload FROM jobs WHERE id = ?"_s, {job}).toUtf8()).kind, JobOutcome::Kind::Done);
        QVERIFY(text(*db, u"SELECT report_json FROM import_uploads WHERE id = ?"_s, {*upload}).isEmpty());
        auto report = checkedReport(*db, uploads, actor, *upload);
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->value(u"created"_s).toInt(), 2);
        QCOMPARE(uploads.find(actor, *upload)->state, u"open"_s);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 0);

        auto sheet = uploads.create(actor, company, u"kunden.xlsx"_s, {});
        QVERIFY(sheet);
        QVERIFY(uploads.append(actor, *sheet, 0, QByteArray("PK\x03\x04 sheet", 10)));
        auto refused = checkedReport(*db, uploads, actor, *sheet);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, u"import.spreadsheet"_s);
        QCOMPARE(uploads.report(actor, *sheet).error().code, u"import.spreadsheet"_s); // kept, not checked again
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM jobs WHERE kind = ?"_s, {QString::fromLatin1(ImportUploads::CheckJobKind)}), 3);
    }

    // The Import page corrects columns: a new mapping drops the report (and a check under way of the old one), the
    // next look checks again with it; a mapping the file does not fit is refused with the file's columns to choose
    // from; an upload taken by its apply keeps its mapping.
    void theMappingCanBeChangedUntilTheApply_data() { test::addEngineRows(); }
    void theMappingCanBeChangedUntilTheApply()
    {
        ASKPRO_IMPORT_FIXTURE();
        const Actor actor = Actor::system(u"test"_s);
        ImportUploads uploads(*db);
        auto upload = uploads.create(actor, company, u"liste.csv"_s, QJsonObject{{u"phone"_s, u"Rufnummer"_s}});
        QVERIFY(upload);
        QVERIFY(uploads.append(actor, *upload, 0, "Kunde;Tel. privat;Bemerkung\nAnna;030 5550001;Stammkundin\n"));
        auto refused = checkedReport(*db, uploads, actor, *upload);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, u"import.mapping_column"_s);
        QCOMPARE(ImportUploads::checkColumns(*uploads.find(actor, *upload)), (QStringList{u"Kunde"_s, u"Tel. privat"_s, u"Bemerkung"_s}));

        QCOMPARE(*uploads.setMapping(actor, *upload, QJsonObject{{u"phone"_s, u"Tel. privat"_s}, {u"name"_s, u"Kunde"_s}, {u"notes"_s, QJsonValue::Null}}),
                 u"open"_s);
        QVERIFY(ImportUploads::checkColumns(*uploads.find(actor, *upload)).isEmpty());
        // A check of the old mapping still running when the mapping changes: its report is not kept.
        QVERIFY(uploads.report(actor, *upload)->isEmpty());
        const qint64 staleJob = uploads.find(actor, *upload)->jobId;
        QVERIFY(uploads.setMapping(actor, *upload, QJsonObject{{u"phone"_s, u"Tel. privat"_s}, {u"name"_s, u"Kunde"_s}, {u"notes"_s, QJsonValue::Null}}));
        QCOMPARE(uploads.runCheckJob(staleJob, text(*db, u"SELECT payload FROM jobs WHERE id = ?"_s, {staleJob}).toUtf8()).kind, JobOutcome::Kind::Done);
        QVERIFY(text(*db, u"SELECT report_json FROM import_uploads WHERE id = ?"_s, {*upload}).isEmpty());
        auto report = checkedReport(*db, uploads, actor, *upload);
        QVERIFY2(report, qPrintable(report ? QString() : report.error().describe()));
        QCOMPARE(report->value(u"created"_s).toInt(), 1);
        QCOMPARE(report->value(u"columns"_s).toArray().size(), 3);
        QCOMPARE(report->value(u"mapping"_s).toObject(), (QJsonObject{{u"name"_s, u"Kunde"_s}, {u"phone"_s, u"Tel. privat"_s}}));

        auto job = uploads.requestApply(actor, *upload);
        QVERIFY(job);
        QCOMPARE(uploads.setMapping(actor, *upload, {}).error().code, u"import.closed"_s);
        QCOMPARE(uploads.runApplyJob(*job, text(*db, u"SELECT payload FROM jobs WHERE id = ?"_s, {*job}).toUtf8()).kind, JobOutcome::Kind::Done);
        QCOMPARE(uploads.setMapping(actor, *upload, {}).error().code, u"import.closed"_s);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers WHERE name = 'Anna' AND COALESCE(notes, '') = ''"_s), 1);
    }

    // The Import page's cancel: a queued apply ends before it starts; a running one stops after its batch with
    // its run undone; an applied one stays; an open upload has nothing to stop.
    void anApplyCanBeCancelled_data() { test::addEngineRows(); }
    void anApplyCanBeCancelled()
    {
        ASKPRO_IMPORT_FIXTURE();
        const Actor actor = Actor::system(u"test"_s);
        ImportUploads uploads(*db);
        QByteArray csv = "Name;Telefon\n";
        for (int i = 0; i < 1200; ++i) // three batches
            csv += "Kunde " + QByteArray::number(i) + ";030 55" + QByteArray::number(200000 + i) + "\n";
        const auto prepared = [&] {
            auto upload = uploads.create(actor, company, u"liste.csv"_s, {});
            if (!upload || !uploads.append(actor, *upload, 0, csv) || !checkedReport(*db, uploads, actor, *upload))
                qFatal("cannot prepare an upload");
            return *upload;
        };
        const auto payloadOf = [&](qint64 job) { return text(*db, u"SELECT payload FROM jobs WHERE id = ?"_s, {job}).toUtf8(); };

        const qint64 open = prepared();
        QCOMPARE(*uploads.requestCancel(actor, open), u"open"_s);

        const qint64 queued = prepared();
        auto job = uploads.requestApply(actor, queued);
        QVERIFY(job);
        QCOMPARE(*uploads.requestCancel(actor, queued), u"failed"_s);
        QVERIFY(uploads.find(actor, queued)->error.contains(u"Cancelled by"_s));
        QCOMPARE(uploads.runApplyJob(*job, payloadOf(*job)).kind, JobOutcome::Kind::Done); // finds it failed
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 0);

        const qint64 running = prepared();
        job = uploads.requestApply(actor, running);
        QVERIFY(job);
        int beats = 0;
        QString stateWhenAsked;
        const JobOutcome stopped = uploads.runApplyJob(*job, payloadOf(*job), [&] {
            if (++beats == 2) // the run has started and written its first batch
                stateWhenAsked = *uploads.requestCancel(actor, running);
        });
        QCOMPARE(stateWhenAsked, u"applying"_s);
        QCOMPARE(stopped.kind, JobOutcome::Kind::Done);
        const ImportUpload after = *uploads.find(actor, running);
        QCOMPARE(after.state, u"failed"_s);
        QVERIFY2(after.error.contains(u"Cancelled by"_s) && after.error.contains(u"undone"_s), qPrintable(after.error));
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 0);
        QCOMPARE(text(*db, u"SELECT state FROM import_runs ORDER BY id DESC LIMIT 1"_s), u"failed"_s);

        // Applied again after the cancel, it goes in whole; then there is nothing to stop.
        job = uploads.requestApply(actor, running);
        QVERIFY(job);
        QCOMPARE(uploads.runApplyJob(*job, payloadOf(*job)).kind, JobOutcome::Kind::Done);
        QCOMPARE(count(*db, u"SELECT COUNT(*) FROM customers"_s), 1200);
        QCOMPARE(uploads.requestCancel(actor, running).error().code, u"import.applied"_s);
    }

    // Review of issue 19, 4: the dry run says which numbers AskPro already holds; a reader who may not view
    // customers (onboarding) gets the counts and actions, not the customers nor their numbers.
    void theReportIsRedactedForReadersWhoMayNotViewCustomers_data() { test::addEngineRows(); }
    void theReportIsRedactedForReadersWhoMayNotViewCustomers()
    {
        ASKPRO_IMPORT_FIXTURE();
        CallStore calls(*db);
        auto known = calls.upsertCustomer(company, u"+49305550009"_s, u"Bekannt"_s, u"bekannt@example.de"_s, u"de"_s);
        QVERIFY(known);
        const Actor admin = Actor::system(u"test"_s);
        const Actor onboarding = Actor::user(0, u"o"_s, Role::Onboarding);
        QVERIFY(!onboarding.can(Permission::ViewCustomers));
        ImportUploads uploads(*db);
        auto upload = uploads.create(admin, company, u"kunden.csv"_s, {});
        QVERIFY(upload);
        QVERIFY(uploads.append(admin, *upload, 0, "Name;Telefon;E-Mail\nNeu;030 5550001;\nAnrufer;030 5550009;\nAndere;030 5550002;bekannt@example.de\n12;12;\n"));
        const auto rowsOf = [](const QJsonObject &report) {
            QHash<qint64, QJsonObject> rows;
            for (const QJsonValue &row : report.value(u"rows"_s).toArray())
                rows.insert(row.toObject().value(u"line"_s).toInteger(), row.toObject());
            return rows;
        };
        auto full = checkedReport(*db, uploads, admin, *upload);
        QVERIFY(full);
        auto rows = rowsOf(*full);
        QCOMPARE(rows.value(3).value(u"customer_id"_s).toInteger(), *known);
        QVERIFY(rows.value(4).value(u"reason"_s).toString().contains(u"+49305550009"_s));
        auto redacted = uploads.report(onboarding, *upload);
        QVERIFY(redacted);
        const QString body = QString::fromUtf8(QJsonDocument(*redacted).toJson());
        QVERIFY2(!body.contains(u"+49305550009"_s) && !body.contains(u"#%1"_s.arg(*known)), qPrintable(body));
        QCOMPARE(redacted->value(u"redacted"_s).toBool(), true);
        for (const QString &key : {u"created"_s, u"updated"_s, u"unchanged"_s, u"skipped"_s})
            QCOMPARE(redacted->value(key), full->value(key));
        rows = rowsOf(*redacted);
        QCOMPARE(rows.value(3).value(u"action"_s).toString(), u"unchanged"_s);
        QCOMPARE(rows.value(3).value(u"customer_id"_s).toInteger(), 0);
        QCOMPARE(rows.value(3).value(u"phone"_s).toString(), u"+49•••••••09"_s);
        QCOMPARE(rows.value(4).value(u"action"_s).toString(), u"skip"_s);
        // What is wrong with the file itself is still said: it names nothing of AskPro's.
        QCOMPARE(rows.value(2).value(u"action"_s).toString(), u"create"_s);
        QCOMPARE(rows.value(2).value(u"phone"_s).toString(), u"+49305550001"_s);
        QCOMPARE(rows.value(5).value(u"reason"_s), rowsOf(*full).value(5).value(u"reason"_s));
    }
};

QTEST_GUILESS_MAIN(TestCsvImport)
#include "test_csv_import.moc"
