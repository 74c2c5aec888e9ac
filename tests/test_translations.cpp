// Tests for the language choice and the embedded catalogues: German strings and plurals from :/i18n, English plural
// forms, Qt's own German, money and dates in the chosen locale, and call timeline codes worded in German.
#include "core/languageloader.h"
#include "displayformat.h"
#include "flow/timeline.h"
#include "requirement.h"
#include "timelinetext.h"

#include <QDate>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLibraryInfo>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using askpro::LanguageLoader;

class TestTranslations final : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void choose_data();
    void choose();
    void languageOption_data();
    void languageOption();
    void germanStrings_data();
    void germanStrings();
    void germanPlurals();
    void englishPlurals();
    void qtOwnGerman();
    void germanLocaleFormats();
    void regionalLocaleKept();
    void money_data();
    void money();
    void timelineCodes();
    void timelineGerman_data();
    void timelineGerman();
};

void TestTranslations::cleanup()
{
    QLocale::setDefault(QLocale::c());
}

void TestTranslations::choose_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QString>("saved");
    QTest::addColumn<QString>("system");
    QTest::addColumn<QString>("expected");
    QTest::newRow("system German") << QString() << QString() << u"de_DE"_s << u"de"_s;
    QTest::newRow("system Austrian") << QString() << QString() << u"de_AT"_s << u"de"_s;
    QTest::newRow("system English") << QString() << QString() << u"en_GB"_s << u"en"_s;
    QTest::newRow("system French falls back to English") << QString() << QString() << u"fr_FR"_s << u"en"_s;
    QTest::newRow("system C") << QString() << QString() << u"C"_s << u"en"_s;
    QTest::newRow("saved beats system") << QString() << u"en"_s << u"de_DE"_s << u"en"_s;
    QTest::newRow("option beats saved") << u"de"_s << u"en"_s << u"en_US"_s << u"de"_s;
    QTest::newRow("option with region") << u"de_CH"_s << QString() << u"en_US"_s << u"de"_s;
    QTest::newRow("unsupported option ignored") << u"fr"_s << QString() << u"de_DE"_s << u"de"_s;
    QTest::newRow("unsupported saved ignored") << QString() << u"xx"_s << u"en_US"_s << u"en"_s;
}

void TestTranslations::choose()
{
    QFETCH(QString, requested);
    QFETCH(QString, saved);
    QFETCH(QString, system);
    QFETCH(QString, expected);
    QCOMPARE(LanguageLoader::choose(requested, saved, QLocale(system)), expected);
}

void TestTranslations::languageOption_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("language");
    QTest::addColumn<QStringList>("rest");
    QTest::newRow("absent") << QStringList{u"serve"_s, u"--db"_s, u"sqlite:x"_s} << QString()
                            << QStringList{u"serve"_s, u"--db"_s, u"sqlite:x"_s};
    QTest::newRow("separate value") << QStringList{u"--language"_s, u"de"_s, u"health"_s} << u"de"_s << QStringList{u"health"_s};
    QTest::newRow("after the command") << QStringList{u"health"_s, u"--language=en"_s, u"--dry-run"_s} << u"en"_s
                                       << QStringList{u"health"_s, u"--dry-run"_s};
    QTest::newRow("after --") << QStringList{u"x"_s, u"--"_s, u"--language"_s, u"de"_s} << QString()
                              << QStringList{u"x"_s, u"--"_s, u"--language"_s, u"de"_s};
}

void TestTranslations::languageOption()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, language);
    QFETCH(QStringList, rest);
    QCOMPARE(LanguageLoader::fromArguments(arguments), language);
    QCOMPARE(LanguageLoader::withoutLanguageOption(arguments), rest);
}

