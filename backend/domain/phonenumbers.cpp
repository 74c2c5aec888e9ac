// libphonenumber wrapper; its singleton is thread-safe for parsing and formatting.
#include "domain/phonenumbers.h"

#include <QRegularExpression>

#include <phonenumbers/phonenumberutil.h>

using namespace Qt::StringLiterals;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace askpro {

Result<QString> PhoneNumbers::toE164(const QString &text, const QString &regionCode)
{
    QString input = text.trimmed();
    if (input.isEmpty())
        return makeError(ErrorKind::Invalid, u"phone.empty"_s, tr("No phone number given"));
    if (input.size() > 40)
        return makeError(ErrorKind::Invalid, u"phone.invalid"_s, tr("\"%1...\" is not a phone number").arg(input.left(20)));
    // "+49 (0)30 ..." carries the national trunk prefix in brackets; it is never dialled after +49.
    input.replace(u"(0)"_s, QString());
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    const auto parsed = util->Parse(input.toStdString(), regionCode.toStdString(), &number);
    if (parsed != PhoneNumberUtil::NO_PARSING_ERROR || !util->IsValidNumber(number))
        return makeError(ErrorKind::Invalid, u"phone.invalid"_s, tr("\"%1\" is not a valid phone number").arg(text.trimmed()));
    std::string formatted;
    util->Format(number, PhoneNumberUtil::E164, &formatted);
    return QString::fromStdString(formatted);
}

QString PhoneNumbers::regionOf(const QString &e164, const QString &fallback)
{
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(e164.toStdString(), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
        return fallback;
    std::string region;
    util->GetRegionCodeForNumber(number, &region);
    return region.empty() || region == "ZZ" ? fallback : QString::fromStdString(region);
}

QString PhoneNumbers::display(const QString &e164)
{
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(e164.toStdString(), "DE", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
        return e164;
    std::string formatted;
    util->Format(number, PhoneNumberUtil::INTERNATIONAL, &formatted);
    return QString::fromStdString(formatted);
}

bool PhoneNumbers::canReceiveSms(const QString &e164)
{
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(e164.toStdString(), "DE", &number) != PhoneNumberUtil::NO_PARSING_ERROR || !util->IsValidNumber(number))
        return false;
    const auto type = util->GetNumberType(number);
    return type == PhoneNumberUtil::MOBILE || type == PhoneNumberUtil::FIXED_LINE_OR_MOBILE;
}

QString PhoneNumbers::masked(const QString &e164)
{
    const QString number = e164.trimmed();
    if (number.size() <= 8)
        return QString(number.size(), u'\u2022');
    return number.left(6) + u"\u2022\u2022\u2022"_s + number.right(2);
}

QString PhoneNumbers::maskedRecipient(const QString &address)
{
    static const QString bullets = u"\u2022\u2022\u2022"_s;
    const QString text = address.trimmed();
    if (text.isEmpty())
        return {};
    static const QString whatsapp = u"whatsapp:"_s;
    if (text.startsWith(whatsapp))
        return whatsapp + masked(text.mid(whatsapp.size()));
    if (text.startsWith(u'+'))
        return masked(text);
    const qsizetype at = text.lastIndexOf(u'@');
    if (at > 0) {
        const QString domain = text.mid(at + 1);
        const qsizetype dot = domain.lastIndexOf(u'.');
        const QString top = dot > 0 ? domain.mid(dot) : QString();
        return text.left(1) + bullets + u'@' + domain.left(1) + bullets + top;
    }
    return bullets;
}

QString PhoneNumbers::maskedIn(const QString &text)
{
    static const QRegularExpression numbers(u"\\+[0-9]{6,15}"_s);
    QString out;
    qsizetype from = 0;
    for (auto it = numbers.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        out += text.mid(from, m.capturedStart() - from) + masked(m.captured());
        from = m.capturedEnd();
    }
    return out + text.mid(from);
}

} // namespace askpro
