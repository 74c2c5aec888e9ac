// Users, roles, audit and secrets (issue 8) through the backend on both engines: sign-in and lockout, each
// role's boundaries, the audit trail of each change, the append-only audit table, credential rotation and
// key rotation, and that no password or secret reaches a log line or an audit row.
#include "billing/billingquery.h"
#include "billing/invoicegenerator.h"
#include "db/database.h"
#include "queries/auditquery.h"
#include "setup/setuprunner.h"
#include "support/appointmentservice.h"
#include "support/directoryservice.h"
#include "support/supportservice.h"
#include "security/accesspolicy.h"
#include "security/credentialstore.h"
#include "security/passwordhasher.h"
#include "security/secretbox.h"
#include "security/userstore.h"
#include "testdatabase.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace askpro;

namespace {

// Everything any logging category prints while a test runs, to search for secrets afterwards.
QMutex logMutex;
QString capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        capturedLog += message + u'\n';
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

NewUser newUser(const QString &name, Role role)
{
    return NewUser{name, name.toUpper(), u"password-of-"_s + name, role, {}};
}

qint64 auditCount(Database &db, const QString &action, qint64 userId)
{
    return db.scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = ? AND user_id = ?"_s, {action, userId})->toLongLong();
}

} // namespace

class TestAccessControl final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        previousHandler = qInstallMessageHandler(captureMessage);
        QLoggingCategory::setFilterRules(u"askpro.*=true"_s);
    }

    void policyTable()
    {
        // The table: owner reads everything and manages invoices; support works calls and
        // appointments; onboarding sets up businesses; admin manages users and settings.
        QVERIFY(AccessPolicy::allows(Role::Owner, Permission::ViewBilling));
        QVERIFY(AccessPolicy::allows(Role::Owner, Permission::ViewCalls));
        QVERIFY(!AccessPolicy::allows(Role::Owner, Permission::ManageCalls));
        QVERIFY(!AccessPolicy::allows(Role::Owner, Permission::ManageUsers));
        QVERIFY(AccessPolicy::allows(Role::Support, Permission::ManageCalls));
        QVERIFY(AccessPolicy::allows(Role::Support, Permission::ManageAppointments));
        QVERIFY(!AccessPolicy::allows(Role::Support, Permission::ViewBilling));
        QVERIFY(!AccessPolicy::allows(Role::Support, Permission::EditDirectory));
        QVERIFY(!AccessPolicy::allows(Role::Support, Permission::ViewAudit));
        QVERIFY(AccessPolicy::allows(Role::Onboarding, Permission::RunSetup));
        QVERIFY(AccessPolicy::allows(Role::Onboarding, Permission::EditDirectory));
        QVERIFY(!AccessPolicy::allows(Role::Onboarding, Permission::ViewCalls));
        QVERIFY(!AccessPolicy::allows(Role::Onboarding, Permission::ViewBilling));
        // The customer portal's business roles: their own company's calls and appointments, never payloads,
        // keys, the audit log or users.
        for (Role business : {Role::CompanyOwner, Role::CompanyStaff}) {
            QVERIFY(AccessPolicy::isBusinessRole(business));
            QVERIFY(AccessPolicy::allows(business, Permission::ViewCalls));
            QVERIFY(AccessPolicy::allows(business, Permission::ManageAppointments));
            for (Permission never : {Permission::ViewPayloads, Permission::ManageCalls, Permission::ManageSecrets, Permission::ViewAudit,
                                     Permission::ManageUsers, Permission::ViewDirectory, Permission::RunSetup})
                QVERIFY(!AccessPolicy::allows(business, never));
        }
        QVERIFY(AccessPolicy::allows(Role::CompanyOwner, Permission::ViewBilling));
        QVERIFY(!AccessPolicy::allows(Role::CompanyStaff, Permission::ViewBilling));
        // A business owner words its own messages; staff and support do not.
        QVERIFY(AccessPolicy::allows(Role::CompanyOwner, Permission::EditTemplates));
        QVERIFY(!AccessPolicy::allows(Role::CompanyStaff, Permission::EditTemplates));
        QVERIFY(!AccessPolicy::allows(Role::Support, Permission::EditTemplates));
        QVERIFY(!AccessPolicy::isBusinessRole(Role::Owner));
        for (Permission p : AccessPolicy::permissions(Role::Admin)) {
            QVERIFY(!AccessPolicy::permissionTitle(p).isEmpty());
            QVERIFY(!AccessPolicy::permissionCode(p).isEmpty());
        }
        QCOMPARE(AccessPolicy::permissions(Role::Admin).size(), 17);
        for (Role role : AccessPolicy::roles())
            QCOMPARE(AccessPolicy::roleFromCode(AccessPolicy::roleCode(role)), std::optional<Role>(role));
    }

    void passwordHashes()
    {
        auto hash = PasswordHasher::hash(u"Grüße aus Köln 2026"_s);
        QVERIFY(hash.ok());
        QVERIFY(hash->startsWith(u"$argon2id$"_s));
        QVERIFY(PasswordHasher::verify(*hash, u"Grüße aus Köln 2026"_s));
        QVERIFY(!PasswordHasher::verify(*hash, u"Grüsse aus Köln 2026"_s));
        QVERIFY(!PasswordHasher::verify(u"not a hash"_s, u"x"_s));
        QVERIFY(!PasswordHasher::needsRehash(*hash));
        QVERIFY(!PasswordHasher::weakness(u"short"_s).isEmpty());
        QVERIFY(PasswordHasher::weakness(u"long enough 1"_s).isEmpty());
        QVERIFY(*PasswordHasher::hash(u"same password"_s) != *PasswordHasher::hash(u"same password"_s)); // salted
    }

    void firstStartCreatesTheAdmin_data() { test::addEngineRows(); }
    void firstStartCreatesTheAdmin()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        UserStore users(*db);
        QCOMPARE(*users.hasUsers(), false);
        auto admin = users.createFirstAdmin({u"Chef"_s, u"Die Chefin"_s, u"erstes passwort"_s, Role::Support, u"de"_s});
        QVERIFY2(admin.ok(), qPrintable(admin.ok() ? QString() : admin.error().describe()));
        QCOMPARE(admin->username, u"chef"_s);
        QCOMPARE(admin->role, Role::Admin); // whatever was asked: the first user administers
        QCOMPARE(*users.hasUsers(), true);
        auto second = users.createFirstAdmin({u"other"_s, {}, u"zweites passwort"_s, Role::Admin, {}});
        QVERIFY(!second.ok());
        QCOMPARE(second.error().kind, ErrorKind::Conflict);
        QCOMPARE(auditCount(*db, u"user.create"_s, admin->userId), 1);
        const QString stored = db->scalar(u"SELECT password_hash FROM users WHERE id = ?"_s, {admin->userId})->toString();
        QVERIFY(stored.startsWith(u"$argon2id$"_s));
        QVERIFY(!stored.contains(u"erstes"_s));
    }

    void signInAndLockout_data() { test::addEngineRows(); }
    void signInAndLockout()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        UserStore users(*db);
        const Actor admin = *users.createFirstAdmin(newUser(u"admin"_s, Role::Admin));
        const qint64 supportId = *users.create(admin, newUser(u"susi"_s, Role::Support));

        auto signedIn = users.signIn(u"  SUSI "_s, u"password-of-susi"_s);
        QVERIFY(signedIn.ok());
        QCOMPARE(signedIn->userId, supportId);
        QCOMPARE(signedIn->role, Role::Support);
        QVERIFY(!db->scalar(u"SELECT last_login_at FROM users WHERE id = ?"_s, {supportId})->isNull());
        QCOMPARE(auditCount(*db, u"user.sign_in"_s, supportId), 1);

        auto unknown = users.signIn(u"nobody"_s, u"password-of-susi"_s);
        QVERIFY(!unknown.ok());
        auto wrong = users.signIn(u"susi"_s, u"wrong password"_s);
        QVERIFY(!wrong.ok());
        QCOMPARE(wrong.error().kind, ErrorKind::Unauthorized);
        QCOMPARE(wrong.error().message, unknown.error().message); // no hint which part was wrong

        for (int i = 1; i < UserStore::maxFailedSignIns; ++i)
            QVERIFY(!users.signIn(u"susi"_s, u"wrong password"_s).ok());
        auto locked = users.signIn(u"susi"_s, u"password-of-susi"_s);
        QVERIFY(!locked.ok()); // the right password, but locked now
        QCOMPARE(locked.error().code, u"signin.locked"_s);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'user.locked' AND entity_id = ?"_s, {supportId})->toInt(), 1);

        // An administrator's new password unlocks.
        QVERIFY(users.setPassword(admin, supportId, u"a fresh password"_s).ok());
        QVERIFY(users.signIn(u"susi"_s, u"a fresh password"_s).ok());

        // Deactivated accounts cannot sign in, even with the right password.
        QVERIFY(users.update(admin, supportId, UserChanges{{}, {}, {}, false, {}}).ok());
        auto inactive = users.signIn(u"susi"_s, u"a fresh password"_s);
        QVERIFY(!inactive.ok());
        QCOMPARE(inactive.error().code, u"signin.inactive"_s);
    }

    void userManagementBoundaries_data() { test::addEngineRows(); }
    void userManagementBoundaries()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        UserStore users(*db);
        const Actor admin = *users.createFirstAdmin(newUser(u"admin"_s, Role::Admin));
        const qint64 ownerId = *users.create(admin, newUser(u"olga"_s, Role::Owner));
        const Actor owner = *users.signIn(u"olga"_s, u"password-of-olga"_s);
        const qint64 supportId = *users.create(admin, newUser(u"susi"_s, Role::Support));
        const Actor support = *users.signIn(u"susi"_s, u"password-of-susi"_s);

        for (const Actor &outsider : {owner, support}) {
            auto listed = users.list(outsider);
            QVERIFY(!listed.ok());
            QCOMPARE(listed.error().kind, ErrorKind::Unauthorized);
            QVERIFY(!users.create(outsider, newUser(u"mallory"_s, Role::Admin)).ok());
            QVERIFY(!users.update(outsider, supportId, UserChanges{{}, Role::Admin, {}, {}, {}}).ok());
            QVERIFY(!users.setPassword(outsider, ownerId == outsider.userId ? supportId : ownerId, u"taken over!!"_s).ok());
        }
        QCOMPARE(db->scalar(u"SELECT role FROM users WHERE id = ?"_s, {supportId})->toString(), u"support"_s);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM users WHERE username = 'mallory'"_s)->toInt(), 0);

        // Everyone changes their own password, with the current one.
        auto withoutCurrent = users.setPassword(support, supportId, u"my new password"_s, u"not my password"_s);
        QVERIFY(!withoutCurrent.ok());
        QVERIFY(users.setPassword(support, supportId, u"my new password"_s, u"password-of-susi"_s).ok());
        QCOMPARE(auditCount(*db, u"user.password"_s, supportId), 1);

        // The last administrator stays.
        auto demoted = users.update(admin, admin.userId, UserChanges{{}, Role::Owner, {}, {}, {}});
        QVERIFY(!demoted.ok());
        QCOMPARE(demoted.error().code, u"user.last_admin"_s);
        QVERIFY(users.update(admin, ownerId, UserChanges{u"Olga Owner"_s, Role::Admin, u"de"_s, {}, {}}).ok());
        QVERIFY(users.update(admin, admin.userId, UserChanges{{}, {}, {}, false, {}}).ok());

        // The update's audit row holds before and after.
        const QString before = db->scalar(u"SELECT before_json FROM audit_log WHERE action = 'user.update' AND entity_id = ?"_s, {ownerId})->toString();
        const QString after = db->scalar(u"SELECT after_json FROM audit_log WHERE action = 'user.update' AND entity_id = ?"_s, {ownerId})->toString();
        QVERIFY(before.contains(u"\"role\":\"owner\""_s));
        QVERIFY(after.contains(u"\"role\":\"admin\""_s));
        QVERIFY(after.contains(u"Olga Owner"_s));
        QCOMPARE(db->scalar(u"SELECT user_id FROM audit_log WHERE action = 'user.update' AND entity_id = ?"_s, {ownerId})->toLongLong(), admin.userId);
        QVERIFY(!users.list(admin).ok() || users.list(admin)->size() == 3);
    }

    void auditLogIsAppendOnly_data() { test::addEngineRows(); }
    void auditLogIsAppendOnly()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        UserStore users(*db);
        QVERIFY(users.createFirstAdmin(newUser(u"admin"_s, Role::Admin)).ok());
        const qint64 rows = db->scalar(u"SELECT COUNT(*) FROM audit_log"_s)->toLongLong();
        QVERIFY(rows > 0);
        QVERIFY(!db->exec(u"UPDATE audit_log SET actor = 'someone else'"_s).ok());
        QVERIFY(!db->exec(u"DELETE FROM audit_log"_s).ok());
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log"_s)->toLongLong(), rows);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE actor = 'someone else'"_s)->toLongLong(), 0);
    }

    void credentialRotation_data() { test::addEngineRows(); }
    void credentialRotation()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        UserStore users(*db);
        const Actor admin = *users.createFirstAdmin(newUser(u"admin"_s, Role::Admin));
        (void)users.create(admin, newUser(u"olga"_s, Role::Owner));
        const Actor owner = *users.signIn(u"olga"_s, u"password-of-olga"_s);
        CredentialStore store(*db, SecretBox(SecretBox::newKey()));
        QVERIFY(store.put({std::nullopt, u"calcom"_s, {}, "cal_live_first_key_0001", "whsec_first_secret_0001"}, admin).ok());
        // The first store names the row it created, so the key's history starts with it.
        QCOMPARE(db->scalar(u"SELECT entity_id FROM audit_log WHERE action = 'credentials.store'"_s)->toLongLong(),
                 db->scalar(u"SELECT id FROM api_credentials WHERE provider = 'calcom'"_s)->toLongLong());

        // Only who manages secrets sees even the masked list, or rotates.
        QVERIFY(!store.summaries(owner).ok());
        QVERIFY(!store.rotate(owner, {std::nullopt, u"calcom"_s, {}, "cal_live_owner_key_0002", {}}).ok());

        QVERIFY(store.rotate(admin, {std::nullopt, u"calcom"_s, {}, "cal_live_second_key_002", "whsec_second_secret_02"}).ok());
        auto keys = store.signingKeys(u"calcom"_s);
        QVERIFY(keys.ok());
        QCOMPARE(keys->size(), 2); // the new secret, and the old one during its grace period
        QVERIFY(keys->contains(SigningKey{"whsec_second_secret_02", std::nullopt}));
        QVERIFY(keys->contains(SigningKey{"whsec_first_secret_0001", std::nullopt}));
        QCOMPARE(store.get(std::nullopt, u"calcom"_s)->secret, QByteArray("cal_live_second_key_002"));
        auto listed = store.summaries(admin);
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), 1);
        QCOMPARE(listed->first().secretHint, u"cal_…_002"_s);
        QVERIFY(listed->first().previousValidUntilMs.has_value());

        // After the grace period the old secret no longer verifies.
        QVERIFY(db->exec(u"UPDATE api_credentials SET previous_valid_until = 1"_s).ok());
        QCOMPARE(store.signingKeys(u"calcom"_s)->size(), 1);

        // A replacement without grace forgets the old secret at once; an empty webhook secret in a rotation keeps it.
        QVERIFY(store.rotate(admin, {std::nullopt, u"calcom"_s, {}, "cal_live_third_key_0003", {}}, std::chrono::hours(1)).ok());
        QCOMPARE(store.get(std::nullopt, u"calcom"_s)->webhookSecret, QByteArray("whsec_second_secret_02"));

        // The audit rows carry hints, never secrets.
        QString audit;
        auto rows = db->exec(u"SELECT before_json, after_json FROM audit_log"_s);
        QVERIFY(rows.ok());
        while (rows->next())
            audit += rows->value(0).toString() + rows->value(1).toString();
        QVERIFY(audit.contains(u"cal_…_002"_s));
        for (const char *secret : {"cal_live_first_key_0001", "whsec_first_secret_0001", "cal_live_second_key_002", "whsec_second_secret_02"})
            QVERIFY2(!audit.contains(QLatin1StringView(secret)), secret);
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'credentials.rotate' AND user_id = ?"_s, {admin.userId})->toInt(), 2);
    }

    void keyRotation_data() { test::addEngineRows(); }
    void keyRotation()
    {
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const SecretBox oldBox(SecretBox::newKey());
        CredentialStore store(*db, oldBox);
        const Actor admin = Actor::system(u"test"_s);
        QVERIFY(store.put({std::nullopt, u"retell"_s, {}, "key_retell_secret_0001", {}}).ok());
        QVERIFY(store.rotate(admin, {std::nullopt, u"retell"_s, {}, "key_retell_secret_0002", {}}).ok());
        const SecretBox newBox(SecretBox::newKey());
        auto rows = store.reencrypt(admin, newBox);
        QVERIFY(rows.ok());
        QCOMPARE(*rows, 1);
        QCOMPARE(store.get(std::nullopt, u"retell"_s)->secret, QByteArray("key_retell_secret_0002"));
        QCOMPARE(store.signingKeys(u"retell"_s)->size(), 2);
        QVERIFY(!CredentialStore(*db, oldBox).get(std::nullopt, u"retell"_s).ok());
        QCOMPARE(CredentialStore(*db, newBox).get(std::nullopt, u"retell"_s)->secret, QByteArray("key_retell_secret_0002"));
    }

    void addressesSealedOnUpgrade_data() { test::addEngineRows(); }
    void addressesSealedOnUpgrade()
    {
        // A key stored before keys carried their address: refused while it names an address, sealed with the
        // row's address once at the next start with the key (sealAddresses), then accepted; a key with the
        // default address (empty) was never in danger and works throughout.
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const SecretBox box(SecretBox::newKey());
        CredentialStore store(*db, box);
        QVERIFY(store.put({std::nullopt, u"retell"_s, u"https://api.retellai.example"_s, "key_retell_secret_0001", {}}).ok());
        QVERIFY(store.put({std::nullopt, u"stripe"_s, {}, "sk_live_stripe_secret_01", "whsec_stripe_0001"}).ok());
        for (const auto &[provider, secret] : {std::pair{u"retell"_s, QByteArray("key_retell_secret_0001")},
                                               std::pair{u"stripe"_s, QByteArray("sk_live_stripe_secret_01")}}) {
            const Sealed legacy = box.seal(secret);
            QVERIFY(db->exec(u"UPDATE api_credentials SET secret_nonce = ?, secret_ciphertext = ? WHERE provider = ?"_s,
                             {legacy.nonce, legacy.ciphertext, provider})
                        .ok());
        }
        QCOMPARE(store.get(std::nullopt, u"retell"_s).error().code, u"credentials.base_url_changed"_s);
        QCOMPARE(store.get(std::nullopt, u"stripe"_s)->secret, QByteArray("sk_live_stripe_secret_01"));
        QCOMPARE(store.signingKeys(u"retell"_s)->size(), 1); // verifying what arrives sends the key nowhere

        QCOMPARE(*store.sealAddresses(), 2);
        QCOMPARE(*store.sealAddresses(), 0);
        auto retell = store.get(std::nullopt, u"retell"_s);
        QVERIFY(retell.ok());
        QCOMPARE(retell->secret, QByteArray("key_retell_secret_0001"));
        QCOMPARE(retell->baseUrl, u"https://api.retellai.example"_s);
        QCOMPARE(store.signingKeys(u"retell"_s)->first().key, QByteArray("key_retell_secret_0001"));
        QCOMPARE(db->scalar(u"SELECT COUNT(*) FROM audit_log WHERE action = 'credentials.seal_addresses'"_s)->toInt(), 1);

        // Sealed now, the address cannot be changed in the database alone, not even from empty.
        QVERIFY(db->exec(u"UPDATE api_credentials SET base_url = 'https://keys.example' WHERE provider = 'stripe'"_s).ok());
        auto changed = store.get(std::nullopt, u"stripe"_s);
        QVERIFY(!changed.ok());
        QVERIFY2(changed.error().message.contains(u"stripe credential of the platform"_s), qPrintable(changed.error().message));
        // A key rotation carries the sealed address along.
        QCOMPARE(*store.reencrypt(Actor::system(u"test"_s), SecretBox(SecretBox::newKey())), 2);
        QCOMPARE(store.get(std::nullopt, u"retell"_s)->baseUrl, u"https://api.retellai.example"_s);
        QCOMPARE(store.get(std::nullopt, u"stripe"_s).error().code, u"credentials.base_url_changed"_s);
    }

    void serviceBoundaries_data() { test::addEngineRows(); }
    void serviceBoundaries()
    {
        // Each service refuses, before touching anything, the roles the policy leaves out.
        QFETCH(QString, engine);
        ASKPRO_FRESH_DB(db, engine);
        const auto [company, branch] = test::plantCompanyAndBranch(*db, u"+4930123456"_s);
        UserStore users(*db);
        const Actor admin = *users.createFirstAdmin(newUser(u"admin"_s, Role::Admin));
        const auto make = [&](const QString &name, Role role) {
            return Actor::user(*users.create(admin, newUser(name, role)), name, role);
        };
        const Actor owner = make(u"olga"_s, Role::Owner);
        const Actor support = make(u"susi"_s, Role::Support);
        const Actor onboarding = make(u"otto"_s, Role::Onboarding);
        const auto refused = [](const auto &result) { return !result.ok() && result.error().kind == ErrorKind::Unauthorized; };

        SupportService calls(*db);
        QVERIFY(refused(calls.retryBooking({1}, owner)));
        QVERIFY(refused(calls.markResolved({1}, u"x"_s, onboarding)));
        QVERIFY(refused(calls.replayWebhook(1, owner)));
        QVERIFY(refused(calls.previewRetry(1, onboarding)));
        QVERIFY(!refused(calls.retryBooking({1}, support))); // allowed: fails only because call 1 does not exist

        DirectoryService directory(*db);
        QVERIFY(refused(directory.update(DirectoryQuery::Entity::Branch, branch, {{u"name"_s, u"Neu"_s}}, support)));
        QVERIFY(refused(directory.update(DirectoryQuery::Entity::Branch, branch, {{u"name"_s, u"Neu"_s}}, owner)));
        QVERIFY(directory.update(DirectoryQuery::Entity::Branch, branch, {{u"name"_s, u"Neu"_s}}, onboarding).ok());
        QCOMPARE(db->scalar(u"SELECT user_id FROM audit_log WHERE action = 'branch.update'"_s)->toLongLong(), onboarding.userId);

        AppointmentService appointments(db, nullptr, ProviderEndpoints());
        QVERIFY(refused(appointments.markNoShow(1, owner)));
        QVERIFY(!refused(appointments.markNoShow(1, support)));

        QVERIFY(refused(AuditQuery::browse(*db, support, {}, u"UTC"_s)));
        QVERIFY(refused(AuditQuery::actors(*db, onboarding)));
        QVERIFY(AuditQuery::browse(*db, owner, {}, u"UTC"_s).ok());

        // The example: support cannot read invoices through the backend, nor change them.
        for (const Actor &outsider : {support, onboarding}) {
            QVERIFY(refused(BillingQuery::browse(*db, outsider, {})));
            QVERIFY(refused(BillingQuery::payments(*db, outsider, 1)));
            QVERIFY(refused(BillingQuery::dailyUsage(*db, outsider, QDate(2026, 1, 1), QDate(2026, 12, 31))));
            QVERIFY(refused(BillingQuery::monthlyRevenue(*db, outsider, QDate(2026, 1, 1), QDate(2026, 12, 31))));
            QVERIFY(refused(BillingQuery::reconcile(*db, outsider, 0, 1)));
            QVERIFY(refused(BillingQuery::paymentSuccessRate(*db, outsider)));
            QVERIFY(refused(BillingQuery::companies(*db, outsider)));
            QVERIFY(refused(BillingQuery::markPaidManually(*db, 1, u"bar bezahlt"_s, outsider)));
            QVERIFY(refused(InvoiceGenerator(*db).createCreditNote(1, u"Kulanz"_s, outsider)));
        }
        QVERIFY(BillingQuery::browse(*db, owner, {}).ok());
        QVERIFY(BillingQuery::dailyUsage(*db, owner, QDate(2026, 1, 1), QDate(2026, 12, 31)).ok());
        QVERIFY(!refused(BillingQuery::markPaidManually(*db, 1, u"bar bezahlt"_s, owner))); // allowed: invoice 1 does not exist

        CredentialStore credentials(*db, SecretBox(SecretBox::newKey()));
        QNetworkAccessManager network;
        SetupRunner runner(*db, credentials, &network, ProviderEndpoints(), u"http://127.0.0.1:1"_s);
        runner.setActor(support);
        QVERIFY(refused(runner.create(SetupInput())));
        runner.setActor(onboarding);
        QVERIFY(!refused(runner.create(SetupInput()))); // allowed: the empty input is what fails
        Q_UNUSED(company);
    }

    void noSecretInLogs()
    {
        // Runs after the others (Qt Test keeps declaration order): nothing they logged may hold a
        // password or a key.
        QMutexLocker lock(&logMutex);
        QVERIFY(!capturedLog.isEmpty()); // the sign-in refusals were logged
        for (const char *secret : {"password-of-", "a fresh password", "my new password", "erstes passwort", "cal_live_", "whsec_",
                                   "key_retell_secret", "$argon2id$"})
            QVERIFY2(!capturedLog.contains(QLatin1StringView(secret)), secret);
    }
};

QTEST_GUILESS_MAIN(TestAccessControl)
#include "test_access_control.moc"
