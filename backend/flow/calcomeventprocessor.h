// Mirrors bookings created, cancelled or rescheduled in Cal.com itself into our appointments.
#pragma once

#include "jobs/joboutcome.h"

#include <QCoreApplication>

namespace askpro {

class Database;

class CalcomEventProcessor final
{
    Q_DECLARE_TR_FUNCTIONS(CalcomEventProcessor)
public:
    explicit CalcomEventProcessor(Database &db);

    // Applies one stored Cal.com webhook; the slot cache of the days it touches is forgotten.
    [[nodiscard]] JobOutcome process(qint64 inboxId);

private:
    Database &m_db;
};

} // namespace askpro
