// Environment overrides for the server configuration.
#include "config/serverconfig.h"

#include <QtGlobal>

namespace askpro {

ServerConfig ServerConfig::fromEnvironment()
{
    ServerConfig c;
    const auto text = [](const char *name, QString &target) {
        const QString v = qEnvironmentVariable(name);
        if (!v.isEmpty())
            target = v;
    };
    const auto url = [](const char *name, QUrl &target) {
        const QString v = qEnvironmentVariable(name);
        if (!v.isEmpty())
            target = QUrl(v);
    };
    url("ASKPRO_RETELL_URL", c.endpoints.retell);
    url("ASKPRO_CALCOM_URL", c.endpoints.calcom);
    url("ASKPRO_STRIPE_URL", c.endpoints.stripe);
    url("ASKPRO_TWILIO_URL", c.endpoints.twilio);
    if (const int wait = qEnvironmentVariableIntValue("ASKPRO_SMS_ANSWER_WAIT_S"); wait > 0)
        c.smsAnswerWaitMs = qint64(wait) * 1000;
    text("ASKPRO_SMTP_URL", c.smtp.url);
    text("ASKPRO_SMTP_USER", c.smtp.username);
    text("ASKPRO_SMTP_PASSWORD", c.smtp.password);
    text("ASKPRO_MAIL_FROM", c.smtp.from);
    c.smtp.requireTls = qEnvironmentVariableIntValue("ASKPRO_SMTP_REQUIRE_TLS") != 0;
    c.smtp.allowPlain = qEnvironmentVariableIntValue("ASKPRO_SMTP_ALLOW_PLAIN") != 0;
    text("ASKPRO_PUBLIC_URL", c.publicUrl);
    text("ASKPRO_KEY_FILE", c.keyFile);
    text("ASKPRO_ALERT_EMAIL", c.alertEmail);
    text("ASKPRO_MONITORING_TOKEN", c.monitoringToken);
    if (const int cap = qEnvironmentVariableIntValue("ASKPRO_INTAKE_QUEUE_CAP"); cap > 0)
        c.intakeQueueCap = cap;
    if (const int age = qEnvironmentVariableIntValue("ASKPRO_CALCOM_EVENT_MAX_AGE_S"); age > 0)
        c.calcomEventMaxAgeMs = qint64(age) * 1000;
    if (qEnvironmentVariableIsSet("ASKPRO_REFUSED_PER_MINUTE")) {
        bool ok = false;
        const int perMinute = qEnvironmentVariable("ASKPRO_REFUSED_PER_MINUTE").toInt(&ok);
        if (ok && perMinute >= 0)
            c.refusedPerMinute = perMinute;
        else
            qWarning("ASKPRO_REFUSED_PER_MINUTE: not a count of 0 or more; ignored");
    }
    for (const QString &proxy : qEnvironmentVariable("ASKPRO_TRUSTED_PROXIES").split(u',', Qt::SkipEmptyParts)) {
        if (QHostAddress address(proxy.trimmed()); !address.isNull())
            c.trustedProxies.append(address);
        else
            qWarning("ASKPRO_TRUSTED_PROXIES: %s is not an address; ignored", qPrintable(proxy));
    }
    if (qEnvironmentVariableIntValue("ASKPRO_HEALTH_INTERVAL_S") > 0)
        c.healthIntervalMs = qEnvironmentVariableIntValue("ASKPRO_HEALTH_INTERVAL_S") * 1000;
    text("ASKPRO_SELLER_NAME", c.seller.party.name);
    text("ASKPRO_SELLER_ADDRESS", c.seller.party.address);
    text("ASKPRO_SELLER_VAT_ID", c.seller.party.vatId);
    text("ASKPRO_SELLER_TAX_NUMBER", c.seller.party.taxNumber);
    text("ASKPRO_SELLER_EMAIL", c.seller.party.email);
    text("ASKPRO_SELLER_IBAN", c.seller.iban);
    c.seller.party.address.replace(QStringLiteral("\\n"), QStringLiteral("\n"));
    if (qEnvironmentVariableIntValue("ASKPRO_WORKERS") > 0)
        c.workers = qEnvironmentVariableIntValue("ASKPRO_WORKERS");
    return c;
}

} // namespace askpro
