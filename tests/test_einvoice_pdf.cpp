// E-invoice PDFs: InvoicePdf::render's output read back with libqpdf is a PDF/A-3b hybrid invoice (Factur-X /
// ZUGFeRD 2, profile EN 16931): factur-x.xml byte for byte, associated with the document, announced in the XMP.
#include "billing/einvoicexml.h"
#include "billing/invoicegenerator.h"
#include "core/clock.h"
#include "db/database.h"
#include "documents/invoicepdf.h"
#include "testdatabase.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QXmlStreamReader>

#include <qpdf/Buffer.hh>
#include <qpdf/Pl_Discard.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFEFStreamObjectHelper.hh>
#include <qpdf/QPDFEmbeddedFileDocumentHelper.hh>
#include <qpdf/QPDFFileSpecObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <memory>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

const QString fxNs = u"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"_s;
const QString pdfaidNs = u"http://www.aiim.org/pdfa/ns/id/"_s;
const QString pdfaSchemaNs = u"http://www.aiim.org/pdfa/ns/schema#"_s;
const QString pdfaPropertyNs = u"http://www.aiim.org/pdfa/ns/property#"_s;
const QString dcNs = u"http://purl.org/dc/elements/1.1/"_s;
const QString xmpNs = u"http://ns.adobe.com/xap/1.0/"_s;

qint64 berlin(int y, int m, int d)
{
    return QDateTime(QDate(y, m, d), QTime(10, 0), QTimeZone("Europe/Berlin")).toMSecsSinceEpoch();
}

// A company live since 2025 without usage: March 2026 is invoiced on April 1st with the base fee alone.
qint64 plantBaseFeeInvoice(Database &db, const QString &language)
{
    const qint64 now = nowMs();
    const qint64 company = *db.insert(u"INSERT INTO companies (name, address, vat_id, billing_email, default_language, live_since, created_at, "
                                      "updated_at) VALUES ('Praxis Dr. Weber', 'Hauptstraße 12\n80331 München', 'DE288888888', "
                                      "'buchhaltung@praxis-weber.de', ?, ?, ?, ?) RETURNING id"_s,
                                      {language, berlin(2025, 1, 1), now, now});
    auto report = InvoiceGenerator(db).generateMonth(QDate(2026, 3, 1), berlin(2026, 4, 1), company);
    return report && !report->invoiceIds.isEmpty() ? report->invoiceIds.first() : 0;
}

QByteArray bytesOf(const std::shared_ptr<Buffer> &buffer)
{
    return QByteArray(reinterpret_cast<const char *>(buffer->getBuffer()), qsizetype(buffer->getSize()));
}

// The XMP properties the test looks at: simple values by "namespace|name" (element or attribute form),
// the extension schemas' namespace URIs with their prefixes, and the property names each declares.
struct Xmp
{
    QHash<QString, QString> values;
    QHash<QString, QString> schemaPrefixes;      // namespaceURI -> prefix
    QHash<QString, QStringList> schemaProperties; // namespaceURI -> pdfaProperty:name values
    bool packetWrapper = false;
    QString error;

    [[nodiscard]] QString value(const QString &ns, const QString &name) const { return values.value(ns + u'|' + name); }
};

