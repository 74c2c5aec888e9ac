// The billing job kinds run by JobWorker: "stripe.event", "invoices.generate", "invoice.push" and
// "invoice.mail". Kept here so the worker's dispatch stays one line.
#pragma once

#include "config/serverconfig.h"
#include "integrations/jsonreply.h"
#include "jobs/joboutcome.h"

class QNetworkAccessManager;
class QObject;

namespace askpro {

class CredentialStore;
class Database;

namespace BillingJobs {
// Runs one job; done is called once (maybe later, after Stripe answered). context owns async work.
void run(Database &db, CredentialStore &credentials, QNetworkAccessManager *network, const ServerConfig &config, const QString &kind,
         const Json &payload, bool lastAttempt, QObject *context, const JobDone &done);
} // namespace BillingJobs

} // namespace askpro
