// libcurl's SMTP and MIME builder do the protocol and encoding; we only name the parts.
#include "integrations/smtpmailer.h"

#include <QDateTime>
#include <QHostAddress>
#include <QLocale>
#include <QRandomGenerator>
#include <QUrl>

#include "core/logging.h"

#include <curl/curl.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// RFC 2047 encoded word, so umlauts in subjects survive every mail server.
QByteArray encodedHeader(const QString &text)
{
    return "=?UTF-8?B?" + text.toUtf8().toBase64() + "?=";
}

// RFC 5322 §3.6.4: unique worldwide, so the right-hand side is the sender's domain.
QByteArray messageId(const QString &from)
{
    const qsizetype at = from.lastIndexOf(u'@');
    const QByteArray domain = at >= 0 ? from.mid(at + 1).toUtf8() : QByteArrayLiteral("askproai.de");
    quint64 random[2];
    QRandomGenerator::system()->fillRange(random);
    const QByteArray unique = QByteArray(reinterpret_cast<const char *>(random), sizeof random).toHex();
    return '<' + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '.' + unique + '@' + domain + '>';
}

} // namespace

QByteArray SmtpMailer::dateHeader(const QDateTime &when)
{
    // RFC 5322 date-time in English whatever the process's locale: "Thu, 03 Dec 2026 15:50:22 +0000".
    return "Date: " + QLocale::c().toString(when.toUTC(), u"ddd, dd MMM yyyy HH:mm:ss '+0000'"_s).toLatin1();
}

namespace {

struct CurlGlobal
{
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

} // namespace

bool SmtpSettings::tlsRequired() const
{
    if (requireTls)
        return true;
    if (allowPlain)
        return false;
    const QString host = QUrl(url).host();
    const QHostAddress address(host);
    return !(host == u"localhost"_s || (!address.isNull() && address.isLoopback()));
}

SmtpMailer::SmtpMailer(SmtpSettings settings) : m_settings(std::move(settings))
{
    static CurlGlobal global;
}

Status SmtpMailer::send(const MailMessage &m) const
{
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        return makeError(ErrorKind::Internal, u"smtp.init"_s, tr("The mail library could not start"));
    CURL *c = curl.get();
    const QByteArray url = m_settings.url.toUtf8();
    const QByteArray from = '<' + m_settings.from.toUtf8() + '>';
    const QByteArray to = '<' + m.to.toUtf8() + '>';
    const QByteArray user = m_settings.username.toUtf8();
    const QByteArray password = m_settings.password.toUtf8();
    curl_easy_setopt(c, CURLOPT_URL, url.constData());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.constData());
    curl_easy_setopt(c, CURLOPT_USE_SSL, long(m_settings.tlsRequired() ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(m_settings.timeoutMs));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (!user.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.constData());
    }
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(curl_slist_append(nullptr, to.constData()),
                                                                           curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());

    const QByteArray headerFrom = "From: AskPro <" + m_settings.from.toUtf8() + '>';
    const QByteArray headerTo = "To: <" + m.to.toUtf8() + '>';
    const QByteArray headerSubject = "Subject: " + encodedHeader(m.subject);
    // Mail providers penalise mail without these two (RFC 5322 §3.6: Date is required, Message-ID expected).
    const QByteArray headerDate = dateHeader(QDateTime::currentDateTimeUtc());
    const QByteArray headerMessageId = "Message-ID: " + messageId(m_settings.from);
    curl_slist *headers = nullptr;
    for (const QByteArray *h : {&headerDate, &headerMessageId, &headerFrom, &headerTo, &headerSubject})
        headers = curl_slist_append(headers, h->constData());
    headers = curl_slist_append(headers, "MIME-Version: 1.0");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerList(headers, curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headerList.get());

    std::unique_ptr<curl_mime, decltype(&curl_mime_free)> mime(curl_mime_init(c), curl_mime_free);
    const QByteArray body = m.body.toUtf8();
    curl_mimepart *text = curl_mime_addpart(mime.get());
    curl_mime_data(text, body.constData(), size_t(body.size()));
    curl_mime_type(text, "text/plain; charset=utf-8");
    curl_mime_encoder(text, "quoted-printable");
    if (!m.attachment.isEmpty()) {
        const QByteArray name = m.attachmentName.toUtf8();
        const QByteArray type = m.attachmentType.toUtf8();
        curl_mimepart *file = curl_mime_addpart(mime.get());
        curl_mime_data(file, m.attachment.constData(), size_t(m.attachment.size()));
        curl_mime_type(file, type.constData());
        curl_mime_filename(file, name.constData());
        curl_mime_encoder(file, "base64");
    }
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());

    const CURLcode result = curl_easy_perform(c);
    if (result == CURLE_OK) {
        qCInfo(lcMail) << "mail sent, subject" << m.subject.left(60);
        return {};
    }
    long response = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response);
    const QString reason = QString::fromUtf8(curl_easy_strerror(result));
    qCWarning(lcMail) << "mail not sent:" << reason << "smtp code" << response;
    const bool permanent = response >= 500 && response < 600;
    return makeError(permanent ? ErrorKind::Rejected : ErrorKind::Transient, u"smtp.failed"_s,
                     permanent ? tr("The mail server refused the message") : tr("The mail server cannot be reached right now"),
                     reason + (response ? u" (SMTP %1)"_s.arg(response) : QString()));
}

} // namespace askpro