Xmp parseXmp(const QByteArray &packet)
{
    const QString rdf = u"http://www.w3.org/1999/02/22-rdf-syntax-ns#|"_s;
    const QString schemaItem = u"http://www.aiim.org/pdfa/ns/extension/|schemas/"_s + rdf + u"Bag/"_s + rdf + u"li"_s;
    Xmp xmp;
    QXmlStreamReader r(packet);
    QStringList path; // namespace|name of the open elements
    QString schemaUri, schemaPrefix;
    QStringList properties;
    while (!r.atEnd()) {
        switch (r.readNext()) {
        case QXmlStreamReader::ProcessingInstruction:
            xmp.packetWrapper = xmp.packetWrapper || r.processingInstructionTarget() == u"xpacket";
            break;
        case QXmlStreamReader::StartElement: {
            for (const QXmlStreamAttribute &a : r.attributes())
                xmp.values.insert(a.namespaceUri() + u'|' + a.name(), a.value().toString());
            const QString ns = r.namespaceUri().toString();
            const QString name = r.name().toString();
            if (ns == pdfaSchemaNs && name == u"namespaceURI")
                schemaUri = r.readElementText();
            else if (ns == pdfaSchemaNs && name == u"prefix")
                schemaPrefix = r.readElementText();
            else if (ns == pdfaPropertyNs && name == u"name")
                properties << r.readElementText();
            else if (ns == dcNs && name == u"title")
                xmp.values.insert(ns + u'|' + name, r.readElementText(QXmlStreamReader::IncludeChildElements).trimmed());
            else if (ns == pdfaidNs || ns == fxNs || ns == xmpNs)
                xmp.values.insert(ns + u'|' + name, r.readElementText());
            else
                path << ns + u'|' + name;
            break;
        }
        case QXmlStreamReader::EndElement:
            // A schema description is one rdf:li of the pdfaExtension:schemas bag.
            if (path.join(u'/').endsWith(schemaItem)) {
                xmp.schemaPrefixes.insert(schemaUri, schemaPrefix);
                xmp.schemaProperties.insert(schemaUri, properties);
                schemaUri.clear();
                schemaPrefix.clear();
                properties.clear();
            }
            if (!path.isEmpty())
                path.removeLast();
            break;
        default:
            break;
        }
    }
    if (r.hasError())
        xmp.error = r.errorString();
    return xmp;
}

// The font descriptor of a font dictionary (for Type0 fonts, the descendant's); null for Type3.
QPDFObjectHandle descriptorOf(QPDFObjectHandle font)
{
    if (font.getKey("/Subtype").isNameAndEquals("/Type0")) {
        QPDFObjectHandle descendants = font.getKey("/DescendantFonts");
        if (!descendants.isArray() || descendants.getArrayNItems() == 0)
            return QPDFObjectHandle::newNull();
        font = descendants.getArrayItem(0);
    }
    return font.getKey("/FontDescriptor");
}

QString pdfText(const QByteArray &pdf)
{
    QTemporaryDir dir;
    QFile file(dir.filePath(u"invoice.pdf"_s));
    if (!file.open(QIODevice::WriteOnly) || file.write(pdf) != pdf.size())
        return {};
    file.close();
    QProcess p;
    p.start(u"pdftotext"_s, {file.fileName(), u"-"_s});
    p.waitForFinished(20000);
    return QString::fromUtf8(p.readAllStandardOutput());
}

} // namespace

