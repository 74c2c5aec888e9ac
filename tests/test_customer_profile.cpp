// A customer's message choices on the Customers page through a real server: shown for the selected customer,
// changed in the edit dialog (which keeps the server's refusal on screen and stays open), and the edit offered
// only to roles that may make it, within their own company.
#include "apirecordsmodel.h"
#include "apisession.h"
#include "core/clock.h"
#include "dialogs/customerdialog.h"
#include "modal.h"
#include "pages/customerspage.h"
#include "testdatabase.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

qint64 customer(Database &db, qint64 company, const QString &phone, const QString &name)
{
    auto id = db.insert(u"INSERT INTO customers (company_id, phone_e164, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
                        {company, phone, name, nowMs(), nowMs()});
    return id ? *id : 0;
}

// Selects the customer of this id and waits until their profile is shown.
bool showCustomer(CustomersPage &page, qint64 id)
{
    if (!QTest::qWaitFor([&page] { return !page.model()->isLoading() && page.model()->rowCount() > 0; }, 10000))
        return false;
    QSignalSpy shown(&page, &CustomersPage::profileShown);
    for (int row = 0; row < page.model()->rowCount(); ++row) {
        if (page.model()->idAt(row) == id) {
            auto *table = page.findChild<QTableView *>(u"customersTable"_s);
            table->setCurrentIndex(page.model()->index(row, 1));
            return QTest::qWaitFor([&shown, id] { return !shown.isEmpty() && shown.last().at(0).toLongLong() == id; }, 10000);
        }
    }
    return false;
}

} // namespace

class TestCustomerProfile final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void choicesAreShownAndChanged()
    {
        auto db = test::freshDatabase(u"sqlite"_s);
        QVERIFY(db);
        const qint64 praxis = test::plantCompanyAndBranch(*db, u"+4930123456"_s).first;
        const qint64 salon = test::plantCompanyAndBranch(*db, u"+4989555666"_s).first;
        const qint64 anna = customer(*db, praxis, u"+4930987654"_s, u"Anna Berg"_s);
        const qint64 other = customer(*db, salon, u"+491701112233"_s, u"Olaf Sommer"_s);
        QVERIFY(anna > 0 && other > 0);

        auto support = test::startApiSession(db, Role::Support);
        CustomersPage page(*support->account);
        QVERIFY(showCustomer(page, anna));
        QVERIFY2(page.choicesText().contains(u"SMS to a mobile number, and e-mail when known"_s), qPrintable(page.choicesText()));
        QVERIFY(page.choicesText().contains(u"That number is a landline: no SMS, e-mail only."_s));
        auto *edit = page.findChild<QPushButton *>(u"customerEdit"_s);
        QVERIFY(edit && !edit->isHidden() && edit->isEnabled());

        // A landline as the number for messages: the server's reason stays in the dialog, which stays open.
        QSignalSpy shown(&page, &CustomersPage::profileShown);
        bool refusedShown = false;
        test::onModal<CustomerDialog>(this, [&refusedShown](CustomerDialog *dialog) {
            dialog->findChild<QLineEdit *>(u"customerMessagePhone"_s)->setText(u"030 5550000"_s);
            dialog->findChild<QPushButton *>(u"customerSave"_s)->click();
            auto *problem = dialog->findChild<QLabel *>(u"customerProblem"_s);
            refusedShown = QTest::qWaitFor([problem] { return !problem->isHidden(); }, 10000)
                && problem->text().contains(u"not a mobile number"_s) && dialog->isVisible();
            // Corrected as the customer says it, with the channel and language they want.
            dialog->findChild<QLineEdit *>(u"customerMessagePhone"_s)->setText(u"0170 5551234"_s);
            auto *channel = dialog->findChild<QComboBox *>(u"customerChannel"_s);
            channel->setCurrentIndex(channel->findData(u"sms"_s));
            auto *language = dialog->findChild<QComboBox *>(u"customerLanguage"_s);
            language->setCurrentIndex(language->findData(u"en"_s));
            dialog->findChild<QPushButton *>(u"customerSave"_s)->click();
        });
        edit->click();
        QVERIFY(refusedShown);
        QVERIFY(shown.wait(10000));
        QVERIFY2(page.choicesText().contains(u"SMS only (e-mail if the SMS fails)"_s), qPrintable(page.choicesText()));
        QVERIFY(page.choicesText().contains(u"SMS go to +49 170 5551234."_s));
        QVERIFY(page.choicesText().contains(u"Language: English"_s));
        QVERIFY(!page.choicesText().contains(u"landline"_s));
        QCOMPARE(db->scalar(u"SELECT message_phone_e164 || '|' || preferred_channel || '|' || language FROM customers WHERE id = ?"_s, {anna})->toString(),
                 u"+491705551234|sms|en"_s);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'customer.update' AND entity_id = ?"_s, {anna})->toInt(), 1);

        // An opt-out recorded in the dialog cannot be taken back there.
        test::onModal<CustomerDialog>(this, [](CustomerDialog *dialog) {
            dialog->findChild<QCheckBox *>(u"customerOptOut"_s)->setChecked(true);
            dialog->findChild<QPushButton *>(u"customerSave"_s)->click();
        });
        edit->click();
        QVERIFY(shown.wait(10000));
        QVERIFY(page.choicesText().contains(u"Opted out of SMS."_s));
        bool lockedOptOut = false;
        test::onModal<CustomerDialog>(this, [&lockedOptOut](CustomerDialog *dialog) {
            auto *optOut = dialog->findChild<QCheckBox *>(u"customerOptOut"_s);
            lockedOptOut = optOut->isChecked() && !optOut->isEnabled();
            dialog->reject();
        });
        edit->click();
        QVERIFY(lockedOptOut);

        // The salon's owner edits their own customers only; another company's is not there, by id either.
        auto owner = test::startApiSession(db, Role::CompanyOwner, salon);
        CustomersPage ownerPage(*owner->account);
        QVERIFY(showCustomer(ownerPage, other));
        QVERIFY(!ownerPage.findChild<QPushButton *>(u"customerEdit"_s)->isHidden());
        QCOMPARE(ownerPage.model()->rowCount(), 1);
        QCOMPARE(test::waitFor(owner->account->get(u"/customers/%1"_s.arg(anna))).status, 404);
        QCOMPARE(test::waitFor(owner->account->patch(u"/customers/%1"_s.arg(anna), {{"name", "X"}})).status, 404);
        QCOMPARE(db->scalar(u"SELECT name FROM customers WHERE id = ?"_s, {anna})->toString(), u"Anna Berg"_s);

        // The platform's owner reads customers but does not change them: no button, and the server says no.
        auto readOnly = test::startApiSession(db, Role::Owner);
        CustomersPage readOnlyPage(*readOnly->account);
        QVERIFY(showCustomer(readOnlyPage, anna));
        QVERIFY(readOnlyPage.findChild<QPushButton *>(u"customerEdit"_s)->isHidden());
        QCOMPARE(test::waitFor(readOnly->account->patch(u"/customers/%1"_s.arg(anna), {{"name", "X"}})).status, 403);
    }
};

QTEST_MAIN(TestCustomerProfile)
#include "test_customer_profile.moc"
