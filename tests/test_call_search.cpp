// The call browser's text search over the substring indexes (migration 0020): whichever way a search is
// answered (candidates one by one, looked up while the time index is walked, or windows in sort order), it
// finds exactly the calls whose transcript, customer name or other party's number contains the text, and the
// indexes follow every insert, edit and delete. Both engines.
#include "core/clock.h"
#include "queries/callquery.h"
#include "testdatabase.h"

#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

struct PlantedCall
{
    qint64 id = 0;
    qint64 companyId = 0;
    QString transcript;
    QString customer;
    QString otherNumber;
};

// Every call whose transcript, customer name or (numbers) other party's number contains text, as the browser
// defines a match; ASCII only, where SQLite's lower() and Qt's agree.
QSet<qint64> expectedMatches(const QList<PlantedCall> &calls, const QString &text, qint64 company = 0, bool numbers = true)
{
    QSet<qint64> ids;
    for (const PlantedCall &c : calls) {
        if (company > 0 && c.companyId != company)
            continue;
        if (c.transcript.contains(text, Qt::CaseInsensitive) || c.customer.contains(text, Qt::CaseInsensitive)
            || (numbers && c.otherNumber.contains(text)))
            ids.insert(c.id);
    }
    return ids;
}

// Reads a search to its end, page by page as the API's client does; the ids in the order given.
QList<qint64> readAll(Database &db, const CallFilter &filter, int sortColumn, Qt::SortOrder order, int scanLimit)
{
    QList<qint64> ids;
    std::optional<CallCursor> after;
    for (int request = 0; request < 1000; ++request) {
        auto page = CallQuery::page(db, filter, sortColumn, order, after, 7, scanLimit);
        if (!page)
            qFatal("%s", qPrintable(page.error().describe()));
        for (const QVariantList &row : std::as_const(page->rows))
            ids.append(row.at(CallQuery::Id).toLongLong());
        if (!page->next)
            return ids;
        after = page->next;
    }
    qFatal("the search did not end");
}

} // namespace

class TestCallSearch : public QObject
{
    Q_OBJECT

    std::shared_ptr<Database> m_db;
    QList<PlantedCall> m_calls;
    qint64 m_companyA = 0;
    qint64 m_companyB = 0;

    // 200 calls, a minute apart: "Termin" in every transcript, "Wurzelbehandlung" in every seventh, four
    // customers named Zimmermann, one caller's number holding 00012345, a transcript with % and a quote.
    void plant(const QString &engine)
    {
        m_db = test::freshDatabase(engine);
        QVERIFY(m_db);
        m_calls.clear();
        std::tie(m_companyA, std::ignore) = test::plantCompanyAndBranch(*m_db, u"+4930111111"_s);
        std::tie(m_companyB, std::ignore) = test::plantCompanyAndBranch(*m_db, u"+4930222222"_s);
        const qint64 now = nowMs();
        QList<qint64> customers;
        QStringList names;
        QVERIFY(m_db->begin().ok());
        for (int i = 0; i < 20; ++i) {
            const QString name = i < 4 ? u"Anna Zimmermann %1"_s.arg(i) : u"Kunde %1"_s.arg(i);
            auto id = m_db->insert(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) "
                                   "VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
                                   {i % 2 ? m_companyB : m_companyA, u"+4917000000%1"_s.arg(i, 2, 10, QLatin1Char('0')), name, now, now});
            QVERIFY(id);
            customers.append(*id);
            names.append(name);
        }
        for (int i = 0; i < 200; ++i) {
            PlantedCall c;
            c.companyId = i % 2 ? m_companyB : m_companyA;
            c.transcript = u"Agent: Praxis Sonnenschein\nUser: Einen Termin bitte"_s;
            if (i % 7 == 0)
                c.transcript += u", es geht um eine Wurzelbehandlung"_s;
            if (i == 150)
                c.transcript += u" mit 50% \"Rabatt\""_s;
            const bool outbound = i % 10 == 9; // the other party is then the number called
            c.otherNumber = i == 42 ? u"+4915100012345"_s : u"+4917612%1"_s.arg(i, 5, 10, QLatin1Char('0'));
            const int customer = i % 20;
            c.customer = names.at(customer);
            const qint64 startedAt = now - qint64(i) * 60000;
            auto id = m_db->insert(u"INSERT INTO calls (retell_call_id, company_id, customer_id, direction, from_number, to_number, "
                                   "started_at, duration_ms, outcome, transcript, created_at, updated_at) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'no_request', ?, ?, ?) RETURNING id"_s,
                                   {u"call_search_%1"_s.arg(i), c.companyId, customers.at(customer),
                                    outbound ? u"outbound"_s : u"inbound"_s, outbound ? u"+4930111111"_s : c.otherNumber,
                                    outbound ? c.otherNumber : u"+4930111111"_s, startedAt, qint64((i * 37) % 500) * 1000, c.transcript,
                                    startedAt, startedAt});
            QVERIFY(id);
            c.id = *id;
            m_calls.append(c);
        }
        QVERIFY(m_db->commit().ok());
    }