void TestTranslations::germanStrings_data()
{
    QTest::addColumn<QByteArray>("context");
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QString>("german");
    QTest::newRow("page") << "askpro::MainWindow"_ba << "Failed calls"_ba << u"Fehlgeschlagene Anrufe"_s;
    QTest::newRow("inbox") << "askpro::MainWindow"_ba << "Webhook inbox"_ba << u"Webhook-Eingang"_s;
    QTest::newRow("menu shortcut") << "askpro::MainWindow"_ba << "&File"_ba << u"&Datei"_s;
    QTest::newRow("label") << "Labels"_ba << "Needs callback"_ba << u"Rückruf nötig"_s;
    QTest::newRow("placeholder") << "askpro::MainWindow"_ba << "New business: %1"_ba << u"Neues Unternehmen: %1"_s;
    QTest::newRow("plain class") << "ServerCommands"_ba << "Retell API base URL."_ba << u"Basis-URL der Retell-API."_s;
}

void TestTranslations::germanStrings()
{
    QFETCH(QByteArray, context);
    QFETCH(QByteArray, source);
    QFETCH(QString, german);
    LanguageLoader loader;
    QVERIFY2(loader.install(u"de"_s, QLocale(QLocale::German, QLocale::Germany)), "the German catalogue is not embedded under :/i18n");
    QCOMPARE(QCoreApplication::translate(context.constData(), source.constData()), german);
}

void TestTranslations::germanPlurals()
{
    LanguageLoader loader;
    QVERIFY(loader.install(u"de"_s, QLocale(QLocale::German, QLocale::Germany)));
    const char *source = "%n call(s)";
    QCOMPARE(QCoreApplication::translate("askpro::TriageModel", source, nullptr, 1), u"1 Anruf"_s);
    QCOMPARE(QCoreApplication::translate("askpro::TriageModel", source, nullptr, 3), u"3 Anrufe"_s);
}

void TestTranslations::englishPlurals()
{
    {
        LanguageLoader loader;
        QVERIFY(loader.install(u"en"_s, QLocale(QLocale::English, QLocale::UnitedStates)));
        const char *source = "%n call(s) need support";
        QCOMPARE(QCoreApplication::translate("askpro::FailedCallsPage", source, nullptr, 1), u"1 call needs support"_s);
        QCOMPARE(QCoreApplication::translate("askpro::FailedCallsPage", source, nullptr, 2), u"2 calls need support"_s);
        // English has no catalogue of ordinary strings: the source is the text.
        QCOMPARE(QCoreApplication::translate("askpro::MainWindow", "Failed calls"), u"Failed calls"_s);
    }
    // The loader removes its translators when it goes.
    QCOMPARE(QCoreApplication::translate("askpro::FailedCallsPage", "%n call(s) need support", nullptr, 1), u"1 call(s) need support"_s);
}

void TestTranslations::qtOwnGerman()
{
    ASKPRO_REQUIRE(QFile::exists(QLibraryInfo::path(QLibraryInfo::TranslationsPath) + u"/qtbase_de.qm"_s),
                   "Qt's German catalogue qtbase_de.qm (qt6-translations-l10n)");
    LanguageLoader loader;
    QVERIFY(loader.install(u"de"_s, QLocale(QLocale::German, QLocale::Germany)));
    QCOMPARE(QCoreApplication::translate("QCommandLineParser", "Displays version information."), u"Zeigt Versionsinformation an."_s);
}

void TestTranslations::germanLocaleFormats()
{
    LanguageLoader loader;
    // An English system with German chosen: QLocale's default follows the choice.
    QVERIFY(loader.install(u"de"_s, QLocale(QLocale::English, QLocale::UnitedStates)));
    QCOMPARE(QLocale().language(), QLocale::German);
    QCOMPARE(QLocale().toString(QDate(2026, 3, 5), QLocale::ShortFormat), u"05.03.26"_s);
    QCOMPARE(QLocale().toString(1234567), u"1.234.567"_s);
    QCOMPARE(QLocale().toString(QDate(2026, 3, 5), QCoreApplication::translate("askpro::WeekCalendar", "d MMM", "QDate format of the day headers")),
             u"5. März"_s);
    QCOMPARE(askpro::DisplayFormat::money(123456), u"1.234,56\u00a0€"_s);
}

