// Phone numbers to E.164: the forms German callers and staff actually type.
#include "domain/phonenumbers.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

class TestPhoneNumbers final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void toE164_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected"); // empty: refused
        QTest::newRow("national with space") << u"030 1234567"_s << u"+49301234567"_s;
        QTest::newRow("international, trunk in brackets") << u"+49 (0)30 1234567"_s << u"+49301234567"_s;
        QTest::newRow("international plain") << u"+49301234567"_s << u"+49301234567"_s;
        QTest::newRow("00 prefix") << u"0049 30 1234567"_s << u"+49301234567"_s;
        QTest::newRow("dashes and slash") << u"030/123-45-67"_s << u"+49301234567"_s;
        QTest::newRow("mobile") << u"0170 1234567"_s << u"+491701234567"_s;
        QTest::newRow("Austria") << u"+43 1 5123456"_s << u"+4315123456"_s;
        QTest::newRow("surrounding blanks") << u"  030 1234567 "_s << u"+49301234567"_s;
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("letters") << u"call me"_s << QString();
        QTest::newRow("too short") << u"123"_s << QString();
        QTest::newRow("absurdly long") << QString(200, u'9') << QString();
    }
    void toE164()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const auto result = PhoneNumbers::toE164(input);
        QCOMPARE(result.ok(), !expected.isEmpty());
        if (result.ok())
            QCOMPARE(*result, expected);
        else
            QCOMPARE(result.error().kind, ErrorKind::Invalid);
    }
    void display()
    {
        QCOMPARE(PhoneNumbers::display(u"+49301234567"_s), u"+49 30 1234567"_s);
    }
};

QTEST_GUILESS_MAIN(TestPhoneNumbers)
#include "test_phone_numbers.moc"
