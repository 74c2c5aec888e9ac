// GET /metrics: Prometheus text format (version 0.0.4) with requests, backlog, workers, outcomes,
// webhook-to-booking latency and the last state of each health check.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QPair>
#include <QString>

namespace askpro {

class Database;

class Metrics final
{
public:
    // Requests answered by this server since it started, by path and HTTP status.
    using RequestCounts = QHash<QPair<QString, int>, qint64>;
    // Requests refused by this server since it started, by provider and reason (RefusedRequests::Counts).
    using RefusedCounts = QHash<QPair<QString, QString>, qint64>;

    [[nodiscard]] static QByteArray render(Database &db, const RequestCounts &requests, const RefusedCounts &refused = {});
    // The p-th percentile (0..100) of webhook-to-booking times of the calls booked in the last windowMs.
    [[nodiscard]] static QList<double> bookingLatencySeconds(Database &db, qint64 windowMs);
};

} // namespace askpro
