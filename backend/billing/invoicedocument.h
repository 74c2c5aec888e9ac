// One finalized invoice or credit note as documents show it: parties (snapshotted at finalization),
// lines and totals; plus the money rules every billing part shares (integer cents, rounding).
#pragma once

#include "core/result.h"

#include <QDate>
#include <QList>
#include <QString>

#include <optional>

namespace askpro {

class Database;

struct PartyInfo
{
    QString name;
    QString address; // lines separated by '\n' (or ", "), the last one "PLZ City"
    QString vatId;
    QString taxNumber;
    QString email;
    QString country = QStringLiteral("DE");

    [[nodiscard]] QString toJson() const;
    [[nodiscard]] static PartyInfo fromJson(const QString &json);
    // Street line(s), postcode and city from address (postcode empty when the last line has none).
    [[nodiscard]] QStringList streetLines() const;
    [[nodiscard]] QString postcode() const;
    [[nodiscard]] QString city() const;
};

// The seller (AskProAI itself) from configuration; see ServerConfig::seller and the ASKPRO_SELLER_* variables.
struct SellerInfo
{
    PartyInfo party{QStringLiteral("AskProAI GmbH"), QStringLiteral("Torstraße 49\n10119 Berlin"), QStringLiteral("DE000000000"),
                    QStringLiteral("37/000/00000"), QStringLiteral("rechnung@askproai.de")};
    QString iban = QStringLiteral("DE00 0000 0000 0000 0000 00");
    QString bic;
    QString bank;
};

struct InvoiceLine
{
    int position = 0;
    QString kind; // base | call | appointment
    QString description;
    qint64 quantity = 0;
    qint64 unitPriceCents = 0;
    qint64 amountCents = 0;
};

struct InvoiceDocument
{
    qint64 id = 0;
    qint64 companyId = 0;
    QString kind = QStringLiteral("invoice"); // invoice | credit_note
    QString number;
    QString status;
    QString language = QStringLiteral("de");
    QString currency = QStringLiteral("EUR");
    qint64 periodStart = 0; // UTC ms, inclusive
    qint64 periodEnd = 0;   // UTC ms, exclusive
    qint64 issuedAt = 0;
    qint64 dueAt = 0;
    int vatRateBp = 1900;
    qint64 netCents = 0;
    qint64 vatCents = 0;
    qint64 grossCents = 0;
    QString correctsNumber; // credit notes: the invoice they correct
    QString note;
    PartyInfo seller;
    PartyInfo buyer;
    QString sellerIban;
    QList<InvoiceLine> lines;

    [[nodiscard]] bool isCreditNote() const { return kind == QStringLiteral("credit_note"); }
    [[nodiscard]] bool english() const { return language == QStringLiteral("en"); }
    // Service period as local (Europe/Berlin) dates, both inclusive.
    [[nodiscard]] QDate periodFirstDay() const;
    [[nodiscard]] QDate periodLastDay() const;
    [[nodiscard]] QDate issueDate() const;
    [[nodiscard]] QDate dueDate() const;

    // Loads a stored invoice with its lines; NotFound when there is none with this id (or number).
    [[nodiscard]] static Result<InvoiceDocument> load(Database &db, qint64 invoiceId);
    [[nodiscard]] static Result<InvoiceDocument> loadByNumber(Database &db, const QString &number);
};

namespace money {
// The zone that decides months, issue dates and service periods.
inline constexpr const char *billingZone = "Europe/Berlin";
// numerator / denominator rounded half away from zero (denominator > 0).
[[nodiscard]] qint64 divRound(qint64 numerator, qint64 denominator);
// VAT on a net sum: net * rateBp / 10000, rounded half away from zero.
[[nodiscard]] qint64 vatOf(qint64 netCents, int rateBp);
// "1.234,56 €" (de) or "€1,234.56" (en).
[[nodiscard]] QString format(qint64 cents, const QString &language);
// "1234.56" for machine formats (XML), always with two decimals.
[[nodiscard]] QString plain(qint64 cents);
// "19 %" / "19%" from basis points ("7,5 %" when fractional).
[[nodiscard]] QString rate(int rateBp, const QString &language);
// [start, end) UTC ms of a calendar month in the billing zone.
[[nodiscard]] std::pair<qint64, qint64> monthRange(int year, int month);
// The start (UTC ms) of the billing month holding the instant ms: monthRange(localDate(ms)).first, cached per
// thread for the month last asked (usage is recorded on every call).
[[nodiscard]] qint64 monthStartOf(qint64 ms);
[[nodiscard]] QDate localDate(qint64 ms);
} // namespace money

} // namespace askpro
