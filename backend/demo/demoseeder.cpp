// Demo data generator: prepared statements reused for every row, one transaction per company.
// Outcomes follow a fixed mix (about 70 % booked) and each carries the timeline the call flow writes.
#include "demo/demoseeder.h"

#include "billing/invoicedocument.h"
#include "billing/invoicegenerator.h"
#include "billing/usagerollup.h"
#include "core/clock.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "flow/messagetemplates.h"
#include "flow/timeline.h"
#include "security/userstore.h"

#include <QDateTime>
#include <QHash>
#include <QLocale>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

#include <algorithm>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

using Json = nlohmann::json;

struct ServiceDef
{
    QString name;
    int minutes;
    qint64 priceCents;
};

struct BranchDef
{
    QString name;
    QString address;
    QString phone;
    bool active;
    QStringList staff;
};

struct CompanyDef
{
    QString name;
    QString address;
    QString email;
    QString vatId;
    QString emailDomain;
    QList<ServiceDef> services;
    QList<BranchDef> branches;
    QString unmappedService; // a service left without Cal.com event types (configuration failures)
    bool saturday;
};

QList<CompanyDef> companyDefinitions()
{
    return {
        {u"Zahnarztpraxis Dr. Weber"_s, u"Friedrichstraße 123, 10117 Berlin"_s, u"buchhaltung@zahnarzt-weber.de"_s, u"DE281947365"_s,
         u"zahnarzt-weber.de"_s,
         {{u"30 Min Beratung"_s, 30, 0}, {u"60 Min Termin"_s, 60, 0}, {u"Professionelle Zahnreinigung"_s, 60, 9900},
          {u"Kontrolluntersuchung"_s, 30, 0}, {u"Bleaching"_s, 90, 34900}},
         {{u"Praxis Berlin-Mitte"_s, u"Friedrichstraße 123, 10117 Berlin"_s, u"+493023456781"_s, true,
           {u"Dr. Anna Weber"_s, u"Dr. Murat Yilmaz"_s, u"Julia Brandt"_s}},
          {u"Praxis Hamburg-Eppendorf"_s, u"Eppendorfer Landstraße 45, 20249 Hamburg"_s, u"+494047112201"_s, true,
           {u"Dr. Henrik Paulsen"_s, u"Sabine Krüger"_s}}},
         u"Bleaching"_s, false},
        {u"Salon Haarmonie"_s, u"Leopoldstraße 88, 80802 München"_s, u"info@haarmonie-salon.de"_s, u"DE317604829"_s,
         u"haarmonie-salon.de"_s,
         {{u"30 Min Beratung"_s, 30, 0}, {u"60 Min Termin"_s, 60, 4500}, {u"Damenhaarschnitt"_s, 60, 5900},
          {u"Herrenhaarschnitt"_s, 30, 3200}, {u"Färben"_s, 120, 8900}},
         {{u"Salon München-Schwabing"_s, u"Leopoldstraße 88, 80802 München"_s, u"+498938384401"_s, true,
           {u"Lena Hofmann"_s, u"Marco Bauer"_s, u"Aylin Demir"_s}},
          {u"Salon Berlin-Prenzlauer Berg"_s, u"Kastanienallee 12, 10435 Berlin"_s, u"+493044059902"_s, true,
           {u"Sophie Richter"_s, u"Jonas Wolf"_s}}},
         u"Färben"_s, true},
        {u"Physiotherapie Bewegungsraum"_s, u"Große Bergstraße 150, 22767 Hamburg"_s, u"verwaltung@bewegungsraum-physio.de"_s,
         u"DE294410587"_s, u"bewegungsraum-physio.de"_s,
         {{u"30 Min Beratung"_s, 30, 0}, {u"60 Min Termin"_s, 60, 6500}, {u"Krankengymnastik"_s, 30, 2800},
          {u"Manuelle Therapie"_s, 30, 3600}, {u"Lymphdrainage"_s, 45, 4200}},
         {{u"Praxis Hamburg-Altona"_s, u"Große Bergstraße 150, 22767 Hamburg"_s, u"+494038901203"_s, true,
           {u"Katrin Schulz"_s, u"Tobias Neumann"_s, u"Miriam Kaya"_s}},
          {u"Praxis München-Sendling"_s, u"Plinganserstraße 20, 81369 München"_s, u"+498972331104"_s, false,
           {u"Florian Huber"_s}}},
         u"Lymphdrainage"_s, false},
    };
}

const QStringList firstNames = {u"Maria"_s, u"Thomas"_s, u"Sabine"_s, u"Michael"_s, u"Claudia"_s, u"Andreas"_s, u"Petra"_s,
                                u"Stefan"_s, u"Katharina"_s, u"Jan"_s, u"Laura"_s, u"Lukas"_s, u"Sarah"_s, u"Felix"_s, u"Hannah"_s,
                                u"Paul"_s, u"Lea"_s, u"Maximilian"_s, u"Emma"_s, u"Leon"_s, u"Mia"_s, u"Elias"_s, u"Sophie"_s,
                                u"Ben"_s, u"Ursula"_s, u"Klaus"_s, u"Ingrid"_s, u"Jürgen"_s, u"Monika"_s, u"Helmut"_s,
                                u"Fatma"_s, u"Mehmet"_s, u"Olga"_s, u"Piotr"_s, u"Nina"_s, u"David"_s};
const QStringList lastNames = {u"Müller"_s, u"Schmidt"_s, u"Schneider"_s, u"Fischer"_s, u"Weber"_s, u"Meyer"_s, u"Wagner"_s,
                               u"Becker"_s, u"Schulz"_s, u"Hoffmann"_s, u"Schäfer"_s, u"Koch"_s, u"Bauer"_s, u"Richter"_s,
                               u"Klein"_s, u"Wolf"_s, u"Schröder"_s, u"Neumann"_s, u"Schwarz"_s, u"Zimmermann"_s, u"Braun"_s,
                               u"Krüger"_s, u"Hofmann"_s, u"Hartmann"_s, u"Lange"_s, u"Schmitt"_s, u"Werner"_s, u"Krause"_s,
                               u"Meier"_s, u"Lehmann"_s, u"Öztürk"_s, u"Kowalski"_s, u"Jäger"_s, u"Vogel"_s};
const QStringList mobilePrefixes = {u"151"_s, u"152"_s, u"157"_s, u"160"_s, u"162"_s, u"170"_s, u"171"_s, u"172"_s, u"176"_s, u"177"_s};

QString germanWeekday(const QDate &d)
{
    static const QStringList names = {u"Montag"_s, u"Dienstag"_s, u"Mittwoch"_s, u"Donnerstag"_s, u"Freitag"_s, u"Samstag"_s, u"Sonntag"_s};
    return names.value(d.dayOfWeek() - 1);
}

QString ascii(QString s)
{
    s.replace(u"ä"_s, u"ae"_s).replace(u"ö"_s, u"oe"_s).replace(u"ü"_s, u"ue"_s).replace(u"ß"_s, u"ss"_s);
    s.replace(u"Ä"_s, u"Ae"_s).replace(u"Ö"_s, u"Oe"_s).replace(u"Ü"_s, u"Ue"_s);
    s.remove(u"Dr. "_s);
    return s.toLower().replace(u' ', u'.');
}

// One prepared statement reused for many rows.
class Statement
{
public:
    Statement(QSqlDatabase conn, const QString &sql) : m_query(conn), m_sql(sql) { m_prepared = m_query.prepare(sql); }
    Result<QSqlQuery *> run(const QVariantList &params)
    {
        if (!m_prepared)
            return Database::errorFrom(m_query.lastError(), u"Cannot prepare demo statement"_s);
        for (int i = 0; i < params.size(); ++i)
            m_query.bindValue(i, Database::bindable(params.at(i)));
        if (!m_query.exec())
            return Database::errorFrom(m_query.lastError(), u"Demo insert failed: "_s + m_sql.left(60));
        return &m_query;
    }
    Result<qint64> insert(const QVariantList &params)
    {
        auto q = run(params);
        if (!q)
            return q.error();
        if (!(*q)->next())
            return makeError(ErrorKind::Internal, u"demo.insert"_s, u"An insert returned no id"_s);
        const qint64 id = (*q)->value(0).toLongLong();
        (*q)->finish();
        return id;
    }

private:
    QSqlQuery m_query;
    QString m_sql;
    bool m_prepared = false;
};

