// The customer import: parse and check each row, then per batch look up what AskPro already holds and decide;
// an apply writes each batch in one short transaction so that webhooks keep being stored beside it.
#include "importer/customerimport.h"

#include "core/clock.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "importer/csvreader.h"
#include "support/auditlog.h"

#include <QElapsedTimer>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The fields an import keeps track of; language and anything else set in AskPro is never touched. "mobile" is
// the customer's number for text messages (customers.message_phone_e164).
constexpr int FieldCount = 5;
const char *const ValueKeys[FieldCount] = {"name", "email", "notes", "phone", "mobile"};
// The customers' columns of the fields, in the same order.
const char *const ValueColumns = "c.name, c.email, c.notes, c.phone_e164, c.message_phone_e164";

struct Values
{
    QString v[FieldCount];

    [[nodiscard]] QJsonObject toJson() const
    {
        QJsonObject o;
        for (int i = 0; i < FieldCount; ++i)
            o.insert(QLatin1StringView(ValueKeys[i]), v[i]);
        return o;
    }
    [[nodiscard]] static Values fromJson(const QJsonObject &o)
    {
        Values values;
        for (int i = 0; i < FieldCount; ++i)
            values.v[i] = o.value(QLatin1StringView(ValueKeys[i])).toString();
        return values;
    }
};

enum { NameField = 0, EmailField = 1, NotesField = 2, PhoneField = 3, MobileField = 4 };

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// "E-Mail-Adresse" -> "emailadresse", "Tel." -> "tel", "Straße" stays readable: lower case, letters and digits only.
QString headerKey(const QString &name)
{
    QString key;
    for (const QChar c : name.toLower())
        if (c.isLetterOrNumber())
            key += c;
    return key;
}

const QHash<QString, ImportField> &knownHeaders()
{
    static const QHash<QString, ImportField> known = [] {
        QHash<QString, ImportField> h;
        const auto add = [&h](ImportField field, std::initializer_list<const char16_t *> names) {
            for (const char16_t *n : names)
                h.insert(QString::fromUtf16(n), field);
        };
        add(ImportField::SourceId, {u"id", u"kundennummer", u"kundennr", u"kdnr", u"kundenid", u"nr", u"nummer", u"customerid",
                                    u"customernumber", u"customerno", u"externalid", u"sourceid"});
        add(ImportField::Name, {u"name", u"kunde", u"kundenname", u"vollständigername", u"fullname", u"customer", u"customername"});
        add(ImportField::FirstName, {u"vorname", u"firstname", u"givenname", u"forename"});
        add(ImportField::LastName, {u"nachname", u"familienname", u"zuname", u"lastname", u"surname", u"familyname"});
        add(ImportField::Phone, {u"telefon", u"tel", u"telefonnummer", u"telnr", u"rufnummer", u"festnetz", u"phone", u"phonenumber",
                                 u"telephone", u"landline"});
        add(ImportField::Mobile, {u"mobil", u"mobiltelefon", u"mobilnummer", u"handy", u"handynummer", u"mobile", u"mobilephone",
                                  u"cell", u"cellphone"});
        add(ImportField::Email, {u"email", u"emailadresse", u"mail", u"emailaddress"});
        add(ImportField::Company, {u"firma", u"unternehmen", u"mandant", u"company", u"business"});
        add(ImportField::Branch, {u"filiale", u"standort", u"praxis", u"branch", u"location"});
        add(ImportField::Notes, {u"notiz", u"notizen", u"bemerkung", u"bemerkungen", u"kommentar", u"anmerkung", u"notes", u"note",
                                 u"comment", u"comments"});
        return h;
    }();
    return known;
}

bool plausibleEmail(const QString &email)
{
    static const QRegularExpression pattern(u"^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"_s);
    return pattern.match(email).hasMatch();
}

QString placeholders(qsizetype count, int perRow = 1)
{
    QString one = u"?"_s;
    for (int i = 1; i < perRow; ++i)
        one += u", ?"_s;
    if (perRow > 1)
        one = u"("_s + one + u")"_s;
    QStringList all;
    all.reserve(count);
    for (qsizetype i = 0; i < count; ++i)
        all.append(one);
    return all.join(u", "_s);
}

} // namespace

// ---- mapping

QList<ImportField> ImportMapping::fields()
{
    return {ImportField::SourceId, ImportField::Name,  ImportField::FirstName, ImportField::LastName, ImportField::Phone,
            ImportField::Mobile,   ImportField::Email, ImportField::Company,   ImportField::Branch,   ImportField::Notes};
}

QString ImportMapping::fieldCode(ImportField field)
{
    switch (field) {
    case ImportField::SourceId:
        return u"source_id"_s;
    case ImportField::Name:
        return u"name"_s;
    case ImportField::FirstName:
        return u"first_name"_s;
    case ImportField::LastName:
        return u"last_name"_s;
    case ImportField::Phone:
        return u"phone"_s;
    case ImportField::Mobile:
        return u"mobile"_s;
    case ImportField::Email:
        return u"email"_s;
    case ImportField::Company:
        return u"company"_s;
    case ImportField::Branch:
        return u"branch"_s;
    case ImportField::Notes:
        return u"notes"_s;
    }
    return {};
}

