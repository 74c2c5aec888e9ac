// Logging categories, one per backend area; enable with QT_LOGGING_RULES="askpro.*.debug=true".
#pragma once

#include <QLoggingCategory>

namespace askpro {
Q_DECLARE_LOGGING_CATEGORY(lcDb)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcIntake)
Q_DECLARE_LOGGING_CATEGORY(lcJobs)
Q_DECLARE_LOGGING_CATEGORY(lcFlow)
Q_DECLARE_LOGGING_CATEGORY(lcRetell)
Q_DECLARE_LOGGING_CATEGORY(lcCalcom)
Q_DECLARE_LOGGING_CATEGORY(lcStripe)
Q_DECLARE_LOGGING_CATEGORY(lcMail)
Q_DECLARE_LOGGING_CATEGORY(lcBilling)
Q_DECLARE_LOGGING_CATEGORY(lcHealth)
Q_DECLARE_LOGGING_CATEGORY(lcSecurity)
} // namespace askpro
