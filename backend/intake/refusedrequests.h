// Requests refused for their signature (and failed sign-ins of the admin API): counted, a bounded sample of
// their bodies kept in memory, and a bucket per source address that turns further refusals into 429.
// Nothing of a refused request reaches the database: whoever can reach the port must not be able to fill
// the disk or slow the intake's commits. Correctly signed requests never touch the bucket.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QString>

class QHttpServerRequest;

namespace askpro {

class RefusedRequests final
{
public:
    static constexpr int sampleLimit = 100;       // bodies kept, oldest dropped first
    static constexpr qsizetype sampleBytes = 4096; // of each body

    struct Sample
    {
        qint64 receivedAt = 0; // ms since the epoch, UTC
        QString provider;      // retell | calcom | stripe
        QString reason;        // missing | malformed | stale | wrong | too_large
        QString address;       // the source address (X-Forwarded-For's last hop behind a trusted proxy)
        qsizetype size = 0;    // of the whole body
        QByteArray body;       // its first sampleBytes
    };
    // By (provider, reason); provider "admin" counts failed sign-ins, reason "rate_limited" the 429 answers.
    using Counts = QHash<QPair<QString, QString>, qint64>;

    // perMinute: refusals an address may cause per minute (as a burst, then refilled steadily); 0: no limit.
    explicit RefusedRequests(int perMinute);

    // Whether the address has used up its refusals: its next refused request is answered 429.
    [[nodiscard]] bool limited(const QString &address);
    // Seconds until the address may be refused once more without 429.
    [[nodiscard]] int retryAfterSeconds() const;
    // One refused request: counted, charged to its address's bucket, and its body sampled (when not empty).
    void record(const QString &provider, const QString &reason, const QString &address, const QByteArray &body);
    // One refusal answered 429 because its address was over the limit: counted only.
    void recordLimited(const QString &provider);

    [[nodiscard]] Counts counts() const;
    [[nodiscard]] QList<Sample> sample() const; // oldest first
    [[nodiscard]] int perMinute() const { return m_perMinute; }
    [[nodiscard]] qint64 since() const { return m_since; }

    // The address a request came from: the peer, or the last X-Forwarded-For hop when the peer is one of the
    // trusted proxies (anything before that hop came from the client and proves nothing).
    [[nodiscard]] static QString clientAddress(const QHttpServerRequest &request, const QList<QHostAddress> &trustedProxies);
    // The bucket an address counts against: the address itself, or its /64 for IPv6.
    [[nodiscard]] static QString bucketKey(const QString &address);
    // The reason name of a signature error code ("signature.wrong" → "wrong").
    [[nodiscard]] static QString reasonOf(const QString &errorCode);

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedAt = 0;
    };
    // Refills the bucket for the time since its last update; callers hold m_mutex.
    Bucket &bucket(const QString &address, qint64 now);

    const int m_perMinute;
    const qint64 m_since;
    mutable QMutex m_mutex;
    Counts m_counts;
    QList<Sample> m_sample;
    QHash<QString, Bucket> m_buckets; // by bucketKey
    qint64 m_prunedAt = 0;
};

} // namespace askpro