Result<ImportMapping> ImportMapping::detect(const QStringList &header, const QJsonObject &overrides)
{
    ImportMapping mapping;
    for (int i = 0; i < header.size(); ++i) {
        const auto found = knownHeaders().constFind(headerKey(header.at(i)));
        if (found != knownHeaders().cend() && !mapping.columns.contains(*found))
            mapping.columns.insert(*found, i);
    }
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        std::optional<ImportField> field;
        for (const ImportField f : fields())
            if (fieldCode(f) == it.key())
                field = f;
        if (!field)
            return makeError(ErrorKind::Invalid, u"import.mapping_field"_s,
                             CustomerImport::tr("The mapping names the field \"%1\", which does not exist. Fields: %2.")
                                 .arg(it.key(), [] {
                                     QStringList codes;
                                     for (const ImportField f : fields())
                                         codes.append(fieldCode(f));
                                     return codes.join(u", "_s);
                                 }()));
        const QString column = it.value().toString();
        if (column.isEmpty()) {
            mapping.columns.remove(*field);
            continue;
        }
        const int index = header.indexOf(column);
        if (index < 0)
            return makeError(ErrorKind::Invalid, u"import.mapping_column"_s,
                             CustomerImport::tr("The mapping names the column \"%1\", which the file does not have. Its columns: %2.")
                                 .arg(column, header.join(u", "_s)));
        mapping.columns.insert(*field, index);
    }
    if (!mapping.columns.contains(ImportField::Phone) && !mapping.columns.contains(ImportField::Mobile))
        return makeError(ErrorKind::Invalid, u"import.no_phone"_s,
                         CustomerImport::tr("No column holds a phone number (looked for Telefon, Tel., Mobil, Handy, Phone, Mobile). "
                                            "Name it in the mapping, e.g. {\"phone\": \"%1\"}.")
                             .arg(header.value(0)));
    return mapping;
}

QJsonObject ImportMapping::toJson(const QStringList &header) const
{
    QJsonObject o;
    for (const ImportField f : fields())
        if (columns.contains(f))
            o.insert(fieldCode(f), header.value(columns.value(f)));
    return o;
}

QJsonObject ImportReport::toJson() const
{
    QJsonArray list;
    for (const ImportRow &row : rows)
        list.append(QJsonObject{{u"line"_s, row.line},
                                {u"action"_s, row.action},
                                {u"reason"_s, row.reason},
                                {u"name"_s, row.name},
                                {u"phone"_s, row.phone},
                                {u"customer_id"_s, row.customerId},
                                {u"existing"_s, row.existing}});
    return QJsonObject{{u"run_id"_s, runId},
                       {u"applied"_s, applied},
                       {u"mapping"_s, mapping},
                       {u"columns"_s, QJsonArray::fromStringList(columns)},
                       {u"created"_s, created},
                       {u"updated"_s, updated},
                       {u"unchanged"_s, unchanged},
                       {u"skipped"_s, skipped},
                       {u"rows"_s, list},
                       {u"rows_left_out"_s, rowsLeftOut},
                       {u"batches"_s, batches},
                       {u"longest_transaction_ms"_s, longestTransactionMs}};
}

QJsonObject ImportReport::redacted(const QJsonObject &report)
{
    // "+49305550101" -> "+49•••••••01": enough to find the line in one's own file, not to learn a number.
    const auto mask = [](const QString &phone) -> QString {
        if (phone.size() <= 5)
            return QString(phone.size(), u'•');
        return phone.left(3) + QString(phone.size() - 5, u'•') + phone.right(2);
    };
    QJsonArray rows;
    for (const QJsonValue &value : report.value(u"rows"_s).toArray()) {
        QJsonObject row = value.toObject();
        const QString action = row.value(u"action"_s).toString();
        // Reports stored before rows were flagged: an update or a link is always about a known customer.
        const bool existing = row.value(u"existing"_s).toBool() || action == u"update"_s || action == u"unchanged"_s;
        row.insert(u"customer_id"_s, 0);
        if (existing) {
            row.insert(u"reason"_s, CustomerImport::tr("Matches a customer AskPro already holds (details only with the permission to view customers)"));
            row.insert(u"phone"_s, mask(row.value(u"phone"_s).toString()));
        }
        rows.append(row);
    }
    QJsonObject redacted = report;
    redacted.insert(u"rows"_s, rows);
    redacted.insert(u"redacted"_s, true);
    return redacted;
}

// ---- the run

struct CustomerImport::Candidate
{
    qint64 line = 0;
    QString skip; // set: the row is skipped for this reason
    QString note; // said beside a create or an update
    QString key;
    QString givenPhone;
    Values values;
    // Decided against the database:
    QString action;
    QString reason;
    qint64 customerId = 0;
    qint64 sourceRowId = 0; // import_sources.id when known
    Values current;         // the customer now
    Values last;            // the values last imported
    Values target;          // the customer after this run
    bool customerChanged = false;
    bool sourceChanged = false;
    bool existing = false; // decided against a customer AskPro holds (before this run)
};