class TestEInvoicePdf final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hybridInvoice_data()
    {
        QTest::addColumn<bool>("creditNote");
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("typeCode");
        QTest::newRow("invoice de") << false << u"de"_s << u"380"_s;
        QTest::newRow("invoice en") << false << u"en"_s << u"380"_s;
        QTest::newRow("credit note de") << true << u"de"_s << u"381"_s;
    }
    void hybridInvoice()
    {
        QFETCH(bool, creditNote);
        QFETCH(QString, language);
        QFETCH(QString, typeCode);
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        qint64 id = plantBaseFeeInvoice(*db, language);
        QVERIFY(id > 0);
        if (creditNote) {
            auto credit = InvoiceGenerator(*db).createCreditNote(id, u"Doppelt berechnet"_s, Actor::system(u"test"_s), berlin(2026, 4, 3));
            QVERIFY2(credit, qPrintable(credit ? QString() : credit.error().describe()));
            id = *credit;
        }
        auto doc = InvoiceDocument::load(*db, id);
        QVERIFY(doc);
        QCOMPARE(doc->isCreditNote(), creditNote);
        auto xml = EInvoiceXml::write(*doc);
        QVERIFY(xml);
        auto rendered = InvoicePdf::render(*doc);
        QVERIFY2(rendered, qPrintable(rendered ? QString() : rendered.error().describe()));
        const QByteArray bytes = *rendered;
        if (const QString sample = qEnvironmentVariable("ASKPRO_EINVOICE_SAMPLE"); !sample.isEmpty() && !creditNote && language == u"de") {
            QFile out(sample);
            QVERIFY(out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size());
        }

        // Header: PDF/A-3 is based on PDF 1.7 (QPdfWriter alone writes 1.4).
        QVERIFY2(bytes.startsWith("%PDF-1.7"), bytes.left(8).constData());
        QPDF pdf;
        pdf.setSuppressWarnings(true);
        pdf.processMemoryFile("rendered.pdf", bytes.constData(), size_t(bytes.size()));
        QCOMPARE(pdf.getPDFVersion(), std::string("1.7"));
        QVERIFY2(!pdf.anyWarnings(), "qpdf had to recover the file");
        // Every object and stream decodes (what qpdf --check does, written to nowhere).
        {
            Pl_Discard discard;
            QPDFWriter check(pdf);
            check.setOutputPipeline(&discard);
            check.setDecodeLevel(qpdf_dl_generalized);
            check.write();
            QVERIFY2(!pdf.anyWarnings(), "qpdf warned while decoding the streams");
        }
        QPDFObjectHandle root = pdf.getRoot();

        // factur-x.xml in the EmbeddedFiles tree, the very bytes EInvoiceXml writes, as text/xml with dates.
        QPDFEmbeddedFileDocumentHelper attachments(pdf);
        QVERIFY(attachments.hasEmbeddedFiles());
        QCOMPARE(attachments.getEmbeddedFiles().size(), size_t(1));
        const auto spec = attachments.getEmbeddedFile("factur-x.xml");
        QVERIFY2(spec, "no embedded file named factur-x.xml");
        QCOMPARE(spec->getFilename(), std::string("factur-x.xml"));
        QCOMPARE(spec->getFilenames().at("/UF"), std::string("factur-x.xml"));
        QVERIFY(!spec->getDescription().empty());
        QPDFEFStreamObjectHelper stream(spec->getEmbeddedFileStream());
        QVERIFY(stream.getObjectHandle().isStream());
        const QByteArray embedded = bytesOf(stream.getObjectHandle().getStreamData(qpdf_dl_generalized));
        QCOMPARE(embedded, *xml);
        QCOMPARE(stream.getSubtype(), std::string("text/xml"));
        QCOMPARE(stream.getSize(), size_t(xml->size()));
        QVERIFY(stream.getModDate().rfind("D:", 0) == 0 && stream.getCreationDate().rfind("D:", 0) == 0); // C++17: no starts_with
        QVERIFY2(embedded.contains(QByteArray("<ram:TypeCode>" + typeCode.toLatin1() + "</ram:TypeCode>")), embedded.constData());
        QVERIFY(embedded.contains(doc->number.toUtf8()));

        // Associated with the document: /AFRelationship /Alternative and listed in the catalog's /AF.
        QPDFObjectHandle specObject = spec->getObjectHandle();
        QVERIFY(specObject.isIndirect());
        QVERIFY(specObject.getKey("/AFRelationship").isNameAndEquals("/Alternative"));
        QPDFObjectHandle associated = root.getKey("/AF");
        QVERIFY(associated.isArray());
        bool listed = false;
        for (int i = 0; i < associated.getArrayNItems(); ++i)
            listed = listed || associated.getArrayItem(i).getObjGen() == specObject.getObjGen();
        QVERIFY2(listed, "the catalog's /AF does not hold the file specification of factur-x.xml");

        // XMP: PDF/A-3 conformance B, the Factur-X properties and the extension schema that declares them;
        // Qt's title, creator tool and dates kept. The stream stays unfiltered as PDF/A asks.
        QPDFObjectHandle metadata = root.getKey("/Metadata");
        QVERIFY(metadata.isStream());
        QVERIFY(metadata.getDict().getKey("/Subtype").isNameAndEquals("/XML"));
        QVERIFY(!metadata.getDict().hasKey("/Filter"));
        const QByteArray packet = bytesOf(metadata.getRawStreamData());
        const Xmp xmp = parseXmp(packet);
        QVERIFY2(xmp.error.isEmpty(), qPrintable(xmp.error + u"\n"_s + QString::fromUtf8(packet)));
        QVERIFY(xmp.packetWrapper);
        QCOMPARE(xmp.value(pdfaidNs, u"part"_s), u"3"_s);
        QCOMPARE(xmp.value(pdfaidNs, u"conformance"_s), u"B"_s);
        QCOMPARE(xmp.value(fxNs, u"DocumentType"_s), u"INVOICE"_s);
        QCOMPARE(xmp.value(fxNs, u"DocumentFileName"_s), u"factur-x.xml"_s);
        QCOMPARE(xmp.value(fxNs, u"Version"_s), u"1.0"_s);
        QCOMPARE(xmp.value(fxNs, u"ConformanceLevel"_s), u"EN 16931"_s);
        QVERIFY2(xmp.schemaPrefixes.contains(fxNs), qPrintable(QString::fromUtf8(packet)));
        QCOMPARE(xmp.schemaPrefixes.value(fxNs), u"fx"_s);
        QStringList declared = xmp.schemaProperties.value(fxNs);
        declared.sort();
        QCOMPARE(declared, (QStringList{u"ConformanceLevel"_s, u"DocumentFileName"_s, u"DocumentType"_s, u"Version"_s}));
        QCOMPARE(xmp.value(dcNs, u"title"_s), doc->number);
        QCOMPARE(xmp.value(xmpNs, u"CreatorTool"_s), u"AskPro Admin"_s);
        QVERIFY(!xmp.value(xmpNs, u"CreateDate"_s).isEmpty());

        // The document information dictionary names the invoice, in step with dc:title.
        QPDFObjectHandle info = pdf.getTrailer().getKey("/Info");
        QVERIFY(info.isDictionary());
        QCOMPARE(QString::fromStdString(info.getKey("/Title").getUTF8Value()), doc->number);
        QVERIFY(pdf.getTrailer().getKey("/ID").isArray());

        // Every font is embedded: each descriptor holds a font program.
        int fonts = 0;
        for (QPDFObjectHandle &object : pdf.getAllObjects()) {
            if (!object.isDictionary() || !object.getKey("/Type").isNameAndEquals("/Font"))
                continue;
            QPDFObjectHandle subtype = object.getKey("/Subtype");
            if (subtype.isNameAndEquals("/CIDFontType0") || subtype.isNameAndEquals("/CIDFontType2"))
                continue; // descendants, checked through their Type0 parent
            QVERIFY2(!subtype.isNameAndEquals("/Type3"), "Type3 font in the invoice");
            QPDFObjectHandle descriptor = descriptorOf(object);
            QVERIFY2(descriptor.isDictionary(), object.unparse().c_str());
            QVERIFY2(descriptor.getKey("/FontFile2").isStream() || descriptor.getKey("/FontFile").isStream()
                         || descriptor.getKey("/FontFile3").isStream(),
                     descriptor.unparse().c_str());
            ++fonts;
        }
        QVERIFY(fonts > 0);

        // An output intent with an ICC profile (RGB, "acsp" signature at byte 36).
        QPDFObjectHandle intents = root.getKey("/OutputIntents");
        QVERIFY(intents.isArray() && intents.getArrayNItems() > 0);
        QPDFObjectHandle intent = intents.getArrayItem(0);
        QVERIFY(intent.getKey("/S").isNameAndEquals("/GTS_PDFA1"));
        QPDFObjectHandle profile = intent.getKey("/DestOutputProfile");
        QVERIFY(profile.isStream());
        QCOMPARE(profile.getDict().getKey("/N").getIntValue(), 3LL);
        const QByteArray icc = bytesOf(profile.getStreamData(qpdf_dl_generalized));
        QVERIFY(icc.size() > 128);
        QCOMPARE(icc.mid(36, 4), QByteArray("acsp"));

        // The invoice number is on the page (pdftotext from poppler-utils, which scripts/install-deps.sh installs).
        ASKPRO_REQUIRE(!QStandardPaths::findExecutable(u"pdftotext"_s).isEmpty(),
                       "pdftotext (poppler-utils; scripts/install-deps.sh installs it)");
        const QString text = pdfText(bytes);
        QVERIFY2(text.contains(doc->number), qPrintable(text));
    }

    void draftHasNoPdf()
    {
        InvoiceDocument draft;
        auto pdf = InvoicePdf::render(draft);
        QVERIFY(!pdf);
        QCOMPARE(pdf.error().kind, ErrorKind::Invalid);
    }
};

QTEST_MAIN(TestEInvoicePdf)
#include "test_einvoice_pdf.moc"