private Q_SLOTS:
    void everyWayFindsExactlyTheMatches_data() { test::addEngineRows(); }
    void everyWayFindsExactlyTheMatches()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        plant(engine);
        if (QTest::currentTestFailed())
            return;
        const QStringList texts = {u"termin"_s,    u"Wurzelbehandlung"_s, u"zimmermann"_s, u"00012345"_s, u"quittenmus"_s,
                                   u"te"_s,        u"50% \"rab"_s,        u"n 3"_s,        u"12001"_s};
        // A scan limit of 10 makes 1 candidate few, 50 many: every way of answering is taken by some text.
        for (const int scanLimit : {10, 40, 20000}) {
            for (const QString &text : texts) {
                for (const qint64 company : {qint64(0), m_companyB}) {
                    CallFilter filter;
                    filter.text = text;
                    filter.companyId = company;
                    const QSet<qint64> expected = expectedMatches(m_calls, text, company);
                    for (const int column : {int(CallQuery::StartedAt), int(CallQuery::DurationMs)}) {
                        for (const Qt::SortOrder order : {Qt::DescendingOrder, Qt::AscendingOrder}) {
                            const QList<qint64> found = readAll(*m_db, filter, column, order, scanLimit);
                            const QString where = u"%1, company %2, scan %3, column %4, order %5"_s.arg(text).arg(company).arg(scanLimit).arg(column).arg(int(order));
                            QVERIFY2(QSet<qint64>(found.cbegin(), found.cend()) == expected,
                                     qPrintable(where + u": %1 found, %2 expected"_s.arg(found.size()).arg(expected.size())));
                            QVERIFY2(found.size() == expected.size(), qPrintable(where + u": a call twice"_s));
                        }
                    }
                    // In time order, newest first: the planted calls are a minute apart, so in id order.
                    const QList<qint64> newestFirst = readAll(*m_db, filter, CallQuery::StartedAt, Qt::DescendingOrder, scanLimit);
                    QVERIFY(std::is_sorted(newestFirst.cbegin(), newestFirst.cend()));
                }
            }
        }
        QCOMPARE(expectedMatches(m_calls, u"Wurzelbehandlung"_s).size(), 29);
        QCOMPARE(expectedMatches(m_calls, u"00012345"_s).size(), 1);
        QCOMPARE(expectedMatches(m_calls, u"zimmermann"_s).size(), 40);

        // Readers who see numbers masked cannot find calls by a number, however the search is answered.
        CallFilter masked;
        masked.text = u"00012345"_s;
        masked.searchNumbers = false;
        for (const int scanLimit : {10, 20000})
            QVERIFY(readAll(*m_db, masked, CallQuery::StartedAt, Qt::DescendingOrder, scanLimit).isEmpty());
    }

    void theIndexesFollowEveryChange_data() { test::addEngineRows(); }
    void theIndexesFollowEveryChange()
    {
        QFETCH(QString, engine);
        ASKPRO_REQUIRE_ENGINE(engine);
        plant(engine);
        if (QTest::currentTestFailed())
            return;
        const auto found = [this](const QString &text) {
            CallFilter filter;
            filter.text = text;
            const QList<qint64> ids = readAll(*m_db, filter, CallQuery::StartedAt, Qt::DescendingOrder, 20000);
            return QSet<qint64>(ids.cbegin(), ids.cend());
        };
        const qint64 call = m_calls.at(3).id;
        QVERIFY(m_db->exec(u"UPDATE calls SET transcript = ? WHERE id = ?"_s, {u"User: Eine Prophylaxe, bitte"_s, call}).ok());
        QCOMPARE(found(u"prophylaxe"_s), QSet<qint64>({call}));
        QVERIFY(!found(u"sonnenschein"_s).contains(call));

        // A changed number: found by the new one only.
        QVERIFY(m_db->exec(u"UPDATE calls SET from_number = '+4916099887766' WHERE id = ?"_s, {call}).ok());
        QCOMPARE(found(u"99887766"_s), QSet<qint64>({call}));
        QVERIFY(found(u"1200003"_s).isEmpty());

        // A renamed customer: their calls are found by the new name, no longer by the old.
        const qint64 customer = m_db->scalar(u"SELECT customer_id FROM calls WHERE id = ?"_s, {call})->toLongLong();
        QVERIFY(m_db->exec(u"UPDATE customers SET name = 'Clara Quittenmus' WHERE id = ?"_s, {customer}).ok());
        const QSet<qint64> renamed = found(u"quittenmus"_s);
        QCOMPARE(renamed.size(), 10); // the customer's ten calls
        QVERIFY(renamed.contains(call));
        QCOMPARE(found(u"Anna Zimmermann 3"_s), QSet<qint64>());

        // A deleted call is gone from the index; a new one is in it at once.
        QVERIFY(m_db->exec(u"DELETE FROM calls WHERE id = ?"_s, {call}).ok());
        QVERIFY(found(u"prophylaxe"_s).isEmpty());
        const qint64 now = nowMs();
        auto added = m_db->insert(u"INSERT INTO calls (retell_call_id, company_id, from_number, to_number, started_at, outcome, "
                                  "transcript, created_at, updated_at) VALUES ('call_new', ?, '+4917211112222', '+4930111111', ?, "
                                  "'no_request', 'User: Wieder eine Prophylaxe', ?, ?) RETURNING id"_s,
                                  {m_companyA, now, now, now});
        QVERIFY(added);
        QCOMPARE(found(u"prophylaxe"_s), QSet<qint64>({*added}));
        QCOMPARE(found(u"11112222"_s), QSet<qint64>({*added}));
    }
};

QTEST_GUILESS_MAIN(TestCallSearch)
#include "test_call_search.moc"