void TestTranslations::regionalLocaleKept()
{
    LanguageLoader loader;
    QVERIFY(loader.install(u"de"_s, QLocale(QLocale::German, QLocale::Switzerland)));
    QCOMPARE(QLocale().territory(), QLocale::Switzerland);
    QVERIFY(loader.install(u"en"_s, QLocale(QLocale::German, QLocale::Germany)));
    QCOMPARE(QLocale().language(), QLocale::English);
}

void TestTranslations::money_data()
{
    QTest::addColumn<QString>("locale");
    QTest::addColumn<qint64>("cents");
    QTest::addColumn<QString>("expected");
    QTest::newRow("de thousands") << u"de_DE"_s << qint64(123456) << u"1.234,56\u00a0€"_s;
    QTest::newRow("de cents only") << u"de_DE"_s << qint64(5) << u"0,05\u00a0€"_s;
    QTest::newRow("de negative") << u"de_DE"_s << qint64(-1999) << u"-19,99\u00a0€"_s;
    QTest::newRow("de millions") << u"de_DE"_s << qint64(123456789) << u"1.234.567,89\u00a0€"_s;
    QTest::newRow("en") << u"en_US"_s << qint64(123456) << u"€1,234.56"_s;
}

void TestTranslations::money()
{
    QFETCH(QString, locale);
    QFETCH(qint64, cents);
    QFETCH(QString, expected);
    QCOMPARE(askpro::DisplayFormat::money(cents, QLocale(locale)), expected);
}

void TestTranslations::timelineCodes()
{
    // Every code has its own name and is found again by it: the name is what the rows keep.
    QSet<QString> names;
    for (int i = 0; i <= int(askpro::lastTimelineCode); ++i) {
        const auto code = askpro::TimelineCode(i);
        const QString name = askpro::timelineCodeName(code);
        QVERIFY2(!name.isEmpty() && !names.contains(name), qPrintable(name));
        names.insert(name);
        QCOMPARE(askpro::timelineCodeFromName(name), std::optional<askpro::TimelineCode>(code));
    }
    QCOMPARE(askpro::timelineCodeFromName(u"no.such_code"_s), std::nullopt);
    QCOMPARE(askpro::timelineCodeFromName(QString()), std::nullopt);
}

