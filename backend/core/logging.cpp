// Definitions of the backend's logging categories.
#include "core/logging.h"

namespace askpro {
Q_LOGGING_CATEGORY(lcDb, "askpro.db", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "askpro.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIntake, "askpro.intake", QtInfoMsg)
Q_LOGGING_CATEGORY(lcJobs, "askpro.jobs", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFlow, "askpro.flow", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRetell, "askpro.retell", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCalcom, "askpro.calcom", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStripe, "askpro.stripe", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMail, "askpro.mail", QtInfoMsg)
Q_LOGGING_CATEGORY(lcBilling, "askpro.billing", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHealth, "askpro.health", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSecurity, "askpro.security", QtInfoMsg)
} // namespace askpro