struct CustomerImport::Context
{
    ImportOptions options;
    int maxBatchSize = 500; // the batch size asked for; SQLite's batches shrink below it and grow back
    qint64 written = 0;     // rows of applied batches
    qint64 analyzeAt = 1000;
    Actor actor;
    qint64 runId = 0;
    ImportReport report;
    QStringList header;
    ImportMapping mapping;
    QString companyName;
    QString companyRegion;
    QHash<QString, QString> branchRegions; // lower-case name -> ISO country
    QHash<QString, qint64> seenKeys, seenPhones, seenEmails;
    bool mapped[FieldCount] = {false, false, false, true, false};
};

CustomerImport::CustomerImport(Database &db)
    : m_db(db)
{
}

void CustomerImport::report(Context &context, const Candidate &c)
{
    ImportReport &r = context.report;
    if (c.action == u"create"_s)
        ++r.created;
    else if (c.action == u"update"_s)
        ++r.updated;
    else if (c.action == u"unchanged"_s)
        ++r.unchanged;
    else
        ++r.skipped;
    if (r.rows.size() >= context.options.rowLimit) {
        ++r.rowsLeftOut;
        return;
    }
    r.rows.append(ImportRow{c.line, c.action, c.reason, c.values.v[NameField],
                            c.values.v[PhoneField].isEmpty() ? c.givenPhone : c.values.v[PhoneField], c.customerId, c.existing});
}

struct CustomerImport::Known
{
    qint64 sourceRowId = 0; // import_sources.id of the customer's link, 0 without one
    qint64 customerId = 0;
    Values current;     // the customer now
    Values last;        // the values last imported through the link
    QString linkedKey;  // the link's source key
};

Status CustomerImport::knownCustomers(const Context &context, const QString &column, const QVariantList &values, QHash<QString, Known> &found,
                                      const std::function<QString(const Known &)> &keyOf)
{
    // One statement per batch and column: the company's customers whose column holds one of the values, each
    // with its link from this source system when it has one. Source keys are looked up from the links' unique
    // index: starting from the company's customers, SQLite walks all of them for every batch (a second run of
    // 100,000 rows took 63 s instead of 11).
    const bool bySourceKey = column == u"s.source_key"_s;
    const QString from = bySourceKey ? u"FROM import_sources s JOIN customers c ON c.id = s.customer_id "
                                       "WHERE s.company_id = ? AND s.source_system = ? AND s.source_key IN ("_s
                                     : u"FROM customers c LEFT JOIN import_sources s ON s.customer_id = c.id AND s.company_id = c.company_id "
                                       "AND s.source_system = ? WHERE c.company_id = ? AND %1 IN ("_s.arg(column);
    const QVariantList scope = bySourceKey ? QVariantList{context.options.companyId, QString::fromLatin1(SourceSystem)}
                                           : QVariantList{QString::fromLatin1(SourceSystem), context.options.companyId};
    auto q = m_db.exec(u"SELECT c.id, %1, s.id, s.source_key, s.last_values_json "_s.arg(QLatin1StringView(ValueColumns)) + from
                           + placeholders(values.size()) + u")"_s,
                       scope + values);
    if (!q)
        return q.error();
    while (q->next()) {
        Known k;
        k.customerId = q->value(0).toLongLong();
        for (int i = 0; i < FieldCount; ++i)
            k.current.v[i] = q->value(1 + i).toString();
        k.sourceRowId = q->value(1 + FieldCount).toLongLong();
        k.linkedKey = q->value(2 + FieldCount).toString();
        k.last = Values::fromJson(QJsonDocument::fromJson(q->value(3 + FieldCount).toString().toUtf8()).object());
        found.insert(keyOf(k), k);
    }
    return {};
}

