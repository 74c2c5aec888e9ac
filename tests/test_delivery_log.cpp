// The delivery log (issue 17) through the admin API of a real server: every message of the reader's company
// with its state and reason, filters by channel and state, the text and delivery history of one message, and
// recipients and texts hidden from a role without customer access.
#include "apirecordsmodel.h"
#include "apisession.h"
#include "core/clock.h"
#include "domain/phonenumbers.h"
#include "labels.h"
#include "pages/messagespage.h"
#include "widgets/calldetailpane.h"
#include "modal.h"
#include "testdatabase.h"

#include <QComboBox>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

qint64 message(Database &db, qint64 company, qint64 call, const QString &channel, const QString &recipient, const QString &status,
               const QString &providerStatus, const QString &errorCode, const QString &skipReason, qint64 at)
{
    static int n = 0;
    auto id = db.insert(u"INSERT INTO notifications (company_id, call_id, kind, channel, dedupe_key, recipient, subject, body, status, "
                        "provider_id, provider_status, error_code, skip_reason, attempts, created_at, sent_at, status_at) "
                        "VALUES (?, ?, 'confirmation', ?, ?, ?, 'Termin für Eva Schulz', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id"_s,
                        {company, call, channel, u"log-%1"_s.arg(++n), recipient, u"Ihr Termin am Dienstag um 10:00 Uhr."_s, status,
                         providerStatus.isEmpty() ? QString(u""_s) : u"SM%1"_s.arg(n, 32, 10, QLatin1Char('0')), providerStatus, errorCode,
                         skipReason, at, at + 1000, at + 5000});
    return id ? *id : 0;
}

qint64 call(Database &db, qint64 company, qint64 branch, const QString &retellId)
{
    auto id = db.insert(u"INSERT INTO calls (retell_call_id, company_id, branch_id, outcome, created_at, updated_at) VALUES (?, ?, ?, 'booked', ?, ?) "
                        "RETURNING id"_s,
                        {retellId, company, branch, nowMs(), nowMs()});
    return id ? *id : 0;
}

void waitForRows(MessagesPage &page, int rows)
{
    QTRY_VERIFY_WITH_TIMEOUT(!page.model()->isLoading() && page.model()->rowCount() == rows, 10000);
}

QString cellText(MessagesPage &page, int row, const char *field)
{
    return page.model()->index(row, page.model()->columnOfField(field)).data().toString();
}

} // namespace