void TestTranslations::timelineGerman_data()
{
    using namespace askpro;
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("args");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("german");
    const auto row = [](const char *name, const TimelineEntry &e, const QString &german) {
        QTest::newRow(name) << e.codeName() << e.argsText() << e.message << german;
    };
    const QTimeZone berlin(QByteArrayLiteral("Europe/Berlin"));
    // 13:30 UTC is 14:30 in Berlin in March: the client shows the branch's time, not UTC.
    const QDateTime start(QDate(2026, 3, 5), QTime(13, 30), QTimeZone::utc());
    const Error unavailable{ErrorKind::Transient, u"Cal.com.unavailable"_s, u"Cal.com is failing (HTTP 503)"_s,
                            u"Service Unavailable"_s, 503};
    row("event received", timeline::eventReceived(u"call_analyzed"_s), u"Retell-Ereignis call_analyzed empfangen"_s);
    row("request", timeline::requestReceived(u"Beratung"_s, QDate(2026, 3, 5), QTime(14, 30)),
        u"Termin gewünscht: Beratung am 05.03.26 um 14:30"_s);
    row("request without service", timeline::requestReceived(QString(), QDate(2026, 3, 5), QTime(9, 0)),
        u"Termin gewünscht: (keine Leistung genannt) am 05.03.26 um 09:00"_s);
    row("one free slot", timeline::slotsFetched(1), u"Verfügbarkeit von Cal.com abgerufen: 1 freies Zeitfenster"_s);
    row("free slots", timeline::slotsFetched(12), u"Verfügbarkeit von Cal.com abgerufen: 12 freie Zeitfenster"_s);
    row("booked", timeline::calcomBooked(start, u"bk_1"_s, berlin), u"In Cal.com gebucht für 05.03.26 14:30 (UID bk_1)"_s);
    row("provider error", timeline::retry(unavailable),
        u"Neuer Versuch folgt: Cal.com antwortet mit Fehlern (HTTP 503) (Service Unavailable)"_s);
    row("other error", timeline::failed({ErrorKind::Internal, u"db.error"_s, u"Saving failed"_s, QString(), 0}), u"Saving failed"_s);
    row("refused", timeline::calcomRefused(start, {ErrorKind::Rejected, u"Cal.com.rejected"_s, u"x"_s, QString(), 409}, berlin),
        u"Cal.com hat 05.03.26 14:30 abgelehnt: Cal.com hat die Anfrage abgelehnt (HTTP 409)"_s);
    row("callback", timeline::needsCallback(TimelineCode::SlotTaken, {start, start.addSecs(5400)}, berlin),
        u"Rückruf nötig: Das Zeitfenster wurde vergeben, bevor es gebucht werden konnte. Stattdessen frei: 05.03.26 14:30 und 05.03.26 16:00"_s);
    row("callback without alternatives", timeline::needsCallback(TimelineCode::NoTimeNamed, {}, berlin),
        u"Rückruf nötig: Der Anrufer hat weder Datum noch Uhrzeit genannt"_s);
    row("unknown branch", timeline::branchNotFound(QString()), u"Die angerufene Nummer (keine) gehört zu keiner aktiven Filiale"_s);
    row("resolved", timeline::supportResolved(u"sven"_s, u"Kunde zurückgerufen"_s), u"Als erledigt markiert von sven: Kunde zurückgerufen"_s);
    row("sms sent", timeline::smsSent(u"+491701234567"_s), u"Bestätigungs-SMS an +49170\u2022\u2022\u202267 gesendet"_s);
    row("sms delivered", timeline::smsDelivered(u"+491701234567"_s), u"Bestätigungs-SMS an +49170\u2022\u2022\u202267 zugestellt"_s);
    row("e-mail instead", timeline::emailInstead(u"jana@example.org"_s),
        u"Die SMS konnte nicht zugestellt werden: Bestätigungs-E-Mail an jana@example.org stattdessen eingereiht"_s);
    row("resent", timeline::supportResent(u"sabine"_s, u"sms"_s), u"SMS erneut gesendet von sabine"_s);
    row("sms undelivered",
        timeline::smsFailed(u"+491701234567"_s, {ErrorKind::Rejected, u"Twilio.undelivered"_s, u"x"_s, u"30003"_s, 0}, true),
        u"Bestätigungs-SMS an +49170\u2022\u2022\u202267 fehlgeschlagen: Twilio konnte sie nicht auf das Telefon zustellen (30003)"_s);
    row("sms refused",
        timeline::smsFailed(u"+491701234567"_s, {ErrorKind::Rejected, u"Twilio.rejected"_s, u"x"_s, u"21610 Attempt to send to unsubscribed recipient"_s, 400}, true),
        u"Bestätigungs-SMS an +49170\u2022\u2022\u202267 fehlgeschlagen: Twilio hat die Anfrage abgelehnt (HTTP 400) (21610 Attempt to send to unsubscribed recipient)"_s);
    // Rows written before codes, and codes of a newer server, show what they stored.
    QTest::newRow("before codes") << QString() << QString() << u"Booked at Cal.com"_s << u"Booked at Cal.com"_s;
    QTest::newRow("unknown code") << u"future.entry"_s << u"{}"_s << u"Something new"_s << u"Something new"_s;
}

void TestTranslations::timelineGerman()
{
    QFETCH(QString, code);
    QFETCH(QString, args);
    QFETCH(QString, message);
    QFETCH(QString, german);
    LanguageLoader loader;
    QVERIFY(loader.install(u"de"_s, QLocale(QLocale::German, QLocale::Germany)));
    QCOMPARE(askpro::TimelineText::text(code, QJsonDocument::fromJson(args.toUtf8()).object(), message, QTimeZone(QByteArrayLiteral("Europe/Berlin"))),
             german);
}

QTEST_GUILESS_MAIN(TestTranslations)

#include "test_translations.moc"