Status CustomerImport::lookUp(QList<Candidate> &batch, Context &context)
{
    QVariantList keys, phones, emails;
    for (const Candidate &c : batch) {
        if (!c.skip.isEmpty())
            continue;
        keys.append(c.key);
        phones.append(c.values.v[PhoneField]);
        if (!c.values.v[EmailField].isEmpty())
            emails.append(c.values.v[EmailField]);
    }
    if (keys.isEmpty())
        return {};
    QHash<QString, Known> byKey, byPhone, byEmail;
    if (auto found = knownCustomers(context, u"s.source_key"_s, keys, byKey, [](const Known &k) { return k.linkedKey; }); !found)
        return found;
    if (auto found = knownCustomers(context, u"c.phone_e164"_s, phones, byPhone, [](const Known &k) { return k.current.v[PhoneField]; }); !found)
        return found;
    if (!emails.isEmpty())
        if (auto found = knownCustomers(context, u"c.email"_s, emails, byEmail, [](const Known &k) { return k.current.v[EmailField]; }); !found)
            return found;
    static const char *const titles[FieldCount] = {QT_TRANSLATE_NOOP("CustomerImport", "name"),
                                                   QT_TRANSLATE_NOOP("CustomerImport", "e-mail"),
                                                   QT_TRANSLATE_NOOP("CustomerImport", "notes"),
                                                   QT_TRANSLATE_NOOP("CustomerImport", "phone number"),
                                                   QT_TRANSLATE_NOOP("CustomerImport", "mobile number")};
    for (Candidate &c : batch) {
        if (!c.skip.isEmpty()) {
            c.action = u"skip"_s;
            c.reason = c.skip;
            continue;
        }
        const Values &v = c.values;
        if (const auto known = byKey.constFind(c.key); known != byKey.cend()) {
            // Seen before: take what changed at the source, unless AskPro changed the same field since.
            c.existing = true;
            c.customerId = known->customerId;
            c.sourceRowId = known->sourceRowId;
            c.current = known->current;
            c.last = known->last;
            c.target = c.current;
            QStringList taken, kept;
            Values newLast = c.last;
            for (int i = 0; i < FieldCount; ++i) {
                if (!context.mapped[i] || v.v[i] == c.last.v[i])
                    continue;
                newLast.v[i] = v.v[i];
                c.sourceChanged = true;
                const bool numberTaken = i == PhoneField && byPhone.contains(v.v[i]) && byPhone.value(v.v[i]).customerId != c.customerId;
                if (c.current.v[i] == c.last.v[i] && !numberTaken) {
                    c.target.v[i] = v.v[i];
                    taken.append(tr(titles[i]));
                } else if (c.current.v[i] != v.v[i]) {
                    kept.append(tr(titles[i]));
                }
            }
            c.values = newLast; // what this run remembers as last imported
            c.customerChanged = !taken.isEmpty();
            c.action = c.customerChanged ? u"update"_s : u"unchanged"_s;
            QStringList why;
            if (!taken.isEmpty())
                why.append(tr("changed at the source: %1").arg(taken.join(u", "_s)));
            if (!kept.isEmpty())
                why.append(tr("kept as changed in AskPro: %1").arg(kept.join(u", "_s)));
            c.reason = why.join(u"; "_s);
            continue;
        }
        if (const auto known = byPhone.constFind(v.v[PhoneField]); known != byPhone.cend()) {
            c.existing = true;
            if (!known->linkedKey.isEmpty()) {
                c.action = u"skip"_s;
                c.reason = tr("Duplicate: the number belongs to customer #%1, imported from source row \"%2\"")
                               .arg(known->customerId)
                               .arg(known->linkedKey);
                continue;
            }
            // Already in AskPro (a caller, or entered by hand): linked, and only its empty fields are filled.
            c.customerId = known->customerId;
            c.current = known->current;
            c.target = c.current;
            QStringList filled;
            for (int i = 0; i < FieldCount; ++i) {
                if (i != PhoneField && context.mapped[i] && c.current.v[i].isEmpty() && !v.v[i].isEmpty()) {
                    c.target.v[i] = v.v[i];
                    filled.append(tr(titles[i]));
                }
            }
            c.customerChanged = !filled.isEmpty();
            c.action = c.customerChanged ? u"update"_s : u"unchanged"_s;
            c.reason = filled.isEmpty() ? tr("Same number as customer #%1, linked").arg(c.customerId)
                                        : tr("Same number as customer #%1, linked; filled in: %2").arg(c.customerId).arg(filled.join(u", "_s));
            continue;
        }
        if (!v.v[EmailField].isEmpty()) {
            if (const auto known = byEmail.constFind(v.v[EmailField]); known != byEmail.cend()) {
                c.existing = true;
                c.action = u"skip"_s;
                c.reason = tr("Duplicate: customer #%1 has this e-mail address with the number %2")
                               .arg(known->customerId)
                               .arg(known->current.v[PhoneField]);
                continue;
            }
        }
        c.action = u"create"_s;
        c.target = v;
        c.reason = c.note;
    }
    return {};
}

