// CSV as spreadsheet programs write it (RFC 4180 plus the German semicolon), read line by line so that memory
// stays bounded: a record holds only its own physical lines.
#include "importer/csvreader.h"

#include <QIODevice>
#include <QStringDecoder>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// Windows-1252's 0x80..0x9F; 0 marks the five bytes the code page leaves undefined.
constexpr char16_t Cp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

bool decodeCp1252(const QByteArray &bytes, QString &text)
{
    text.clear();
    text.reserve(bytes.size());
    bool ok = true;
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b == 0) {
            ok = false;
            text.append(QChar(0xFFFD));
        } else if (b >= 0x80 && b < 0xA0) {
            const char16_t u = Cp1252High[b - 0x80];
            ok = ok && u != 0;
            text.append(QChar(u ? u : 0xFFFD));
        } else {
            text.append(QChar(char16_t(b))); // Latin-1 and Windows-1252 agree outside 0x80..0x9F
        }
    }
    return ok;
}

bool decodeUtf8(const QByteArray &bytes, QString &text)
{
    if (bytes.contains('\0'))
        return false;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    text = decoder(bytes);
    return !decoder.hasError();
}

} // namespace

CsvReader::CsvReader(QIODevice &device)
    : m_device(device)
{
}

qint64 CsvReader::position() const
{
    return m_device.pos();
}

Status CsvReader::status() const
{
    if (m_readError.isEmpty())
        return {};
    return makeError(ErrorKind::Transient, u"import.read_error"_s,
                     tr("The file could not be read after line %1: %2").arg(m_line).arg(m_readError));
}

QByteArray CsvReader::readBytes()
{
    // readLine(char *, n) reads at most n - 1 bytes and ends them with a null.
    if (m_lineBuffer.isEmpty())
        m_lineBuffer.resize(MaxLineBytes + 2);
    const qint64 read = m_device.readLine(m_lineBuffer.data(), m_lineBuffer.size());
    return read > 0 ? QByteArray(m_lineBuffer.constData(), read) : QByteArray();
}

bool CsvReader::readLine(QString &text, bool &broken, bool &tooLong)
{
    broken = false;
    tooLong = false;
    if (m_device.atEnd())
        return false;
    if (!m_readError.isEmpty())
        return false;
    QByteArray bytes = readBytes();
    if (bytes.isEmpty()) {
        // Nothing read while the device is not at its end: a failed read (a lost chunk, a disk error), which
        // must not pass for the end of the file and an import of only its first part.
        if (!m_device.atEnd())
            m_readError = m_device.errorString().isEmpty() ? tr("unknown read error") : m_device.errorString();
        return false;
    }
    // A line cut short by a failed read (the device stops in its middle and is not at its end) is no line.
    if (!bytes.endsWith('\n') && bytes.size() < MaxLineBytes && !m_device.atEnd()) {
        m_readError = m_device.errorString().isEmpty() ? tr("unknown read error") : m_device.errorString();
        return false;
    }
    ++m_line;
    if (bytes.size() > MaxLineBytes && !bytes.endsWith('\n')) {
        tooLong = true;
        // Skip the rest of the line so that reading goes on with the next one.
        while (!m_device.atEnd() && !bytes.endsWith('\n'))
            bytes = readBytes();
        text.clear();
        return true;
    }
    if (bytes.endsWith('\n'))
        bytes.chop(1);
    if (bytes.endsWith('\r'))
        bytes.chop(1);
    if (m_line == 1 && bytes.startsWith("\xEF\xBB\xBF"))
        bytes.remove(0, 3);
    // Per line: a UTF-8 file stays UTF-8 around one broken line, and a Windows-1252 file is never valid UTF-8
    // where it has an umlaut.
    if (decodeUtf8(bytes, text))
        return true;
    broken = !decodeCp1252(bytes, text);
    return true;
}