#define DEMO_TRY(var, expr)                                                                                            \
    auto var = (expr);                                                                                                 \
    if (!var)                                                                                                          \
        return var.error()

class Generator
{
public:
    Generator(Database &db, QSqlDatabase conn, quint32 seed, qint64 now, int days)
        : m_db(db)
        , m_rng(seed)
        , m_now(now)
        , m_days(days)
        , m_zone(QByteArrayLiteral("Europe/Berlin"))
        , m_company(conn, u"INSERT INTO companies (name, address, vat_id, billing_email, live_since, fallback_announcement, created_at, "
                          "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s)
        , m_team(conn, u"UPDATE companies SET calcom_team_id = ? WHERE id = ?"_s)
        , m_branch(conn, u"INSERT INTO branches (company_id, name, address, phone_e164, time_zone, active, retell_agent_id, "
                         "created_at, updated_at) VALUES (?, ?, ?, ?, 'Europe/Berlin', ?, ?, ?, ?) RETURNING id"_s)
        , m_hours(conn, u"INSERT INTO branch_opening_hours (branch_id, weekday, opens_minute, closes_minute) VALUES (?, ?, ?, ?)"_s)
        , m_closure(conn, u"INSERT INTO branch_closures (branch_id, first_day, last_day, reason) VALUES (?, ?, ?, ?)"_s)
        , m_staff(conn, u"INSERT INTO staff (company_id, branch_id, name, email, calcom_user_id, active, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"_s)
        , m_service(conn, u"INSERT INTO services (company_id, name, duration_minutes, price_cents, created_at) "
                          "VALUES (?, ?, ?, ?, ?) RETURNING id"_s)
        , m_mapping(conn, u"INSERT INTO event_type_mappings (branch_id, service_id, calcom_event_type_id) VALUES (?, ?, ?) RETURNING id"_s)
        , m_customer(conn, u"INSERT INTO customers (company_id, phone_e164, name, email, language, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, 'de', ?, ?) RETURNING id"_s)
        , m_call(conn, u"INSERT INTO calls (retell_call_id, company_id, branch_id, customer_id, agent_id, from_number, to_number, "
                       "started_at, ended_at, duration_ms, call_status, disconnection_reason, transcript, transcript_json, recording_url, "
                       "summary, sentiment, call_successful, cost_cents, appointment_requested, request_json, alternatives_json, outcome, "
                       "failure_kind, failure_reason, resolved_at, resolution_comment, raw_payload, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ended', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s)
        , m_event(conn, u"INSERT INTO call_events (call_id, at, step, status, code, args, message) VALUES (?, ?, ?, ?, ?, ?, ?)"_s)
        , m_appointment(conn, u"INSERT INTO appointments (company_id, branch_id, customer_id, staff_id, service_id, call_id, starts_at, "
                              "ends_at, status, calcom_booking_uid, calcom_booking_id, sync_state, sync_error, cancellation_reason, "
                              "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s)
        , m_usage(conn, u"INSERT INTO usage_logs (company_id, branch_id, kind, call_id, appointment_id, unit_price_cents, occurred_at, "
                        "period_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s)
        , m_inbox(conn, u"INSERT INTO webhook_inbox (provider, event_type, dedupe_key, received_at, signature_ok, body, status, "
                        "processed_at, error, call_id, delivery_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s)
        , m_message(conn, u"INSERT INTO notifications (company_id, call_id, appointment_id, kind, channel, dedupe_key, recipient, language, "
                          "subject, body, status, provider_id, provider_status, error_code, skip_reason, last_error, attempts, created_at, "
                          "sent_at, status_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'de', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s)
    {
    }

    Status company(const CompanyDef &def, DemoSummary &summary);

private:
    struct Branch
    {
        qint64 id = 0;
        BranchDef def;
        QList<qint64> staffIds;
        QString agentId;
    };
    struct Service
    {
        qint64 id = 0;
        ServiceDef def;
    };
    struct Customer
    {
        qint64 id = 0; // 0 until the first call creates the row
        QString name;
        QString phone;
        QString email;
    };

    int between(int low, int high) { return low + int(m_rng.bounded(quint32(high - low + 1))); }
    bool chance(double p) { return m_rng.generateDouble() < p; }
    QString hex(int n)
    {
        static const char digits[] = "0123456789abcdef";
        QString s;
        for (int i = 0; i < n; ++i)
            s += QLatin1Char(digits[m_rng.bounded(16)]);
        return s;
    }
    qint64 local(const QDate &d, const QTime &t) const { return QDateTime(d, t, m_zone).toMSecsSinceEpoch(); }

    Status call(const CompanyDef &def, qint64 companyId, const Branch &branch, const QList<Service> &services, QList<Customer> &customers,
                qint64 startedAt, DemoSummary &summary);
    Status events(qint64 callId, qint64 at, const QList<TimelineEntry> &entries);
    // The booking's confirmations as the call flow records them: an e-mail when an address is known and an
    // SMS to the caller's mobile number, with the fates real messages meet (most delivered, a few lost or
    // opted out). Drawn from a generator of the call's own, so the rest of the demo stays as it was.
    Status confirmations(const ConfirmationDetails &details, qint64 companyId, qint64 callId, qint64 appointmentId, const Customer &customer,
                         qint64 bookedAt, DemoSummary &summary);
    // The SMS "we will call you back" that the call flow sends a caller left as needs-callback, delivered but to a
    // customer who opted out. Drawn from the call's own generator, like the confirmations.
    Status callbackNotice(const CompanyDef &def, qint64 companyId, const Branch &branch, qint64 callId, const Customer &customer, qint64 endedAt,
                          DemoSummary &summary);
    // The hours DemoSeeder::openingHours invents, stored with the branch, and the Christmas closure.
    Status storeOpeningHours(qint64 branchId, bool saturday);
    // The company's open billing period of the month holding at, made on first use as recording does.
    Result<QVariant> periodFor(qint64 companyId, qint64 at);

    Database &m_db;
    QRandomGenerator m_rng;
    qint64 m_now;
    int m_days;
    QTimeZone m_zone;
    Statement m_company, m_team, m_branch, m_hours, m_closure, m_staff, m_service, m_mapping, m_customer, m_call, m_event, m_appointment, m_usage, m_inbox,
        m_message;
    QHash<std::pair<qint64, qint64>, qint64> m_periods; // (company, month start) -> period, 0: invoiced
    QHash<qint64, QList<std::pair<qint64, qint64>>> m_busy; // staff -> [start, end) of their seeded appointments
    qint64 m_callPrice = 50;
    qint64 m_appointmentPrice = 200;
};

Status Generator::confirmations(const ConfirmationDetails &details, qint64 companyId, qint64 callId, qint64 appointmentId,
                                const Customer &customer, qint64 bookedAt, DemoSummary &summary)
{
    QRandomGenerator fate(quint32(callId) * 2654435761u);
    const auto roll = [&fate] { return int(fate.bounded(100u)); };
    const auto sid = [&fate] {
        static const char digits[] = "0123456789abcdef";
        QString s = u"SM"_s;
        for (int i = 0; i < 32; ++i)
            s += QLatin1Char(digits[fate.bounded(16)]);
        return s;
    };
    const QString none = u""_s; // NOT NULL text columns: an empty text, never NULL
    if (!customer.email.isEmpty()) {
        const ConfirmationMessage mail = ConfirmationMessage::fill(MessageTemplates::shipped(u"confirmation"_s, u"email"_s, details.language), details);
        const bool bounced = roll() < 2;
        const qint64 sentAt = bookedAt + 800 + fate.bounded(1500u);
        auto stored = m_message.run({companyId, callId, appointmentId, u"confirmation"_s, u"email"_s, u"confirmation:%1"_s.arg(appointmentId), customer.email,
                                     mail.subject, mail.body, bounced ? u"failed"_s : u"sent"_s, none, none, none, none,
                                     bounced ? u"The mail server refused the recipient (550 mailbox unavailable)"_s : none, bounced ? 3 : 1,
                                     bookedAt, bounced ? Database::null() : QVariant(sentAt), sentAt});
        if (!stored)
            return stored.error();
        ++summary.messages;
    }
    // One customer in about forty has opted out, for every booking: chosen by the customer, not the call.
    const int r = customer.id % 41 == 7 ? 0 : 2 + int(fate.bounded(98u));
    const QString state = r < 2 ? u"skipped"_s : u"sent"_s;
    const QString providerStatus = r < 2 ? none : r < 4 ? u"undelivered"_s : r < 5 ? u"failed"_s : u"delivered"_s;
    const QString errorCode = r < 2 ? none : r < 3 ? u"30003"_s : r < 4 ? u"30006"_s : r < 5 ? u"30007"_s : none;
    const qint64 sentAt = bookedAt + 500 + fate.bounded(1200u);
    auto stored = m_message.run({companyId, callId, appointmentId, u"confirmation"_s, u"sms"_s, u"confirmation-sms:%1"_s.arg(appointmentId), customer.phone, none,
                                 ConfirmationMessage::fill(MessageTemplates::shipped(u"confirmation"_s, u"sms"_s, details.language), details).body, state, r < 2 ? none : sid(), providerStatus, errorCode,
                                 r < 2 ? u"opted_out"_s : none, none, r < 2 ? 0 : 1, bookedAt,
                                 r < 2 ? Database::null() : QVariant(sentAt), r < 2 ? Database::null() : QVariant(sentAt + 2000 + fate.bounded(9000u))});
    if (!stored)
        return stored.error();
    ++summary.messages;
    return {};
}

Status Generator::callbackNotice(const CompanyDef &def, qint64 companyId, const Branch &branch, qint64 callId, const Customer &customer,
                                 qint64 endedAt, DemoSummary &summary)
{
    QRandomGenerator fate(quint32(callId) * 2246822519u);
    const QString none = u""_s;
    const bool optedOut = customer.id % 41 == 7;
    const qint64 sentAt = endedAt + 1500 + 700 + fate.bounded(1500u);
    const QString sid = u"SM%1%2"_s.arg(fate.generate64(), 16, 16, QLatin1Char('0')).arg(fate.generate64(), 16, 16, QLatin1Char('0'));
    ConfirmationDetails details;
    details.language = u"de"_s;
    details.companyName = def.name;
    details.branchName = branch.def.name;
    details.branchPhone = PhoneNumbers::display(branch.def.phone);
    const QString text = ConfirmationMessage::fill(MessageTemplates::shipped(u"callback"_s, u"sms"_s, u"de"_s), details).body;
    auto stored = m_message.run({companyId, callId, Database::null(), u"callback"_s, u"sms"_s, u"callback-sms:%1"_s.arg(callId), customer.phone,
                                 none, text, optedOut ? u"skipped"_s : u"sent"_s, optedOut ? none : sid, optedOut ? none : u"delivered"_s, none,
                                 optedOut ? u"opted_out"_s : none, none, optedOut ? 0 : 1, endedAt + 1500,
                                 optedOut ? Database::null() : QVariant(sentAt),
                                 optedOut ? Database::null() : QVariant(sentAt + 2000 + fate.bounded(9000u))});
    if (!stored)
        return stored.error();
    ++summary.messages;
    return {};
}

Result<QVariant> Generator::periodFor(qint64 companyId, qint64 at)
{
    const std::pair<qint64, qint64> key{companyId, money::monthStartOf(at)};
    auto it = m_periods.constFind(key);
    if (it == m_periods.constEnd()) {
        auto id = UsageRollup(m_db).openPeriod(companyId, at);
        if (!id)
            return id.error();
        it = m_periods.insert(key, *id);
    }
    return *it > 0 ? QVariant(*it) : Database::null();
}

Status Generator::events(qint64 callId, qint64 at, const QList<TimelineEntry> &entries)
{
    qint64 t = at;
    for (int i = 0; i < entries.size(); ++i) {
        const TimelineEntry &e = entries.at(i);
        t += between(150, 2400);
        if (e.status == u"retry"_s)
            t += qint64(1000) << qMin(i, 6); // backoff between attempts
        auto q = m_event.run({callId, t, e.step, e.status, e.codeName(), e.argsText(), e.message});
        if (!q)
            return q.error();
    }
    return {};
}

Status Generator::storeOpeningHours(qint64 branchId, bool saturday)
{
    const QDate monday(2026, 1, 5);
    for (int weekday = 1; weekday <= 7; ++weekday) {
        const auto hours = DemoSeeder::openingHours(monday.addDays(weekday - 1), saturday);
        if (!hours)
            continue;
        auto q = m_hours.run({branchId, weekday, hours->first.msecsSinceStartOfDay() / 60000, hours->second.msecsSinceStartOfDay() / 60000});
        if (!q)
            return q.error();
    }
    const int year = fromMs(m_now).toTimeZone(m_zone).date().year();
    auto q = m_closure.run({branchId, QDate(year, 12, 24).toString(Qt::ISODate), QDate(year, 12, 26).toString(Qt::ISODate),
                            u"Weihnachten"_s});
    if (!q)
        return q.error();
    return {};
}

Status Generator::company(const CompanyDef &def, DemoSummary &summary)
{
    const qint64 created = m_now - qint64(m_days + 30) * 24 * 3600 * 1000;
    // What callers of a switched-off branch hear (the inbound call webhook's announcement).
    const QString announcement = u"Vielen Dank für Ihren Anruf bei %1. Dieser Standort ist vorübergehend geschlossen. "
                                 "Unsere anderen Standorte und die Online-Terminbuchung finden Sie auf unserer Website."_s.arg(def.name);
    DEMO_TRY(companyId, m_company.insert({def.name, def.address, def.vatId, def.email, created + 7 * 24 * 3600 * 1000LL, announcement,
                                          created, created}));
    ++summary.companies;
    // The staff work in a Cal.com team: event types are round-robin over the branch's staff.
    if (auto team = m_team.run({7000 + *companyId, *companyId}); !team)
        return team.error();

    QList<Service> services;
    for (const ServiceDef &s : def.services) {
        DEMO_TRY(id, m_service.insert({*companyId, s.name, s.minutes, s.priceCents, created}));
        services.append({*id, s});
    }
    QList<Branch> branches;
    qint64 calcomUser = 40000 + *companyId * 100;
    for (const BranchDef &b : def.branches) {
        Branch branch{0, b, {}, u"agent_"_s + hex(24)};
        DEMO_TRY(id, m_branch.insert({*companyId, b.name, b.address, b.phone, b.active ? 1 : 0, branch.agentId, created, created}));
        branch.id = *id;
        if (auto stored = storeOpeningHours(branch.id, def.saturday); !stored)
            return stored;
        for (const QString &name : b.staff) {
            DEMO_TRY(staffId, m_staff.insert({*companyId, branch.id, name, QString(ascii(name) + u"@"_s + def.emailDomain), ++calcomUser,
                                              b.active ? 1 : 0, created}));
            branch.staffIds.append(*staffId);
        }
        if (b.active) {
            for (const Service &s : services) {
                if (s.def.name == def.unmappedService && branches.size() == 1)
                    continue; // the second branch never got this event type: "no event type mapped"
                DEMO_TRY(mapped, m_mapping.insert({branch.id, s.id, 1180000 + between(1000, 99999)}));
            }
        }
        branches.append(branch);
        ++summary.branches;
    }

    QList<Customer> customers;
    for (int i = 0; i < 220; ++i) {
        const QString first = firstNames.at(between(0, int(firstNames.size()) - 1));
        const QString last = lastNames.at(between(0, int(lastNames.size()) - 1));
        const QString phone = u"+49"_s + mobilePrefixes.at(between(0, int(mobilePrefixes.size()) - 1)) + QString::number(between(1000000, 9999999));
        const QString email = chance(0.8) ? ascii(first) + u"."_s + ascii(last) + QString::number(between(1, 99)) + u"@"_s
                + QStringList{u"gmx.de"_s, u"web.de"_s, u"t-online.de"_s, u"gmail.com"_s, u"posteo.de"_s}.at(between(0, 4))
                                          : QString();
        customers.append({0, first + u' ' + last, phone, email});
    }

    const QDate today = fromMs(m_now).toTimeZone(m_zone).date();
    for (int back = m_days; back >= 0; --back) {
        const QDate day = today.addDays(-back);
        const int dow = day.dayOfWeek();
        for (const Branch &branch : branches) {
            int count = 0;
            if (!branch.def.active)
                count = dow <= 5 && chance(0.5) ? between(1, 2) : 0;
            else if (dow <= 5)
                count = between(5, 13) * int(branch.staffIds.size()); // as many calls as the staff can take
            else if (dow == 6 && def.saturday)
                count = between(2, 5) * int(branch.staffIds.size());
            for (int i = 0; i < count; ++i) {
                const qint64 startedAt = local(day, QTime(8, 0).addSecs(between(0, 10 * 3600 + 1800)));
                if (startedAt > m_now - 10 * 60 * 1000)
                    continue; // calls still to come today
                if (auto made = call(def, *companyId, branch, services, customers, startedAt, summary); !made)
                    return made;
            }
        }
    }
    // The customers who replied STOP, as the inbound webhook records them: from their first skipped SMS on.
    auto optedOut = m_db.exec(u"UPDATE customers SET sms_opt_out = 1, sms_opt_out_at = (SELECT MIN(n.created_at) FROM notifications n "
                              "JOIN appointments a ON a.id = n.appointment_id WHERE a.customer_id = customers.id AND n.skip_reason = 'opted_out') "
                              "WHERE company_id = ? AND EXISTS (SELECT 1 FROM notifications n JOIN appointments a ON a.id = n.appointment_id "
                              "WHERE a.customer_id = customers.id AND n.skip_reason = 'opted_out')"_s,
                              {*companyId});
    if (!optedOut)
        return optedOut.error();
    auto decided = m_db.exec(u"UPDATE customers SET sms_opt_changed_at = sms_opt_out_at WHERE company_id = ? AND sms_opt_out_at IS NOT NULL"_s,
                             {*companyId});
    return decided ? Status() : Status(decided.error());
}

Status Generator::call(const CompanyDef &def, qint64 companyId, const Branch &branch, const QList<Service> &services,
                       QList<Customer> &customers, qint64 startedAt, DemoSummary &summary)
{
    Customer &customer = customers[between(0, int(customers.size()) - 1)];
    const bool inactiveBranch = !branch.def.active;
    // Outcome mix: booked ~70 %, no request, needs callback, failures of each kind, a few still unbooked.
    const int roll = between(0, 999);
    QString outcome;
    QString failureKind;
    QString failure; // unknown_service | no_event_type | inactive_branch | transient | rejected
    if (inactiveBranch) {
        outcome = u"failed"_s;
        failureKind = u"configuration"_s;
        failure = u"inactive_branch"_s;
    } else if (roll < 700) {
        outcome = u"booked"_s;
    } else if (roll < 815) {
        outcome = u"no_request"_s;
    } else if (roll < 905) {
        outcome = u"needs_callback"_s;
    } else if (roll < 925) {
        outcome = u"failed"_s;
        failureKind = u"configuration"_s;
        failure = u"unknown_service"_s;
    } else if (roll < 945) {
        outcome = u"failed"_s;
        failureKind = u"configuration"_s;
        failure = u"no_event_type"_s;
    } else if (roll < 980) {
        outcome = u"failed"_s;
        failureKind = u"transient"_s;
        failure = u"transient"_s;
    } else if (roll < 992) {
        outcome = u"failed"_s;
        failureKind = u"rejected"_s;
        failure = u"rejected"_s;
    } else {
        outcome = u"pending"_s; // requested, not booked yet: the recovery sweep's work
    }

    Service service = services.at(between(0, int(services.size()) - 1));
    if (failure == u"no_event_type"_s) {
        for (const Service &s : services)
            if (s.def.name == def.unmappedService)
                service = s;
    }
    const QString serviceAsked = failure == u"unknown_service"_s
        ? QStringList{u"Wurzelbehandlung"_s, u"Massage"_s, u"Dauerwelle"_s, u"Hausbesuch"_s, u"Akupunktur"_s}.at(between(0, 4))
        : service.def.name;
    const QDateTime started = fromMs(startedAt).toTimeZone(m_zone);
    QDate wishDay = started.date().addDays(between(1, 16));
    while (!DemoSeeder::openingHours(wishDay, def.saturday))
        wishDay = wishDay.addDays(1);
    // A time at which the whole appointment fits into the branch's opening hours, on the quarter hour.
    const auto hours = *DemoSeeder::openingHours(wishDay, def.saturday);
    const int openMinute = hours.first.msecsSinceStartOfDay() / 60000;
    const int lastStart = hours.second.msecsSinceStartOfDay() / 60000 - service.def.minutes;
    QTime wishTime = QTime(0, 0).addSecs(qint64(openMinute + 15 * between(0, qMax(0, lastStart - openMinute) / 15)) * 60);

    // A booking needs a staff member free for the whole appointment: the calendar never double-books one.
    // Most callers take a free time nearby (they asked for that one); the others leave it to a callback.
    qint64 staffId = 0;
    if (outcome == u"booked"_s) {
        const auto freeStaff = [&](const QTime &at) {
            const qint64 starts = local(wishDay, at);
            const qint64 ends = starts + qint64(service.def.minutes) * 60000;
            QList<qint64> free;
            for (const qint64 id : branch.staffIds) {
                const auto &taken = m_busy[id];
                if (std::none_of(taken.cbegin(), taken.cend(), [&](const auto &span) { return span.first < ends && starts < span.second; }))
                    free.append(id);
            }
            return free;
        };
        QList<qint64> free = freeStaff(wishTime);
        if (free.isEmpty() && chance(0.75)) {
            for (int step = 1; step <= 8 && free.isEmpty(); ++step) {
                for (const int sign : {1, -1}) {
                    const int minute = wishTime.msecsSinceStartOfDay() / 60000 + sign * step * 15;
                    if (minute < openMinute || minute > lastStart)
                        continue;
                    free = freeStaff(QTime(0, 0).addSecs(qint64(minute) * 60));
                    if (!free.isEmpty()) {
                        wishTime = QTime(0, 0).addSecs(qint64(minute) * 60);
                        break;
                    }
                }
            }
        }
        if (free.isEmpty()) {
            outcome = u"needs_callback"_s;
        } else {
            staffId = free.at(between(0, int(free.size()) - 1));
            const qint64 starts = local(wishDay, wishTime);
            m_busy[staffId].append({starts, starts + qint64(service.def.minutes) * 60000});
        }
    }
    const bool requested = outcome != u"no_request"_s && failure != u"inactive_branch"_s;
    const qint64 durationMs = qint64(requested ? between(70, 320) : between(35, 150)) * 1000;
    const QString dateText = QLocale(QLocale::German).toString(wishDay, u"d. MMMM"_s);
    const QString timeText = wishTime.toString(u"H:mm"_s);

    // The conversation.
    QList<std::pair<QString, QString>> turns;
    const auto agent = [&turns](const QString &t) { turns.append({u"agent"_s, t}); };
    const auto user = [&turns](const QString &t) { turns.append({u"user"_s, t}); };
    agent(u"Guten Tag, hier ist der digitale Assistent von %1, %2. Wie kann ich Ihnen helfen?"_s.arg(def.name, branch.def.name));
    if (!requested) {
        const int topic = between(0, 2);
        if (topic == 0) {
            user(u"Hallo, ich wollte nur fragen, bis wann Sie heute geöffnet haben."_s);
            agent(u"Wir sind heute bis 18 Uhr für Sie da."_s);
        } else if (topic == 1) {
            user(u"Guten Tag, gibt es bei Ihnen in der Nähe Parkplätze?"_s);
            agent(u"Ja, direkt gegenüber ist ein Parkhaus, die erste Stunde ist kostenlos."_s);
        } else {
            user(u"Was kostet bei Ihnen %1?"_s.arg(service.def.name));
            agent(service.def.priceCents > 0 ? u"%1 kostet %2 Euro."_s.arg(service.def.name).arg(service.def.priceCents / 100)
                                             : u"Die Kosten übernimmt in der Regel Ihre Krankenkasse."_s);
        }
        user(u"Alles klar, vielen Dank!"_s);
        agent(u"Gern geschehen. Einen schönen Tag noch!"_s);
    } else {
        user(u"Hallo, hier ist %1. Ich hätte gern einen Termin für %2."_s.arg(customer.name, serviceAsked));
        agent(u"Sehr gern. An welchem Tag und um welche Uhrzeit würde es Ihnen passen?"_s);
        user(u"Am %1, den %2, so gegen %3 Uhr."_s.arg(germanWeekday(wishDay), dateText, timeText));
        if (outcome == u"booked"_s) {
            agent(u"Einen Moment, ich prüfe die Verfügbarkeit. Der Termin am %1 um %2 Uhr ist frei. Soll ich ihn für Sie buchen?"_s.arg(dateText, timeText));
            user(u"Ja, bitte."_s);
            agent(u"Ihr Termin ist gebucht. Sie erhalten gleich eine Bestätigung per E-Mail. Auf Wiederhören!"_s);
            user(u"Danke, tschüss!"_s);
        } else if (outcome == u"needs_callback"_s) {
            agent(u"Um %1 Uhr ist leider schon alles belegt. Ich könnte Ihnen %2 Uhr oder %3 Uhr anbieten."_s
                      .arg(timeText, wishTime.addSecs(-3600).toString(u"H:mm"_s), wishTime.addSecs(5400).toString(u"H:mm"_s)));
            user(u"Hm, das passt mir beides nicht. Kann mich jemand zurückrufen?"_s);
            agent(u"Natürlich, das Team meldet sich bei Ihnen unter dieser Nummer. Auf Wiederhören!"_s);
        } else {
            agent(u"Vielen Dank, ich habe Ihre Anfrage aufgenommen. Sie erhalten eine Bestätigung, sobald der Termin eingetragen ist."_s);
            user(u"Prima, danke."_s);
        }
    }
    Json transcriptJson = Json::array();
    QString transcript;
    for (const auto &[role, text] : turns) {
        transcriptJson.push_back({{"role", role.toStdString()}, {"content", text.toStdString()}});
        transcript += (role == u"agent"_s ? u"Agent: "_s : u"User: "_s) + text + u'\n';
    }

    Json request;
    if (requested)
        request = Json{{"service", serviceAsked.toStdString()}, {"date", wishDay.toString(Qt::ISODate).toStdString()},
                       {"time", wishTime.toString(u"HH:mm"_s).toStdString()}, {"customer_name", customer.name.toStdString()},
                       {"customer_email", customer.email.toStdString()}, {"staff_preference", ""}, {"notes", ""},
                       {"agreed_to_alternatives", false}};
    Json alternatives;
    QList<QDateTime> offered;
    if (outcome == u"needs_callback"_s) {
        alternatives = Json::array();
        for (const int offset : {-3600, 5400, 24 * 3600}) {
            const QDateTime at = QDateTime(wishDay, wishTime, m_zone).addSecs(offset);
            offered.append(at);
            alternatives.push_back(
                at.toOffsetFromUtc(m_zone.offsetFromUtc(QDateTime(wishDay, wishTime, m_zone))).toString(Qt::ISODate).toStdString());
        }
    }

    QString reason;
    if (failure == u"inactive_branch"_s)
        reason = u"No active branch answers %1"_s.arg(branch.def.phone);
    else if (failure == u"unknown_service"_s)
        reason = u"No service of this company matches \"%1\""_s.arg(serviceAsked);
    else if (failure == u"no_event_type"_s)
        reason = u"Service %1 has no Cal.com event type at %2"_s.arg(service.def.name, branch.def.name);
    else if (failure == u"transient"_s)
        reason = u"Cal.com is unavailable (HTTP 503): gave up after 8 attempts"_s;
    else if (failure == u"rejected"_s)
        reason = u"Cal.com refused the booking: the slot was taken in the meantime"_s;
    else if (outcome == u"needs_callback"_s)
        reason = u"The requested time is taken; the caller declined the alternatives"_s;

    const QString retellId = u"call_"_s + hex(32);
    const QString summaryText = !requested ? u"Der Anrufer hatte eine allgemeine Frage und wollte keinen Termin."_s
        : outcome == u"booked"_s          ? u"%1 hat einen Termin für %2 am %3 um %4 Uhr gebucht."_s.arg(customer.name, serviceAsked, dateText, timeText)
        : outcome == u"needs_callback"_s  ? u"%1 wünscht %2 am %3; die angebotenen Alternativen passten nicht, Rückruf erbeten."_s.arg(customer.name, serviceAsked, dateText)
                                          : u"%1 möchte %2 am %3 um %4 Uhr."_s.arg(customer.name, serviceAsked, dateText, timeText);
    const QString sentiment = outcome == u"booked"_s ? (chance(0.8) ? u"Positive"_s : u"Neutral"_s)
        : outcome == u"needs_callback"_s              ? (chance(0.5) ? u"Neutral"_s : u"Negative"_s)
                                                      : (chance(0.6) ? u"Neutral"_s : u"Positive"_s);
    const QString disconnection = QStringList{u"user_hangup"_s, u"user_hangup"_s, u"agent_hangup"_s, u"agent_hangup"_s, u"inactivity"_s}.at(between(0, 4));
    const qint64 endedAt = startedAt + durationMs;

    Json payload{{"event", "call_analyzed"},
                 {"call",
                  {{"call_id", retellId.toStdString()},
                   {"agent_id", branch.agentId.toStdString()},
                   {"call_type", "phone_call"},
                   {"direction", "inbound"},
                   {"from_number", customer.phone.toStdString()},
                   {"to_number", branch.def.phone.toStdString()},
                   {"call_status", "ended"},
                   {"start_timestamp", startedAt},
                   {"end_timestamp", endedAt},
                   {"disconnection_reason", disconnection.toStdString()},
                   {"transcript_object", transcriptJson},
                   {"recording_url", u"https://dxc03zgurdly9.cloudfront.net/%1/recording.wav"_s.arg(retellId).toStdString()},
                   {"access_token", hex(40).toStdString()},
                   {"retell_llm_dynamic_variables", {{"company", def.name.toStdString()}, {"branch", branch.def.name.toStdString()}}},
                   {"call_analysis",
                    {{"call_summary", summaryText.toStdString()},
                     {"user_sentiment", sentiment.toStdString()},
                     {"call_successful", outcome == u"booked"_s || outcome == u"no_request"_s},
                     {"custom_analysis_data", requested ? request : Json{{"appointment_requested", false}}}}}}}};

    // Customer: created by the first call that reaches the flow (not for calls to an unknown number).
    qint64 customerId = 0;
    if (!inactiveBranch) {
        if (customer.id == 0) {
            DEMO_TRY(id, m_customer.insert({companyId, customer.phone, customer.name, customer.email,
                                            startedAt, startedAt}));
            customer.id = *id;
            ++summary.customers;
        }
        customerId = customer.id;
    }
    const bool resolvable = outcome == u"failed"_s || outcome == u"needs_callback"_s;
    const bool resolved = resolvable && endedAt < m_now - 5LL * 24 * 3600 * 1000 && chance(0.85);
    const qint64 resolvedAt = resolved ? endedAt + between(1, 48) * 3600000LL : 0;
    const QString resolutionComment = resolved ? QStringList{u"Kunde zurückgerufen, Termin telefonisch vereinbart"_s,
                                                             u"Konfiguration korrigiert, erneut gebucht"_s,
                                                             u"Kunde nicht erreicht, per E-Mail informiert"_s}.at(between(0, 2))
                                               : QString();

    DEMO_TRY(callId, m_call.insert({retellId, inactiveBranch ? Database::null() : QVariant(companyId),
                                    inactiveBranch ? Database::null() : QVariant(branch.id), customerId > 0 ? QVariant(customerId) : Database::null(),
                                    branch.agentId, customer.phone, branch.def.phone, startedAt, endedAt, durationMs, disconnection,
                                    transcript.trimmed(), QString::fromStdString(transcriptJson.dump()),
                                    u"https://dxc03zgurdly9.cloudfront.net/%1/recording.wav"_s.arg(retellId), summaryText, sentiment,
                                    outcome == u"booked"_s || outcome == u"no_request"_s ? 1 : 0, between(8, 40), requested ? 1 : 0,
                                    requested ? QString::fromStdString(request.dump()) : QString(),
                                    alternatives.is_null() ? QString() : QString::fromStdString(alternatives.dump()), outcome, failureKind,
                                    reason, resolved ? QVariant(resolvedAt) : Database::null(), resolutionComment,
                                    QString::fromStdString(payload.dump()), startedAt, resolved ? resolvedAt : endedAt + 4000}));
    ++summary.calls;

    // The timeline the call flow writes, entry for entry.
    const QDateTime wished(wishDay, wishTime, m_zone);
    const QString uid = outcome == u"booked"_s ? hex(22) : QString();
    const Error unavailable{ErrorKind::Transient, u"Cal.com.unavailable"_s, u"Cal.com is failing (HTTP 503)"_s,
                            u"Service Unavailable"_s, 503};
    QList<TimelineEntry> entries{timeline::eventReceived(u"call_ended"_s), timeline::eventReceived(u"call_analyzed"_s)};
    if (inactiveBranch) {
        entries << timeline::branchNotFound(branch.def.phone);
    } else if (!requested) {
        entries << timeline::noRequest();
    } else {
        entries << timeline::requestReceived(serviceAsked, wishDay, wishTime);
        if (failure == u"unknown_service"_s) {
            entries << timeline::serviceNotFound(serviceAsked);
        } else if (failure == u"no_event_type"_s) {
            entries << timeline::noEventType(service.def.name, branch.def.name);
        } else if (failure == u"transient"_s) {
            for (int attempt = 1; attempt <= 3; ++attempt)
                entries << timeline::retry(unavailable);
            entries << timeline::failed(unavailable);
        } else if (outcome == u"pending"_s) {
            entries << timeline::retry({ErrorKind::Transient, u"Cal.com.timeout"_s, u"Cal.com did not answer in time"_s,
                                         u"Operation canceled"_s, 0});
        } else {
            entries << timeline::slotsFetched(between(3, 14));
            if (failure == u"rejected"_s) {
                const Error taken{ErrorKind::Rejected, u"Cal.com.rejected"_s, u"Cal.com refused the request (HTTP 409)"_s,
                                  u"slot already booked"_s, 409};
                entries << timeline::calcomRefused(wished, taken, m_zone) << timeline::failed(taken);
            } else if (outcome == u"needs_callback"_s) {
                entries << timeline::needsCallback(TimelineCode::AlternativesDeclined, offered, m_zone);
            } else {
                entries << timeline::calcomBooked(wished, uid, m_zone);
                if (!customer.email.isEmpty())
                    entries << timeline::confirmationQueued(customer.email);
            }
        }
    }
    if (resolved)
        entries << timeline::supportResolved(u"support"_s, resolutionComment);
    if (auto logged = events(*callId, endedAt, entries); !logged)
        return logged;

    if (!inactiveBranch) {
        DEMO_TRY(period, periodFor(companyId, endedAt));
        auto usage = m_usage.run({companyId, branch.id, u"call"_s, *callId, Database::null(), m_callPrice, endedAt, *period});
        if (!usage)
            return usage.error();
    }

    if (outcome == u"booked"_s) {
        const qint64 starts = local(wishDay, wishTime);
        const qint64 ends = starts + qint64(service.def.minutes) * 60000;
        QString status = u"booked"_s;
        QString cancellation;
        if (starts < m_now) {
            const int r = between(0, 99);
            status = r < 85 ? u"completed"_s : r < 92 ? u"no_show"_s : u"cancelled"_s;
        } else if (chance(0.08)) {
            status = u"cancelled"_s;
        }
        // Booked a second or two after the analysed call's webhook arrived (endedAt + 1.5 s), a few
        // slower after a Cal.com retry: the health page's webhook-to-booking time.
        const qint64 bookedAt = endedAt + 1500 + 600 + between(0, 1400) + (chance(0.03) ? between(2000, 9000) : 0);
        if (status == u"cancelled"_s)
            cancellation = QStringList{u"Krankheit"_s, u"Terminkollision"_s, u"Kunde hat abgesagt"_s}.at(between(0, 2));
        QString sync = u"synced"_s;
        QString syncError;
        if (starts > m_now && status == u"booked"_s) {
            const int r = between(0, 99);
            if (r < 3) {
                sync = u"failed"_s;
                syncError = u"Cal.com: booking not found (HTTP 404)"_s;
            } else if (r < 6) {
                sync = u"pending"_s;
            }
        }
        DEMO_TRY(appointmentId, m_appointment.insert({companyId, branch.id, customerId, staffId, service.id, *callId, starts, ends, status,
                                                      uid, between(1000000, 9999999), sync, syncError, cancellation, bookedAt, bookedAt}));
        ++summary.appointments;
        const ConfirmationDetails details{u"de"_s, customer.name, service.def.name, def.name, branch.def.name, branch.def.address,
                                          PhoneNumbers::display(branch.def.phone), u"Europe/Berlin"_s, fromMs(starts), service.def.minutes,
                                          u"appointment-%1"_s.arg(*appointmentId)};
        if (auto sent = confirmations(details, companyId, *callId, *appointmentId, customer, bookedAt, summary); !sent)
            return sent;
        DEMO_TRY(period, periodFor(companyId, endedAt));
        auto usage = m_usage.run({companyId, branch.id, u"appointment"_s, Database::null(), *appointmentId, m_appointmentPrice, endedAt,
                                  *period});
        if (!usage)
            return usage.error();
    }

    if (outcome == u"needs_callback"_s) {
        if (auto told = callbackNotice(def, companyId, branch, *callId, customer, endedAt, summary); !told)
            return told;
    }

    // The last week's deliveries stay visible in the webhook inbox.
    if (startedAt > m_now - 7LL * 24 * 3600 * 1000) {
        const QString status = outcome == u"failed"_s ? u"failed"_s : u"processed"_s;
        auto stored = m_inbox.run({u"retell"_s, u"call_analyzed"_s, QString(retellId + u":call_analyzed"_s), endedAt + 1500, 1,
                                   QByteArray(payload.dump().c_str()), status, endedAt + 4000, outcome == u"failed"_s ? reason : QString(),
                                   *callId, chance(0.05) ? 2 : 1});
        if (!stored)
            return stored.error();
        ++summary.inboxRows;
    }
    return {};
}

} // namespace

DemoSeeder::DemoSeeder(Database &db)
    : m_db(db)
{
}

Result<DemoSummary> DemoSeeder::seed(int days, qint64 now, quint32 randomSeed)
{
    DemoSummary summary;
    auto existing = m_db.scalar(u"SELECT COUNT(*) FROM companies"_s);
    if (!existing)
        return existing.error();
    if (existing->toLongLong() > 0) {
        summary.skipped = true;
        return summary;
    }
    auto conn = m_db.connection();
    if (!conn)
        return conn.error();
    Generator generator(m_db, *conn, randomSeed, now > 0 ? now : nowMs(), qBound(1, days, 3650));
    for (const CompanyDef &def : companyDefinitions()) {
        Transaction tx(m_db);
        if (!tx.started())
            return tx.started().error();
        if (auto made = generator.company(def, summary); !made)
            return made.error();
        if (auto committed = tx.commit(); !committed)
            return committed.error();
    }
    // The generator writes usage rows directly; the charts read the daily totals built from them.
    if (auto rolled = UsageRollup(m_db).rebuild(); !rolled)
        return rolled.error();
    auto checks = seedHealthChecks(now > 0 ? now : nowMs(), randomSeed);
    if (!checks)
        return checks.error();
    summary.healthChecks = *checks;
    auto invoices = issueInvoices(now > 0 ? now : nowMs(), qBound(1, days, 3650), randomSeed);
    if (!invoices)
        return invoices.error();
    summary.invoices = *invoices;
    auto users = seedUsers();
    if (!users)
        return users.error();
    summary.users = *users;
    return summary;
}

// Three days of the server's health checks every 15 minutes, so the health page has a history: all well
// but for an hour of a slow Cal.com yesterday afternoon.
Result<int> DemoSeeder::seedHealthChecks(qint64 now, quint32 randomSeed)
{
    auto conn = m_db.connection();
    if (!conn)
        return conn.error();
    Statement insert(*conn, u"INSERT INTO health_checks (check_name, state, latency_ms, message, checked_at) VALUES (?, ?, ?, ?, ?)"_s);
    QRandomGenerator random(randomSeed);
    constexpr qint64 step = 15 * 60 * 1000;
    const qint64 last = now - now % step;
    const QDateTime slowFrom(fromMs(now).toTimeZone(QTimeZone(QByteArrayLiteral("Europe/Berlin"))).date().addDays(-1), QTime(15, 0),
                             QTimeZone(QByteArrayLiteral("Europe/Berlin")));
    const qint64 slowStart = slowFrom.toMSecsSinceEpoch();
    const QList<std::pair<QString, int>> checks{{u"database"_s, 2}, {u"retell"_s, 180}, {u"calcom"_s, 240}, {u"stripe"_s, 210},
                                                {u"numbers"_s, 360}, {u"smtp"_s, 40},   {u"workers"_s, 1},  {u"backlog"_s, 1},
                                                {u"webhooks"_s, 1}};
    Transaction tx(m_db);
    if (!tx.started())
        return tx.started().error();
    int made = 0;
    for (qint64 at = last - 3LL * 24 * 3600 * 1000; at <= last; at += step) {
        for (const auto &[name, typical] : checks) {
            const bool slow = name == u"calcom"_s && at >= slowStart && at < slowStart + 3600 * 1000;
            const int latency = slow ? 2600 + int(random.bounded(1800)) : typical / 2 + int(random.bounded(quint32(typical)));
            // The message is the checker's own wording; slow answers are the only ones that have one.
            auto row = insert.run({name, slow ? u"degraded"_s : u"ok"_s, latency,
                                   slow ? QCoreApplication::translate("HealthChecker", "Answers slowly (%1 ms)").arg(latency) : QString(), at});
            if (!row)
                return row.error();
            ++made;
        }
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return made;
}

// The months that ended are invoiced by the real invoice run, on the first of the next month, as the
// server's monthly job does. Customers paid within a few days, except one invoice of the month before last,
// now overdue; one early invoice was corrected by a credit note. Mail and Stripe went out back then, so
// no follow-ups are queued.
Result<int> DemoSeeder::issueInvoices(qint64 now, int days, quint32 randomSeed)
{
    const QTimeZone zone(money::billingZone);
    const QDate today = fromMs(now).toTimeZone(zone).date();
    const QDate first = fromMs(now - qint64(days) * 24 * 3600 * 1000).toTimeZone(zone).date();
    InvoiceGenerator generator(m_db);
    QList<QList<qint64>> byMonth;
    QList<qint64> issuedAt;
    for (QDate month(first.year(), first.month(), 1); month.addMonths(1) <= today; month = month.addMonths(1)) {
        const qint64 issued = QDateTime(month.addMonths(1), QTime(6, 0), zone).toMSecsSinceEpoch();
        if (issued > now)
            break;
        auto report = generator.generateMonth(month, issued);
        if (!report)
            return report.error();
        if (report->created > 0) {
            byMonth.append(report->invoiceIds);
            issuedAt.append(issued);
        }
    }
    QRandomGenerator random(randomSeed);
    int made = 0;
    for (qsizetype m = 0; m < byMonth.size(); ++m) {
        const bool overdueMonth = byMonth.size() >= 2 && m == byMonth.size() - 2;
        for (qsizetype i = 0; i < byMonth.at(m).size(); ++i) {
            ++made;
            const qint64 invoiceId = byMonth.at(m).at(i);
            const qint64 paidAt = issuedAt.at(m) + qint64(2 + random.bounded(8)) * 24 * 3600 * 1000;
            if ((overdueMonth && i == 0) || paidAt > now)
                continue; // unpaid: overdue once its due date has passed
            auto gross = m_db.scalar(u"SELECT gross_cents FROM invoices WHERE id = ?"_s, {invoiceId});
            if (!gross)
                return gross.error();
            auto paid = m_db.exec(u"INSERT INTO payments (invoice_id, at, kind, amount_cents, reason) VALUES (?, ?, 'paid', ?, '')"_s,
                                  {invoiceId, paidAt, gross->toLongLong()});
            if (!paid)
                return paid.error();
            auto updated = m_db.exec(u"UPDATE invoices SET status = 'paid', paid_at = ? WHERE id = ?"_s, {paidAt, invoiceId});
            if (!updated)
                return updated.error();
        }
    }
    if (!byMonth.isEmpty() && byMonth.first().size() > 1) {
        const qint64 corrected = byMonth.first().at(1);
        auto credit = generator.createCreditNote(corrected, u"Grundgebühr doppelt berechnet; korrigierte Rechnung folgt"_s,
                                                 Actor::system(u"demo-seed"_s), issuedAt.first() + 5LL * 24 * 3600 * 1000);
        if (!credit)
            return credit.error();
        auto quiet = m_db.exec(u"DELETE FROM jobs WHERE dedupe_key IN (?, ?)"_s,
                               {u"invoice:%1:push"_s.arg(*credit), u"invoice:%1:mail"_s.arg(*credit)});
        if (!quiet)
            return quiet.error();
        ++made;
    }
    return made;
}

namespace {

// The owner of each demo business, who sees only that business (the customer portal's view).
struct CompanyOwnerDef
{
    QString company;
    QString username;
    QString displayName;
};

QList<CompanyOwnerDef> companyOwnerDefinitions()
{
    return {{u"Zahnarztpraxis Dr. Weber"_s, u"praxis-weber"_s, u"Dr. Anna Weber"_s},
            {u"Salon Haarmonie"_s, u"salon-haarmonie"_s, u"Lena Hofmann"_s},
            {u"Physiotherapie Bewegungsraum"_s, u"physio-bewegungsraum"_s, u"Jonas Petersen"_s}};
}

} // namespace

std::optional<std::pair<QTime, QTime>> DemoSeeder::openingHours(const QDate &day, bool saturday)
{
    if (day.dayOfWeek() <= 5)
        return std::pair{QTime(8, 0), QTime(18, 0)};
    if (day.dayOfWeek() == 6 && saturday)
        return std::pair{QTime(9, 0), QTime(14, 0)};
    return std::nullopt;
}

namespace {

bool opensOnSaturday(const QString &companyName)
{
    for (const CompanyDef &def : companyDefinitions()) {
        if (def.name == companyName)
            return def.saturday;
    }
    return false;
}

// Cal.com's availability windows for the demo's opening hours.
Json availability(bool saturday)
{
    Json windows = Json::array();
    const QDate monday(2026, 1, 5);
    for (int offset = 0; offset < 7; ++offset) {
        const QDate day = monday.addDays(offset);
        const auto hours = DemoSeeder::openingHours(day, saturday);
        if (!hours)
            continue;
        windows.push_back({{"days", Json::array({QLocale(QLocale::English).dayName(day.dayOfWeek()).toStdString()})},
                           {"startTime", hours->first.toString(u"HH:mm"_s).toStdString()},
                           {"endTime", hours->second.toString(u"HH:mm"_s).toStdString()}});
    }
    return windows;
}

} // namespace

Result<QByteArray> DemoSeeder::sandboxCalendar(Database &db, qint64 now)
{
    if (now <= 0)
        now = nowMs();
    Json users = Json::array();
    Json schedules = Json::array();
    Json teams = Json::array();
    Json eventTypes = Json::array();
    Json bookings = Json::array();
    Json branches = Json::array();

    auto branchRows = db.exec(u"SELECT b.id, b.name, b.phone_e164, b.time_zone, c.calcom_team_id, c.name FROM branches b "
                              "JOIN companies c ON c.id = b.company_id WHERE b.active = 1 AND c.calcom_team_id IS NOT NULL "
                              "ORDER BY c.id, b.id"_s);
    if (!branchRows)
        return branchRows.error();
    struct BranchRow
    {
        qint64 id = 0;
        QString name;
        QString phone;
        QString zone;
        qint64 team = 0;
        bool saturday = false;
        QString company;
    };
    QList<BranchRow> rows;
    while (branchRows->next())
        rows.append({branchRows->value(0).toLongLong(), branchRows->value(1).toString(), branchRows->value(2).toString(),
                     branchRows->value(3).toString(), branchRows->value(4).toLongLong(), opensOnSaturday(branchRows->value(5).toString()),
                     branchRows->value(5).toString()});
    branchRows->finish();

    for (const BranchRow &b : std::as_const(rows)) {
        const QString &companyName = b.company;
        const Json hours = availability(b.saturday);
        Json members = Json::array();
        Json hosts = Json::array();
        auto staff = db.exec(u"SELECT calcom_user_id, name, email FROM staff WHERE branch_id = ? AND active = 1 "
                             "AND calcom_user_id IS NOT NULL ORDER BY id"_s,
                             {b.id});
        if (!staff)
            return staff.error();
        while (staff->next()) {
            const qint64 userId = staff->value(0).toLongLong();
            const QString email = staff->value(2).toString();
            users.push_back({{"id", userId}, {"name", staff->value(1).toString().toStdString()}, {"email", email.toStdString()},
                             {"username", email.section(u'@', 0, 0).toStdString()}, {"timeZone", b.zone.toStdString()}});
            schedules.push_back({{"ownerId", userId}, {"name", "Öffnungszeiten"}, {"timeZone", b.zone.toStdString()},
                                 {"isDefault", true}, {"availability", hours}});
            members.push_back(userId);
            hosts.push_back({{"userId", userId}});
        }
        if (!teams.empty() && teams.back()["id"] == Json(b.team)) {
            for (const Json &m : members)
                teams.back()["members"].push_back(m);
        } else {
            teams.push_back({{"id", b.team}, {"name", companyName.toStdString()}, {"timeZone", b.zone.toStdString()}, {"members", members}});
        }

        Json services = Json::array();
        auto mapped = db.exec(u"SELECT m.calcom_event_type_id, s.id, s.name, s.duration_minutes FROM event_type_mappings m "
                              "JOIN services s ON s.id = m.service_id WHERE m.branch_id = ? AND s.active = 1 ORDER BY s.id"_s,
                              {b.id});
        if (!mapped)
            return mapped.error();
        while (mapped->next()) {
            const std::string title = mapped->value(2).toString().toStdString();
            const int minutes = mapped->value(3).toInt();
            eventTypes.push_back({{"id", mapped->value(0).toLongLong()}, {"title", title},
                                  {"slug", u"askpro-%1-%2"_s.arg(b.id).arg(mapped->value(1).toLongLong()).toStdString()},
                                  {"lengthInMinutes", minutes}, {"teamId", b.team}, {"schedulingType", "roundRobin"}, {"hosts", hosts}});
            services.push_back({{"title", title}, {"lengthInMinutes", minutes}});
        }
        branches.push_back({{"phone", b.phone.toStdString()}, {"name", b.name.toStdString()}, {"timeZone", b.zone.toStdString()},
                            {"services", services}, {"hours", hours}});

        // Appointments still to come block their staff member's time (cancelled ones free it).
        auto upcoming = db.exec(u"SELECT a.calcom_booking_uid, m.calcom_event_type_id, a.starts_at, a.ends_at, s.calcom_user_id, "
                                "COALESCE(c.name, ''), COALESCE(c.email, '') FROM appointments a "
                                "JOIN staff s ON s.id = a.staff_id "
                                "JOIN event_type_mappings m ON m.branch_id = a.branch_id AND m.service_id = a.service_id "
                                "LEFT JOIN customers c ON c.id = a.customer_id "
                                "WHERE a.branch_id = ? AND a.ends_at > ? AND a.status IN ('booked', 'pending') "
                                "AND s.calcom_user_id IS NOT NULL ORDER BY a.starts_at, a.id"_s,
                                {b.id, now});
        if (!upcoming)
            return upcoming.error();
        while (upcoming->next()) {
            const QString name = upcoming->value(5).toString();
            bookings.push_back({{"uid", upcoming->value(0).toString().toStdString()}, {"eventTypeId", upcoming->value(1).toLongLong()},
                                {"start", fromMs(upcoming->value(2).toLongLong()).toUTC().toString(Qt::ISODateWithMs).toStdString()},
                                {"lengthInMinutes", (upcoming->value(3).toLongLong() - upcoming->value(2).toLongLong()) / 60000},
                                {"hostId", upcoming->value(4).toLongLong()},
                                {"attendee", {{"name", (name.isEmpty() ? u"Kunde"_s : name).toStdString()},
                                              {"email", upcoming->value(6).toString().toStdString()},
                                              {"timeZone", b.zone.toStdString()}}}});
        }
    }
    const Json seed{{"calcom", {{"users", users}, {"schedules", schedules}, {"teams", teams}, {"eventTypes", eventTypes},
                                {"bookings", bookings}}},
                    {"branches", branches}};
    return QByteArray::fromStdString(seed.dump(2));
}

QStringList DemoSeeder::demoUsernames()
{
    QStringList names{u"admin"_s, u"inhaberin"_s, u"support"_s, u"onboarding"_s};
    for (const CompanyOwnerDef &owner : companyOwnerDefinitions())
        names.append(owner.username);
    return names;
}

bool DemoSeeder::isDemoDatabase(Database &db)
{
    auto count = db.scalar(u"SELECT COUNT(*) FROM users WHERE username IN ('admin', 'inhaberin', 'support', 'onboarding')"_s);
    return count && count->toInt() == 4;
}

Result<int> DemoSeeder::seedUsers()
{
    UserStore users(m_db);
    auto existing = users.hasUsers();
    if (!existing)
        return existing.error();
    if (*existing)
        return 0;
    const QString password = QString::fromLatin1(demoPassword);
    auto admin = users.createFirstAdmin({u"admin"_s, u"Alex Admin"_s, password, Role::Admin, u"de"_s});
    if (!admin)
        return admin.error();
    const QList<NewUser> others{{u"inhaberin"_s, u"Ines Inhaberin"_s, password, Role::Owner, u"de"_s},
                                {u"support"_s, u"Sven Support"_s, password, Role::Support, u"de"_s},
                                {u"onboarding"_s, u"Olivia Onboarding"_s, password, Role::Onboarding, u"de"_s}};
    for (const NewUser &user : others) {
        if (auto created = users.create(*admin, user); !created)
            return created.error();
    }
    int owners = 0;
    for (const CompanyOwnerDef &owner : companyOwnerDefinitions()) {
        auto company = m_db.scalar(u"SELECT id FROM companies WHERE name = ?"_s, {owner.company});
        if (!company)
            return company.error();
        if (company->isNull())
            continue; // a demo seeded with fewer companies
        if (auto created = users.create(*admin, {owner.username, owner.displayName, password, Role::CompanyOwner, u"de"_s, company->toLongLong()});
            !created)
            return created.error();
        ++owners;
    }
    return int(others.size()) + 1 + owners;
}

} // namespace askpro