Status CustomerImport::write(QList<Candidate> &batch, Context &context)
{
    const qint64 now = nowMs();
    const qint64 company = context.options.companyId;
    const QString system = QString::fromLatin1(SourceSystem);
    // New customers, many rows per statement: a round trip per row would dominate on PostgreSQL.
    QList<Candidate *> creates;
    for (Candidate &c : batch)
        if (c.action == u"create"_s)
            creates.append(&c);
    constexpr int RowsPerStatement = 100;
    for (qsizetype start = 0; start < creates.size(); start += RowsPerStatement) {
        const qsizetype count = std::min<qsizetype>(RowsPerStatement, creates.size() - start);
        QVariantList params;
        params.reserve(count * 8);
        QHash<QString, Candidate *> byPhone;
        for (qsizetype i = start; i < start + count; ++i) {
            const Values &t = creates.at(i)->target;
            params << company << t.v[PhoneField] << t.v[NameField] << t.v[EmailField] << t.v[NotesField] << t.v[MobileField] << now << now;
            byPhone.insert(t.v[PhoneField], creates.at(i));
        }
        auto q = m_db.exec(u"INSERT INTO customers (company_id, phone_e164, name, email, notes, message_phone_e164, created_at, updated_at) VALUES "_s
                               + placeholders(count, 8) + u" RETURNING id, phone_e164"_s,
                           params);
        if (!q)
            return q.error();
        while (q->next())
            if (Candidate *c = byPhone.value(q->value(1).toString()))
                c->customerId = q->value(0).toLongLong();
        q->finish();
    }
    // Links for new and newly matched customers.
    QList<Candidate *> links;
    for (Candidate &c : batch)
        if ((c.action == u"create"_s || c.action == u"update"_s || c.action == u"unchanged"_s) && c.sourceRowId == 0)
            links.append(&c);
    for (qsizetype start = 0; start < links.size(); start += RowsPerStatement) {
        const qsizetype count = std::min<qsizetype>(RowsPerStatement, links.size() - start);
        QVariantList params;
        params.reserve(count * 11);
        for (qsizetype i = start; i < start + count; ++i) {
            const Candidate *c = links.at(i);
            if (c->customerId == 0)
                return makeError(ErrorKind::Internal, u"import.no_id"_s, u"A new customer of line %1 returned no id"_s.arg(c->line));
            const bool created = c->action == u"create"_s;
            params << company << system << c->key << c->customerId << compact(c->values.toJson()) << context.runId << (created ? 1 : 0)
                   << (c->customerChanged ? QVariant(context.runId) : Database::null())
                   << (c->customerChanged ? compact(QJsonObject{{u"customer"_s, c->current.toJson()}, {u"customer_changed"_s, true},
                                                                {u"applied_at"_s, now}})
                                          : QString())
                   << now << now;
        }
        auto q = m_db.exec(u"INSERT INTO import_sources (company_id, source_system, source_key, customer_id, last_values_json, run_id, "
                           "created_customer, updated_run_id, previous_json, created_at, updated_at) VALUES "_s
                               + placeholders(count, 11)
                               // Another run that linked the same source row first keeps its link.
                               + u" ON CONFLICT (company_id, source_system, source_key) DO NOTHING"_s,
                           params);
        if (!q)
            return q.error();
    }
    for (Candidate &c : batch) {
        if (c.customerChanged) {
            const Values &t = c.target;
            auto q = m_db.exec(u"UPDATE customers SET name = ?, email = ?, notes = ?, phone_e164 = ?, message_phone_e164 = ?, updated_at = ? "
                               "WHERE id = ? AND company_id = ?"_s,
                               {t.v[NameField], t.v[EmailField], t.v[NotesField], t.v[PhoneField], t.v[MobileField], now, c.customerId, company});
            if (!q)
                return q.error();
        }
        if (c.sourceRowId != 0 && c.sourceChanged) {
            // applied_at: the customer's updated_at as this run left it; an undo restores only a row still so.
            const QJsonObject previous{{u"customer"_s, c.current.toJson()},
                                       {u"last"_s, c.last.toJson()},
                                       {u"customer_changed"_s, c.customerChanged},
                                       {u"applied_at"_s, now}};
            auto q = m_db.exec(u"UPDATE import_sources SET last_values_json = ?, updated_run_id = ?, previous_json = ?, updated_at = ? WHERE id = ?"_s,
                               {compact(c.values.toJson()), context.runId, compact(previous), now, c.sourceRowId});
            if (!q)
                return q.error();
        }
    }
    return {};
}

Status CustomerImport::processBatch(QList<Candidate> &batch, Context &context)
{
    if (batch.isEmpty())
        return {};
    if (context.options.apply) {
        QElapsedTimer held;
        held.start();
        Transaction tx(m_db);
        if (!tx.started())
            return tx.started();
        // Looked up inside the transaction: no other writer can add the same number in between on SQLite.
        if (auto looked = lookUp(batch, context); !looked)
            return looked;
        if (auto written = write(batch, context); !written)
            return written;
        if (auto committed = tx.commit(); !committed)
            return committed;
        const qint64 ms = held.elapsed();
        // PostgreSQL plans the batch lookups from its statistics: on tables that the import itself makes grow,
        // stale ones turn the index lookups into scans of the whole table. Refreshed as the rows double.
        context.written += batch.size();
        if (m_db.engine() == Engine::Postgres && context.written >= context.analyzeAt) {
            context.analyzeAt = context.written * 2;
            for (const QString &statement : {u"ANALYZE customers"_s, u"ANALYZE import_sources"_s})
                if (auto analyzed = m_db.control(statement); !analyzed)
                    return analyzed;
        }
        context.report.longestTransactionMs = std::max(context.report.longestTransactionMs, ms);
        // SQLite has one writer: keep each batch well under the time another writer may wait, and grow back
        // when the machine is quick again. PostgreSQL's writers do not wait for each other's batches.
        if (m_db.engine() == Engine::Sqlite) {
            if (ms > context.options.targetTransactionMs && context.options.batchSize > 25)
                context.options.batchSize /= 2;
            else if (ms < context.options.targetTransactionMs / 4 && context.options.batchSize < context.maxBatchSize)
                context.options.batchSize = std::min(context.maxBatchSize, context.options.batchSize * 2);
        }
    } else if (auto looked = lookUp(batch, context); !looked) {
        return looked;
    }
    ++context.report.batches;
    for (const Candidate &c : batch)
        report(context, c);
    return {};
}