Status CsvReader::readHeader()
{
    const QByteArray magic = m_device.peek(8);
    if (magic.startsWith("PK\x03\x04") || magic.startsWith("\xD0\xCF\x11\xE0"))
        return makeError(ErrorKind::Invalid, u"import.spreadsheet"_s,
                         tr("This is a spreadsheet file, not CSV. Open it in the spreadsheet program and save it as CSV (UTF-8)."));
    if (magic.startsWith("\xFF\xFE") || magic.startsWith("\xFE\xFF"))
        return makeError(ErrorKind::Invalid, u"import.utf16"_s,
                         tr("This file is UTF-16 text. Save it from the spreadsheet program as CSV (UTF-8)."));
    QString text;
    bool broken = false;
    bool tooLong = false;
    do {
        if (!readLine(text, broken, tooLong)) {
            if (auto read = status(); !read)
                return read;
            return makeError(ErrorKind::Invalid, u"import.empty"_s, tr("The file is empty: it has no header line."));
        }
    } while (text.trimmed().isEmpty() && !broken && !tooLong);
    if (broken || tooLong || text.contains(QChar(0xFFFD)))
        return makeError(ErrorKind::Invalid, u"import.not_csv"_s,
                         tr("Line %1 is not text: this does not look like a CSV file. Save it as CSV (UTF-8).").arg(m_line));
    // The separator the header uses most outside quotes; a header of one column has none, and a comma is as good as any.
    int counts[3] = {0, 0, 0};
    const QChar candidates[3] = {u';', u',', u'\t'};
    bool quoted = false;
    for (const QChar c : text) {
        if (c == u'"')
            quoted = !quoted;
        for (int i = 0; i < 3 && !quoted; ++i)
            counts[i] += c == candidates[i] ? 1 : 0;
    }
    int best = 1;
    for (int i = 0; i < 3; ++i)
        best = counts[i] > counts[best] ? i : best;
    m_separator = candidates[best];
    // The header is parsed like any record, from the text already read.
    m_header.clear();
    QString field;
    quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += c;
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"' && field.isEmpty()) {
            quoted = true;
        } else if (c == m_separator) {
            m_header.append(field.trimmed());
            field.clear();
        } else {
            field += c;
        }
    }
    m_header.append(field.trimmed());
    return {};
}

bool CsvReader::next(CsvRecord &record)
{
    record = CsvRecord();
    QString text;
    bool broken = false;
    bool tooLong = false;
    // Skip empty lines between records.
    do {
        if (!readLine(text, broken, tooLong))
            return false;
    } while (text.isEmpty() && !broken && !tooLong);
    record.line = m_line;
    QString field;
    bool inQuotes = false;
    bool wasQuoted = false;
    for (;;) {
        if (tooLong)
            record.error = tr("Line %1 is longer than %2 bytes.").arg(m_line).arg(MaxLineBytes);
        else if (broken && record.error.isEmpty())
            record.error = tr("Line %1 is neither UTF-8 nor Windows-1252 text.").arg(m_line);
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (inQuotes) {
                if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                    field += c;
                    ++i;
                } else if (c == u'"') {
                    inQuotes = false;
                } else {
                    field += c;
                }
            } else if (c == u'"' && !wasQuoted && field.trimmed().isEmpty()) {
                field.clear();
                inQuotes = true;
                wasQuoted = true;
            } else if (c == m_separator) {
                record.fields.append(wasQuoted ? field : field.trimmed());
                field.clear();
                wasQuoted = false;
            } else {
                field += c;
            }
        }
        if (!inQuotes)
            break;
        if (field.size() > MaxLineBytes) {
            record.error = tr("Line %1 opens a quote that runs on for more than %2 bytes.").arg(record.line).arg(MaxLineBytes);
            break;
        }
        // A quoted field goes on on the next physical line.
        if (!readLine(text, broken, tooLong)) {
            if (record.error.isEmpty() && m_readError.isEmpty())
                record.error = tr("Line %1 opens a quote that the file never closes.").arg(record.line);
            break;
        }
        field += u'\n';
    }
    record.fields.append(wasQuoted ? field : field.trimmed());
    return true;
}

} // namespace askpro