class TestDeliveryLog final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void listsFiltersAndShowsMessages()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const auto [praxis, praxisBranch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        const auto [salon, salonBranch] = test::plantCompanyAndBranch(*db, u"+4989555666"_s);
        const qint64 praxisCall = call(*db, praxis, praxisBranch, u"call_praxis"_s);
        const qint64 salonCall = call(*db, salon, salonBranch, u"call_salon"_s);
        const qint64 at = nowMs() - 3600000;
        QVERIFY(message(*db, praxis, praxisCall, u"email"_s, u"eva.schulz@example.de"_s, u"sent"_s, {}, {}, {}, at) > 0);
        const qint64 sms = message(*db, praxis, praxisCall, u"sms"_s, u"+4917012345678"_s, u"sent"_s, u"delivered"_s, {}, {}, at + 1);
        QVERIFY(message(*db, praxis, praxisCall, u"sms"_s, u"+4930765432"_s, u"skipped"_s, {}, {}, u"landline"_s, at + 2) > 0);
        const qint64 lost = message(*db, salon, salonCall, u"sms"_s, u"+4915112345678"_s, u"sent"_s, u"undelivered"_s, u"30003"_s, {}, at + 3);
        QVERIFY(sms > 0 && lost > 0);

        // Support (platform staff): every company's messages, newest first, states and reasons in words.
        auto support = test::startApiSession(db, Role::Support);
        MessagesPage page(*support->account);
        waitForRows(page, 4);
        QCOMPARE(page.model()->idAt(0), lost);
        QCOMPARE(cellText(page, 0, "state"), u"Not delivered"_s);
        QCOMPARE(cellText(page, 0, "reason"), u"Phone unreachable (30003)"_s);
        QCOMPARE(cellText(page, 0, "recipient"), u"+4915112345678"_s);
        QCOMPARE(cellText(page, 1, "reason"), u"Landline: no SMS"_s);
        QCOMPARE(cellText(page, 1, "state"), u"Not sent"_s);

        auto *channel = page.findChild<QComboBox *>(u"messageChannelFilter"_s);
        channel->setCurrentIndex(channel->findData(u"sms"_s));
        page.reload();
        waitForRows(page, 3);
        auto *state = page.findChild<QComboBox *>(u"messageStateFilter"_s);
        state->setCurrentIndex(state->findData(u"delivered"_s));
        page.reload();
        waitForRows(page, 1);
        QCOMPARE(page.model()->idAt(0), sms);

        // The selected message: its text, delivery and a way to its call.
        QSignalSpy shown(&page, &MessagesPage::messageShown);
        page.table()->setCurrentIndex(page.model()->index(0, 0));
        QVERIFY(shown.wait(10000));
        QVERIFY2(page.detailText().contains(u"Ihr Termin am Dienstag"_s), qPrintable(page.detailText()));
        QVERIFY(page.detailText().contains(u"Delivered"_s));
        QSignalSpy opened(&page, &MessagesPage::openCall);
        page.findChild<QPushButton *>(u"messageOpenCall"_s)->click();
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.first().at(0).toLongLong(), praxisCall);
        page.showCall(salonCall);
        state->setCurrentIndex(0);
        page.reload();
        waitForRows(page, 1);
        QCOMPARE(page.model()->idAt(0), lost);

        // The call's own messages, in a tab of its detail.
        CallDetailPane pane(*support->account);
        QSignalSpy paneShown(&pane, &CallDetailPane::shown);
        pane.showCall(praxisCall);
        QVERIFY(paneShown.wait(10000));
        auto *messages = pane.findChild<QTableView *>(u"callMessages"_s);
        QTRY_COMPARE_WITH_TIMEOUT(messages->model()->rowCount(), 3, 10000);
        auto *tabs = pane.findChild<QTabWidget *>(u"callTabs"_s);
        QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(tabs->indexOf(messages)), u"Messages (3)"_s, 10000);

        // Staff of the practice (no customer access): their company's three, recipients masked, no text.
        auto staff = test::startApiSession(db, Role::CompanyStaff, praxis);
        MessagesPage staffPage(*staff->account);
        waitForRows(staffPage, 3);
        for (int row = 0; row < 3; ++row) {
            const QString recipient = cellText(staffPage, row, "recipient");
            QVERIFY2(recipient.contains(u"•••"_s), qPrintable(recipient));
            QVERIFY(!recipient.contains(u"12345678"_s) && !recipient.contains(u"schulz"_s));
        }
        // By the one rule the SMS path and the calls use (numbers as in a timeline).
        QCOMPARE(cellText(staffPage, 1, "recipient"), PhoneNumbers::masked(u"+4917012345678"_s));
        QCOMPARE(cellText(staffPage, 1, "recipient"), u"+49170•••78"_s);
        QCOMPARE(cellText(staffPage, 2, "recipient"), u"e•••@e•••.de"_s);
        QSignalSpy staffShown(&staffPage, &MessagesPage::messageShown);
        staffPage.table()->setCurrentIndex(staffPage.model()->index(0, 0));
        QVERIFY(staffShown.wait(10000));
        QVERIFY(!staffPage.detailText().contains(u"Ihr Termin"_s));
        QVERIFY(!staffPage.detailText().contains(u"Eva Schulz"_s)); // nor the subject, which may name the customer
        // Another company's message is not there for them, by id either; nor are its recipients by search.
        QCOMPARE(test::waitFor(staff->account->get(u"/messages/%1"_s.arg(lost))).status, 404);
        QCOMPARE(test::waitFor(staff->account->get(u"/messages"_s, QUrlQuery(u"company_id=%1"_s.arg(salon)))).status, 404);
        const auto searched = test::waitFor(staff->account->get(u"/messages"_s, QUrlQuery(u"q=schulz"_s)));
        QCOMPARE(searched.status, 200);
        QCOMPARE(searched.body.at("items").size(), size_t(0));

        // The practice's owner sees their customers' numbers.
        auto owner = test::startApiSession(db, Role::CompanyOwner, praxis);
        const auto own = test::waitFor(owner->account->get(u"/messages"_s, QUrlQuery(u"channel=sms&state=delivered"_s)));
        QCOMPARE(own.status, 200);
        QCOMPARE(own.body.at("items").size(), size_t(1));
        QCOMPARE(own.body.at("items").at(0).at("recipient").get<std::string>(), std::string("+4917012345678"));
        QCOMPARE(test::waitFor(owner->account->get(u"/messages"_s, QUrlQuery(u"state=lost"_s))).status, 400);
    }

    // Support sends a message again from the log: a new message naming the first, queued with its send job,
    // audited and told on the call's timeline. Refused while it (or an earlier resend) is still on its way, for a
    // message left unsent on purpose, for an SMS to a customer who opted out since, and for roles that may not.
    void aMessageIsSentAgain()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const auto [praxis, praxisBranch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        const qint64 praxisCall = call(*db, praxis, praxisBranch, u"call_resend"_s);
        auto customer = db->insert(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) "
                                   "VALUES (?, '+4917012345678', 'Eva Schulz', ?, ?) RETURNING id"_s,
                                   {praxis, nowMs(), nowMs()});
        QVERIFY(customer);
        QVERIFY(db->exec(u"UPDATE calls SET customer_id = ? WHERE id = ?"_s, {*customer, praxisCall}));
        const qint64 at = nowMs() - 3600000;
        const qint64 mail = message(*db, praxis, praxisCall, u"email"_s, u"eva.schulz@example.de"_s, u"failed"_s, {}, {}, {}, at);
        const qint64 landline = message(*db, praxis, praxisCall, u"sms"_s, u"+4930765432"_s, u"skipped"_s, {}, {}, u"landline"_s, at + 1);
        const qint64 undelivered = message(*db, praxis, praxisCall, u"sms"_s, u"+4917012345678"_s, u"failed"_s, u"undelivered"_s, u"30003"_s, {},
                                           at + 2);
        QVERIFY(mail > 0 && landline > 0 && undelivered > 0);

        auto support = test::startApiSession(db, Role::Support, 0, u"sabine"_s);
        MessagesPage page(*support->account);
        waitForRows(page, 3);
        auto *resend = page.findChild<QPushButton *>(u"messageResend"_s);
        QVERIFY(resend && !resend->isHidden());
        QSignalSpy shown(&page, &MessagesPage::messageShown);
        page.table()->setCurrentIndex(page.model()->index(1, 0)); // the landline's: not offered
        QVERIFY(shown.wait(10000));
        QVERIFY(!resend->isEnabled());
        page.table()->setCurrentIndex(page.model()->index(0, 0));
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.last().at(0).toLongLong(), undelivered);
        QVERIFY(resend->isEnabled());
        QSignalSpy resent(&page, &MessagesPage::messageResent);
        test::onModal<QMessageBox>(this, [](QMessageBox *box) { box->button(QMessageBox::Yes)->click(); });
        resend->click();
        QVERIFY(resent.wait(10000));
        const qint64 again = resent.first().at(1).toLongLong();
        QVERIFY(again > undelivered);
        QCOMPARE(db->scalar(u"SELECT status || '|' || channel || '|' || recipient || '|' || body || '|' || resend_of FROM notifications WHERE id = ?"_s,
                            {again})->toString(),
                 u"queued|sms|+4917012345678|Ihr Termin am Dienstag um 10:00 Uhr.|%1"_s.arg(undelivered));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM jobs WHERE kind = 'notification.send' AND dedupe_key = ?"_s, {u"sms:%1"_s.arg(again)})->toInt(), 1);
        QCOMPARE(db->scalar(u"SELECT actor FROM audit_log WHERE action = 'message.resend' AND entity_id = ?"_s, {again})->toString(), u"sabine"_s);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM call_events WHERE call_id = ? AND code = 'support.message_resent'"_s, {praxisCall})->toInt(), 1);
        // The log shows the new message first, queued, naming the one it repeats; it is not offered again yet.
        waitForRows(page, 4);
        QCOMPARE(page.model()->idAt(0), again);
        page.table()->setCurrentIndex(page.model()->index(0, 0));
        QTRY_COMPARE_WITH_TIMEOUT(shown.last().at(0).toLongLong(), again, 10000);
        QVERIFY2(page.detailText().contains(u"Sent again from message %1."_s.arg(undelivered)), qPrintable(page.detailText()));
        QVERIFY(!resend->isEnabled());

        // The server decides, whatever a desktop offers.
        const auto post = [](client::ApiAccount &account, qint64 id) {
            return test::waitFor(account.post(u"/messages/%1/resend"_s.arg(id), client::Json::object()));
        };
        const auto pending = post(*support->account, undelivered);
        QCOMPARE(pending.status, 409);
        QCOMPARE(pending.errorCode, u"messages.resend_pending"_s);
        QCOMPARE(post(*support->account, again).errorCode, u"messages.in_flight"_s);
        QCOMPARE(post(*support->account, landline).errorCode, u"messages.landline"_s);
        QCOMPARE(post(*support->account, 999999).status, 404);
        QVERIFY(db->exec(u"UPDATE notifications SET status = 'failed' WHERE id = ?"_s, {again}));
        QVERIFY(db->exec(u"UPDATE customers SET sms_opt_out = 1 WHERE id = ?"_s, {*customer}));
        QCOMPARE(post(*support->account, undelivered).errorCode, u"messages.opted_out"_s);
        // An e-mail goes again; a resend of a resend names the first message of the chain.
        const auto mailAgain = post(*support->account, mail);
        QCOMPARE(mailAgain.status, 202);
        QCOMPARE(mailAgain.body.at("resend_of").get<qint64>(), mail);
        QVERIFY(db->exec(u"UPDATE notifications SET status = 'sent' WHERE id = ?"_s, {mailAgain.body.at("id").get<qint64>()}));
        const auto third = post(*support->account, mailAgain.body.at("id").get<qint64>());
        QCOMPARE(third.status, 202);
        QCOMPARE(third.body.at("resend_of").get<qint64>(), mail);
        QCOMPARE(db->scalar(u"SELECT attachment_name FROM notifications WHERE id = ?"_s, {third.body.at("id").get<qint64>()})->toString(),
                 db->scalar(u"SELECT attachment_name FROM notifications WHERE id = ?"_s, {mail})->toString());

        // Company staff may read the log but not send: no button, and the server says no.
        auto staff = test::startApiSession(db, Role::CompanyStaff, praxis);
        MessagesPage staffPage(*staff->account);
        waitForRows(staffPage, 6);
        QVERIFY(staffPage.findChild<QPushButton *>(u"messageResend"_s)->isHidden());
        QCOMPARE(post(*staff->account, mail).status, 403);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM notifications"_s)->toInt(), 6);
    }

    // The SMS path stores codes, not sentences: the list's reason and the detail word them in the reader's
    // language; an older row's English sentence, and a code not known, are shown as they are.
    void reasonCodesInWords()
    {
        QCOMPARE(Labels::messageReason(u"twilio.21610"_s), u"Recipient replied STOP (21610)"_s);
        QCOMPARE(Labels::messageReason(u"twilio.21614"_s), u"Twilio error 21614"_s);
        QCOMPARE(Labels::messageReason(u"twilio.undelivered"_s), u"Twilio reported it undelivered"_s);
        QCOMPARE(Labels::messageReason(u"sms.answer_lost"_s), u"Twilio's answer was lost: waiting for its status report"_s);
        QCOMPARE(Labels::messageReason(u"sms.something_new"_s), u"sms.something_new"_s);

        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const auto [praxis, praxisBranch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        const qint64 praxisCall = call(*db, praxis, praxisBranch, u"call_codes"_s);
        const qint64 at = nowMs() - 3600000;
        const qint64 old = message(*db, praxis, praxisCall, u"sms"_s, u"+4917012345678"_s, u"queued"_s, {}, {}, {}, at);
        const qint64 lost = message(*db, praxis, praxisCall, u"sms"_s, u"+4917012345678"_s, u"sending"_s, {}, {}, {}, at + 1);
        const qint64 stopped = message(*db, praxis, praxisCall, u"sms"_s, u"+4917012345678"_s, u"failed"_s, {}, u"21610"_s, {}, at + 2);
        QVERIFY(old > 0 && lost > 0 && stopped > 0);
        const QString sentence = u"Twilio is failing (HTTP 503) (20500 Internal error)"_s;
        QVERIFY(db->exec(u"UPDATE notifications SET last_error = ? WHERE id = ?"_s, {sentence, old}));
        QVERIFY(db->exec(u"UPDATE notifications SET last_error = 'sms.answer_lost' WHERE id = ?"_s, {lost}));
        QVERIFY(db->exec(u"UPDATE notifications SET last_error = 'twilio.21610' WHERE id = ?"_s, {stopped}));

        auto support = test::startApiSession(db, Role::Support);
        // The API's reason is the stable code; screens word it.
        const auto listed = test::waitFor(support->account->get(u"/messages"_s));
        QCOMPARE(listed.status, 200);
        QCOMPARE(listed.body.at("items").at(1).at("reason").get<std::string>(), std::string("sms.answer_lost"));
        MessagesPage page(*support->account);
        waitForRows(page, 3);
        QCOMPARE(cellText(page, 0, "reason"), u"Recipient replied STOP (21610)"_s);
        QCOMPARE(cellText(page, 1, "reason"), u"Twilio's answer was lost: waiting for its status report"_s);
        QCOMPARE(cellText(page, 2, "reason"), sentence);
        QSignalSpy shown(&page, &MessagesPage::messageShown);
        page.table()->setCurrentIndex(page.model()->index(0, 0));
        QVERIFY(shown.wait(10000));
        QCOMPARE(page.detailText().count(u"Recipient replied STOP (21610)"_s), 1);
        QVERIFY(!page.detailText().contains(u"twilio.21610"_s));
        page.table()->setCurrentIndex(page.model()->index(1, 0));
        QVERIFY(shown.wait(10000));
        QVERIFY2(page.detailText().contains(u"Last error: Twilio's answer was lost: waiting for its status report"_s), qPrintable(page.detailText()));
    }
};

QTEST_MAIN(TestDeliveryLog)
#include "test_delivery_log.moc"
