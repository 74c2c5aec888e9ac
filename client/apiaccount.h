// One account on one askpro-server: its URL, the session's bearer token and the one network manager every
// request goes through. Everything the desktop reads or does is an ApiCall made here, never a bare URL.
#pragma once

#include "apiresult.h"

#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QUrl>
#include <QUrlQuery>

class QNetworkAccessManager;
class QNetworkReply;

namespace askpro::client {

class ApiCall;
class LiveChannel;

class ApiAccount final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiAccount)
public:
    static constexpr int defaultTimeoutMs = 15000;

    explicit ApiAccount(QObject *parent = nullptr);
    ~ApiAccount() override;

    // The server's base URL ("https://askpro.example.com"); plain http only on loopback, so a password or a
    // token never crosses a network in clear. Returns the reason when refused (and keeps the old URL).
    [[nodiscard]] QString setServer(const QUrl &server);
    [[nodiscard]] QUrl server() const { return m_server; }
    // Certificates of a company's own CA, trusted besides the system's.
    void addCaCertificates(const QList<QSslCertificate> &certificates);
    [[nodiscard]] QList<QSslCertificate> caCertificates() const { return m_extraCa; }

    // POST /api/v1/sessions; on success the token is kept and user() holds the signed-in user.
    ApiCall *signIn(const QString &user, const QString &password, const QString &clientName);
    // POST /api/v1/first-admin: a server without users gets its administrator (only from its own machine),
    // who is signed in at once, as with signIn().
    ApiCall *createFirstAdmin(const QString &user, const QString &displayName, const QString &password, const QString &clientName);
    // DELETE /api/v1/sessions/current, then forgets the token whatever the answer.
    ApiCall *signOut();
    // A token kept from an earlier sign-in ("stay signed in"); user() is filled by the next GET /me.
    void setToken(const QString &token);
    // Continues a session kept from an earlier sign-in: GET /me with the token; when the server accepts it, the
    // token and user() are kept as after signIn(), else the token is forgotten (and the answer says why).
    ApiCall *resume(const QString &token);
    [[nodiscard]] QString token() const { return m_token; }
    [[nodiscard]] bool isSignedIn() const { return !m_token.isEmpty(); }
    // The signed-in user as the server described it (id, username, role, company_id, permissions…).
    [[nodiscard]] const Json &user() const { return m_user; }
    [[nodiscard]] bool can(const QString &permission) const;

    // Requests under /api/v1; path starts with '/'. The call deletes itself after finished().
    ApiCall *get(const QString &path, const QUrlQuery &query = {});
    ApiCall *post(const QString &path, const Json &body = Json::object());
    ApiCall *patch(const QString &path, const Json &body);
    ApiCall *put(const QString &path, const Json &body);
    ApiCall *remove(const QString &path, const QUrlQuery &query = {});

    // The account's live socket, created and started on first use (a page that watches lists asks for it).
    [[nodiscard]] LiveChannel *live();
    // Whether the last answer came (any status) or none did; pages keep what they show while unreachable.
    [[nodiscard]] bool isReachable() const { return m_reachable; }

Q_SIGNALS:
    void reachableChanged(bool reachable);
    // The server no longer accepts this session (expired, revoked, password changed): sign in again.
    void sessionEnded(const QString &message);
    void signedIn();

private:
    friend class ApiCall;
    ApiCall *send(const QByteArray &method, const QString &path, const QUrlQuery &query, const QByteArray &body);
    // Keeps the token and user of a successful sign-in answer.
    ApiCall *keepSession(ApiCall *call);
    void answered(const ApiResult &result);

    QNetworkAccessManager *m_network;
    QUrl m_server;
    QString m_token;
    Json m_user;
    QList<QSslCertificate> m_extraCa;
    LiveChannel *m_live = nullptr;
    bool m_reachable = true;
};

// One request: owns its reply, has its own timeout, follows no redirect (a token is never sent elsewhere),
// turns the status and the server's error body into one ApiResult, emits finished() once and deletes itself.
class ApiCall final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiCall)
public:
    ApiCall(ApiAccount *account, QNetworkReply *reply);
    ~ApiCall() override;
    // Drops the answer (the caller no longer wants it): finished() is not emitted.
    void abandon();

Q_SIGNALS:
    void finished(const askpro::client::ApiResult &result);

private:
    void done();
    QPointer<ApiAccount> m_account;
    QNetworkReply *m_reply;
};

} // namespace askpro::client
