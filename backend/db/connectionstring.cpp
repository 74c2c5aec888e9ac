// Connection string parsing; the password never leaves this struct through redacted().
#include "db/connectionstring.h"

#include <QDir>
#include <QHostAddress>
#include <QUrlQuery>
#include <QStandardPaths>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace askpro {

Result<ConnectionString> ConnectionString::parse(const QString &text)
{
    ConnectionString cs;
    if (text.startsWith(u"sqlite:"_s)) {
        cs.engine = Engine::Sqlite;
        cs.path = text.mid(7);
        if (cs.path.startsWith(u"//"_s))
            cs.path = cs.path.mid(2);
        if (cs.path.isEmpty())
            return makeError(ErrorKind::Invalid, u"db.url"_s, u"The SQLite connection string names no file: use sqlite:PATH"_s);
        return cs;
    }
    if (text.startsWith(u"postgresql://"_s) || text.startsWith(u"postgres://"_s)) {
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            return makeError(ErrorKind::Invalid, u"db.url"_s,
                             u"The PostgreSQL connection string is not valid: use postgresql://user[:pass]@host:port/db"_s);
        cs.engine = Engine::Postgres;
        cs.host = url.host();
        cs.port = url.port(5432);
        cs.user = url.userName(QUrl::FullyDecoded);
        cs.password = url.password(QUrl::FullyDecoded);
        cs.database = url.path().mid(1);
        if (cs.database.isEmpty())
            return makeError(ErrorKind::Invalid, u"db.url"_s, u"The PostgreSQL connection string names no database"_s);
        static const QStringList modes{u"disable"_s, u"allow"_s, u"prefer"_s, u"require"_s, u"verify-ca"_s, u"verify-full"_s};
        const QUrlQuery query(url);
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
            if (key == u"sslmode"_s && modes.contains(value))
                cs.sslMode = value;
            else if (key == u"sslrootcert"_s && !value.isEmpty())
                cs.sslRootCert = value;
            else
                return makeError(ErrorKind::Invalid, u"db.url"_s,
                                 u"The PostgreSQL connection string has an unknown or invalid parameter %1 (known: sslmode=%2, sslrootcert=FILE)"_s
                                     .arg(key, modes.join(u'|')));
        }
        const QHostAddress address(cs.host);
        const bool local = cs.host == u"localhost"_s || (!address.isNull() && address.isLoopback());
        // A database reached over a network is never spoken to in clear or to an unverified host by default.
        if (cs.sslMode.isEmpty() && !local)
            cs.sslMode = u"verify-full"_s;
        return cs;
    }
    return makeError(ErrorKind::Invalid, u"db.url"_s,
                     u"Unknown database connection string \"%1\": use sqlite:PATH or postgresql://user@host:port/db"_s.arg(text.left(40)));
}

QString ConnectionString::defaultUrl()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + u"/.local/share/askpro"_s;
    return u"sqlite:"_s + dir + u"/askpro.sqlite"_s;
}

QString ConnectionString::redacted() const
{
    if (engine == Engine::Sqlite)
        return u"sqlite:"_s + path;
    const QString base = u"postgresql://%1@%2:%3/%4"_s.arg(user, host).arg(port).arg(database);
    return sslMode.isEmpty() ? base : base + u"?sslmode="_s + sslMode;
}

QString ConnectionString::postgresOptions() const
{
    QStringList options{u"connect_timeout=10"_s};
    if (!sslMode.isEmpty())
        options << u"sslmode="_s + sslMode;
    if (!sslRootCert.isEmpty())
        options << u"sslrootcert="_s + sslRootCert;
    return options.join(u';');
}

} // namespace askpro