Result<ImportReport> CustomerImport::run(QIODevice &csv, const ImportOptions &options, const Actor &actor)
{
    if (auto allowed = actor.require(Permission::RunSetup); !allowed)
        return allowed.error();
    // It writes customers: the setup permission alone does not let anyone change a company's customer list.
    if (auto allowed = actor.require(Permission::EditCustomers); !allowed)
        return allowed.error();
    if (actor.isScoped() && actor.companyId != options.companyId)
        return makeError(ErrorKind::Unauthorized, u"access.denied"_s, tr("You may import only into your own company."));
    Context context;
    context.options = options;
    context.maxBatchSize = std::max(1, options.batchSize);
    // SQLite starts small (the first batch meets cold caches) and grows while batches stay quick.
    context.options.batchSize = m_db.engine() == Engine::Sqlite ? std::min(context.maxBatchSize, 100) : context.maxBatchSize;
    context.actor = actor;
    {
        auto q = m_db.exec(u"SELECT name FROM companies WHERE id = ?"_s, {options.companyId});
        if (!q)
            return q.error();
        if (!q->next())
            return makeError(ErrorKind::NotFound, u"import.company"_s, tr("There is no company %1.").arg(options.companyId));
        context.companyName = q->value(0).toString();
    }
    {
        // National numbers are read in the branch's country; the company's is that of its first active branch.
        auto q = m_db.exec(u"SELECT name, phone_e164, active FROM branches WHERE company_id = ? ORDER BY active DESC, id"_s, {options.companyId});
        if (!q)
            return q.error();
        while (q->next()) {
            const QString region = PhoneNumbers::regionOf(q->value(1).toString());
            if (context.companyRegion.isEmpty())
                context.companyRegion = region;
            context.branchRegions.insert(q->value(0).toString().trimmed().toLower(), region);
        }
        if (context.companyRegion.isEmpty())
            context.companyRegion = u"DE"_s;
    }
    CsvReader reader(csv);
    if (auto header = reader.readHeader(); !header)
        return header.error();
    context.header = reader.header();
    context.report.columns = context.header;
    auto mapping = ImportMapping::detect(context.header, options.mappingOverrides);
    if (!mapping)
        return mapping.error();
    context.mapping = *mapping;
    context.report.mapping = mapping->toJson(context.header);
    const auto &cols = context.mapping.columns;
    context.mapped[NameField] = cols.contains(ImportField::Name) || cols.contains(ImportField::FirstName) || cols.contains(ImportField::LastName);
    context.mapped[EmailField] = cols.contains(ImportField::Email);
    context.mapped[NotesField] = cols.contains(ImportField::Notes);
    context.mapped[MobileField] = cols.contains(ImportField::Mobile);

    if (options.apply) {
        auto id = m_db.insert(u"INSERT INTO import_runs (company_id, source_system, source_name, state, actor, mapping_json, started_at) "
                              "VALUES (?, ?, ?, 'applying', ?, ?, ?) RETURNING id"_s,
                              {options.companyId, QString::fromLatin1(SourceSystem), options.sourceName, actor.username,
                               compact(context.report.mapping), nowMs()});
        if (!id)
            return id.error();
        context.runId = *id;
        context.report.runId = *id;
        if (options.runStarted)
            options.runStarted(*id);
    }

    const auto field = [&](const CsvRecord &record, ImportField f) {
        const auto it = cols.constFind(f);
        return it == cols.cend() ? QString() : record.fields.value(*it).trimmed();
    };
    QList<Candidate> batch;
    qint64 rows = 0;
    CsvRecord record;
    while (reader.next(record)) {
        Candidate c;
        c.line = record.line;
        QString name = field(record, ImportField::Name);
        if (name.isEmpty())
            name = QString(field(record, ImportField::FirstName) + u' ' + field(record, ImportField::LastName)).trimmed();
        c.values.v[NameField] = name.simplified();
        c.values.v[NotesField] = field(record, ImportField::Notes);
        const QString phone = field(record, ImportField::Phone);
        const QString mobile = field(record, ImportField::Mobile);
        c.givenPhone = phone.isEmpty() ? mobile : phone;
        const QString company = field(record, ImportField::Company);
        const QString branch = field(record, ImportField::Branch);
        QString email = field(record, ImportField::Email).toLower();
        if (!record.error.isEmpty()) {
            c.skip = record.error;
        } else if (!company.isEmpty() && company.compare(context.companyName, Qt::CaseInsensitive) != 0) {
            c.skip = tr("Belongs to the company \"%1\", not to \"%2\"").arg(company, context.companyName);
        } else if (!branch.isEmpty() && !context.branchRegions.contains(branch.toLower())) {
            c.skip = tr("The company has no branch \"%1\"").arg(branch);
        } else if (c.givenPhone.isEmpty()) {
            c.skip = tr("No phone number");
        } else {
            const QString region = branch.isEmpty() ? context.companyRegion : context.branchRegions.value(branch.toLower());
            auto e164 = PhoneNumbers::toE164(phone.isEmpty() ? mobile : phone, region);
            if (!e164 && !phone.isEmpty() && !mobile.isEmpty())
                e164 = PhoneNumbers::toE164(mobile, region);
            if (!e164)
                c.skip = e164.error().message;
            else
                c.values.v[PhoneField] = *e164;
            // The mobile number is also where text messages go (appointment confirmations by SMS).
            if (!mobile.isEmpty() && c.skip.isEmpty()) {
                if (auto mobileE164 = PhoneNumbers::toE164(mobile, region))
                    c.values.v[MobileField] = *mobileE164;
                else
                    c.note = tr("mobile number \"%1\" left out: %2").arg(mobile, mobileE164.error().message);
            }
        }
        if (c.skip.isEmpty() && !email.isEmpty() && !plausibleEmail(email)) {
            const QString left = tr("\"%1\" left out: not an e-mail address").arg(email);
            c.note = c.note.isEmpty() ? left : c.note + u"; "_s + left;
            email.clear();
        }
        c.values.v[EmailField] = email;
        if (c.skip.isEmpty()) {
            const QString sourceId = field(record, ImportField::SourceId);
            c.key = sourceId.isEmpty() ? c.values.v[PhoneField] : sourceId;
            // Within the file: the first row wins, later ones are reported against it.
            if (const qint64 first = context.seenKeys.value(c.key); first > 0)
                c.skip = tr("Duplicate of line %1 (same source id)").arg(first);
            else if (const qint64 first = context.seenPhones.value(c.values.v[PhoneField]); first > 0)
                c.skip = tr("Duplicate of line %1 (same phone number)").arg(first);
            else if (const qint64 first = email.isEmpty() ? 0 : context.seenEmails.value(email); first > 0)
                c.skip = tr("Duplicate of line %1 (same e-mail address)").arg(first);
            if (c.skip.isEmpty()) {
                context.seenKeys.insert(c.key, c.line);
                context.seenPhones.insert(c.values.v[PhoneField], c.line);
                if (!email.isEmpty())
                    context.seenEmails.insert(email, c.line);
            }
        }
        batch.append(std::move(c));
        ++rows;
        if (batch.size() >= context.options.batchSize) {
            if (auto done = processBatch(batch, context); !done) {
                if (options.apply)
                    (void)undo(context.runId, done.error().describe());
                return done.error();
            }
            batch.clear();
            if (options.progress && !options.progress(rows, reader.position()))
                return stopped(context);
        }
    }
    if (auto done = processBatch(batch, context); !done) {
        if (options.apply)
            (void)undo(context.runId, done.error().describe());
        return done.error();
    }
    // A read error is no end of the file: the rows after it were never seen, so the run is undone.
    if (auto read = reader.status(); !read) {
        if (options.apply)
            (void)undo(context.runId, read.error().describe());
        return read.error();
    }
    if (options.progress && !options.progress(rows, reader.position()))
        return stopped(context);

    ImportReport &r = context.report;
    if (options.apply) {
        Transaction tx(m_db);
        if (!tx.started())
            return tx.started().error();
        auto q = m_db.exec(u"UPDATE import_runs SET state = 'applied', created_count = ?, updated_count = ?, unchanged_count = ?, "
                           "skipped_count = ?, finished_at = ? WHERE id = ?"_s,
                           {r.created, r.updated, r.unchanged, r.skipped, nowMs(), context.runId});
        if (!q)
            return q.error();
        const QJsonObject counts{{u"company_id"_s, options.companyId}, {u"source"_s, QString::fromLatin1(SourceSystem)},
                                 {u"file"_s, options.sourceName},     {u"created"_s, r.created},
                                 {u"updated"_s, r.updated},           {u"unchanged"_s, r.unchanged},
                                 {u"skipped"_s, r.skipped}};
        if (auto logged = AuditLog(m_db).write(actor, u"import"_s, u"import_run"_s, context.runId, QString(), compact(counts)); !logged)
            return logged.error();
        if (auto committed = tx.commit(); !committed) {
            (void)undo(context.runId, committed.error().describe());
            return committed.error();
        }
        r.applied = true;
    }
    return r;
}

