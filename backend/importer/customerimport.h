// Customers from a practice's CSV list into one company: columns recognised by their German or English names,
// a dry run that says what would happen to every row, and an apply in short batches that can be undone whole.
#pragma once

#include "core/result.h"
#include "security/accesspolicy.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QVariantList>

#include <functional>

class QIODevice;

namespace askpro {

class Database;

// What a column can hold; the codes ("phone", "first_name" …) name them in a mapping.
enum class ImportField { SourceId, Name, FirstName, LastName, Phone, Mobile, Email, Company, Branch, Notes };

// Which column (by its index in the header) holds which field.
struct ImportMapping
{
    QHash<ImportField, int> columns;

    // Recognises the header's names; overrides ({"phone": "Tel. privat", "notes": null}) replace or remove a
    // field's column. An override naming a column the header lacks, an unknown field or no phone column at all
    // is one Invalid error.
    [[nodiscard]] static Result<ImportMapping> detect(const QStringList &header, const QJsonObject &overrides = {});
    [[nodiscard]] static QString fieldCode(ImportField field);
    [[nodiscard]] static QList<ImportField> fields();
    // {"phone": "Telefon", …} for reports and for saving the mapping.
    [[nodiscard]] QJsonObject toJson(const QStringList &header) const;
};

struct ImportRow
{
    qint64 line = 0;
    QString action; // create | update | unchanged | skip
    QString reason; // why skipped, what an update changes, which customer was matched
    QString name;
    QString phone; // E.164 when valid, else as given
    qint64 customerId = 0;
    bool existing = false; // decided against a customer AskPro already holds (linked, updated, or a duplicate of it)
};

struct ImportReport
{
    qint64 runId = 0; // 0 for a dry run
    bool applied = false;
    QJsonObject mapping;
    QStringList columns; // the file's header, for correcting the mapping
    qint64 created = 0;
    qint64 updated = 0;
    qint64 unchanged = 0;
    qint64 skipped = 0;
    QList<ImportRow> rows;  // in file order, at most ImportOptions::rowLimit
    qint64 rowsLeftOut = 0; // rows counted but not listed
    int batches = 0;
    qint64 longestTransactionMs = 0;

    [[nodiscard]] qint64 total() const { return created + updated + unchanged + skipped; }
    [[nodiscard]] QJsonObject toJson() const;
    // The report (toJson()) for a reader who may not view customers: counts and actions stay; rows about
    // customers AskPro already holds lose the customer, the reason (it names them and their contacts) and
    // all but the ends of the phone number, so the file cannot be used to ask which numbers are known.
    [[nodiscard]] static QJsonObject redacted(const QJsonObject &report);
};

struct ImportOptions
{
    qint64 companyId = 0;
    bool apply = false;
    QJsonObject mappingOverrides;
    QString sourceName;             // the file's name, for the run's record
    int batchSize = 500;            // rows per transaction; on SQLite halved while a batch holds the writer too long
    qint64 targetTransactionMs = 100;
    int rowLimit = 10000;
    // After every batch; false stops an apply, which is undone and ends as an import.stopped error.
    std::function<bool(qint64 rows, qint64 bytes)> progress;
    std::function<void(qint64 runId)> runStarted;             // the apply's import run exists
};

class CustomerImport final
{
    Q_DECLARE_TR_FUNCTIONS(CustomerImport)
public:
    static constexpr auto SourceSystem = "csv";

    explicit CustomerImport(Database &db);

    // Reads the CSV from the device and reports every row; with options.apply it also writes, batch by batch,
    // under a new import run audited as one "import" entry. A database error undoes every row of the run and
    // returns the error; bad rows are skipped and reported, never failures. Needs Permission::RunSetup and
    // Permission::EditCustomers and, for a company-bound actor, its own company.
    [[nodiscard]] Result<ImportReport> run(QIODevice &csv, const ImportOptions &options, const Actor &actor);

    // Takes back what the run wrote and marks it failed, with the reason and what was kept: a new customer
    // that a call or an appointment now refers to, or that was changed since, stays; a changed customer gets
    // its earlier values back only if nobody changed it after the run. progress is called after every short
    // transaction (an undo of a large run takes a while).
    [[nodiscard]] Status undo(qint64 runId, const QString &reason, const std::function<void()> &progress = {});

private:
    struct Candidate;
    struct Context;
    struct Known;
    // The company's customers whose column (s.source_key, c.phone_e164, c.email) holds one of values, into
    // found under keyOf(customer).
    [[nodiscard]] Status knownCustomers(const Context &context, const QString &column, const QVariantList &values,
                                        QHash<QString, Known> &found, const std::function<QString(const Known &)> &keyOf);
    [[nodiscard]] Status processBatch(QList<Candidate> &batch, Context &context);
    [[nodiscard]] Status lookUp(QList<Candidate> &batch, Context &context);
    [[nodiscard]] Status write(QList<Candidate> &batch, Context &context);
    void report(Context &context, const Candidate &candidate);
    // The apply's progress callback said stop: the run is undone.
    [[nodiscard]] Error stopped(const Context &context);
    Database &m_db;
};

} // namespace askpro
