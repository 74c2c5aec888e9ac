// A streaming CSV reader for spreadsheet exports: one record at a time from a QIODevice, whatever the file's size.
// UTF-8 or Windows-1252 decided per line, comma, semicolon or tab separators, quoted fields with newlines.
#pragma once

#include "core/result.h"

#include <QCoreApplication>
#include <QStringList>

class QIODevice;

namespace askpro {

struct CsvRecord
{
    QStringList fields;
    qint64 line = 0;      // the physical line the record starts on (1-based, the header is line 1)
    QString error;        // set when the record cannot be trusted (broken encoding, unterminated quote)
};

class CsvReader final
{
    Q_DECLARE_TR_FUNCTIONS(CsvReader)
public:
    // Longest physical line read; a longer one is reported (a binary file or a runaway quote).
    static constexpr qint64 MaxLineBytes = 1 << 20;

    explicit CsvReader(QIODevice &device);

    // Reads the header line: refuses spreadsheets (XLSX, XLS) and UTF-16 with a message saying to save as
    // CSV (UTF-8), skips a UTF-8 BOM and picks the separator that the header uses most.
    [[nodiscard]] Status readHeader();
    [[nodiscard]] const QStringList &header() const { return m_header; }
    [[nodiscard]] QChar separator() const { return m_separator; }

    // The next record, skipping empty lines; false at the end of the file or when the device failed (then
    // status() says why). A record with an error still carries its line number, and reading goes on after it.
    [[nodiscard]] bool next(CsvRecord &record);
    // The device's read error, with the line after which it came; ok while the file reads.
    [[nodiscard]] Status status() const;
    // Bytes consumed so far, for progress.
    [[nodiscard]] qint64 position() const;

private:
    // One physical line, decoded; false at the end. broken: valid neither as UTF-8 nor as Windows-1252.
    [[nodiscard]] bool readLine(QString &text, bool &broken, bool &tooLong);
    // Up to MaxLineBytes + 1 raw bytes of the line, through one buffer: QIODevice::readLine(maxSize) would
    // allocate the whole maximum for every line.
    [[nodiscard]] QByteArray readBytes();
    QIODevice &m_device;
    QByteArray m_lineBuffer;
    QStringList m_header;
    QChar m_separator = u',';
    qint64 m_line = 0;
    QString m_readError; // the device failed: never taken for the end of the file
};

} // namespace askpro