Error CustomerImport::stopped(const Context &context)
{
    const Error error = makeError(ErrorKind::Conflict, u"import.stopped"_s, tr("The import was stopped before it finished; nothing of it is kept."));
    if (context.options.apply)
        (void)undo(context.runId, error.message);
    return error;
}

Status CustomerImport::undo(qint64 runId, const QString &reason, const std::function<void()> &progress)
{
    constexpr int Chunk = 500;
    // The run's new customers (their links go with them), in short transactions like the apply. One that a
    // call or an appointment now refers to, or that someone changed since, is kept: deleting it would break
    // the reference or lose the change; so is one who replied STOP or START (a reply leaves updated_at alone),
    // whose decision would otherwise go with the row and not come back with a new import.
    for (;;) {
        Transaction tx(m_db);
        if (!tx.started())
            return tx.started();
        auto q = m_db.exec(u"DELETE FROM customers WHERE id IN (SELECT s.customer_id FROM import_sources s JOIN customers c ON c.id = s.customer_id "
                           "WHERE s.run_id = ? AND s.created_customer = 1 AND c.updated_at = c.created_at AND c.sms_opt_out = 0 "
                           "AND c.sms_opt_out_at IS NULL AND c.sms_opt_changed_at IS NULL AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.customer_id = c.id) "
                           "AND NOT EXISTS (SELECT 1 FROM appointments WHERE appointments.customer_id = c.id) "
                           "ORDER BY s.id LIMIT 500)"_s,
                           {runId});
        if (!q)
            return q.error();
        const int deleted = q->numRowsAffected();
        if (auto committed = tx.commit(); !committed)
            return committed;
        if (progress)
            progress();
        if (deleted <= 0)
            break;
    }
    QList<qint64> kept;
    {
        auto q = m_db.exec(u"SELECT customer_id FROM import_sources WHERE run_id = ? AND created_customer = 1 ORDER BY customer_id"_s, {runId});
        if (!q)
            return q.error();
        while (q->next())
            kept.append(q->value(0).toLongLong());
    }
    // Customers the run changed get their values back unless changed again since; links the run made go,
    // older links get their last values back.
    QList<qint64> notRestored;
    qint64 after = 0;
    for (;;) {
        Transaction tx(m_db);
        if (!tx.started())
            return tx.started();
        auto q = m_db.exec(u"SELECT id, customer_id, run_id, previous_json FROM import_sources WHERE updated_run_id = ? AND id > ? ORDER BY id LIMIT ?"_s,
                           {runId, after, Chunk});
        if (!q)
            return q.error();
        struct Entry
        {
            qint64 id, customer, run;
            QJsonObject previous;
        };
        QList<Entry> entries;
        while (q->next())
            entries.append({q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toLongLong(),
                            QJsonDocument::fromJson(q->value(3).toString().toUtf8()).object()});
        q->finish();
        if (entries.isEmpty())
            break;
        for (const Entry &e : entries) {
            after = e.id;
            if (e.previous.value(u"customer_changed"_s).toBool()) {
                const Values c = Values::fromJson(e.previous.value(u"customer"_s).toObject());
                // Only a row still as the run left it: a later change (by hand, or a call that filled it in) wins.
                const qint64 appliedAt = e.previous.value(u"applied_at"_s).toInteger(-1);
                auto u = m_db.exec(u"UPDATE customers SET name = ?, email = ?, notes = ?, phone_e164 = ?, message_phone_e164 = ?, updated_at = ? "
                                   "WHERE id = ? AND (CAST(? AS BIGINT) < 0 OR updated_at = ?)"_s,
                                   {c.v[NameField], c.v[EmailField], c.v[NotesField], c.v[PhoneField], c.v[MobileField], nowMs(), e.customer,
                                    appliedAt, appliedAt});
                if (!u)
                    return u.error();
                if (u->numRowsAffected() == 0)
                    notRestored.append(e.customer);
            }
            auto u = e.run == runId
                         ? m_db.exec(u"DELETE FROM import_sources WHERE id = ?"_s, {e.id})
                         : m_db.exec(u"UPDATE import_sources SET last_values_json = ?, updated_run_id = NULL, previous_json = '' WHERE id = ?"_s,
                                     {compact(e.previous.value(u"last"_s).toObject()), e.id});
            if (!u)
                return u.error();
        }
        if (auto committed = tx.commit(); !committed)
            return committed;
        if (progress)
            progress();
    }
    for (;;) {
        Transaction tx(m_db);
        if (!tx.started())
            return tx.started();
        auto q = m_db.exec(u"DELETE FROM import_sources WHERE id IN (SELECT id FROM import_sources WHERE run_id = ? ORDER BY id LIMIT 500)"_s, {runId});
        if (!q)
            return q.error();
        const int deleted = q->numRowsAffected();
        if (auto committed = tx.commit(); !committed)
            return committed;
        if (progress)
            progress();
        if (deleted <= 0)
            break;
    }
    // What stayed is said with the run's reason, for support and the import's answer.
    const auto ids = [](const QList<qint64> &list) -> QString { // a QString, not a builder over the temporaries below
        QStringList shown;
        for (qsizetype i = 0; i < list.size() && i < 20; ++i)
            shown.append(u"#"_s + QString::number(list.at(i)));
        return shown.join(u", "_s) + (list.size() > 20 ? u" …"_s : QString());
    };
    QString error = reason;
    if (!kept.isEmpty())
        error += u"\n"_s + tr("Kept %n new customer(s) that calls or appointments refer to or that were changed since: %1", nullptr, int(kept.size()))
                                 .arg(ids(kept));
    if (!notRestored.isEmpty())
        error += u"\n"_s + tr("Left %n customer(s) as changed after the import: %1", nullptr, int(notRestored.size())).arg(ids(notRestored));
    auto q = m_db.exec(u"UPDATE import_runs SET state = 'failed', error = ?, finished_at = ? WHERE id = ?"_s, {error.left(4000), nowMs(), runId});
    return q ? Status() : Status(q.error());
}

} // namespace askpro
